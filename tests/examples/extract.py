#!/usr/bin/python3
"""The code examples of rig's documentation: ```cpp blocks of README.md and docs/*.md, and the indented C++ blocks of
the public headers' comments (`//   code`). Used by compile_examples.py."""
import glob
import os
import re

CPP_LINE_END = re.compile(r"[;{},]\s*(//.*)?$|^\s*}|^\s*//")
NOT_CPP = re.compile(r"^\s*\$ |error\[rig\.|^\s*= (hint|key|note):|[●○]|^\s*\S+\.(yaml|json):|^\s*[a-z_]+:\s|^\s*- |"
                     r"\|\s*\^|\[--|^\s*--|\$\{|^\s*rig\.[a-z_.]+\s|^\s*\d+\.\s")


class Example:
    def __init__(self, path, line, text):
        self.path, self.line, self.text = path, line, text

    @property
    def torch(self):
        """Needs LibTorch: in rig::torch's headers, docs/torch.md or the tutorial (whose recipes are LibTorch's), or
        naming LibTorch."""
        return ("torch" in self.path or self.path == os.path.join("docs", "tutorial.md") or
                re.search(r"\brt::|torch::", self.text) is not None)

    def where(self):
        return f"{self.path}:{self.line}"


def markdown_examples(root):
    for path in [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
        lines = open(path, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            if lines[i].strip() == "```cpp":
                start = i + 1
                j = start
                while j < len(lines) and lines[j].strip() != "```":
                    j += 1
                yield Example(os.path.relpath(path, root), start + 1, "\n".join(lines[start:j]))
                i = j
            i += 1


def looks_like_cpp(block):
    code = [l.split("//")[0] for l in block if l.strip() and not l.strip().startswith("//")]
    if not code or any(NOT_CPP.search(l) for l in code):
        return False
    ends = sum(1 for l in code if CPP_LINE_END.search(l) or l.rstrip().endswith(("(", "&&", "||", "+", ")")))
    return ends * 2 >= len(code) and any(";" in l or l.strip().startswith(("RIG_", "}")) for l in code)


def header_examples(root):
    headers = sorted(glob.glob(os.path.join(root, "include", "rig", "*.hpp")) +
                     glob.glob(os.path.join(root, "torch", "include", "rig", "torch", "*.hpp")))
    for path in headers:
        lines = open(path, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            if lines[i].startswith("//   "):
                start = i
                while i < len(lines) and (lines[i].startswith("//   ") or
                                          (lines[i] == "//" and i + 1 < len(lines) and lines[i + 1].startswith("//   "))):
                    i += 1
                block = [l[5:] if l.startswith("//   ") else "" for l in lines[start:i]]
                # Paragraphs (split at empty lines) that are C++, joined while adjacent: a block may start with a
                # table or a usage line and go on with code.
                first, code, para_start = None, [], 0
                for k in range(len(block) + 1):
                    if k < len(block) and block[k] != "":
                        continue
                    para = block[para_start:k]
                    if para and looks_like_cpp(para):
                        if first is None:
                            first = start + para_start
                        # An example indented under a list item: its own left margin is column 0.
                        margin = min(len(l) - len(l.lstrip(" ")) for l in para if l.strip())
                        code += ([""] if code else []) + [l[margin:] for l in para]
                    elif code:
                        yield Example(os.path.relpath(path, root), first + 1, "\n".join(code))
                        first, code = None, []
                    para_start = k + 1
                if code:
                    yield Example(os.path.relpath(path, root), first + 1, "\n".join(code))
            else:
                i += 1


def examples(root):
    return list(markdown_examples(root)) + list(header_examples(root))


if __name__ == "__main__":
    import sys
    for e in examples(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(f"==== {e.where()} {'[torch]' if e.torch else ''}\n{e.text}")
