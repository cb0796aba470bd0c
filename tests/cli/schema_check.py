#!/usr/bin/python3
"""Validates configs against `rig schema` with an independent validator (Debian's python3-jsonschema).

  schema_check.py RIG shipped        every config of every recipe `rig ls` finds validates against its recipe's schema:
                                     the file as written and the config as composed (--print-config)
  schema_check.py RIG valid   RECIPE CONFIG FILE   exit 0 when FILE validates against `rig schema RECIPE --config CONFIG`
  schema_check.py RIG invalid RECIPE CONFIG FILE   exit 0 when it does not (and print the validator's reason)
"""
import json
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1; rig reads 1.2, whose core schema also makes `1e-3` (no dot) a float."""


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def rig(*args):
    out = subprocess.run([RIG, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"FAIL rig {' '.join(args)}: exit {out.returncode}\n{out.stderr}")
    return out.stdout


def load(path):
    """A config file as written (its defaults list included)."""
    with open(path) as f:
        return yaml.load(f, Loader=Yaml12Loader) or {}


def load_composed(text):
    """A composed config as `--print-config` prints it, read back by rig itself (`rig print --json`)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        f.write(text)
        f.flush()
        return json.loads(rig("print", "--json", f.name)) or {}


def schema_of(recipe, config):
    s = json.loads(rig("schema", recipe, "--config", config))
    jsonschema.Draft202012Validator.check_schema(s)  # a well-formed draft 2020-12 schema
    return s


def errors(schema, instance):
    v = jsonschema.Draft202012Validator(schema)
    return sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path))


def recipes_and_configs():
    out = []
    lines = rig("ls").splitlines()[1:]
    for line in lines:
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        name, rest = parts
        configs = rest.split("  —")[0].strip()
        out.append((name, [c.strip() for c in configs.split(",") if c.strip()]))
    return out


def config_file(recipe, config):
    # `rig ls RECIPE` prints the config dir's manifest; the file is <config dir>/<config>.yaml
    for line in rig("ls", recipe).splitlines():
        if line.strip().startswith("manifest:"):
            manifest = json.load(open(line.split(":", 1)[1].strip()))
            return f"{manifest['config_dirs'][0]}/{config}.yaml"
    sys.exit(f"FAIL no manifest for {recipe}")


def main():
    global RIG
    RIG = sys.argv[1]
    mode = sys.argv[2]
    if mode == "shipped":
        fail = 0
        checked = 0
        for recipe, configs in recipes_and_configs():
            for config in configs:
                s = schema_of(recipe, config)
                path = config_file(recipe, config)
                written = load(path)
                composed = load_composed(rig("run", recipe, "--config", config, "--print-config"))
                for what, inst in (("as written", written), ("as composed", composed)):
                    errs = errors(s, inst)
                    checked += 1
                    if errs:
                        fail = 1
                        print(f"FAIL {recipe} --config {config} ({what}, {path}):")
                        for e in errs[:5]:
                            print(f"    at {'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}")
                    else:
                        print(f"ok   {recipe} --config {config} validates against its schema ({what})")
        if checked == 0:
            sys.exit("FAIL no recipe configs found")
        sys.exit(fail)
    recipe, config, file = sys.argv[3:6]
    s = schema_of(recipe, config)
    inst = load(file)
    errs = errors(s, inst)
    for e in errs[:3]:
        print(f"    at {'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:200]}")
    sys.exit(0 if (mode == "valid") == (not errs) else 1)


main()
