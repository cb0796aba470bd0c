#!/usr/bin/python3
"""Before/after in one run: two builds' bench_compose binaries, interleaved round by round (the order alternating),
with libfyaml's events alone over the same files (BM_EventsOnlyChosenFiles/50, code neither build changes) as the
anchor each build's times are divided by. Not part of bench/run-all: it needs a second build.

Usage: bench/compare_builds.py BEFORE/bench/bench_compose AFTER/bench/bench_compose [ROUNDS]
"""
import json
import statistics
import subprocess
import sys

ANCHOR = "BM_EventsOnlyChosenFiles/50"
FILTER = "BM_Compose/(5|50)/|" + ANCHOR + "/"


def run(binary, into):
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_filter=" + FILTER,
                          "--benchmark_min_time=0.3"], capture_output=True, text=True, check=True).stdout
    for b in json.loads(out)["benchmarks"]:
        name = b["name"].split("/process_time")[0]
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[b["time_unit"]]
        t = into.setdefault(name, {"wall": [], "cpu": []})
        t["wall"].append(b["real_time"] * scale)
        t["cpu"].append(b["cpu_time"] * scale)


def main():
    builds = {"before": sys.argv[1], "after": sys.argv[2]}
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    res = {"before": {}, "after": {}}
    for r in range(rounds):
        for which in (("before", "after") if r % 2 == 0 else ("after", "before")):
            run(builds[which], res[which])
    med = {w: {n: {k: statistics.median(v) for k, v in t.items()} for n, t in res[w].items()} for w in res}
    print("%-28s %-32s %-32s %s" % ("benchmark (ms)", "CPU before / after (range)", "wall before / after (median)",
                                    "CPU / anchor before -> after"))
    for name in sorted(res["before"]):
        b, a = res["before"][name], res["after"][name]
        print("%-28s %-32s %-32s %.2f -> %.2f" % (
            name, "%.1f-%.1f / %.1f-%.1f" % (min(b["cpu"]), max(b["cpu"]), min(a["cpu"]), max(a["cpu"])),
            "%.1f / %.1f" % (med["before"][name]["wall"], med["after"][name]["wall"]),
            med["before"][name]["cpu"] / med["before"][ANCHOR]["cpu"], med["after"][name]["cpu"] / med["after"][ANCHOR]["cpu"]))


if __name__ == "__main__":
    main()
