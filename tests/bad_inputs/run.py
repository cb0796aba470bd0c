#!/usr/bin/python3
"""Runs the bad-input suite (cases.py) against the rig binary: exit 2, the expected id, the place, < 2 s, < 512 MB.

Usage: run.py RIG_BINARY PROBE_BINARY
A case runs `rig print FILE ARGS...` unless it gives its own command line ("cmd": words in which {rig}, {probe},
{file} and {dir} are replaced by the binaries, the case's first file and its directory).
"""
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402

TIME_LIMIT_S = 2.0
MEMORY_LIMIT = 512 << 20


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_case(rig, probe, c, tmp):
    d = os.path.join(tmp, c["name"])
    os.makedirs(d)
    first = None
    for name, data in c["files"].items():
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        first = first or p
        with open(p, "wb") as f:
            if data is None:
                f.truncate(c["sparse_bytes"])
            else:
                f.write(data)
    # Special files made at run time: FIFOs, UNIX sockets (bound for the duration of the case), symlinks (which may
    # point at files outside the config directory, written to `{outside}`), directories.
    outside = d + "_outside"
    if "outside" in c:
        os.makedirs(outside)
        for name, data in c["outside"].items():
            with open(os.path.join(outside, name), "w") as f:
                f.write(data)
    for name in c.get("fifos", []):
        os.mkfifo(os.path.join(d, name))
    sockets = []
    for name in c.get("sockets", []):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(os.path.join(d, name))
        sockets.append(s)
    for name, target in c.get("links", {}).items():
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        os.symlink(target.replace("{outside}", outside), p)
    for name in c.get("dirs", []):
        os.makedirs(os.path.join(d, name))
    if c.get("first"):
        first = os.path.join(d, c["first"])
    try:
        return run_command(rig, probe, c, d, first or "")
    finally:
        for s in sockets:
            s.close()


def run_command(rig, probe, c, d, first):
    words = c.get("cmd") or ["{rig}", "print", "{file}"] + c["args"]
    cmd = [w.replace("{rig}", rig).replace("{probe}", probe).replace("{file}", first).replace("{dir}", d)
           for w in words]
    t = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=TIME_LIMIT_S * 5, preexec_fn=limit_memory,
                           env={**os.environ, "NO_COLOR": "1", **c.get("env", {})}, cwd=d)
    except subprocess.TimeoutExpired:
        return "hung (killed after 10 s)"
    elapsed = time.monotonic() - t
    err = p.stderr.decode(errors="replace")
    if p.returncode < 0:
        return f"killed by signal {-p.returncode}"
    if p.returncode != 2:
        return f"exit {p.returncode}, expected 2; stderr: {err[:300]}"
    if elapsed > TIME_LIMIT_S:
        return f"took {elapsed:.2f} s"
    m = re.match(r"^(.*?):(\d+):(\d+): error\[([a-z0-9_.]+)\]", err)
    m2 = re.match(r"^(.*?): error\[([a-z0-9_.]+)\]", err)
    if not m and not m2:
        return f"no located diagnostic: {err[:300]}"
    eid = m.group(4) if m else m2.group(2)
    if eid != c["id"]:
        return f"id {eid}, expected {c['id']}: {err[:300]}"
    source, line, column = c["where"]
    want_source = first if source == "FILE" else source.replace("{dir}", d)
    got_source = m.group(1) if m else m2.group(1)
    if got_source != want_source:
        return f"located in {got_source}, expected {want_source}"
    if line is not None:
        if not m:
            return "no line:column in the diagnostic"
        got_line, got_col = int(m.group(2)), int(m.group(3))
        lines = line if isinstance(line, set) else {line}
        if got_line not in lines:
            return f"line {got_line}, expected {sorted(lines)[:5]}"
        if column is not None and got_col != column:
            return f"column {got_col}, expected {column}"
    if "^" not in err and line is not None:
        return "no caret under the source line"
    return None


def main():
    rig, probe = sys.argv[1], sys.argv[2]
    all_cases = cases.all_cases()
    names = [c["name"] for c in all_cases]
    assert len(names) == len(set(names)), "case names must be unique"
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in all_cases:
            problem = run_case(rig, probe, c, tmp)
            if problem:
                failures.append((c["name"], problem))
    for name, problem in failures:
        print(f"FAIL {name}: {problem}")
    print(f"bad inputs: {len(all_cases) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
