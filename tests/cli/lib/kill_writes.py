#!/usr/bin/python3
"""SIGKILL at random moments while rig writes files; every file left must be absent or complete (it parses, and holds
what a finished write holds). Atomic writes (rig::write_file_atomic: temp file, fsync, rename) make that so.

Usage: kill_writes.py RIG GREET JOB_SCRIPT WORKDIR [KILLS]
  GREET: the test recipe (its run directory: config.yaml, resolved.yaml, overrides.txt, run.json written twice)
  RIG:   `rig sweep run` (sweep.yaml, each job's started.json/status.json, summary.jsonl) and `rig sweep resume`
"""
import json
import os
import random
import signal
import subprocess
import sys
import time

import yaml

rig, greet, job, work = sys.argv[1:5]
kills = int(sys.argv[5]) if len(sys.argv) > 5 else 50
random.seed(int(os.environ.get("KILL_SEED", "7")))
env = {**os.environ, "SWEEP_TEST_NO_SLEEP": "1", "SWEEP_TEST_FIXED": "/", "NO_COLOR": "1"}
problems = []


def run_and_kill(cmd, cwd, delay):
    """Starts cmd in its own process group and SIGKILLs the whole group after `delay` seconds (or lets it end)."""
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return True


def timed(cmd, cwd):
    t = time.monotonic()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.monotonic() - t


def expect(cond, what):
    if not cond:
        problems.append(what)


def check_file(path, kind, holds):
    """A file that exists must parse as `kind` and satisfy holds(parsed)."""
    if not os.path.exists(path):
        return
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if kind == "yaml":
            data = yaml.safe_load(text)
        elif kind == "json":
            data = json.loads(text)
        elif kind == "jsonl":
            expect(text.endswith("\n"), f"{path}: a torn last line")
            data = [json.loads(line) for line in text.splitlines()]
        else:
            data = text
        expect(holds(data), f"{path}: incomplete content: {text[:200]!r}")
    except Exception as e:  # noqa: BLE001 - any parse failure is the finding
        problems.append(f"{path}: does not parse ({e}): {open(path, 'rb').read()[:200]!r}")


def check_run_dir(d):
    check_file(os.path.join(d, "config.yaml"), "yaml", lambda c: c["who"] == "killer" and c["times"] == 1)
    check_file(os.path.join(d, "resolved.yaml"), "yaml", lambda c: c["who"] == "killer" and "greeter" in c)
    check_file(os.path.join(d, "overrides.txt"), "text", lambda t: t == "who=killer\n")
    # run.json is written at the start (no end time) and rewritten at the end: either version, complete.
    check_file(os.path.join(d, "run.json"), "json",
               lambda r: r["argv"][-1] == "who=killer" and "start_time" in r and
               (("end_time" in r) == ("exit_status" in r)))


def check_sweep_dir(d, jobs):
    check_file(os.path.join(d, "sweep.yaml"), "yaml", lambda s: len(s["jobs"]) == jobs)
    check_file(os.path.join(d, "summary.jsonl"), "jsonl",
               lambda rows: len(rows) == jobs and all("status" in r for r in rows))
    for entry in os.listdir(d):
        run = os.path.join(d, entry)
        if os.path.isdir(run):
            for name in ("started.json", "status.json"):
                check_file(os.path.join(run, name), "json", lambda s: "state" in s or "status" in s)
            check_file(os.path.join(run, "metrics.jsonl"), "text", lambda t: True)


def main():
    os.makedirs(work, exist_ok=True)
    # Recipe runs: each into its own output dir.
    greet_cmd = lambda out: [greet, "--output-dir", out, "who=killer"]  # noqa: E731
    t_greet = timed(greet_cmd(os.path.join(work, "g_probe")), work)
    killed = 0
    for i in range(kills):
        out = os.path.join(work, f"g{i}")
        killed += run_and_kill(greet_cmd(out), work, random.uniform(0, t_greet * 1.1))
        if os.path.isdir(out):
            check_run_dir(out)
    print(f"greet: {kills} runs, {killed} killed (a run takes {t_greet * 1000:.0f} ms)")

    # Sweeps: fresh ones killed while running, then resumes (which rewrite summary.jsonl and statuses) killed.
    jobs = 3
    sweep_cmd = lambda name: [rig, "sweep", "run", "--name", name, "a=1,2,3", "--", "bash", job]  # noqa: E731
    t_sweep = timed(sweep_cmd("probe"), work)
    killed = 0
    for i in range(kills):
        name = f"s{i}"
        killed += run_and_kill(sweep_cmd(name), work, random.uniform(0, t_sweep * 1.1))
        base = os.path.join(work, "multirun", name)
        for d in os.listdir(base) if os.path.isdir(base) else []:
            check_sweep_dir(os.path.join(base, d), jobs)
    print(f"sweep run: {kills} runs, {killed} killed (a sweep takes {t_sweep * 1000:.0f} ms)")
    # Resumes of the killed sweeps re-run what did not finish and rewrite statuses and summary.jsonl.
    killed = resumed = 0
    for i in range(kills):
        base = os.path.join(work, "multirun", f"s{i}")
        for d in os.listdir(base) if os.path.isdir(base) else []:
            if resumed >= kills // 2:
                break
            d = os.path.join(base, d)
            if not os.path.exists(os.path.join(d, "sweep.yaml")):
                continue
            resumed += 1
            killed += run_and_kill([rig, "sweep", "resume", d], work, random.uniform(0, t_sweep * 1.1))
            check_sweep_dir(d, jobs)
    print(f"sweep resume: {resumed} runs, {killed} killed")

    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
