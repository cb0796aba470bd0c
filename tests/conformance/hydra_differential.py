#!/usr/bin/python3
"""Differential conformance of rig's composition against Hydra 1.3.2 (conformance.hydra).

Each case of ../shared/hydra-differential/case-*.json holds a config directory (`files`), a primary config name, the
command-line overrides, and what Hydra 1.3.2 made of them (README.md there). This script writes each case to a
temporary directory, runs

    rig print --config-dir DIR NAME OVERRIDES... --resolve --show-env --json

and compares: when Hydra composed the case, rig must succeed with the same values AND the same JSON types (1, 1.0,
true and "1" all differ); when Hydra refused it, rig must refuse it too (the wording is not compared). Every
disagreement is listed with its case and cause.

A difference kept on purpose is listed, with its reason, in hydra_known_differences.txt (one case per line) and
explained under "Differences from Hydra" in docs/compatibility.md; a listed case that agrees again fails the test, so
the list cannot go stale.

Exit status: 0 all agree (or differ only as listed), 1 a disagreement, 77 skipped (no ../shared/hydra-differential).
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile


def same(a, b, path="$"):
    """None when a and b are equal in value and JSON type, else a description of the first difference."""
    if type(a) is not type(b):
        return "%s: Hydra has %s %s, rig has %s %s" % (path, type(a).__name__, json.dumps(a)[:80],
                                                       type(b).__name__, json.dumps(b)[:80])
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()) and set(a.keys()) != set(b.keys()):
            missing = [k for k in a if k not in b]
            extra = [k for k in b if k not in a]
            return "%s: keys differ (only in Hydra: %s; only in rig: %s)" % (path, missing, extra)
        for k in a:
            d = same(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: Hydra has %d elements, rig %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if a != b:
        return "%s: Hydra has %s, rig has %s" % (path, json.dumps(a)[:80], json.dumps(b)[:80])
    return None


def run_case(rig, case, tmp):
    """(agree: bool, cause: str)."""
    root = os.path.join(tmp, "configs")
    for rel, text in case["files"].items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    cmd = [rig, "print", "--config-dir", root, case["name"]] + list(case["overrides"]) + \
        ["--resolve", "--show-env", "--json"]
    env = dict(os.environ, NO_COLOR="1")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, cwd=tmp)
    except subprocess.TimeoutExpired:
        return False, "rig timed out"
    exp = case["expected"]
    err = p.stderr.strip().splitlines()
    first_err = next((l for l in err if "error" in l), err[0] if err else "")
    if p.returncode not in (0, 1, 2):
        return False, "rig crashed (exit %d): %s" % (p.returncode, first_err)
    if not exp["ok"]:
        if p.returncode == 0:
            return False, "Hydra refused it (%s: %s), rig composed it" % (
                exp.get("error"), " ".join(str(exp.get("message", "")).split())[:160])
        return True, "both refuse"
    if p.returncode != 0:
        return False, "Hydra composed it, rig refused it: %s" % first_err.replace(root + "/", "")
    try:
        got = json.loads(p.stdout)
    except ValueError as e:
        return False, "rig printed invalid JSON: %s" % e
    d = same(exp["config"], got)
    return (d is None), (d or "agree")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rig", required=True)
    ap.add_argument("--cases", required=True, help="directory of case-*.json (../shared/hydra-differential)")
    ap.add_argument("--known", help="hydra_known_differences.txt")
    ap.add_argument("--extra", action="append", default=[], help="more directories of cases (generated here)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    a.rig = os.path.abspath(a.rig)
    dirs = [a.cases] + a.extra
    if not os.path.isdir(a.cases):
        print("SKIPPED: %s is absent (the Hydra differential suite lives in ../shared)" % a.cases)
        return 77
    files = []
    for d in dirs:
        files += sorted(glob.glob(os.path.join(d, "case-*.json")))
    if not files:
        print("SKIPPED: no case-*.json in %s" % a.cases)
        return 77

    known = {}
    if a.known and os.path.exists(a.known):
        for line in open(a.known, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#"):
                cid, _, reason = line.partition(" ")
                known[cid] = reason.strip()

    agree, unexpected, kept, stale = 0, [], [], []
    with tempfile.TemporaryDirectory(prefix="rig-hydra-") as tmp_root:
        for i, f in enumerate(files):
            cid = os.path.splitext(os.path.basename(f))[0]
            with open(f, encoding="utf-8") as fh:
                case = json.load(fh)
            tmp = os.path.join(tmp_root, str(i))
            os.makedirs(tmp)
            ok, cause = run_case(a.rig, case, tmp)
            if a.verbose:
                print("%s %s: %s" % ("ok  " if ok else "DIFF", cid, cause))
            if ok:
                agree += 1
                if cid in known:
                    stale.append(cid)
            elif cid in known:
                kept.append((cid, cause))
            else:
                unexpected.append((cid, cause))

    total = len(files)
    print("conformance.hydra: %d/%d cases agree with Hydra 1.3.2" % (agree, total))
    for cid, cause in kept:
        print("  kept difference %s (%s): %s" % (cid, known[cid], cause))
    for cid, cause in unexpected:
        print("  DISAGREE %s: %s" % (cid, cause))
    for cid in stale:
        print("  STALE %s agrees now: remove it from hydra_known_differences.txt and docs/compatibility.md" % cid)
    return 1 if unexpected or stale else 0


if __name__ == "__main__":
    sys.exit(main())
