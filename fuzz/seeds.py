#!/usr/bin/python3
"""Writes seed inputs for the fuzz targets that take structured input, taken from the unit tests' own data.

Usage: seeds.py OUTDIR   (creates OUTDIR/<target> for each target below; nothing here is committed)
  fuzz_interpolation: the values of the tests' YAML that hold `${`, up to six a seed, one a line
  fuzz_compose:       each composition test's files packed in fuzz_compose's format (`@@ name` lines, `@@ argv`)
  fuzz_instantiate:   a few configs of fuzz_instantiate's own registry
  fuzz_safetensors_header: small safetensors files (several dtypes, metadata, empty tensors, padding)
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


INSTANTIATE = [
    "_component_: fz.Adam\nlr: 0.1\nbetas: [0.8, 0.9]\ntiny: 3\nsteps: 5\nevery: 2s\nname: a\n",
    "_component_: fz.Sgd\nlr: 0.5\n",
    "_target_: fz::Sgd\n_args_: [0.5, 3]\n",
    "_component_: mlp\ndims: [1, 2]\nact: gelu\ntok: {_component_: fz.Bpe, path: v.json}\nscales: {a: 1.5}\n",
    "_component_: fz.Trainer\nmake_opt: {_component_: fz.Sgd, _partial_: true}\ninner: {_component_: mlp, dims: [3]}\n",
    "_component_: fz.Schedule\nwarmup: 5\nsteps: [3, 4]\ntag: [2, y]\n",
    "_component_: fz.Sgd\n_partial_: true\nsteps: 2\n",
    "tok: &t {_component_: fz.Bpe, path: p}\na: {_component_: mlp, dims: [1], tok: *t}\n"
    "b: {_component_: mlp, dims: [2], tok: *t}\n",
    "_component_: mlp\n_recursive_: false\ndims: [1]\n",
    "opt: {_component_: fz.Adam, lr: ${lr}}\nlr: 0.2\n",
]


def instantiate_seeds(out):
    """Configs for fuzz_instantiate's own small registry (its components are defined in the target)."""
    for i, text in enumerate(INSTANTIATE):
        with open(os.path.join(out, f"n{i}"), "w", encoding="utf-8") as f:
            f.write(text)
    return len(INSTANTIATE)


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


def main():
    out = sys.argv[1]
    for target, make in (("fuzz_interpolation", interpolation_seeds), ("fuzz_compose", compose_seeds),
                         ("fuzz_instantiate", instantiate_seeds), ("fuzz_safetensors_header", safetensors_seeds)):
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        make(d)


if __name__ == "__main__":
    main()
