#!/usr/bin/python3
"""The Python anchor for registry_bench.cpp's BM_Instantiate5Args: the core of Hydra's instantiate done with
Debian's python3-omegaconf (Hydra itself is not packaged): resolve the config to a dict, import the target by its
dotted name, call it with the keyword arguments. Prints microseconds per instantiate."""
import importlib
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


def main():
    cfg = OmegaConf.create({"_target_": "__main__.Five", "a": 1, "b": 2.5, "c": "hello", "d": True, "e": [1, 2, 3]})
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    instantiate(cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        instantiate(cfg)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(f"python omegaconf instantiate (5 args): {dt / n * 1e6:.2f} us wall, {dc / n * 1e6:.2f} us CPU")


if __name__ == "__main__":
    main()
