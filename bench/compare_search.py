#!/usr/bin/env python3
"""Per-trial overhead of rig's hyperparameter search, against a trivial-process anchor measured in the same run.

    bench/compare_search.py [BUILD] [TRIALS]

The trial program is one `sh -c` that writes the trial's objective to $RIG_RUN_DIR/metrics.jsonl. The anchor runs
that same program TRIALS times from one shell loop (a fork+exec per trial, nothing else); then rig runs TRIALS of it
as a grid sweep, a random search and a TPE search (one trial at a time, --parallel 1), each between two anchor runs
(the load of a shared machine drifts). Overhead per trial = (rig's time - the mean of its two anchors') / TRIALS, in
wall time and in CPU time (user + system of every process run): proposal, sweep.yaml, the trial's directory and
status files, trials.jsonl and the launch itself. Time to first trial = trial 0's start (its started.json) - the moment `rig sweep run` began.
docs/performance.md has the numbers.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
trials = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rig = os.path.join(build, "tools", "rig", "rig")
# "$1" is the trial's override x=VALUE: the objective is (x - 0.3)^2, computed by the shell's printf-free arithmetic
# would need awk; the value itself is the objective (TPE only needs an order).
script = 'echo "{\\"loss\\": ${1#x=}}" > "$RIG_RUN_DIR/metrics.jsonl"'
tmp = tempfile.mkdtemp(prefix="rig-search-bench-")


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # every waited-for descendant: rig and its trials, the loop's sh
    return r.ru_utime + r.ru_stime


def anchor():
    env = dict(os.environ, RIG_RUN_DIR=tmp)
    loop = f'i=0; while [ $i -lt {trials} ]; do sh -c \'{script}\' trial x=0.5; i=$((i+1)); done'
    t, cpu = time.perf_counter(), cpu_of_children()
    subprocess.run(["sh", "-c", loop], env=env, check=True)
    return time.perf_counter() - t, cpu_of_children() - cpu


def rig_run(name, args):
    t_wall = time.time()
    t, cpu = time.perf_counter(), cpu_of_children()
    subprocess.run([rig, "sweep", "run", "--root", os.path.join(tmp, "mr"), "--name", name, "sweep.plot=false", *args,
                    "--", "sh", "-c", script, "trial"], check=True, stdout=subprocess.DEVNULL)
    seconds, cpu = time.perf_counter() - t, cpu_of_children() - cpu
    d = os.path.join(tmp, "mr", name)
    d = os.path.join(d, sorted(os.listdir(d))[0])
    first = sorted(e for e in os.listdir(d) if e.startswith("0"))[0]
    start = json.load(open(os.path.join(d, first, "status.json")))["start"]
    return seconds, cpu, start - t_wall


cases = [
    ("grid sweep", "grid", [f"x=range(0,{trials})", "sweep.local.max_parallel=1"]),
    ("random search", "random", ["--search", "random", "--trials", str(trials), "--objective", "loss",
                                 "x=interval(0,1)"]),
    ("TPE search", "tpe", ["--search", "tpe", "--trials", str(trials), "--objective", "loss", "x=interval(0,1)"]),
]
# On a loaded machine the load drifts during a long run: each case is compared with the mean of an anchor run just
# before it and one just after it. Wall time suffers from the load; CPU time (user + system of rig and every process
# it waited for, against the loop's) much less: both are printed.
base = anchor()
for label, name, args in cases:
    seconds, cpu, first = rig_run(name, args)
    after = anchor()
    wall_a, cpu_a = (base[0] + after[0]) / 2, (base[1] + after[1]) / 2
    print(f"anchor: {trials} x `sh -c` from one shell loop: wall {base[0]:.2f} s before, {after[0]:.2f} s after; "
          f"CPU {base[1]:.2f} s, {after[1]:.2f} s")
    print(f"{label}: {trials} trials: wall {seconds:.2f} s = {seconds / wall_a:.2f} x the anchor "
          f"({1000 * (seconds - wall_a) / trials:+.2f} ms/trial); CPU {cpu:.2f} s = {cpu / cpu_a:.2f} x the anchor "
          f"({1000 * (cpu - cpu_a) / trials:+.2f} ms/trial); first trial started after {1000 * first:.0f} ms",
          flush=True)
    base = after
subprocess.run(["rm", "-rf", tmp])
