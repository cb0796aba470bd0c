#!/usr/bin/python3
"""Before/after in one run: two builds' benchmark binaries, interleaved round by round (the order alternating), each
build's times divided by an anchor benchmark of the same binary that runs code neither build changes. Not part of
bench/run-all: it needs a second build.

  bench_compose  (default): BM_Compose, anchored on libfyaml's events alone over the same files
  bench_registry: instantiate and lookup, anchored on BM_HandWritten (the same construction written by hand)

Usage: bench/compare_builds.py BEFORE/bench/BINARY AFTER/bench/BINARY [ROUNDS]
"""
import json
import os
import statistics
import subprocess
import sys

# Per binary: the anchor and the benchmarks compared.
SUITES = {
    "bench_compose": ("BM_EventsOnlyChosenFiles/50", "BM_Compose/(5|50)/|BM_EventsOnlyChosenFiles/50/", "ms"),
    "bench_registry": ("BM_HandWritten", "BM_HandWritten|BM_Instantiate|BM_Lookup", "ns"),
}
ANCHOR, FILTER, UNIT = SUITES["bench_compose"]
SCALE = {"ns": 1.0, "us": 1e3, "ms": 1e6}  # to ns


def run(binary, into):
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_filter=" + FILTER,
                          "--benchmark_min_time=0.3"], capture_output=True, text=True, check=True).stdout
    for b in json.loads(out)["benchmarks"]:
        name = b["name"].split("/process_time")[0].removesuffix("/real_time")
        scale = SCALE[b["time_unit"]] / SCALE[UNIT]
        t = into.setdefault(name, {"wall": [], "cpu": []})
        t["wall"].append(b["real_time"] * scale)
        t["cpu"].append(b["cpu_time"] * scale)


def main():
    global ANCHOR, FILTER, UNIT
    builds = {"before": sys.argv[1], "after": sys.argv[2]}
    ANCHOR, FILTER, UNIT = SUITES[os.path.basename(builds["after"])]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    res = {"before": {}, "after": {}}
    for r in range(rounds):
        for which in (("before", "after") if r % 2 == 0 else ("after", "before")):
            run(builds[which], res[which])
    med = {w: {n: {k: statistics.median(v) for k, v in t.items()} for n, t in res[w].items()} for w in res}
    print("%-28s %-32s %-32s %s" % ("benchmark (%s)" % UNIT, "CPU before / after (range)", "wall before / after (median)",
                                    "CPU / anchor before -> after"))
    for name in sorted(res["before"]):
        b, a = res["before"][name], res["after"][name]
        print("%-28s %-32s %-32s %.2f -> %.2f" % (
            name, "%.1f-%.1f / %.1f-%.1f" % (min(b["cpu"]), max(b["cpu"]), min(a["cpu"]), max(a["cpu"])),
            "%.1f / %.1f" % (med["before"][name]["wall"], med["after"][name]["wall"]),
            med["before"][name]["cpu"] / med["before"][ANCHOR]["cpu"], med["after"][name]["cpu"] / med["after"][ANCHOR]["cpu"]))


if __name__ == "__main__":
    main()
