#!/usr/bin/env bash
# Plugins: a shared library of components (tests/recipes/greet/plugin, built with rig_add_plugin) loaded at start-up
# with --plugin or RIG_PLUGIN_PATH; the greet recipe uses its component from a config without being rebuilt; rig
# components / describe / schema / validate see it; the same name from two libraries is rig.component.duplicate.
source "$(dirname "$0")/lib/common.bash" "$(realpath "$1")" "$(realpath "$2")"
plugin="$build/tests/recipes/libgreet_whisper.so"
again="$build/tests/recipes/libgreet_whisper_again.so"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH RIG_PLUGIN_PATH
export NO_COLOR=1
has() { grep -qF -- "$1" <<<"$2"; }
check "the test plugins are built" test -f "$plugin" -a -f "$again"

# A config group option of the user's that picks the plugin's component.
mkdir -p conf/greeter
printf '_component_: greet.Whisper\nsoftness: 3\n' >conf/greeter/whisper.yaml

out=$("$rig" run greet --plugin "$plugin" --config-dir conf greeter=whisper who=you --output-dir r1 2>err.txt); rc=$?
check "rig run --plugin: the recipe builds the plugin's component (exit 0)" test "$rc" -eq 0
check "... and it greets" test "$out" = "psst, you..."
check "... run.json lists the plugin" grep -qF "$(basename "$plugin")" r1/run.json
# rig's options and the recipe's may come before RECIPE: --plugin X takes X with it (X is not the recipe).
out=$("$rig" run --plugin "$plugin" greet --config-dir conf greeter=whisper who=first --output-dir r1b 2>/dev/null); rc=$?
check "rig run --plugin X RECIPE (the plugin before the recipe): exit 0" test "$rc" -eq 0
check "... and it greets" test "$out" = "psst, first..."
out=$("$rig" run --plugin="$plugin" --config-dir conf greet greeter=whisper who=eq --output-dir r1c 2>/dev/null); rc=$?
check "rig run --plugin=X --config-dir D RECIPE: exit 0" test "$rc" -eq 0 -a "$out" = "psst, eq..."
out=$("$rig" validate --plugin "$plugin" greet --config-dir conf greeter=whisper who=v 2>&1); rc=$?
check "rig validate --plugin X RECIPE: valid" test "$rc" -eq 0
out=$("$rig" schema --plugin "$plugin" greet); rc=$?
check "rig schema --plugin X RECIPE: the plugin's component is in it" bash -c "test $rc -eq 0 && grep -q 'greet.Whisper' <<<\"\$1\"" _ "$out"
out=$("$rig" run greet --config-dir conf greeter=whisper who=you --output-dir r2 2>&1); rc=$?
check "without the plugin: exit 2, unknown component" bash -c "test $rc -eq 2 && grep -q 'rig.component.unknown' <<<\"\$1\"" _ "$out"

out=$(RIG_PLUGIN_PATH="$(dirname "$plugin")/libgreet_whisper.so" "$rig" run greet --config-dir conf greeter=whisper who=env --output-dir r3 2>/dev/null); rc=$?
check "RIG_PLUGIN_PATH (a library): the same" test "$rc" -eq 0 -a "$out" = "psst, env..."
mkdir plugdir && cp "$plugin" plugdir/
out=$(RIG_PLUGIN_PATH="$tmp/plugdir" "$rig" run greet --config-dir conf greeter=whisper who=dir --output-dir r4 2>/dev/null); rc=$?
check "RIG_PLUGIN_PATH (a directory of .so): the same" test "$rc" -eq 0 -a "$out" = "psst, dir..."

out=$("$rig" components --plugin "$plugin" Whisper); rc=$?
check "rig components --plugin lists the plugin's component" bash -c "test $rc -eq 0 && grep -q 'greet.Whisper' <<<\"\$1\"" _ "$out"
out=$("$rig" describe greet.Whisper --plugin "$plugin"); rc=$?
check "rig describe sees it (parameters, the library)" bash -c "test $rc -eq 0 && grep -q 'softness' <<<\"\$1\" && grep -qF 'libgreet_whisper.so' <<<\"\$1\"" _ "$out"
out=$("$rig" describe greet.Whisper 2>&1); rc=$?
check "rig describe without the plugin: unknown" test "$rc" -eq 2
out=$("$rig" schema greet --plugin "$plugin"); rc=$?
check "rig schema RECIPE --plugin: the component is one of the Greeters" bash -c "test $rc -eq 0 && /usr/bin/python3 -c '
import json, sys
s = json.loads(sys.argv[1])
titles = [b[\"title\"] for d in s[\"\$defs\"].values() for b in d.get(\"oneOf\", [])]
assert \"greet.Whisper\" in titles, titles' \"\$1\"" _ "$out"
out=$("$rig" schema --component greet.Whisper --plugin "$plugin"); rc=$?
check "rig schema --component --plugin" bash -c "test $rc -eq 0 && grep -q softness <<<\"\$1\"" _ "$out"
out=$("$rig" validate greet --plugin "$plugin" --config-dir conf greeter=whisper who=v 2>&1); rc=$?
check "rig validate --plugin: valid" test "$rc" -eq 0
printf '_component_: greet.Whisper\nloudness: 3\n' >conf/greeter/bad.yaml
out=$("$rig" validate greet --plugin "$plugin" --config-dir conf greeter=bad who=v 2>&1); rc=$?
check "rig validate --plugin: a parameter the plugin's component lacks is located" \
  bash -c "test $rc -eq 2 && grep -q 'rig.args.unknown_keyword' <<<\"\$1\" && grep -q 'bad.yaml:2' <<<\"\$1\"" _ "$out"

# The same name from two libraries.
out=$("$rig" run greet --plugin "$plugin" --plugin "$again" who=x --output-dir r5 2>&1); rc=$?
check "a duplicate name across plugins: exit 2, rig.component.duplicate" \
  bash -c "test $rc -eq 2 && grep -q 'rig.component.duplicate' <<<\"\$1\"" _ "$out"
check "... naming both libraries" bash -c "grep -qF 'libgreet_whisper.so' <<<\"\$1\" && grep -qF 'libgreet_whisper_again.so' <<<\"\$1\"" _ "$out"
check "... located at a registration" bash -c "grep -qE 'whisper.cpp:[0-9]+' <<<\"\$1\"" _ "$out"
echo "$out" | head -8

out=$("$rig" run greet --plugin ./nope.so who=x 2>&1); rc=$?
check "a missing plugin: exit 2, rig.plugin.load" bash -c "test $rc -eq 2 && grep -q 'rig.plugin.load' <<<\"\$1\"" _ "$out"
printf 'not a library' >fake.so
out=$("$rig" run greet --plugin ./fake.so who=x 2>&1); rc=$?
check "not a shared library: exit 2 with the loader's reason" bash -c "test $rc -eq 2 && grep -q 'rig.plugin.load' <<<\"\$1\"" _ "$out"
out=$(RIG_PLUGIN_PATH=/nonexistent "$rig" run greet who=x 2>&1); rc=$?
check "RIG_PLUGIN_PATH naming nothing: exit 2, rig.plugin.path" bash -c "test $rc -eq 2 && grep -q 'rig.plugin.path' <<<\"\$1\"" _ "$out"
# The tool's own verbs with plugins. A statically linked rig (RIG_STATIC_TOOL, tools/rig/tool_plugins.hpp) cannot
# load them and runs the command in rig-plugin-host, found beside it or at ../libexec as installed; a dynamic rig
# (sanitizer builds) loads them itself.
out=$(RIG_PLUGIN_PATH="$plugin" "$rig" components Whisper); rc=$?
check "RIG_PLUGIN_PATH: rig components lists the plugin's component" bash -c "test $rc -eq 0 && grep -q 'greet.Whisper' <<<\"\$1\"" _ "$out"
out=$(RIG_PLUGIN_PATH=/nonexistent "$rig" components 2>&1); rc=$?
check "RIG_PLUGIN_PATH naming nothing, rig components: exit 2, rig.plugin.path" bash -c "test $rc -eq 2 && grep -q 'rig.plugin.path' <<<\"\$1\"" _ "$out"
mkdir -p alone prefix/bin prefix/libexec
cp "$rig" alone/rig
cp "$rig" prefix/bin/rig
out=$(alone/rig components --plugin "$plugin" Whisper 2>&1); rc=$?
if ldd "$rig" >/dev/null 2>&1; then
  check "a dynamic rig copied alone loads the plugin itself" bash -c "test $rc -eq 0 && grep -q 'greet.Whisper' <<<\"\$1\"" _ "$out"
else
  check "a static rig copied alone, without its plugin host: exit 2, rig.plugin.host" \
    bash -c "test $rc -eq 2 && grep -q 'rig.plugin.host' <<<\"\$1\"" _ "$out"
  check "... and nothing loaded without a plugin" bash -c "alone/rig --version | grep -q '^rig '"
  cp "$(dirname "$rig")/rig-plugin-host" prefix/libexec/
  out=$(prefix/bin/rig describe greet.Whisper --plugin "$plugin" 2>&1); rc=$?
  check "installed layout (bin/rig, libexec/rig-plugin-host): rig describe --plugin" \
    bash -c "test $rc -eq 0 && grep -q 'softness' <<<\"\$1\"" _ "$out"
  out=$(alone/rig __complete components --plugin "$plugin" '' 2>&1); rc=$?
  check "completion loads no plugin, so it needs no plugin host (exit 0 alone)" test "$rc" -eq 0
fi
exit $fail
