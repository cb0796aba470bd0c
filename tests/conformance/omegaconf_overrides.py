#!/usr/bin/python3
"""Oracle for rig's plain overrides: applies key=value, +key=value and ~key with OmegaConf, the way Hydra does.

Reads JSON lines {"id": N, "config": <JSON tree>, "overrides": ["key=value", "+key=value", "~key", ...]} on stdin and
writes {"id": N, "ok": true, "result": <JSON tree>} or {"id": N, "ok": false, "error": "..."} per line on stdout.

Semantics: exactly Hydra 1.3's ConfigLoaderImpl._apply_overrides_to_config on a config in struct mode (Hydra sets
struct before applying overrides); the value text is typed by OmegaConf.from_dotlist (its YAML loader). key=value is
OmegaConf.update(merge=True), so it cannot add keys, not even inside a merged map; +key=value adds where
OmegaConf.select finds None (absent, null or ???) and merges (adding keys) when the value is a map or list, else
fails; ~key fails where select finds None and deletes otherwise. Keys are dotted paths through maps only (the harness generates
no list indices). Driven by tests/override_oracle_test.cpp.
"""
import json
import sys

from omegaconf import DictConfig, OmegaConf, open_dict
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


def typed_value(text):
    return OmegaConf.to_container(OmegaConf.from_dotlist(["v=" + text]), resolve=False)["v"]


def apply(cfg, override):
    """Hydra 1.3's ConfigLoaderImpl._apply_overrides_to_config, on a config in struct mode (as Hydra's is)."""
    if override.startswith("~"):
        key = override[1:]
        if OmegaConf.select(cfg, key, throw_on_missing=False) is None:
            raise KeyError(f"Could not delete from config. '{key}' does not exist.")
        parent_key, _, last = key.rpartition(".")
        parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
        with open_dict(cfg):
            del parent[last]
        return
    add = override.startswith("+") and not override.startswith("++")
    force = override.startswith("++")
    key, _, text = override.lstrip("+").partition("=")
    value = typed_value(text)
    if add:
        if OmegaConf.select(cfg, key, throw_on_missing=False) is None or isinstance(value, (dict, list)):
            OmegaConf.update(cfg, key, value, merge=True, force_add=True)
        else:
            raise KeyError(f"Could not append to config. An item is already at '{key}'.")
    elif force:
        OmegaConf.update(cfg, key, value, merge=True, force_add=True)
    else:
        OmegaConf.update(cfg, key, value, merge=True)


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
            OmegaConf.set_struct(cfg, True)
            for i, o in enumerate(case["overrides"]):
                out["failed"] = o
                apply(cfg, o)
            del out["failed"]
            out["ok"] = True
            out["result"] = OmegaConf.to_container(cfg, resolve=False)
        except Exception as e:  # the fact of an error is compared, not its wording
            out["ok"] = False
            out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
