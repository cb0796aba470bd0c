#!/usr/bin/python3
"""Oracle for rig's plain overrides: applies key=value, +key=value and ~key with OmegaConf, the way Hydra does.

Reads JSON lines {"id": N, "config": <JSON tree>, "overrides": ["key=value", "+key=value", "~key", ...]} on stdin and
writes {"id": N, "ok": true, "result": <JSON tree>} or {"id": N, "ok": false, "error": "..."} per line on stdout.

Semantics (Hydra's ConfigLoader on a plain config): the value text is typed by OmegaConf.from_dotlist (its YAML
loader); key=value needs the key to exist and then OmegaConf.update(cfg, key, value, merge=True); +key=value needs it
not to exist; ~key needs it to exist and deletes it. Keys are dotted paths through maps only (the harness generates
no list indices). Driven by tests/override_oracle_test.cpp.
"""
import json
import sys

from omegaconf import DictConfig, OmegaConf
from omegaconf.grammar_parser import parse as parse_interpolation


def first_bad_interpolation(tree):
    """A string OmegaConf's interpolation grammar rejects (GitHub's ${{ ... }}): OmegaConf fails on any update of a
    config holding one, so such configs cannot be compared. None when every string parses."""
    if isinstance(tree, dict):
        tree = list(tree.values())
    if isinstance(tree, list):
        for v in tree:
            bad = first_bad_interpolation(v)
            if bad is not None:
                return bad
        return None
    if isinstance(tree, str) and "${" in tree:
        try:
            parse_interpolation(tree)
        except Exception:
            return tree
    return None


def lookup(cfg, key):
    node = cfg
    for seg in key.split("."):
        if not isinstance(node, DictConfig) or seg not in list(node.keys()):
            return None
        node = node._get_node(seg)
    return node


def typed_value(text):
    return OmegaConf.to_container(OmegaConf.from_dotlist(["v=" + text]), resolve=False)["v"]


def apply(cfg, override):
    if override.startswith("~"):
        key = override[1:]
        if lookup(cfg, key) is None:
            raise KeyError(f"cannot delete missing key {key}")
        parent_key, _, last = key.rpartition(".")
        parent = lookup(cfg, parent_key) if parent_key else cfg
        del parent[last]
        return
    add = override.startswith("+")
    key, _, text = override.lstrip("+").partition("=")
    exists = lookup(cfg, key) is not None
    if add and exists:
        raise KeyError(f"cannot add existing key {key}")
    if not add and not exists:
        raise KeyError(f"cannot set missing key {key}")
    OmegaConf.update(cfg, key, typed_value(text), merge=True)


def main():
    for line in sys.stdin:
        case = json.loads(line)
        out = {"id": case["id"]}
        bad = first_bad_interpolation(case["config"])
        if bad is not None:
            out["ok"] = False
            out["unusable"] = f"OmegaConf's grammar rejects the config's string {bad[:80]!r}"
            sys.stdout.write(json.dumps(out) + "\n")
            continue
        try:
            cfg = OmegaConf.create(case["config"])
            for o in case["overrides"]:
                apply(cfg, o)
            out["ok"] = True
            out["result"] = OmegaConf.to_container(cfg, resolve=False)
        except Exception as e:  # the fact of an error is compared, not its wording
            out["ok"] = False
            out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
