#!/usr/bin/env python3
"""Block scalars (| and >) against PyYAML: random documents, each with block scalars in many settings, loaded by rig
(rig_conformance_helper) and by yaml.safe_load (Debian's python3-yaml); the values must be equal.

The generator covers literal and folded styles; strip, clip and keep chomping; explicit indentation indicators (before
or after the chomping indicator); headers with comments, anchors and tags, on the key's line or on a line of their
own; scalars at the root (header indented or not, after `---` or not), as mapping values and sequence entries at
several depths (compact `- - |` and `- k: |` included); content with more-indented lines (spaces or a tab), empty
lines, lines of white space shorter, as long as and longer than the indentation, trailing spaces, and trailing
empty lines; siblings after the scalar, and CRLF line ends. Exit status 0 when every case agrees.

usage: block_scalars.py --helper PATH [--cases N] [--seed S]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

import yaml

WORDS = ["alpha", "beta gamma", "x", "delta: no key", "# not a comment", "a  b", "|", ">", "- dash", "é ü", "k: v",
         "not a header: |", "nor this >-"]


def content_lines(rng, indent, auto, tabs=True):
    """Lines of one block scalar, each already indented; the first non-empty one starts at the indentation.
    tabs: more-indented lines may start with a tab."""
    pad = " " * indent
    lines = []
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.45:
            word = rng.choice(WORDS)
            lines.append(pad + word + (" " * rng.randint(1, 2) if rng.random() < 0.15 else ""))
        elif kind < 0.6:
            lines.append(pad + rng.choice([" ", "  ", "\t", " \t"] if tabs else [" ", "  "]) + rng.choice(WORDS))
        elif kind < 0.75:
            lines.append("")
        else:
            lines.append(" " * rng.choice([0, max(indent - 1, 0), indent, indent + 1, indent + 2]))  # white space only
    # Auto-detected indentation comes from the first non-empty line: it must start with text at the indentation,
    # and no empty line before it may be longer.
    first = next((i for i, line in enumerate(lines) if line.strip(" ")), None)
    if auto or first is None:
        if first is None:
            lines = [line if len(line) <= indent else pad for line in lines]
        else:
            lines[first] = pad + rng.choice(WORDS)
            lines[:first] = [line if len(line) <= indent else pad for line in lines[:first]]
    for _ in range(rng.choice([0, 0, 1, 2, 3])):  # trailing empty lines
        lines.append(" " * rng.randint(0, indent))
    return lines


def header(rng):
    style = rng.choice("|>")
    chomp = rng.choice(["", "-", "+"])
    return style, chomp


def block(rng, parent, column, root_column=None):
    """(header text, content lines) of a block scalar whose innermost block collection is at `parent` (-1 at the root)
    and whose content must be indented more than `column` too (a scalar on a line of its own, a dash). A scalar at a
    document's root (its header at root_column) has no line starting with a tab when the header is indented: libfyaml
    refuses those (docs/compatibility.md)."""
    style, chomp = header(rng)
    low = max(parent + 1, column + 1, 1)  # PyYAML wants root content at column 1 or more
    if rng.random() < 0.35:
        m = rng.randint(max(low - max(parent, 0), 1), max(low - max(parent, 0), 1) + 2)
        indent = max(parent, 0) + m
        ind = str(m)
        head = style + (ind + chomp if rng.random() < 0.5 else chomp + ind)
        auto = False
    else:
        indent = rng.randint(low, low + 3)
        head = style + chomp
        auto = True
    if rng.random() < 0.2:
        head += rng.choice([" # a comment | >", "  #"])  # PyYAML refuses a tab before the comment
    root = root_column is not None
    return head, content_lines(rng, indent, auto, tabs=not root or root_column == 0)


ANCHORS = iter(range(1 << 62))


def properties(rng):
    """Maybe an anchor (each one new: PyYAML refuses to redefine one) and a tag."""
    r = rng.random()
    return "" if r < 0.6 else ("&a%d " % next(ANCHORS) if r < 0.8 else "") + ("!!str " if r > 0.7 else "")


def root_doc(rng):
    lead = rng.choice(["", "", "--- ", "---\n"])
    col = 0 if lead == "--- " or rng.random() < 0.5 else rng.randint(1, 3)
    props = properties(rng) if lead == "--- " else ""
    head, lines = block(rng, -1, -1, col)
    text = lead + " " * col + props + head + "\n" + "".join(l + "\n" for l in lines)
    # A document end or a comment at column 0 after the scalar; libfyaml refuses some of these after a scalar without
    # text (docs/compatibility.md).
    if rng.random() < 0.3 and any(line.strip() for line in lines):
        text += rng.choice(["...\n", "# end\n"])
    return text


def nested_doc(rng):
    """A mapping/sequence nest a few levels deep with block scalars among plain siblings."""
    out = []

    def mapping(col, depth):
        for i in range(rng.randint(1, 3)):
            key = " " * col + "k%d_%d:" % (depth, i)
            r = rng.random()
            if r < 0.5:
                own_line = rng.random() < 0.25
                if own_line:
                    hcol = col + rng.randint(1, 3)
                    head, lines = block(rng, col, hcol)
                    out.append(key)
                    out.append(" " * hcol + head)
                else:
                    head, lines = block(rng, col, col)
                    out.append(key + " " + properties(rng) + head)
                out.extend(lines)
            elif r < 0.7 and depth < 4:
                out.append(key)
                mapping(col + rng.randint(1, 3), depth + 1)
            elif r < 0.9 and depth < 4:
                out.append(key)
                sequence(col + rng.choice([0, 2]), depth + 1)
            else:
                out.append(key + " %d" % i)

    def sequence(col, depth):
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            if r < 0.5:
                head, lines = block(rng, col, col)
                out.append(" " * col + "- " + properties(rng) + head)
                out.extend(lines)
            elif r < 0.65:  # compact nested sequence: its dash is the parent
                head, lines = block(rng, col + 2, col + 2)
                out.append(" " * col + "- - " + head)
                out.extend(lines)
            elif r < 0.85 and depth < 4:  # compact mapping in an entry
                head, lines = block(rng, col + 2, col + 2)
                out.append(" " * col + "- k: " + head)
                out.extend(lines)
            else:
                out.append(" " * col + "- plain")

    if rng.random() < 0.7:
        mapping(0, 0)
    else:
        sequence(0, 0)
    return "".join(l + "\n" for l in out)


def make_cases(n, seed):
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        text = root_doc(rng) if rng.random() < 0.35 else nested_doc(rng)
        if rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        if rng.random() < 0.1 and text.endswith("\n"):
            text = text.rstrip("\r\n")  # no break at the end of the input
        cases.append(("b%d" % i, text))
    return cases


def rig_results(helper, cases):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"id": cid, "yaml": text} for cid, text in cases], f)
        path = f.name
    try:
        out = subprocess.run([helper, path], capture_output=True, text=True, errors="backslashreplace", timeout=120)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        sys.exit("rig_conformance_helper failed with status %d:\n%s" % (out.returncode, out.stderr))
    results = {}
    for line in out.stdout.splitlines():
        cid, status, payload = line.split("\t", 2)
        try:
            results[cid] = json.loads(payload) if status == "OK" else ("ERR", payload)
        except ValueError:  # a value that is not UTF-8
            results[cid] = ("BAD", payload)
    return results


def pyyaml(text):
    # A last line without a line break: rig (with libfyaml and the YAML test suite, L24T/01) reads it as if it had
    # one, PyYAML leaves the break out (docs/compatibility.md).
    if text and text[-1] not in "\r\n":
        text += "\n"
    try:
        return json.loads(json.dumps(yaml.safe_load(text)))
    except yaml.YAMLError as e:
        return ("ERR", str(e).splitlines()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helper", required=True)
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20261206)
    args = ap.parse_args()
    cases = make_cases(args.cases, args.seed)
    rig = rig_results(args.helper, cases)
    bad = 0
    both_errors = 0
    for cid, text in cases:
        want = pyyaml(text)
        got = rig.get(cid, ("ERR", "no result"))
        if isinstance(want, tuple) and isinstance(got, tuple):
            both_errors += 1
            continue
        if want != got:
            bad += 1
            if bad <= 10:
                print("%s differs:\n--- input\n%s\n--- PyYAML: %r\n--- rig:    %r\n" % (cid, text, want, got))
    blocks = sum(text.count("|") + text.count(">") for _, text in cases)
    print("%d documents (about %d block scalar headers), %d rejected by both, %d differ"
          % (len(cases), blocks, both_errors, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
