#!/bin/bash
# Property: every string rig writes as YAML reads back as the same string under YAML 1.1 (PyYAML's SafeLoader, the
# loader OmegaConf builds on) and under rig's YAML 1.2 reading. Strings are generated from the shapes the resolvers
# of both specs recognise (ints in every base, with '_' and sexagesimal ':', floats, timestamps, bools, nulls), mutated
# at random, plus plain words as a control. usage: yaml_quoting.sh RIG SOURCE_DIR
set -euo pipefail
rig=$1
exec /usr/bin/python3 - "$rig" <<'PY'
import json, random, subprocess, sys, tempfile, os
try:
    import yaml
except ImportError:
    print("python3-yaml is not installed: skipping (apt-get install python3-yaml)")
    sys.exit(0)
rig = sys.argv[1]
rnd = random.Random(17)
atoms = ["0", "1", "7", "9", "_", ":", ".", "e", "E", "+", "-", "x", "b", "o", "a", "f", "inf", "nan", "Inf", "NaN",
         "30", "59", "60", "2001", "-12", "-14", "T", "Z", " ", "yes", "no", "on", "off", "y", "n", "null", "~", "true",
         "False", "=", "<<", "0x", "0b", "0o", "1_000", "190:20:30"]
seeds = ["1_000", "0b101", "1:30", "+0x1", "0_7", "1.0_0", "190:20:30", "0o17", "0x_1", "1e5", "1E+5", ".5", "+.5",
         "-.inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-1-1 1:02:03", "1.", "+1_0", "-0b1_0",
         "0777", "08", "09", "1:60", "1:5:7", "=", "<<", "Yes", "OFF", "~", "Null", "", "1e", "e1", "1__", "_1"]
cases = list(seeds)
for _ in range(4000):
    n = rnd.randint(1, 6)
    cases.append("".join(rnd.choice(atoms) for _ in range(n)))
for _ in range(500):  # mutate the seeds
    s = list(rnd.choice(seeds) or "1")
    i = rnd.randrange(len(s))
    s[i] = rnd.choice("0123456789_:.+-eExbo")
    cases.append("".join(s))
cases = sorted(set(cases))
with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "in.json")
    with open(src, "w") as f:
        json.dump({f"k{i}": c for i, c in enumerate(cases)}, f)
    out = subprocess.run([rig, "print", src], capture_output=True, text=True)
    if out.returncode != 0:
        print("rig print failed:", out.stderr); sys.exit(1)
    dumped = os.path.join(d, "out.yaml")
    with open(dumped, "w") as f:
        f.write(out.stdout)
    py = yaml.safe_load(out.stdout)
    back = subprocess.run([rig, "print", "--json", dumped], capture_output=True, text=True)
    if back.returncode != 0:
        print("rig could not reload its own output:", back.stderr[:2000]); sys.exit(1)
    again = json.loads(back.stdout)
lines = out.stdout.splitlines()
bad = []
for i, c in enumerate(cases):
    k = f"k{i}"
    if py.get(k) != c or not isinstance(py.get(k), str):
        bad.append(f"PyYAML reads {k}: {c!r} (written {lines[i]!r}) as {py.get(k)!r}")
    if again.get(k) != c:
        bad.append(f"rig reads {k}: {c!r} back as {again.get(k)!r}")
for b in bad[:40]:
    print(b)
print(f"{len(cases)} strings, {len(bad)} read back differently")
sys.exit(1 if bad else 0)
PY
