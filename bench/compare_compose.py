#!/usr/bin/python3
"""Side by side: rig's compose() (bench_compose) and OmegaConf doing the same merges, in one run. Prints ratios.

The tree is bench_compose's: 100 groups x 2 options (200 files), 5 sections of 19 leaves per option (~10k nodes
composed), 100 group selections + 900 value overrides. OmegaConf has no defaults lists, so its side is the work
Hydra delegates to it: load the 100 chosen files, place each at its package, merge them, merge 900 dotlist overrides.
(Hydra itself is not a Debian package; issue #1543 reports ~0.5 s for its compose of a ~100-line config.)

Usage: bench/compare_compose.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

from omegaconf import OmegaConf

from timing import best_of

build = sys.argv[1] if len(sys.argv) > 1 else "build"
GROUPS, SECTIONS, LEAVES = 100, 5, 19


with tempfile.TemporaryDirectory() as d:
    for g in range(GROUPS):
        os.makedirs(os.path.join(d, f"g{g}"))
        for option in ("a", "b"):
            with open(os.path.join(d, f"g{g}", f"{option}.yaml"), "w") as f:
                for s in range(SECTIONS):
                    f.write(f"s{s}:\n")
                    for l in range(LEAVES):
                        f.write(f"  k{l}: {l * 7 + s}\n")
    dotlist = [f"g{i % GROUPS}.s{i % SECTIONS}.k{i % LEAVES}={i}" for i in range(900)]

    def omegaconf_compose():
        cfg = OmegaConf.create({"seed": 1})
        for g in range(GROUPS):
            cfg = OmegaConf.merge(cfg, {f"g{g}": OmegaConf.load(os.path.join(d, f"g{g}", "b.yaml"))})
        return OmegaConf.merge(cfg, OmegaConf.from_dotlist(dotlist))

    anchor = best_of(omegaconf_compose, 1)  # ~30 s: once is enough

out = subprocess.run([os.path.join(build, "bench", "bench_compose"), "--benchmark_format=json",
                      "--benchmark_filter=BM_Compose/5"], check=True, capture_output=True, text=True).stdout
rig = [b for b in json.loads(out)["benchmarks"] if b["name"].startswith("BM_Compose/5")][0]
rig_s = rig["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3}[rig["time_unit"]]
print(f"{'workload':<40}{'rig':>12}{'OmegaConf':>14}{'ratio':>10}")
print(f"{'compose 200 files, ~10k nodes, 1k overrides':<40}{rig_s * 1e3:>10.2f}ms{anchor * 1e3:>12.1f}ms"
      f"{anchor / rig_s:>9.0f}x")
