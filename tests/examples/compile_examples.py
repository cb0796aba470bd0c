#!/usr/bin/python3
"""Compiles every code example of rig's documentation (tests/examples/extract.py finds them), so none can rot.

Usage: compile_examples.py SOURCE_DIR CXX [--torch-includes DIR;DIR... [--torch-only]] [--only PATTERN]

Each example becomes a namespace of its own after context.hpp (every public header, and the few names examples use
without declaring them: a `cfg`, a `my::AdamW`, ...): the example's declarations at namespace scope and its
statements in a function body (so an example may declare what the context declares). `...` standing for elided code
compiles as nothing. All examples compile as one translation unit; when that fails, the context is precompiled and
each example compiles alone after it, and those that fail are reported.
Examples that use rig::torch compile against context_torch.hpp when LibTorch's include directories are given, and
are reported as not checked otherwise (--torch-only: those alone). Exit status 1 when any example does not compile.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract  # noqa: E402

TOP_LEVEL = re.compile(r"^(RIG_[A-Z_]+\(|struct |class |enum |template|namespace |using |TEST\(|"
                       r"[A-Za-z_][\w:<>,\s&*]*\s[\w:]+\([^;]*\)\s*(const\s*)?\{)")


def depth_change(line):
    code = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', line.split("//")[0])
    return sum(code.count(c) for c in "({[") - sum(code.count(c) for c in ")}]")


def elide(line):
    """`{ ... }` and a trailing `...` stand for code the example leaves out."""
    code, sep, comment = line.partition("//")
    code = code.replace("{ ... }", "{}").replace("(...)", "(true)")
    if code.rstrip().endswith(") ..."):
        code = code.rstrip()[:-3] + "{}"
    if code.strip().startswith("..."):  # `...` or `... train ...` on a line of its own: elided statements
        code = re.sub(r"^(\s*)\.\.\.(.*\.\.\.)?", r"\1", code)
    return code + sep + comment


def translation_unit(example, namespace):
    top, body = [], []
    lines = [elide(l) for l in example.text.split("\n")]
    i = 0
    while i < len(lines):
        line = lines[i]
        if TOP_LEVEL.match(line):
            depth = 0
            while i < len(lines):
                top.append(f'#line {example.line + i} "{example.path}"\n{lines[i]}')
                depth += depth_change(lines[i])
                i += 1
                if depth <= 0 and lines[i - 1].split("//")[0].rstrip().endswith((";", "}")):
                    break
            continue
        body.append(f'#line {example.line + i} "{example.path}"\n{line}')
        i += 1
    return (f"namespace {namespace} {{\n" + "\n".join(top) +
            "\n[[maybe_unused]] static void rig_example_body() {\n" + "\n".join(body) + f"\n}}\n}}  // namespace {namespace}\n")


def compiles(cxx, flags, context, units, tmp, name):
    """Whether the units, each in a namespace of its own, compile together after the context; and the errors."""
    src = os.path.join(tmp, f"{name}.cpp")
    with open(src, "w") as f:
        f.write("".join(units))  # the context comes first through -include, which finds its precompiled header
    r = subprocess.run([cxx, *flags, "-include", context, "-fsyntax-only", src], capture_output=True, text=True)
    return r.returncode == 0, "\n".join(l for l in r.stderr.split("\n") if "error" in l)


def main():
    root, cxx = sys.argv[1], sys.argv[2]
    torch_includes, only, torch_only = [], None, False
    args = sys.argv[3:]
    while args:
        if args[0] == "--torch-includes":
            # the compiler's own directories stay out: -isystem /usr/include breaks the standard headers' #include_next
            torch_includes = [d for d in re.split(r"[;:]", args[1]) if d and d not in ("/usr/include", "/usr/local/include")]
            args = args[2:]
        elif args[0] == "--torch-only":
            torch_only = True
            args = args[1:]
        elif args[0] == "--only":
            only = args[1]
            args = args[2:]
        else:
            sys.exit(__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    flags = ["-std=c++20", "-w", "-I", os.path.join(root, "include"), "-I", os.path.join(root, "torch", "include")]
    flags += [f for d in torch_includes for f in ("-isystem", d)]
    if torch_includes:
        flags += ["-D_GLIBCXX_USE_CXX11_ABI=1"]
    failures, checked, skipped = [], 0, []
    with tempfile.TemporaryDirectory() as tmp:
        pch = {}
        for name in (["context.hpp"] if not torch_only else []) + (["context_torch.hpp"] if torch_includes else []):
            copy = os.path.join(tmp, name)
            for dep in ("context.hpp", name):  # context_torch.hpp includes context.hpp
                with open(os.path.join(tmp, dep), "w") as f:
                    f.write(open(os.path.join(here, dep)).read())
            pch[name] = copy

        def precompile(name):
            # Only for compiling examples one by one: for the single translation unit, writing and reading a
            # precompiled header costs more than parsing the context once (LibTorch's: an 800 MB file).
            r = subprocess.run([cxx, *flags, "-x", "c++-header", pch[name], "-o", pch[name] + ".gch"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"tests/examples/{name} does not compile:\n{r.stderr}")
        # The examples of one context compile as one translation unit (seconds instead of a compiler start and a
        # context each); when that fails, each compiles alone, to name the ones that do not compile.
        chosen = {}
        for n, e in enumerate(extract.examples(root)):
            if only and only not in e.where():
                continue
            if torch_only and not e.torch:
                continue
            if e.torch and not torch_includes:
                skipped.append(e.where())
                continue
            chosen.setdefault("context_torch.hpp" if e.torch else "context.hpp", []).append((n, e))
        for name, examples in chosen.items():
            units = [translation_unit(e, f"rig_example_{n}") for n, e in examples]
            together, _ = compiles(cxx, flags, pch[name], units, tmp, f"all_{name}")
            if not together:
                precompile(name)
            for (n, e), unit in zip(examples, units):
                checked += 1
                ok, errors = (True, "") if together else compiles(cxx, flags, pch[name], [unit], tmp, f"example_{n}")
                if ok:
                    print(f"ok   {e.where()}")
                else:
                    failures.append(f"FAIL {e.where()}: the example does not compile:\n{errors}")
    for f in failures:
        print(f)
    if skipped:
        print(f"not checked (no LibTorch include directories given): {', '.join(skipped)}")
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures or checked == 0 else 0)


if __name__ == "__main__":
    main()
