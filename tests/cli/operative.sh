#!/usr/bin/env bash
# What actually ran: the run directory's operative.yaml (every instantiated component's arguments as used, defaults
# filled in) and --print-config --with-defaults (the code's defaults of keys the config leaves out).
source "$(dirname "$0")/lib/common.bash" "$(realpath "$1")" "$(realpath "$2")"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH RIG_PLUGIN_PATH
export NO_COLOR=1
json_of() { "$rig" print --json "$1"; }
py() { /usr/bin/python3 -c "$1" "${@:2}"; }

# shout's greeter (greet.Loud) sets `word` and leaves `volume` to its registered default (3).
out=$("$rig" run greet --config shout who=op --output-dir r 2>/dev/null); rc=$?
check "run exits 0" test "$rc" -eq 0
check "run dir has operative.yaml" test -s r/operative.yaml
check "config.yaml leaves volume out" bash -c "! grep -q volume r/config.yaml"
check "operative.yaml: the greeter as built, its default volume filled in" py '
import json, sys
op = json.loads(sys.argv[1])
g = op["greeter"]
assert g == {"_component_": "greet.Loud", "word": "HEY", "volume": 3}, g' "$(json_of r/operative.yaml)"
# An argument from the command line is what the operative config shows.
"$rig" run greet --config shout who=op +greeter.volume=1 --output-dir r2 >/dev/null 2>&1
check "operative.yaml: an overridden argument as used" py '
import json, sys
assert json.loads(sys.argv[1])["greeter"]["volume"] == 1' "$(json_of r2/operative.yaml)"
# Options-struct components too (greet.Plain).
"$rig" run greet who=op '~greeter.punctuation' --output-dir r3 >/dev/null 2>&1
check "operative.yaml: an options struct's default filled in" py '
import json, sys
assert json.loads(sys.argv[1])["greeter"] == {"_component_": "greet.Plain", "punctuation": "."}' "$(json_of r3/operative.yaml)"

# --print-config --with-defaults: the registry's defaults of the components and the recipe schema's key defaults.
plain=$("$rig" run greet --config shout --print-config)
full=$("$rig" run greet --config shout --print-config --with-defaults); rc=$?
check "--with-defaults exits 0" test "$rc" -eq 0
check "without --with-defaults: no volume, no fail" bash -c "! grep -qE 'volume|fail' <<<\"\$1\"" _ "$plain"
check "--with-defaults: the component's default (greeter.volume: 3)" py '
import json, sys
c = json.loads(sys.argv[1])
assert c["greeter"]["volume"] == 3, c
assert c["fail"] is False and c["fail_rank"] == -1 and c["sleep_s"] == 0.0, c
assert c["times"] == 2 and c["greeter"]["word"] == "HEY", c   # the config wins where it sets a key' \
  "$(printf '%s\n' "$full" >full.yaml; json_of full.yaml)"
check "--with-defaults --show-origin says where a default came from" bash -c \
  "'$rig' run greet --config shout --print-config --with-defaults --show-origin | grep -E '^fail_rank:' | grep -q 'recipe schema default'"
# run.json's unread_keys: what the recipe never read during the run. greet reads who, times, greeter (whole),
# run_dir, fail, fail_rank and sleep_s, not `notes` (its schema's free-text section); `src` is only referred to by
# an interpolation (times: ${src}).
"$rig" run greet who=u +extra=1 +nested.a.b=2 +src=2 'times=${src}' --output-dir u >/dev/null 2>&1
check "run.json: unread_keys lists the keys the recipe never read, nothing else" py '
import json, sys
run = json.load(open(sys.argv[1]))
assert sorted(run["unread_keys"]) == ["extra", "nested", "notes"], run["unread_keys"]' u/run.json
"$rig" run greet who=u ~notes --output-dir u2 >/dev/null 2>&1
check "run.json: every key read, no unread keys" py '
import json, sys
assert json.load(open(sys.argv[1]))["unread_keys"] == []' u2/run.json
exit $fail
