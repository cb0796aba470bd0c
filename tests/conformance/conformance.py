#!/usr/bin/python3
"""Differential conformance of rig's interpolation against OmegaConf.

Runs OmegaConf (Debian's python3-omegaconf, imported by /usr/bin/python3) and rig (rig_conformance_helper, one
process for all cases) on the same YAML texts and compares the canonical JSON of the resolved trees, or the fact of
an error (not its wording). Inputs:
  (a) every YAML file under ../shared/corpus that OmegaConf loads and resolves on its own; files it cannot resolve
      alone (Hydra-only resolvers such as ${hydra:...}, fragments that refer to keys of other files) are counted and
      reported, not compared;
  (b) a seeded random generator of configs exercising every grammar form, with a deliberate error in ~10% of cases.
Intentional differences are listed one by one, with the reason, in known_differences.txt.

Exit status: 0 all agree (or differ only as listed), 1 unexpected disagreement, 77 skipped (no omegaconf).
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import warnings

try:
    from omegaconf import DictConfig, ListConfig, OmegaConf
except ImportError:
    print("SKIPPED: %s cannot import omegaconf (install python3-omegaconf)" % sys.executable)
    sys.exit(77)

warnings.simplefilter("ignore")

ENV = {"RIG_CONF_HOST": "example.org", "RIG_CONF_PORT": "8080", "RIG_CONF_EMPTY": "", "RIG_CONF_NAME": "HOST"}


# ---- custom resolvers, registered identically in rig_conformance_helper.cpp ---------------------------------------

def _type_name(x):
    if isinstance(x, (dict, DictConfig)):
        return "dict"
    if isinstance(x, (list, ListConfig)):
        return "list"
    return type(x).__name__


def _add(a, b):
    for x in (a, b):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError("rig_add takes numbers")
    return a + b


def _mul(a, b):
    for x in (a, b):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError("rig_mul takes numbers")
    return float(a) * float(b)


OmegaConf.register_new_resolver("rig_mul", _mul)
OmegaConf.register_new_resolver("rig_add", _add)
OmegaConf.register_new_resolver("rig_type", _type_name)
OmegaConf.register_new_resolver("rig_echo", lambda x: x)


# ---- running both sides -----------------------------------------------------------------------------------------------

def omegaconf_result(text):
    """('OK', python value) or ('ERR', exception class name); ('LOADERR', name) when the YAML itself fails."""
    try:
        cfg = OmegaConf.create(text)
    except Exception as e:  # noqa: BLE001 - any failure is an outcome
        return "LOADERR", type(e).__name__
    try:
        return "OK", json.loads(json.dumps(OmegaConf.to_container(cfg, resolve=True)))
    except RecursionError:
        return "ERR", "RecursionError"
    except Exception as e:  # noqa: BLE001
        return "ERR", type(e).__name__


def rig_results(helper, cases):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"id": cid, "yaml": text} for cid, text in cases], f)
        path = f.name
    try:
        env = dict(os.environ)
        env.update(ENV)
        out = subprocess.run([helper, path], capture_output=True, text=True, env=env, timeout=300)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        print(out.stderr)
        raise SystemExit("rig_conformance_helper failed with status %d" % out.returncode)
    results = {}
    for line in out.stdout.splitlines():
        cid, status, payload = line.split("\t", 2)
        results[cid] = (status, json.loads(payload) if status == "OK" else payload)
    return results


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# ---- (b) the random generator -------------------------------------------------------------------------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "lr", "model", "data", "dim", "name", "path", "x", "y", "k_1", "opt-a"]


class Gen:
    """Builds one config: a random tree of plain values, then interpolations that refer into it."""

    def __init__(self, rng):
        self.rng = rng
        self.leaves = []       # (path tuple, value) of plain leaves
        self.containers = []   # path tuples of maps and lists
        self.errors = 0

    def scalar(self):
        r = self.rng.random()
        if r < 0.25:
            return self.rng.randint(-1000, 100000)
        if r < 0.4:
            return self.rng.choice([0.5, 1.5e-5, -2.25, 3.0e20, 100.0, 1e-3, 0.1])
        if r < 0.5:
            return self.rng.choice([True, False])
        if r < 0.55:
            return None
        return self.rng.choice(WORDS) + str(self.rng.randint(0, 9))

    def tree(self, path, depth):
        if depth >= 3 or self.rng.random() < 0.3:
            v = self.scalar()
            self.leaves.append((path, v))
            return v
        if self.rng.random() < 0.25:
            n = self.rng.randint(1, 4)
            self.containers.append(path)
            return [self.tree(path + (i,), depth + 1) for i in range(n)]
        keys = self.rng.sample(WORDS, self.rng.randint(1, 5))
        self.containers.append(path)
        return {k: self.tree(path + (k,), depth + 1) for k in keys}

    def ref(self, path, style):
        if style == "bracket":
            out = ""
            for p in path:
                out += "[%s]" % p if out else str(p)
            return out
        return ".".join(str(p) for p in path)

    def some_leaf(self):
        return self.rng.choice(self.leaves)[0]

    def interpolation(self, here):
        """A random interpolation string for a new key at `here` (a path into the top-level map)."""
        rng = self.rng
        target = self.some_leaf()
        kind = rng.randint(0, 22)
        if kind == 0:
            return "${%s}" % self.ref(target, "dot")
        if kind == 1:
            return "${%s}" % self.ref(target, rng.choice(["dot", "bracket"]))
        if kind == 2 and [c for c in self.containers if c]:
            return "${%s}" % self.ref(rng.choice([c for c in self.containers if c]), "dot")
        if kind == 3:
            return "http://${%s}:${%s}/%s" % (self.ref(target, "dot"), self.ref(self.some_leaf(), "dot"), rng.choice(WORDS))
        if kind == 4:
            return "pre \\${%s} \\\\${%s} a\\b" % (self.ref(target, "dot"), self.ref(self.some_leaf(), "dot"))
        if kind == 5:
            return "${oc.env:RIG_CONF_%s}" % rng.choice(["HOST", "PORT", "EMPTY"])
        if kind == 6:
            return "${oc.env:RIG_CONF_UNSET_%d,%s}" % (rng.randint(0, 9), rng.choice(["null", "5", "'x y'", "1.5", "[1,2]", "true"]))
        if kind == 7:
            return "${oc.env:RIG_CONF_${helpers.envname}}"
        if kind == 8:
            return "${rig_type:%s}" % rng.choice(["1_000", "1.5e3", "true", "TrUe", "null", "abc", "'q'", "[1,2]", "{a: 1}",
                                                  "-.5", "inf", "nan", "01", "a b", "\\,x", "${%s}" % self.ref(target, "dot")])
        if kind == 9:
            return "${rig_echo:%s}" % rng.choice(["[1, 'two', {a: [3]}]", "{k: v, n: null, f: 1.5}", "'${%s}'" % self.ref(target, "dot"),
                                                  "${%s}" % self.ref(target, "dot"), "\"dq ${helpers.word}\"", "x:y", "a\\ b"])
        if kind == 10:
            return "${rig_add:%d,%s}" % (rng.randint(0, 50), rng.choice(["2", "0.5", "-3", "${helpers.num}"]))
        if kind == 11:
            return "${rig_mul:%s,%s}" % (rng.choice(["2", "0.5", "${helpers.num}"]), rng.choice(["3", "1e-3", "${helpers.num}"]))
        if kind == 12:
            return "${oc.select:%s,%s}" % (rng.choice([self.ref(target, "dot"), "nope.nothing", "helpers.missing"]), rng.choice(["dflt", "7", "null"]))
        if kind == 13:
            return "${oc.decode:%s}" % rng.choice(["'{a: 1, b: [x, 2]}'", "'1_000'", "'true'", "${helpers.encoded}", "null", "'[1, ${helpers.num}]'"])
        if kind == 14:
            return "${oc.dict.%s:%s}" % (rng.choice(["keys", "values"]), rng.choice(["helpers", "nested"]))
        if kind == 15:
            return "${oc.create:%s}" % rng.choice(["{a: 1, b: [x]}", "[1, 2]", "'${helpers.yaml}'"])
        if kind == 16:
            return "${helpers.${helpers.keyname}}"
        if kind == 17:
            return "${${helpers.resolver}:%s}" % rng.choice(["1", "'s'", "[1]"])
        if kind == 18:
            return "${ %s }" % self.ref(target, "dot")
        if kind == 19:
            return "'${%s}' and \"${helpers.word}\"" % self.ref(target, "dot")
        if kind == 21:
            return rng.choice([
                "${rig_echo:'it\\'s'}", "${rig_echo:\"a\\\"b\"}", "${rig_echo:'a\\\\'}", "${rig_echo:  spaced  ,  }",
                "${rig_echo:'${helpers.list}'}", "${rig_echo:[ ${helpers.num} , 'x' ]}", "${rig_echo:{k: ${helpers.num}}}",
                "${oc.select:.i0,none}", "${oc.decode:'${helpers.num}'}", "${rig_type:${helpers.list}}",
                "${helpers.list[0]}${helpers.list.1}", "$${helpers.num}$", "${rig_echo:a:b:c}", "${rig_echo:/x/*@?|%}",
                "${rig_type:${oc.decode:'[1]'}}", "${oc.env:RIG_CONF_EMPTY,dflt}", "${rig_echo:\\${helpers.num}}",
                "${rig_echo:'\\${helpers.num}'}", "${rig_echo:x\\ y}", "${rig_echo:[]}", "${rig_echo:{}}",
                "${rig_echo:''}", "${rig_type:1.}", "${rig_type:.5e-3}", "${rig_type:+1}", "${rig_type:-inf}",
                "${rig_type:1_0.5}", "${rig_type:NaN}", "${rig_type:Null}", "${rig_type:true_x}",
                "${oc.dict.keys:helpers}", "${.i0}", "${..helpers.num}", "${rig_echo:${..helpers}}",
            ])
        if kind == 20:
            return "${nested.inner.%s}" % rng.choice(["rel_sib", "rel_up", "rel_up2", "deep"])
        if kind == 22 and self.containers:
            return "${%s}" % self.ref(rng.choice(self.containers) or target, "dot")
        return "${chain.c0}"

    def error(self):
        rng = self.rng
        self.errors += 1
        return rng.choice([
            "${nope.nothing}",                      # unknown key
            "${helpers.nmu}",                       # near miss
            "${...way.too.far}",                    # above the root (at top level)
            "${cyc_a}",                             # cycle
            "${helpers.missing}",                   # reference to ???
            "${oc.env:RIG_CONF_NOT_SET_EVER}",      # no such variable
            "${unknown_resolver:1}",                # unknown resolver
            "${rig_mul:x,2}",                       # argument type
            "${rig_add:[1],2}",                     # argument type
            "${a b}",                               # grammar
            "${foo",                                # grammar
            "${rig_echo:'unterminated}",            # grammar
            "${helpers.num.deeper}",                # not a container
            "${rig_type:1,2}",                      # arity
            "${oc.decode:'{bad'}",                  # decode grammar
        ])

    def config(self):
        rng = self.rng
        body = self.tree((), 0)
        if not isinstance(body, dict):
            body = {"body": body}
            self.leaves = [(("body",) + p, v) for p, v in self.leaves]
            self.containers = [("body",) + p for p in self.containers]
        if not self.leaves:
            body["leaf"] = 1
            self.leaves.append((("leaf",), 1))
        body["helpers"] = {"envname": "HOST", "word": "w'o\"rd", "num": rng.randint(1, 9), "keyname": "word",
                           "resolver": rng.choice(["rig_type", "rig_echo"]), "encoded": "{x: [1, 2]}",
                           "yaml": "a: 1", "missing": "???", "list": [1, 2]}
        chain_len = rng.randint(1, 6)
        body["chain"] = {"c%d" % i: "${chain.c%d}" % (i + 1) for i in range(chain_len)}
        body["chain"]["c%d" % chain_len] = "end${helpers.num}"
        body["nested"] = {"sib": 1, "inner": {"rel_sib": "${.deep}", "rel_up": "${..sib}", "rel_up2": "${...helpers.num}",
                                                "deep": "d${..sib}"}}
        if rng.random() < 0.3:
            body["unreferenced_missing"] = "???"
        n = rng.randint(1, 6)
        inter = {}
        for i in range(n):
            inter["i%d" % i] = self.interpolation(("inter", "i%d" % i))
        body["inter"] = inter
        if rng.random() < 0.10:
            body["bad"] = self.error()
            if body["bad"] == "${cyc_a}":
                body["cyc_a"] = "${cyc_b}"
                body["cyc_b"] = "x${cyc_a}"
        return json.dumps(body, indent=1)


# (c) hand-written corner cases of the grammar, each the value of inter.i1 in a small fixed config.
HAND_FORMS = [r"${a.b }", r"${ a.b}", r"${d[b].c}", r"${a..b}", r"${.}", r"${}", r"${[d]}", r"${l[0][1]}", r"${l.0.1}",
 r"${oc.env: RIG_CONF_HOST }", r"${d.${oc.select:k}}", "$", "$$", "${", "}", "\\", "\\\\", "a\\${", "${k}}", "{${k}}",
 r"${nores:b}", r"${foo-bar}", r"${$x}", r"'${k}'", r"${rig_echo:'a'b}", r"${rig_echo:a'b'}", r'${rig_echo:"${k}"}',
 r"${rig_echo:${k}x}", r"${rig_echo:{a:1,b}}", r'${rig_echo:{"a":1}}', r"${rig_echo:{1:a, true:b, null:c, 1.5:d}}",
 r"${rig_echo:[1,,2]}", r"${rig_echo:\\}", r"${rig_echo:a\}", r"""${oc.decode:"[1, '2']"}""", r"${rig_echo:${k} ${k}}",
 r"${rig_echo:[${k}]}", r"${d.b.c.d}", r"${l[5]}", r"${l[-1]}", r"${l.x}", r"${k.x}", r"${rig_type:0x10}", r"${rig_type:1e5}",
 r"${rig_type:-0}", r"${rig_type:00}", r"${rig_echo:a=b}", r"${rig_echo:(x)}", r"${rig_echo:\(x\)}", r"${rig_echo:#x}",
 r"${rig_echo:&x}", r"${rig_echo:a\tb}", "${rig_echo:a\tb}", r"${oc.select:l.0}", r"${oc.select:l[0]}", r"${oc.select:..x,1}",
 r"${oc.create:'[1, 2]'}", r"${oc.create:'3'}", r"${oc.dict.keys:l}", r"${oc.dict.values:nope}", r"${oc.decode:1}",
 r"${oc.env:1}", r"${oc.env:RIG_CONF_UNSET_Q,{a: 1}}", r"${oc.env:RIG_CONF_UNSET_Q,1.0}", r"${oc.env:RIG_CONF_UNSET_Q,[a, 1e5]}",
 r"${oc.env:RIG_CONF_UNSET_Q,'${k}'}", r"x ${d} y", r"${rig_type:${d}}", r"${rig_echo:${l}}", r"${${k}}", r"${d.${k2}}",
 r"${oc.select:${k}}", r"${oc.deprecated:k}", r"${k:}", r"${rig_type: }", r"${rig_echo:'   '}", r"${d [b]}"]


def hand_cases():
    cases = []
    for i, form in enumerate(HAND_FORMS):
        cfg = {"k": "d", "k2": "b", "d": {"b": {"c": 7}}, "l": [[1, 2], 3], "inter": {"i1": form}}
        cases.append(("hand:%d" % i, json.dumps(cfg)))
    return cases


def random_cases(count, seed):
    rng = random.Random(seed)
    cases = []
    errors = 0
    for i in range(count):
        g = Gen(rng)
        cases.append(("random:%d:%d" % (seed, i), g.config()))
        errors += g.errors
    return cases, errors


# ---- (a) the corpus --------------------------------------------------------------------------------------------------------

def corpus_cases(shared):
    root = os.path.join(shared, "corpus")
    cases = []
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    cases.append(("corpus:" + os.path.relpath(path, root), f.read()))
    cases.sort()
    return cases


def load_known(path):
    known = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                cid, _, reason = line.partition("  ")
                known[cid.strip()] = reason.strip()
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helper", required=True)
    ap.add_argument("--shared", default="")
    ap.add_argument("--known", default="")
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    os.environ.update(ENV)
    known = load_known(args.known)

    cases, deliberate_errors = random_cases(args.cases, args.seed)
    cases += hand_cases()
    have_corpus = args.shared and os.path.isdir(os.path.join(args.shared, "corpus"))
    corpus = corpus_cases(args.shared) if have_corpus else []
    if not have_corpus:
        print("corpus: SKIPPED (%s/corpus is absent)" % args.shared)
    rig = rig_results(args.helper, cases + corpus)

    failures = []
    used_known = set()
    stats = {"agree_ok": 0, "agree_err": 0, "known": 0}
    not_compared = {}
    for cid, text in cases + corpus:
        status, value = omegaconf_result(text)
        rstatus, rvalue = rig[cid]
        if cid.startswith("corpus:") and status != "OK":
            reason = "OmegaConf cannot load it" if status == "LOADERR" else "OmegaConf cannot resolve it alone (%s)" % value
            not_compared[reason] = not_compared.get(reason, 0) + 1
            continue
        if status == "LOADERR":
            status = "ERR"
        agree = (status == rstatus == "ERR") or (status == rstatus == "OK" and same(value, rvalue))
        if agree:
            stats["agree_ok" if status == "OK" else "agree_err"] += 1
            continue
        if cid in known:
            stats["known"] += 1
            used_known.add(cid)
            continue
        failures.append((cid, text, (status, value), (rstatus, rvalue)))

    compared = stats["agree_ok"] + stats["agree_err"] + stats["known"] + len(failures)
    print("random: %d cases (seed %d), %d with a deliberate error; %d hand-written corner cases"
          % (args.cases, args.seed, deliberate_errors, len(HAND_FORMS)))
    print("corpus: %d files, %d not compared:" % (len(corpus), sum(not_compared.values())))
    for reason, n in sorted(not_compared.items(), key=lambda x: -x[1]):
        print("   %5d  %s" % (n, reason))
    print("compared %d: %d agree on the resolved tree, %d agree on an error, %d known differences, %d disagree"
          % (compared, stats["agree_ok"], stats["agree_err"], stats["known"], len(failures)))
    stale = sorted(k for k in known if k not in used_known and (k.startswith("random:%d:" % args.seed) or
                                                                k.startswith("hand:") or
                                                                (have_corpus and k.startswith("corpus:"))))
    for k in stale:
        print("known difference no longer differs (remove it from the list): %s" % k)
    for cid, text, o, r in failures:
        print("DISAGREE %s: OmegaConf %s, rig %s" % (cid, o[0] if o[0] == "OK" else o[1], r[0] if r[0] == "OK" else r[1]))
    for cid, text, o, r in failures[:15 if args.verbose else 3]:
        print("\n--- %s" % cid)
        print(text if len(text) < 3000 else text[:3000] + "\n...")
        print("OmegaConf: %s %s" % (o[0], json.dumps(o[1])[:2000]))
        print("rig:       %s %s" % (r[0], json.dumps(r[1])[:2000]))
    return 1 if failures or stale else 0


if __name__ == "__main__":
    sys.exit(main())
