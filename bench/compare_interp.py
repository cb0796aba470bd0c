#!/usr/bin/python3
"""Side by side: rig (bench_interp) and OmegaConf on the torchtune recipe configs, load + resolve, per-config median.

Usage: bench/compare_interp.py BUILD_DIR     (needs python3-omegaconf for /usr/bin/python3 and ../shared)
"""
import glob
import json
import os
import statistics
import subprocess
import sys
import time

from omegaconf import OmegaConf

build = sys.argv[1] if len(sys.argv) > 1 else "build"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
files = sorted(glob.glob(os.path.join(root, "..", "shared", "corpus", "torchtune", "recipes", "configs", "**", "*.yaml"),
                         recursive=True))
per_file = []
for f in files:
    text = open(f).read()
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        try:
            OmegaConf.to_container(OmegaConf.create(text), resolve=True)
        except Exception:  # noqa: BLE001 - a few need Hydra resolvers; timed all the same
            pass
        runs.append(time.perf_counter() - t)
    per_file.append(statistics.median(runs))
omega_us = statistics.median(per_file) * 1e6
out = subprocess.run([os.path.join(build, "bench", "bench_interp"), "--benchmark_filter=BM_TorchtuneMedian",
                      "--benchmark_format=json"], capture_output=True, text=True, check=True)
bench = json.loads(out.stdout)["benchmarks"][0]
rig_us, rig_resolve_us = bench["median_us"], bench["resolve_median_us"]
print("torchtune configs: %d; per-config median load+resolve: OmegaConf %.0f us, rig %.1f us (resolve alone %.1f us),"
      " ratio %.0fx" % (len(files), omega_us, rig_us, rig_resolve_us, omega_us / rig_us))

# Synthetic: 10k leaves / 1k interpolations at depth 8, the same YAML text on both sides.
binary = os.path.join(build, "bench", "bench_interp")
text = subprocess.run([binary, "--emit-synthetic", "10000", "1000"], capture_output=True, text=True, check=True).stdout
t = time.process_time()
cfg = OmegaConf.create(text)
omega_load = time.process_time() - t
t = time.process_time()
OmegaConf.to_container(cfg, resolve=True)
omega_resolve = time.process_time() - t
out = subprocess.run([binary, "--benchmark_filter=BM_Synthetic(LoadResolve|ResolveOnly)/10000/1000$",
                      "--benchmark_format=json", "--benchmark_min_time=0.3"], capture_output=True, text=True, check=True)
rig = {b["name"].split("/")[0]: b["cpu_time"] for b in json.loads(out.stdout)["benchmarks"]}  # milliseconds
print("synthetic 10k leaves / 1k interpolations (CPU): OmegaConf load %.0f ms + resolve %.0f ms; rig load+resolve "
      "%.1f ms (resolve alone %.1f ms); ratio %.0fx (resolve alone %.0fx)"
      % (omega_load * 1e3, omega_resolve * 1e3, rig["BM_SyntheticLoadResolve"], rig["BM_SyntheticResolveOnly"],
         (omega_load + omega_resolve) * 1e3 / rig["BM_SyntheticLoadResolve"],
         omega_resolve * 1e3 / rig["BM_SyntheticResolveOnly"]))
