#!/usr/bin/python3
"""Cold processes: what a user waits for when running `rig` once, with the anchors in the same run.

Every rig command runs as a fresh process under hyperfine (-N: no shell), next to three anchors: spawning /bin/true
(the floor of any process), `python3 -c 'import omegaconf'` (the floor of any Python CLI on OmegaConf) and OmegaConf
doing the same work in-process (load + to_container + json.dumps, timed inside one Python process, start-up not
counted). Peak RSS of each command comes from /usr/bin/time. Inputs come from build/bench/rig_bench_cold_inputs (the
in-process benchmarks' generators) and ../shared/corpus (a torchtune config); recipes from the manifests this rig
finds (its build tree, RIG_RECIPE_PATH).

    /usr/bin/python3 bench/compare_cold.py [BUILD_DIR] [--before=OTHER_RIG] [--quick]

--before=OTHER_RIG: every rig command also runs with that binary, each right after the other (a build of another
commit; keep it inside BUILD_DIR, e.g. BUILD_DIR/before/rig, so that it finds the build tree's manifests too).
--quick: few runs (a smoke test). Prints a markdown table for docs/performance.md ("Cold process").
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

args = [a for a in sys.argv[1:] if not a.startswith("--")]
options = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "") for a in sys.argv[1:] if a.startswith("--"))
quick = "quick" in options
build = os.path.abspath(args[0] if args else "build")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rig = os.path.join(build, "tools", "rig", "rig")
before = os.path.abspath(options["before"]) if options.get("before") else None
torchtune = os.path.join(root, "..", "shared", "corpus", "torchtune", "recipes", "configs", "llama3_1",
                         "8B_lora_single_device.yaml")
work = tempfile.mkdtemp(prefix="rig-cold-")
nodes = json.loads(subprocess.run([os.path.join(build, "bench", "rig_bench_cold_inputs"), work], check=True,
                                  capture_output=True, text=True).stdout)
synthetic, large, config100k = (os.path.join(work, f) for f in ("synthetic.yaml", "large20.yaml", "config100k.yaml"))
overrides = open(os.path.join(work, "overrides1000.txt")).read().split("\n")[:-1]

# A component and a recipe to describe and complete: the first ones the manifests list.
components = subprocess.run([rig, "components"], capture_output=True, text=True).stdout.split("\n")
component = next((line.split()[0] for line in components[1:] if line.strip()), None)
recipe_list = subprocess.run([rig, "ls"], capture_output=True, text=True).stdout.split("\n")
recipes = [line.split()[0] for line in recipe_list[1:] if line.strip()]
recipe = "greet" if "greet" in recipes else (recipes[0] if recipes else None)

# The floor of any C++ program: a "hello" compiled here three ways. rig is linked statically (RIG_STATIC_TOOL,
# tools/rig/tool_plugins.hpp); the other two show what loading the shared runtime costs a start-up.
hello_src = os.path.join(work, "hello.cpp")
open(hello_src, "w").write('#include <cstdio>\n#include <string>\nint main(int argc, char**) {\n'
                           '  std::string s = "hello\\n"; if (argc > 9) s += "!"; std::fputs(s.c_str(), stdout);\n}\n')
hellos = {}
for name, flags in (("C++ hello (shared libstdc++)", []),
                    ("C++ hello (-static-libstdc++)", ["-static-libstdc++", "-static-libgcc"]),
                    ("C++ hello (-static, as rig)", ["-static"])):
    exe = os.path.join(work, f"hello{len(hellos)}")
    if subprocess.run(["c++", "-O2", hello_src, "-o", exe, *flags]).returncode == 0:
        hellos[name] = ([exe], 100)

# name -> (arguments after the program, runs). The anchors have their own program; rig's rows run `rig`.
anchors = {
    "/bin/true": (["/bin/true"], 100),
    **hellos,
    "python3 -c 'import omegaconf'": (["/usr/bin/python3", "-c", "import omegaconf"], 20),
}
rows = {
    "rig --version": (["--version"], 100),
    "rig --help": (["--help"], 100),
    "rig ls": (["ls"], 100),
}
if component:
    rows["rig describe " + component] = (["describe", component], 100)
if recipe:
    rows[f"rig __complete run {recipe} ''"] = (["__complete", "run", recipe, ""], 100)
if os.path.exists(torchtune):
    rows["rig print --json TORCHTUNE"] = (["print", "--json", torchtune], 100)
    rows["rig print --resolve --json TORCHTUNE"] = (["print", "--resolve", "--json", torchtune], 100)
rows["rig print --json SYNTHETIC"] = (["print", "--json", synthetic], 40)
rows["rig print --resolve --json SYNTHETIC"] = (["print", "--resolve", "--json", synthetic], 40)
rows["rig print --json CONFIG100K"] = (["print", "--json", config100k], 20)
rows["rig print --json CONFIG100K +1000 overrides"] = (["print", "--json", config100k, *overrides], 20)
rows["rig print --json LARGE20"] = (["print", "--json", large], 5)


def runs_of(n):
    return min(n, 5) if quick else n


def hyperfine(argv, runs):
    """hyperfine's result for argv (no shell) and the peak RSS of one more run, in KiB (through /usr/bin/time: a
    child forked from this Python process would count Python's own pages, as ru_maxrss carries over fork and exec)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs", str(runs_of(runs)), "--export-json", out.name,
                        "--output", "null", " ".join(shlex.quote(a) for a in argv)],
                       check=True, stdout=subprocess.DEVNULL)
        result = json.load(open(out.name))["results"][0]
    with tempfile.NamedTemporaryFile(mode="r") as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, *argv], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        result["rss_kb"] = int(f.read().split()[-1])
    result["wall_ms"] = result["mean"] * 1e3
    result["cpu_ms"] = (result["user"] + result["system"]) * 1e3
    return result


results = {name: hyperfine(argv, runs) for name, (argv, runs) in anchors.items()}
after, before_results = {}, {}
for name, (argv, runs) in rows.items():
    if before:
        before_results[name] = hyperfine([before, *argv], runs)
    after[name] = hyperfine([rig, *argv], runs)


def omegaconf_in_process(path, repeat):
    """Best of `repeat`: OmegaConf.load + to_container(resolve=True) + json.dumps in this process, in ms."""
    from omegaconf import OmegaConf
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        json.dumps(OmegaConf.to_container(OmegaConf.load(path), resolve=True))
        best = min(best, time.perf_counter() - t)
    return best * 1e3


omega = {}
if os.path.exists(torchtune):
    omega["TORCHTUNE"] = omegaconf_in_process(torchtune, 2 if quick else 20)
omega["SYNTHETIC"] = omegaconf_in_process(synthetic, 1 if quick else 3)
true_ms = results["/bin/true"]["wall_ms"]
import_ms = results["python3 -c 'import omegaconf'"]["wall_ms"]


def goal(name, r):
    """(goal text with this run's figure, met) for a row of results r, or ("", None)."""
    t = r[name]["wall_ms"]
    if name in ("rig --version", "rig --help"):
        return "≤ 3 ms", t <= 3
    if name == "rig ls" or name.startswith("rig describe") or name.startswith("rig __complete"):
        return f"≤ 5 ms, ≥ 25× import omegaconf: {import_ms / t:.0f}×", t <= 5 and import_ms / t >= 25
    if name == "rig print --resolve --json SYNTHETIC":
        x = omega["SYNTHETIC"] / t
        return f"≤ 20 ms, ≥ 75× OmegaConf in-process: {x:.0f}×", t <= 20 and x >= 75
    if name == "rig print --resolve --json TORCHTUNE":
        x = t / r["rig --version"]["wall_ms"]
        return f"≤ 1.5× rig --version: {x:.2f}×", x <= 1.5
    if name == "rig print --json LARGE20":
        mb_s = os.path.getsize(large) / 1e6 / (t / 1e3)
        mem = r[name]["rss_kb"] * 1024 / os.path.getsize(large)
        return f"≥ 40 MB/s: {mb_s:.0f}; RSS ≤ 10× file: {mem:.1f}×", mb_s >= 40 and mem <= 10
    if name.endswith("+1000 overrides"):
        d = t - r["rig print --json CONFIG100K"]["wall_ms"]
        return f"the overrides ≤ 5 ms: {d:.1f}", d <= 5
    return "", None


def cells(r):
    return f"{r['wall_ms']:.1f} | {r['min'] * 1e3:.1f} | {r['cpu_ms']:.1f} | {r['rss_kb'] / 1024:.1f}"


load = os.getloadavg()
print(f"Inputs: SYNTHETIC {os.path.getsize(synthetic) // 1024} KiB ({nodes['synthetic.yaml']} nodes), LARGE20 "
      f"{os.path.getsize(large) / 1e6:.1f} MB ({nodes['large20.yaml']} nodes), CONFIG100K "
      f"({nodes['config100k.yaml']} nodes), TORCHTUNE llama3_1/8B_lora_single_device.yaml. Recipes found: "
      f"{len(recipes)}. Load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}.")
print()
head = "wall ms (mean) | min | CPU ms | peak RSS MiB"
if before:
    print(f"| command (fresh process) | before: {head} | after: {head} | goal (wall, after) | |")
    print("| --- |" + " ---: |" * 8 + " --- | --- |")
else:
    print(f"| command (fresh process) | {head} | goal (wall) | |")
    print("| --- |" + " ---: |" * 4 + " --- | --- |")
blank = " | | |" if before else ""
for name, r in results.items():
    print(f"| `{name}` | {cells(r)}{blank} | | |")
for name in rows:
    text, met = goal(name, after)
    mark = "" if met is None else ("met" if met else "**not met**")
    old = f"{cells(before_results[name])} | " if before else ""
    print(f"| `{name}` | {old}{cells(after[name])} | {text} | {mark} |")
for key, value in omega.items():
    print(f"| OmegaConf load + to_container(resolve) + json.dumps of {key}, in-process (best) | {value:.1f} |"
          + " |" * (8 if before else 4) + " |")
print()
for label, r in (("before", before_results), ("after", after)) if before else (("", after),):
    per_node = (r["rig print --json LARGE20"]["rss_kb"] - r["rig --version"]["rss_kb"]) * 1024 / nodes["large20.yaml"]
    print(f"Memory of LARGE20 {label}: peak RSS above `rig --version`'s (it holds the input text and the printed JSON "
          f"too) {per_node:.0f} B per node, {per_node * nodes['large20.yaml'] / os.path.getsize(large):.1f}× the input.")
subprocess.run(["rm", "-rf", work], check=True)
