#!/usr/bin/python3
"""The Python anchor for bench_registry's BM_Instantiate5Args: the core of Hydra's instantiate done with Debian's
python3-omegaconf (Hydra itself is not packaged): resolve the config to a dict, import the target by its dotted
name, call it with the keyword arguments. Runs rig's benchmark in the same invocation when BUILD/bench/bench_registry
exists and prints the ratio of CPU times.

usage: compare_instantiate.py [BUILD_DIR]
"""
import importlib
import json
import os
import subprocess
import sys
import time

from omegaconf import OmegaConf


class Five:
    def __init__(self, a, b, c, d=False, e=()):
        self.a, self.b, self.c, self.d, self.e = a, b, c, d, list(e)


def instantiate(cfg):
    kwargs = OmegaConf.to_container(cfg, resolve=True)
    module, _, name = kwargs.pop("_target_").rpartition(".")
    return getattr(importlib.import_module(module), name)(**kwargs)


def python_us(n=20000):
    cfg = OmegaConf.create({"_target_": "__main__.Five", "a": 1, "b": 2.5, "c": "hello", "d": True, "e": [1, 2, 3]})
    instantiate(cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        instantiate(cfg)
    return (time.perf_counter() - t0) / n * 1e6, (time.process_time() - c0) / n * 1e6


def rig_us(build):
    binary = os.path.join(build, "bench", "bench_registry")
    if not os.path.exists(binary):
        return None
    out = subprocess.run([binary, "--benchmark_filter=BM_Instantiate5Args$", "--benchmark_format=json",
                          "--benchmark_min_time=0.2"], capture_output=True, text=True, check=True).stdout
    run = json.loads(out)["benchmarks"][0]
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[run["time_unit"]]
    return run["real_time"] * scale, run["cpu_time"] * scale


def main():
    wall, cpu = python_us()
    print(f"python omegaconf instantiate (5 args): {wall:.2f} us wall, {cpu:.2f} us CPU")
    rig = rig_us(sys.argv[1] if len(sys.argv) > 1 else "build")
    if rig:
        print(f"rig::instantiate (5 args): {rig[0]:.3f} us wall, {rig[1]:.3f} us CPU; ratio (CPU) {cpu / rig[1]:.0f}x")


if __name__ == "__main__":
    main()
