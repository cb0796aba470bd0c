#!/usr/bin/python3
"""Side by side: rig (bench_yaml) and OmegaConf (the anchor) on the same inputs, in one run. Prints ratios.

Usage: bench/compare_yaml.py BUILD_DIR
Needs Debian's python3-omegaconf for /usr/bin/python3 (scripts/install-deps installs it).
"""
import json
import os
import subprocess
import sys

from omegaconf import OmegaConf

from timing import best_of

build = sys.argv[1] if len(sys.argv) > 1 else "build"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torchtune = os.path.join(root, "..", "shared", "corpus", "torchtune", "recipes", "configs", "llama3_1",
                         "8B_lora_single_device.yaml")


def grouped(groups, leaves, salt):
    return {f"g{g}": {(f"k{l}_{salt}" if l % 2 else f"k{l}"): l * salt for l in range(leaves)} for g in range(groups)}


anchor = {}
if os.path.exists(torchtune):
    text = open(torchtune).read()
    anchor["BM_LoadTorchtuneConfig"] = best_of(lambda: OmegaConf.create(text), 50)
a10k, b10k = OmegaConf.create(grouped(100, 99, 1)), OmegaConf.create(grouped(100, 99, 7))
anchor["merge_10k"] = best_of(lambda: OmegaConf.merge(a10k, b10k), 3)
flat = "\n".join(f"key_{i}: {i}" for i in range(1000))
anchor["BM_LoadFlatMap/1000"] = best_of(lambda: OmegaConf.create(flat), 5)

out = subprocess.run([os.path.join(build, "bench", "bench_yaml"), "--benchmark_format=json",
                      "--benchmark_filter=Torchtune|FlatMap/1000|Merge100k"],
                     check=True, capture_output=True, text=True).stdout
rig = {b["name"]: b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3}[b["time_unit"]]
       for b in json.loads(out)["benchmarks"]}
# rig merges 100k-node trees; OmegaConf is measured on 10k-node trees (100k takes it tens of seconds).
rig["merge_10k"] = rig["BM_Merge100k"] / 10

print(f"{'workload':<28}{'rig':>12}{'OmegaConf':>14}{'ratio':>10}")
for name, seconds in anchor.items():
    r = rig.get(name)
    if r is None:
        continue
    note = " (rig: 100k/10, linear)" if name == "merge_10k" else ""
    print(f"{name:<28}{r * 1e3:>10.3f}ms{seconds * 1e3:>12.3f}ms{seconds / r:>9.0f}x{note}")
