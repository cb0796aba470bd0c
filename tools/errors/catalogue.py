#!/usr/bin/python3
"""rig's error catalogue (tools/errors/catalogue.txt): generates docs/errors.md and checks the sources against it.

  catalogue.py --write ROOT          write ROOT/docs/errors.md from the catalogue
  catalogue.py --check-doc ROOT      fail when ROOT/docs/errors.md is not what --write would write
  catalogue.py --check-sources ROOT  fail when an id thrown in src/, tools/, torch/ or recipes/ is not in the catalogue,
                                     when an id in the catalogue is thrown nowhere, or when a throw site constructs
                                     another exception class than the id's family names

Every failure says exactly which line to add, remove or change.
"""
import os
import re
import sys

CATALOGUE = "tools/errors/catalogue.txt"
DOC = "docs/errors.md"
SOURCE_DIRS = ["src", "tools", "torch", "recipes"]
SOURCE_EXTS = (".cpp", ".hpp", ".h", ".inc")
ID = r"rig\.[a-z0-9_]+(?:\.[a-z0-9_]+)+"
ID_LITERAL = re.compile(r'"(' + ID + r')"')
# `throw UsageError("rig.x.y", ...)`, `TypeError err("rig.x.y", ...)`, `Error{"rig.x.y", ...}`
# and `fail<LimitError>("rig.x.y", ...)`
CONSTRUCTION = re.compile(r"\b((?:[A-Z][A-Za-z]*)?Error)\s*(?:>\s*\(|(?:[a-z_][a-z0-9_]*\s*)?[({])\s*\"(" + ID + r')"')


class Catalogue:
    def __init__(self, root):
        self.path = os.path.join(root, CATALOGUE)
        self.families = []  # (prefix, class, about)
        self.ids = {}  # id -> (meaning, example, line number)
        problems = []
        with open(self.path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                if line.startswith("family "):
                    parts = line.split(None, 3)
                    if len(parts) < 4:
                        problems.append(f"{CATALOGUE}:{n}: a family line is `family PREFIX CLASS ABOUT`")
                        continue
                    self.families.append((parts[1], parts[2], parts[3]))
                    continue
                fields = [x.strip() for x in line.split(" | ")]
                if len(fields) != 3 or not all(fields) or not re.fullmatch(ID, fields[0]):
                    problems.append(f"{CATALOGUE}:{n}: an id line is `ID | what it means | an example`: {line!r}")
                    continue
                if fields[0] in self.ids:
                    problems.append(f"{CATALOGUE}:{n}: {fields[0]} is listed twice (also line {self.ids[fields[0]][2]})")
                self.ids[fields[0]] = (fields[1], fields[2], n)
        for i in self.ids:
            if self.family(i) is None:
                problems.append(f"{CATALOGUE}: no family covers {i}: add `family {'.'.join(i.split('.')[:2])} "
                                f"CLASS what the family is about`")
        if problems:
            sys.exit("\n".join(problems))

    def family(self, error_id):
        """The (prefix, class, about) of the longest family prefix of `error_id`."""
        best = None
        for fam in self.families:
            if (error_id == fam[0] or error_id.startswith(fam[0] + ".")) and (best is None or len(fam[0]) > len(best[0])):
                best = fam
        return best

    def markdown(self):
        out = ["# Error ids", "",
               "Every error rig reports has a stable id: `file:line:col: error[ID]: message`. Tests and users match on",
               "ids; messages may improve. The exception class follows from the id's family (the longest matching",
               "prefix below), so catching `rig::ParseError` catches the `rig.yaml.*` errors.",
               "All of them derive from `rig::Error` (include/rig/error.hpp); config and usage errors exit with status 2.",
               "",
               f"Generated from `{CATALOGUE}` by `python3 tools/errors/catalogue.py --write .`; edit the catalogue,",
               "not this file (a test checks that they agree, and that every id thrown in the sources is listed).",
               "", "## Families", "", "| prefix | exception class | about |", "| --- | --- | --- |"]
        for prefix, cls, about in sorted(self.families):
            out.append(f"| `{prefix}` | `rig::{cls}` | {about} |")
        out += ["", "## Ids", "", "| id | class | meaning | example |", "| --- | --- | --- | --- |"]
        for i in sorted(self.ids):
            meaning, example, _ = self.ids[i]
            out.append(f"| `{i}` | `{self.family(i)[1]}` | {meaning} | {example.replace('|', '&#124;')} |")
        return "\n".join(out) + "\n"


def source_files(root):
    for d in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, d)):
            dirnames[:] = sorted(x for x in dirnames if x != "tests")  # tests name ids they expect, not throw them
            for name in sorted(filenames):
                if name.endswith(SOURCE_EXTS):
                    yield os.path.join(dirpath, name)


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def check_sources(root, cat):
    thrown = {}  # id -> first "file:line"
    problems = []
    for path in source_files(root):
        text = open(path, encoding="utf-8").read()
        rel = os.path.relpath(path, root)
        for m in ID_LITERAL.finditer(text):
            thrown.setdefault(m.group(1), f"{rel}:{line_of(text, m.start())}")
        for m in CONSTRUCTION.finditer(text):
            cls, error_id = m.group(1), m.group(2)
            fam = cat.family(error_id)
            if fam and cls != fam[1]:
                problems.append(f"{rel}:{line_of(text, m.start())}: {error_id} is constructed as {cls}, but its family "
                                f"{fam[0]} is {fam[1]} ({CATALOGUE}): construct rig::{fam[1]}, or add a narrower "
                                f"`family {error_id} {cls} ...` line if the class is right")
    for i in sorted(set(thrown) - set(cat.ids)):
        problems.append(f"{i} is thrown at {thrown[i]} but is not in the catalogue: add this line to {CATALOGUE}:\n"
                        f"    {i} | WHAT IT MEANS | A SHORT EXAMPLE OF WHAT RAISES IT")
    for i in sorted(set(cat.ids) - set(thrown)):
        problems.append(f"{CATALOGUE}:{cat.ids[i][2]}: {i} is thrown nowhere in {', '.join(SOURCE_DIRS)}: remove the line")
    return problems


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--write", "--check-doc", "--check-sources"):
        sys.exit(__doc__)
    mode, root = sys.argv[1], sys.argv[2]
    cat = Catalogue(root)
    doc = os.path.join(root, DOC)
    if mode == "--write":
        with open(doc, "w", encoding="utf-8") as f:
            f.write(cat.markdown())
        return
    if mode == "--check-doc":
        current = open(doc, encoding="utf-8").read() if os.path.exists(doc) else ""
        if current != cat.markdown():
            sys.exit(f"{DOC} is not generated from {CATALOGUE}: run `python3 tools/errors/catalogue.py --write .`")
        print(f"ok   {DOC} matches {CATALOGUE} ({len(cat.ids)} ids)")
        return
    problems = check_sources(root, cat)
    if problems:
        sys.exit("\n".join(problems) + f"\n{len(problems)} problem(s)")
    print(f"ok   {len(cat.ids)} ids: each thrown, each listed, each with its family's class")


if __name__ == "__main__":
    main()
