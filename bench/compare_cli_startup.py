"""Start-up of the rig tool (ls, --help, a completion request) side by side with `import omegaconf`.

The goal: each under 20 ms wall, without loading LibTorch or any recipe binary; the anchor is the bare
import of OmegaConf that any Python CLI built on it pays before doing anything. Runs hyperfine once per command
set, in one run, and prints means and ratios.

    /usr/bin/python3 bench/compare_cli_startup.py build
"""
import json
import os
import subprocess
import sys
import tempfile

build = sys.argv[1] if len(sys.argv) > 1 else "build"
rig = os.path.join(build, "tools", "rig", "rig")
commands = {
    "rig ls": f"{rig} ls",
    "rig --help": f"{rig} --help",
    "rig completion request": f"{rig} __complete run greet greeter=",
    "python3 -c 'import omegaconf'": "/usr/bin/python3 -c 'import omegaconf'",
}
with tempfile.NamedTemporaryFile(suffix=".json") as out:
    subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", "40", "--export-json", out.name,
                    *commands.values()], check=True, stdout=subprocess.DEVNULL)
    results = json.load(open(out.name))["results"]
means = {name: r["mean"] * 1000 for name, r in zip(commands, results)}
medians = {name: r["median"] * 1000 for name, r in zip(commands, results)}
anchor = means["python3 -c 'import omegaconf'"]
print(f"{'command':<32} {'mean ms':>8} {'median ms':>10} {'omegaconf import / this':>24}  goal < 20 ms")
for name in commands:
    ratio = anchor / means[name]
    goal = "" if name.startswith("python3") else ("met" if means[name] < 20 else "NOT met")
    print(f"{name:<32} {means[name]:8.1f} {medians[name]:10.1f} {ratio:24.1f}  {goal}")
