#!/usr/bin/env bash
# rig schema: a JSON Schema (draft 2020-12) of a recipe's whole config, checked with an independent validator
# (python3-jsonschema): the shipped configs validate, configs with planted mistakes do not.
source "$(dirname "$0")/lib/common.bash" "$(realpath "$1")" "$(realpath "$2")"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH
export NO_COLOR=1
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  echo "FAIL python3-jsonschema is not installed (scripts/install-deps test installs it)"; exit 1
fi
checker="$root/tests/cli/schema_check.py"
py() { /usr/bin/python3 -c "$1" "${@:2}"; }

"$rig" schema greet >greet.json; rc=$?
check "rig schema greet exits 0" test "$rc" -eq 0
check "draft 2020-12, a valid schema" py '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema", s["$schema"]
jsonschema.Draft202012Validator.check_schema(s)' greet.json
check "every key with type, default and description (who, times)" py '
import json, sys
p = json.load(open(sys.argv[1]))["properties"]
who, times = p["who"], p["times"]
assert who["description"] == "whom to greet" and who["default"] == "world", who
assert times["default"] == 1 and times["description"] == "how many times", times
assert {"type": "integer"} in times["anyOf"] or any(a.get("type") == "integer" for a in times["anyOf"]), times' greet.json
check "the component key is a oneOf over the registered Greeters, with their parameters" py '
import json, sys
s = json.load(open(sys.argv[1]))
defs = [d for d in s["$defs"].values() if "oneOf" in d]
titles = sorted(b["title"] for d in defs for b in d["oneOf"])
assert "greet.Loud" in titles and "greet.Plain" in titles, titles
assert "greet.Poems" not in titles, titles   # another interface
loud = next(b for d in defs for b in d["oneOf"] if b["title"] == "greet.Loud")
vol = loud["properties"]["volume"]["anyOf"][0]
assert vol["type"] == "integer" and vol["maximum"] == 10 and loud["properties"]["volume"].get("default", vol.get("default")) == 3, loud
assert loud["properties"]["word"]["anyOf"][0]["description"].startswith("the greeting word"), loud["properties"]["word"]' greet.json

# The shipped configs (every recipe rig ls finds: greet here, and the LibTorch recipes when they are built).
check "every shipped config validates against its recipe's schema" /usr/bin/python3 "$checker" "$rig" shipped

# Planted mistakes: each must fail; the control must pass.
valid() { /usr/bin/python3 "$checker" "$rig" valid greet "$1" "$2"; }
invalid() { /usr/bin/python3 "$checker" "$rig" invalid greet "$1" "$2"; }
printf 'defaults:\n  - greeter: loud\nwho: you\ntimes: 3\ngreeter:\n  volume: 5\n' >ok.yaml
check "control: a correct config validates (a partial override of the chosen component)" valid shout ok.yaml
printf 'who: you\nwhom: typo\n' >unknown_key.yaml
check "an unknown key fails" invalid greet unknown_key.yaml
printf 'who: you\ntimes: many\n' >wrong_type.yaml
check "a wrong type fails" invalid greet wrong_type.yaml
printf 'greeter:\n  _component_: greet.Loud\n  word: HI\n  volume: 99999999999\n' >range.yaml
check "an out-of-range value fails" invalid greet range.yaml
printf 'greeter:\n  _component_: greet.Whisper\n' >unknown_component.yaml
check "an unknown component fails" invalid greet unknown_component.yaml
printf 'greeter:\n  _component_: greet.Plain\n  volume: 3\n' >unknown_param.yaml
check "a parameter the component does not have fails" invalid greet unknown_param.yaml
printf 'greeter:\n  _component_: greet.Poems\n' >wrong_interface.yaml
check "a component of another interface fails" invalid greet wrong_interface.yaml
# Declared value checks (rig/constraints.hpp) as JSON Schema keywords: greet.Loud's volume in [0, 10] and word
# /[A-Za-z]+/, greet.Plain's punctuation one of . ! ? (tests/recipes/greet/greet.cpp).
check "constraints: a range is minimum/maximum, a pattern is anchored, one_of is an enum" py '
import json, sys
s = json.load(open(sys.argv[1]))
bodies = {b["title"]: b for d in s["$defs"].values() if "oneOf" in d for b in d["oneOf"]}
vol = bodies["greet.Loud"]["properties"]["volume"]["anyOf"][0]
assert vol["minimum"] == 0 and vol["maximum"] == 10, vol
assert "must be in [0, 10]" in vol["description"], vol
word = bodies["greet.Loud"]["properties"]["word"]["anyOf"][0]
assert word["pattern"] == "^(?:[A-Za-z]+)$", word
punct = bodies["greet.Plain"]["properties"]["punctuation"]["anyOf"][0]
assert punct["enum"] == [".", "!", "?"], punct' greet.json
printf 'greeter:\n  _component_: greet.Loud\n  word: HI\n  volume: 10\n' >edge.yaml
check "constraints: the range's edge validates" valid greet edge.yaml
printf 'greeter:\n  _component_: greet.Loud\n  word: HI\n  volume: 11\n' >above.yaml
check "constraints: above a declared maximum fails" invalid greet above.yaml
printf 'greeter:\n  _component_: greet.Loud\n  word: HI\n  volume: -1\n' >below.yaml
check "constraints: below a declared minimum fails" invalid greet below.yaml
printf 'greeter:\n  _component_: greet.Loud\n  word: HI there\n' >pattern.yaml
check "constraints: a value not matching the whole pattern fails" invalid greet pattern.yaml
printf 'greeter:\n  _component_: greet.Plain\n  punctuation: ";"\n' >enum.yaml
check "constraints: a value outside one_of fails" invalid greet enum.yaml
printf 'greeter:\n  _component_: greet.Loud\n  word: HI\n  volume: ${oc.env:VOL,3}\n' >interp.yaml
check "constraints: an interpolation is left to resolution" valid greet interp.yaml
# rig itself agrees on each planted value (rig validate reports rig.value.constraint).
for f in above below pattern enum; do
  out=$("$rig" validate greet --config "$tmp/$f.yaml" 2>&1); rc=$?
  check "rig validate refuses $f.yaml as the schema does (rig.value.constraint)" \
    bash -c "test $rc -eq 2 && grep -q 'rig.value.constraint' <<<\"\$1\"" _ "$out"
done
printf 'who: ${oc.env:USER}\ntimes: ???\n' >placeholders.yaml
check "interpolations and ??? validate" valid greet placeholders.yaml

# One component.
out=$("$rig" schema --component greet.Loud); rc=$?
check "rig schema --component exits 0" test "$rc" -eq 0
check "rig schema --component: its parameters" py '
import json, sys, jsonschema
s = json.loads(sys.argv[1])
jsonschema.Draft202012Validator.check_schema(s)
v = jsonschema.Draft202012Validator(s)
assert v.is_valid({"_component_": "greet.Loud", "word": "HI"})
assert not v.is_valid({"_component_": "greet.Loud", "word": "HI", "volume": "loud"})
assert not v.is_valid({"_component_": "greet.Loud", "loudness": 3})' "$out"
out=$("$rig" schema --component greet.Lowd 2>&1); rc=$?
check "rig schema --component unknown: exit 2, did-you-mean" bash -c "test $rc -eq 2 && grep -q 'rig.component.unknown' <<<'$out' && grep -q 'greet.Loud' <<<'$out'"
out=$("$rig" schema gret 2>&1); rc=$?
check "rig schema unknown recipe: exit 2" test "$rc" -eq 2
exit $fail
