#!/usr/bin/env bash
# The recipe options are one table (rig::recipe_flags, rig/app.hpp): the recipe's --help, its parser, `rig`'s shell
# completion and `rig run`'s launcher must agree on it. The flags are taken from --help, then checked against the
# other three readers and against the documentation of recipes (docs/recipes.md, the rig/app.hpp header comment).
source "$(dirname "$0")/lib/common.bash" "$(realpath "$1")" "$(realpath "$2")"
greet="$(cd "$(dirname "$rig")/../.." && pwd)/tests/recipes/greet"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH NO_COLOR

# "  --flag VALUE   help" rows of the Options section: the flag and (when it takes one) its value's name.
help=$("$greet" --help)
options=$(sed -n '/^Options:/,/^Overrides:/p' <<<"$help" | grep -E '^  --' | awk '{ v = ($2 ~ /^[A-Z|]+$/) ? $2 : ""; print $1, v }')
flags=$(awk '{print $1}' <<<"$options" | sort)
check "--help lists options" test "$(wc -l <<<"$flags")" -ge 8
check "--help lists --show-env" grep -qx -- "--show-env" <<<"$flags"

# Completion offers every flag --help lists (and `rig run`'s own launcher flags besides).
completed=$("$rig" __complete run greet -- | sort)
check "completion offers the flags of --help" test -z "$(comm -23 <(echo "$flags") <(echo "$completed"))"

mkdir -p confdir
value_for() {  # a valid value for the flag that takes one
  case "$1" in
    --config) echo greet ;;
    --schema-component) echo greet::Plain ;;
    *) echo "$tmp/confdir" ;;
  esac
}
while read -r flag value; do
  # The parser accepts each flag (with a value when --help names one): parsing ends before --help runs.
  # --plugin's value must be a real library of components: tests/cli/plugins.sh drives it.
  if [ "$flag" = "--plugin" ]; then
    check "docs/recipes.md mentions $flag" grep -qF -- "$flag" "$root/docs/recipes.md"
    check "rig/app.hpp's header mentions $flag" grep -qF -- "$flag" "$root/include/rig/app.hpp"
    continue
  fi
  if [ -n "$value" ]; then args=("$flag" "$(value_for "$flag")"); else args=("$flag"); fi
  out=$("$greet" "${args[@]}" --help 2>&1); rc=$?
  check "the parser accepts ${args[*]}" test "$rc" -eq 0
  if [ -n "$value" ]; then
    out=$("$greet" "$flag" 2>&1); rc=$?
    check "$flag without its value: rig.usage.missing_value" grep -qF "rig.usage.missing_value" <<<"$out"
    out=$("$greet" "$flag=$(value_for "$flag")" --help 2>&1); rc=$?
    check "the parser accepts $flag=VALUE" test "$rc" -eq 0
    # rig run's sweep launcher keeps the flag's value with it (not taken for a stray argument).
    if [ "$flag" != "--output-dir" ]; then
      out=$("$rig" run greet --multirun --dry-run "$flag" "$(value_for "$flag")" times=1,2 2>&1); rc=$?
      check "rig run --multirun passes $flag VALUE to the recipe" test "$rc" -eq 0
    fi
  else
    out=$("$greet" "$flag=x" 2>&1); rc=$?
    check "$flag=x is refused (a switch takes no value)" test "$rc" -eq 2
  fi
  # Documented where recipes are documented.
  check "docs/recipes.md mentions $flag" grep -qF -- "$flag" "$root/docs/recipes.md"
  check "rig/app.hpp's header mentions $flag" grep -qF -- "$flag" "$root/include/rig/app.hpp"
done <<<"$options"

# An unknown flag gets a did-you-mean from the same table.
out=$("$greet" --show-en 2>&1); rc=$?
check "unknown flag: exit 2, did you mean --show-env" test "$rc" -eq 2 -a -n "$(grep -F -- "--show-env" <<<"$out")"

exit $fail
