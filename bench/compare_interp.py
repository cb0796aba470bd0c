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
