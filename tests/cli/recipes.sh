#!/usr/bin/env bash
# End-to-end: the test recipe `greet` (tests/recipes, no LibTorch) and the rig tool's recipe verbs: ls, run with
# overrides, run directories and their files, validate with planted errors, exit codes, help, describe, components,
# compat, cp (config, source, --project built out of tree against an installed rig), completion.
set -u
rig=$(realpath "$1"); root=$(realpath "$2")
build=$(cd "$(dirname "$rig")/../.." && pwd)
greet="$build/tests/recipes/greet"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH NO_COLOR
fail=0
check() {  # check NAME COMMAND...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
has() { grep -qF -- "$1" <<<"$2"; }
exits_with() { test "$1" -eq "$2" && grep -qF -- "$3" <<<"$4"; }  # exits_with RC WANTED TEXT OUTPUT

# ---- ls ----------------------------------------------------------------------------------------------------------
out=$("$rig" ls); rc=$?
check "ls exits 0" test "$rc" -eq 0
check "ls lists greet with its configs" grep -qE '^greet +greet, shout' <<<"$out"
out=$("$rig" ls greet)
check "ls RECIPE shows groups" has "greeter/: loud, plain" "$out"
check "ls RECIPE shows schema keys" grep -qE 'times +int' <<<"$out"
out=$("$rig" ls gret 2>&1); rc=$?
check "ls unknown recipe: exit 2 with did-you-mean" exits_with $rc 2 "did you mean 'greet'" "$out"

# ---- run with overrides, the run directory ------------------------------------------------------------------------
out=$("$rig" run greet who=tester times=2 2>err.txt); rc=$?
check "run exits 0" test "$rc" -eq 0
check "overrides reach the recipe" test "$out" = $'Hello, tester.\nHello, tester.'
runs=(outputs/greet/*)
check "one run directory" test "${#runs[@]}" -eq 1
d="${runs[0]}"
check "run dir is named by date and time" grep -qE '^outputs/greet/[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{2}-[0-9]{2}-[0-9]{2}$' <<<"$d"
for f in config.yaml resolved.yaml overrides.txt run.json greeting.txt; do
  check "run dir has $f" test -s "$d/$f"
done
check "overrides.txt lists the overrides" test "$(cat "$d/overrides.txt")" = $'who=tester\ntimes=2'
check "config.yaml is the composed config" python3 -c '
import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
assert c["who"] == "tester" and c["times"] == 2 and c["greeter"]["_component_"] == "greet.Plain", c
assert c["run_dir"] == sys.argv[2], c' "$d/config.yaml" "$d"
check "run.json records argv, times, status, host, version, commit" python3 -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert r["argv"][1:] == ["who=tester", "times=2"], r
assert r["exit_status"] == 0 and r["start_time"] <= r["end_time"] and r["host"] and r["rig_version"], r
assert "git_commit" in r, r' "$d/run.json"
check "stdout of a run is the recipe's own" bash -c "! grep -q 'run directory' <<<'$out'"

# git commit of the working directory, when it is a repository
mkdir repo && (cd repo && git init -q && git -c user.email=t@t -c user.name=t commit -q --allow-empty -m x)
(cd repo && "$rig" run greet >/dev/null 2>&1)
check "run.json records the git commit" python3 -c '
import json, sys, glob; r = json.load(open(glob.glob(sys.argv[1] + "/outputs/greet/*/run.json")[0]))
assert r["git_commit"] == sys.argv[2], r' "$tmp/repo" "$(git -C repo rev-parse HEAD)"

# A second and third run within the same second: never the same directory.
"$rig" run greet >/dev/null 2>&1; "$rig" run greet >/dev/null 2>&1
check "each run gets its own directory" test "$(ls outputs/greet | sort -u | wc -l)" -eq 3

# Environment values are redacted in resolved.yaml; the config file's interpolation stays in config.yaml.
rm -rf outputs
GREET_WHO=s3cret RIG_TIMES=1 "$rig" run greet --config shout >/dev/null 2>&1
d=$(ls -d outputs/greet/*)
check "oc.env value redacted" grep -qF 'who: <redacted:env GREET_WHO>' "$d/resolved.yaml"
check "RIG_ env value redacted" grep -qF 'times: <redacted:env RIG_TIMES>' "$d/resolved.yaml"
check "secret appears in none of rig's files" bash -c "! grep -q s3cret '$d/config.yaml' '$d/resolved.yaml' '$d/run.json' '$d/overrides.txt'"

# --output-dir, ${run_dir}, and never reusing a directory
"$greet" --output-dir mine who=a >/dev/null 2>&1
check "--output-dir is used, greeting.txt written via \${run_dir}" test "$(cat mine/greeting.txt)" = "Hello, a."
"$greet" --output-dir mine who=b >/dev/null 2>err.txt; rc=$?
check "an used --output-dir is refused (exit 2)" bash -c "test $rc -eq 2 && grep -q rig.run.dir_used err.txt"

# ---- exit codes ---------------------------------------------------------------------------------------------------
"$rig" run greet +fail=true >/dev/null 2>&1; rc=$?
check "the recipe's failure: exit 1" test "$rc" -eq 1
d=$(ls -td outputs/greet/* | head -1)
check "run.json records exit status 1" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["exit_status"] == 1' "$d/run.json"
out=$("$rig" run greet whom=x 2>&1); rc=$?
check "unknown key: exit 2, with a hint" exits_with $rc 2 "rig.override.unknown_key" "$out"
out=$("$rig" run greet --config shuot 2>&1); rc=$?
check "unknown config name: exit 2 with the recipe's configs" exits_with $rc 2 "configs of greet: greet, shout" "$out"
# Defaults are written once, in the schema: a key the config lacks reaches the recipe with the schema's default.
out=$("$greet" --output-dir defaults '~times' who=d 2>/dev/null); rc=$?
check "a deleted optional key runs with the schema's default (times=1)" test "$rc" -eq 0 -a "$(grep -c 'd' <<<"$out")" -eq 1
out=$("$greet" --output-dir defaults2 '~times' who=d '+times=3' 2>/dev/null)
check "... and the config's value wins over it" test "$(grep -c 'd' <<<"$out")" -eq 3
# The version is the CMake project's, in `rig --version` and in run.json.
project_version=$(sed -nE 's/^project\(rig VERSION ([0-9.]+) .*/\1/p' "$root/CMakeLists.txt")
check "rig --version is the CMake project version" test "$("$rig" --version)" = "rig $project_version" -a -n "$project_version"
check "run.json records it" python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["rig_version"] == sys.argv[2]' \
  defaults/run.json "$project_version"

out=$("$greet" --bogus 2>&1); rc=$?
check "unknown flag: exit 2" exits_with $rc 2 rig.usage.unknown_flag "$out"
"$greet" times=notanumber >/dev/null 2>&1; rc=$?
check "type error read by the recipe: exit 2" test "$rc" -eq 2

# ---- print-config, help -------------------------------------------------------------------------------------------
out=$("$greet" --config shout --print-config greeter=plain 2>/dev/null); rc=$?
check "--print-config prints YAML only" python3 -c '
import sys, yaml; c = yaml.safe_load(sys.stdin.read())
assert c["greeter"] == {"_component_": "greet.Plain", "punctuation": "."} and c["who"] == "${oc.env:GREET_WHO,everyone}", c' <<<"$out"
out=$(GREET_WHO=z "$greet" --config shout --print-config --resolve)
check "--print-config --resolve redacts environment values" has "who: <redacted:env GREET_WHO>" "$out"
out=$(GREET_WHO=z "$greet" --config shout --print-config --resolve --show-env)
check "--print-config --resolve --show-env" has "who: z" "$out"
out=$("$greet" --print-config --show-origin)
check "--print-config --show-origin" has "greeter/plain.yaml:2:" "$out"
check "--print-config makes no run dir" test ! -e outputs/greet/nothing
out=$("$rig" run greet --help); rc=$?
check "recipe --help exits 0" test "$rc" -eq 0
check "help: description" has "Greets someone" "$out"
check "help: precedence chain" has "environment variables" "$out"
check "help: schema key with type and default" grep -qE 'times +int += 1 +how many times' <<<"$out"
check "help: component parameter from the registry" grep -qE 'greeter.punctuation +std::string += "\."' <<<"$out"
check "help: exit codes" has "2 config or usage error" "$out"
for v in ls run validate cp describe components compat completion print; do
  "$rig" $v --help >/dev/null 2>&1; rc=$?
  check "rig $v --help exits 0" test "$rc" -eq 0
done

# ---- validate: planted errors, all reported -----------------------------------------------------------------------
cat > planted.yaml <<'YAML'
greeter:
  _component_: greet.Lodu
who: ???
times: many
extra: 1
helper:
  _component_: greet.Loud
  volme: 2
ref: ${nothere}
YAML
out=$("$rig" validate greet --config planted.yaml 2>&1); rc=$?
check "validate with errors: exit 2" test "$rc" -eq 2
for id in "rig.component.unknown" "rig.value.missing" "rig.type.mismatch" "rig.args.unknown_keyword" \
          "rig.args.missing" "rig.interpolation.key_not_found" "warning[rig.validate.unread_key]"; do
  check "validate reports $id" has "$id" "$out"
done
check "validate locates errors in the file" has "planted.yaml:2:16" "$out"
check "validate counts all of them" has "6 errors, 3 warnings" "$out"
check "validate suggests the component" has "did you mean 'greet.Loud'" "$out"
check "validate ran nothing" test ! -e outputs/greet/never
# An unknown keyword added on the command line is located there, under its key (argv of the recipe: [1]).
out=$("$rig" validate greet +greeter.bogus=1 2>&1); rc=$?
check "validate: an unknown keyword from the command line at argv[1]:1:10" \
  bash -c "test $rc -eq 2 && grep -q 'argv\[1\]:1:10: error\[rig.args.unknown_keyword\]' <<<\"\$1\"" _ "$out"
for c in greet shout; do
  out=$("$rig" validate greet --config $c 2>&1); rc=$?
  check "shipped config $c is valid" test "$rc" -eq 0
done
printf 'defaults:\n  - greeter: loud\n  - _self_\ntimes: 1\n' > other.yaml
out=$("$rig" validate greet --config other.yaml 2>&1); rc=$?
check "a config for another recipe: missing key reported" exits_with $rc 2 rig.validate.missing_key "$out"

# ---- describe, components, compat ---------------------------------------------------------------------------------
out=$("$rig" describe greet::Loud)
check "describe: required parameter with type and doc" grep -qE 'word +std::string +\(required\) +the greeting word' <<<"$out"
check "describe: parameter default" grep -qE 'volume +int += 3' <<<"$out"
out=$("$rig" describe greet.Lod 2>&1); rc=$?
check "describe unknown: exit 2, did-you-mean" exits_with $rc 2 "did you mean 'greet.Loud'" "$out"
out=$("$rig" components --interface greet::Greeter)
check "components --interface" test "$(awk '{print $1}' <<<"$out" | tr '\n' ' ')" = "greet.Loud greet.Plain "
out=$("$rig" compat --rows greet::Task --cols greet::Model)  # other recipes register Task<B> / Model<B> too
check "compat: Poems fits Bard, not Abacus" grep -qE '^greet.Poems +○ +●' <<<"$out"
check "compat: Sums fits Abacus, not Bard" grep -qE '^greet.Sums +● +○' <<<"$out"
"$rig" compat --rows Nothing >/dev/null 2>&1; rc=$?
check "compat with an unknown interface: exit 2" test "$rc" -eq 2

# ---- colour -------------------------------------------------------------------------------------------------------
if command -v script >/dev/null; then
  out=$(script -qec "$rig ls" /dev/null)
  check "colour on a TTY" grep -q $'\033\[' <<<"$out"
  out=$(NO_COLOR=1 script -qec "$rig ls" /dev/null)
  check "NO_COLOR respected" bash -c '! grep -q $'"'"'\033\['"'"' <<<"$1"' _ "$out"
fi
check "no colour into a pipe" bash -c "! '$rig' ls | grep -q $'\033\['"

# ---- start-up: no LibTorch, no recipe binary --------------------------------------------------------------------
# A static rig (tools/rig/tool_plugins.hpp) has no libraries to list: its plugin host is the same code linked
# dynamically.
linked="$rig"; [ -x "$(dirname "$rig")/rig-plugin-host" ] && linked="$(dirname "$rig")/rig-plugin-host"
check "rig links no LibTorch" bash -c "ldd '$linked' | grep -q libfyaml && ! ldd '$linked' | grep -qi torch"
mkdir -p fake && sed 's|"binary": "[^"]*"|"binary": "/nonexistent/greet"|; s|"name": "greet"|"name": "ghost"|' \
  "$build/share/rig/recipes/greet.json" > fake/ghost.json
out=$(RIG_RECIPE_PATH="$tmp/fake" "$rig" ls)
check "ls answers from manifests alone (binary absent)" grep -qE '^ghost +greet, shout' <<<"$out"
check "completion answers from manifests alone" test "$(RIG_RECIPE_PATH="$tmp/fake" "$rig" __complete run ghost greeter=l)" = "greeter=loud"
out=$(RIG_RECIPE_PATH="$tmp/fake" "$rig" run ghost 2>&1); rc=$?
check "run with a missing binary: exit 1, names the manifest" exits_with $rc 1 "rig.run.exec" "$out"

# ---- the manifests' index (NAME.index beside NAME.json): the same answers as the JSON, never a stale one -------------
check "the build writes an index beside the manifest" test -s "$build/share/rig/recipes/greet.index"
answers() {  # what the tool says from the manifests in $1 (alone on the path: copies of the build's)
  local d="$1"
  for args in "ls" "ls greet" "describe greet.Loud" "describe greet::Plain" "components" "components --interface greet::Greeter" \
              "compat --rows greet::Task --cols greet::Model" "__complete run greet ''" "__complete run greet --config shout gr" \
              "__complete describe gr" "__complete compat --rows ''" "__complete cp ''"; do
    eval "set -- $args"
    echo "== $args"; RIG_RECIPE_PATH="$d" "$rig" "$@" 2>&1
  done | sed "s|$d/|DIR/|"
}
mkdir -p indexed json_only
cp -p "$build/share/rig/recipes/greet.json" "$build/share/rig/recipes/greet.index" indexed/
cp -p "$build/share/rig/recipes/greet.json" json_only/
check "index and JSON give the same answers" diff <(answers "$tmp/indexed") <(answers "$tmp/json_only")
sed -i 's|"description": "[^"]*"|"description": "edited by hand, longer than before"|' indexed/greet.json
check "a manifest edited after its index: the JSON wins" has "edited by hand" "$(RIG_RECIPE_PATH="$tmp/indexed" "$rig" ls)"

# ---- completion ---------------------------------------------------------------------------------------------------
check "complete: subcommands" test "$("$rig" __complete c | tr '\n' ' ')" = "cp components compat completion "
check "complete: recipes" test "$("$rig" __complete run gre)" = "greet"  # not g: generate
check "complete: config names" test "$("$rig" __complete run greet --config '' | tr '\n' ' ')" = "greet shout "
check "complete: group options" test "$("$rig" __complete run greet greeter= | tr '\n' ' ')" = "greeter=loud greeter=plain "
check "complete: config keys of the chosen config" has "greeter.volume=" "$("$rig" __complete run greet --config shout gr)"
check "complete: component names" test "$("$rig" __complete describe greet.L)" = "greet.Loud"
for sh in bash zsh fish; do
  out=$("$rig" completion $sh); rc=$?
  check "completion $sh" exits_with $rc 0 "rig __complete" "$out"
done
out=$(bash -c 'eval "$("$0" completion bash)"; rig() { "$0" "$@"; }
  COMP_LINE="rig run greet greeter="; COMP_POINT=${#COMP_LINE}; _rig_complete; printf "%s\n" "${COMPREPLY[@]}"' "$rig")
check "bash completion script completes after '='" test "$(tr '\n' ' ' <<<"$out")" = "loud plain "
"$rig" completion tcsh >/dev/null 2>&1; rc=$?
check "completion for an unknown shell: exit 2" test "$rc" -eq 2

# ---- cp ---------------------------------------------------------------------------------------------------------
"$rig" cp greet/shout my.yaml >/dev/null
check "cp config" cmp -s my.yaml "$root/tests/recipes/greet/configs/shout.yaml"
"$rig" cp shout my.yaml >/dev/null 2>&1; rc=$?
check "cp never overwrites (exit 2)" test "$rc" -eq 2
mkdir src && "$rig" cp greet src/ >/dev/null
check "cp recipe source" cmp -s src/greet.cpp "$root/tests/recipes/greet/greet.cpp"
"$rig" cp greet proj --project >/dev/null
check "cp --project writes CMakeLists.txt" grep -q 'find_package(rig REQUIRED)' proj/CMakeLists.txt
check "cp --project copies configs" test -f proj/configs/greeter/loud.yaml
# Out of tree: install rig, configure and build the project against it, run it, install it, find it with rig ls.
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null 2>&1
if [ -x "$(dirname "$rig")/rig-plugin-host" ]; then  # a static rig (tools/rig/tool_plugins.hpp) and its plugin host
  check "the plugin host is installed in libexec/, off PATH" test -x "$tmp/prefix/libexec/rig-plugin-host" -a ! -e "$tmp/prefix/bin/rig-plugin-host"
fi
if cmake -S proj -B proj/build -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release >build.log 2>&1 &&
   cmake --build proj/build -j2 >>build.log 2>&1; then
  check "cp --project builds out of tree" true
  out=$(proj/build/greet --config shout who=out 2>/dev/null)
  check "the out-of-tree recipe runs with its configs" test "$out" = $'HEY, out!!!\nHEY, out!!!'
  cmake --install proj/build --prefix "$tmp/projprefix" >/dev/null 2>&1
  out=$(RIG_RECIPE_PATH="$tmp/projprefix/share/rig/recipes" "$tmp/prefix/bin/rig" ls greet)
  check "installed rig finds the installed recipe via RIG_RECIPE_PATH" has "binary:   $tmp/projprefix/libexec/rig/greet" "$out"
  check "the installed recipe is not put on PATH (bin/)" test ! -e "$tmp/projprefix/bin/greet"
  out=$(RIG_RECIPE_PATH="$tmp/projprefix/share/rig/recipes" "$tmp/prefix/bin/rig" run greet who=inst 2>/dev/null)
  check "installed recipe runs with its installed configs" test "$out" = "Hello, inst."
else
  cat build.log
  check "cp --project builds out of tree" false
fi

exit $fail
