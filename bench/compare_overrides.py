#!/usr/bin/python3
"""Side by side: rig (bench_overrides) and OmegaConf (the anchor) on the same 1,000 overrides and the same 100k-leaf
config, in one run. OmegaConf applies them the way Hydra does (value typed by OmegaConf's dotlist parser, then
OmegaConf.update(merge=True); ~key deletes). Times only the overrides, not building the config. Prints the ratio.

Usage: bench/compare_overrides.py BUILD_DIR
"""
import json
import subprocess
import sys
import time

from omegaconf import OmegaConf


def big_config():
    return {f"section_{s}": {f"group_{g}": {f"key_{k}": k for k in range(100)} for g in range(10)} for s in range(100)}


def override_args():
    out = []
    for i in range(1000):
        path = f"section_{i // 10}.group_{i % 10}.key_{(i * 13) % 100}"
        out.append([f"{path}={i}", f"{path}=3.5e-4", f"{path}=adamw", f"{path}='quoted, with comma'",
                    f"{path}=[1, 2, [3, 4]]", f"+{path}_new={{a: 1, b: [x, y]}}", f"++{path}=${{other.key}}",
                    f"~{path}"][i % 8])
    return out


def apply(cfg, arg):
    if arg.startswith("~"):
        parent, _, last = arg[1:].rpartition(".")
        del OmegaConf.select(cfg, parent)[last]
        return
    key, _, text = arg.lstrip("+").partition("=")
    value = OmegaConf.to_container(OmegaConf.from_dotlist(["v=" + text]), resolve=False)["v"]
    OmegaConf.update(cfg, key, value, merge=True, force_add=arg.startswith("+"))


def main():
    t0 = time.perf_counter()
    cfg = OmegaConf.create(big_config())
    t1 = time.perf_counter()
    args = override_args()
    t2 = time.perf_counter()
    for a in args:
        apply(cfg, a)
    t3 = time.perf_counter()
    omegaconf_ms = (t3 - t2) * 1e3
    print(f"OmegaConf.create of the 100k-leaf config: {(t1 - t0) * 1e3:.0f} ms")
    print(f"OmegaConf: parse+apply 1,000 overrides: {omegaconf_ms:.1f} ms")
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    out = subprocess.run([f"{build}/bench/bench_overrides", "--benchmark_filter=BM_ParseAndApply1000Overrides100kNodes$",
                          "--benchmark_repetitions=5", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    cpu = sorted(b["cpu_time"] for b in runs)[len(runs) // 2]
    real = sorted(b["real_time"] for b in runs)[len(runs) // 2]
    print(f"rig: parse+apply 1,000 overrides: {cpu:.2f} ms CPU, {real:.2f} ms wall (median of 5; goal < 5 ms)")
    print(f"ratio OmegaConf / rig: {omegaconf_ms / cpu:.0f}x (CPU), {omegaconf_ms / real:.0f}x (wall)")


if __name__ == "__main__":
    main()
