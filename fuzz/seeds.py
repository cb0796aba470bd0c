#!/usr/bin/python3
"""Writes seed inputs for the fuzz targets that take structured input, taken from the unit tests' own data.

Usage: seeds.py OUTDIR   (creates OUTDIR/<target> for each target below; nothing here is committed)
  fuzz_interpolation: the values of the tests' YAML that hold `${`, up to six a seed, one a line
  fuzz_compose:       each composition test's files packed in fuzz_compose's format (`@@ name` lines, `@@ argv`)
  fuzz_instantiate:   the configs of fuzz/corpus/instantiate (fuzz_instantiate's own registry)
  fuzz_safetensors_header: small safetensors files (several dtypes, metadata, empty tensors, padding)
  fuzz_depth_expansion: short programs, one a shape (its instructions are 4 bytes: shape, then three sizes); YAML
                      files would be read as programs, most of them generating the largest shapes, slowly
"""
import ast
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def literals(code):
    """The C++ string literals of `code`, adjacent ones joined, escapes decoded."""
    out = []
    for m in LITERAL.finditer(code):
        try:
            out.append(ast.literal_eval(m.group(0)))
        except (ValueError, SyntaxError):
            pass
    return out


def test_blocks(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return re.split(r"\n(?=TEST(?:_F)?\()", text)


def interpolation_seeds(out):
    values = []
    for name in ("interpolation_test.cpp", "config_test.cpp", "sources_test.cpp"):
        path = os.path.join(ROOT, "tests", name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            for lit in literals(f.read()):
                for line in lit.split("\n"):
                    if "${" in line:
                        values.append(line.split(": ", 1)[1] if ": " in line else line)
    for i in range(0, len(values), 6):
        with open(os.path.join(out, f"i{i // 6}"), "w", encoding="utf-8") as f:
            f.write("\n".join(values[i:i + 6]))
    return len(values)


WRITE = re.compile(r'write\(\s*("[^"]*")\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)')
CALL = re.compile(r'(?:config|run)\(\s*"([^"]+)"\s*(?:,\s*\{([^}]*)\})?')


def compose_seeds(out):
    n = 0
    for block in test_blocks(os.path.join(ROOT, "tests", "compose_test.cpp")):
        files = []
        for m in WRITE.finditer(block):
            name = ast.literal_eval(m.group(1))
            body = "".join(literals(m.group(2)))
            files.append((os.path.splitext(name)[0], body))
        call = CALL.search(block)
        if not files or not call:
            continue
        primary = call.group(1)
        args = literals(call.group(2) or "")
        seed = ""
        for name, body in files:
            seed += body if name == primary else ""
        for name, body in files:
            if name != primary:
                seed += f"@@ {name}\n{body}"
        if args:
            seed += "@@ argv\n" + "\n".join(args) + "\n"
        with open(os.path.join(out, f"c{n}"), "w", encoding="utf-8") as f:
            f.write(seed)
        n += 1
    return n


INSTANTIATE = os.path.join(ROOT, "fuzz", "corpus", "instantiate")  # also read by tests/component_node_test.cpp


def instantiate_seeds(out):
    """Configs for fuzz_instantiate's own small registry (fuzz/instantiate_registry.hpp)."""
    names = sorted(os.listdir(INSTANTIATE))
    for name in names:
        with open(os.path.join(INSTANTIATE, name), encoding="utf-8") as f, \
                open(os.path.join(out, name), "w", encoding="utf-8") as g:
            g.write(f.read())
    return len(names)


def safetensors_seeds(out):
    """Well-formed safetensors files written by the format's definition (8-byte length, JSON header, data)."""
    import json
    import struct
    cases = [
        [("a", "F32", [2, 3])],
        [("w", "BF16", [4]), ("b", "F16", [2, 2]), ("e", "F32", [0, 5])],
        [("model.embed_tokens.weight", "F32", [3, 2]), ("x", "I64", [1]), ("m", "U8", [7])],
        [],
    ]
    sizes = {"F32": 4, "BF16": 2, "F16": 2, "I64": 8, "U8": 1}
    for i, tensors in enumerate(cases):
        header, offset = {"__metadata__": {"format": "pt"}} if i % 2 else {}, 0
        for name, dtype, shape in tensors:
            n = sizes[dtype]
            for d in shape:
                n *= d
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
            offset += n
        h = json.dumps(header).encode()
        h += b" " * ((8 - len(h) % 8) % 8)
        with open(os.path.join(out, f"s{i}"), "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h + (bytes(range(256)) * (offset // 256 + 1))[:offset])
    return len(cases)


def depth_expansion_seeds(out):
    """Each of the target's six shapes at a small, a middling and a large size, alone and after another shape."""
    programs = []
    for op in range(6):
        for size in (1, 20, 200):
            programs.append(bytes([op, size, size // 2, size % 7]))
    programs += [bytes([0, 30, 3, 0, 1, 8, 64, 0]), bytes([4, 10, 0, 0, 5, 2, 2, 1]) + b"a: ${x1}\n",
                 bytes([2, 1, 4, 30, 3, 15, 15, 1])]
    for i, program in enumerate(programs):
        with open(os.path.join(out, f"p{i}"), "wb") as f:
            f.write(program)
    return len(programs)


def main():
    out = sys.argv[1]
    for target, make in (("fuzz_interpolation", interpolation_seeds), ("fuzz_compose", compose_seeds),
                         ("fuzz_instantiate", instantiate_seeds), ("fuzz_safetensors_header", safetensors_seeds),
                         ("fuzz_depth_expansion", depth_expansion_seeds)):
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        make(d)


if __name__ == "__main__":
    main()
