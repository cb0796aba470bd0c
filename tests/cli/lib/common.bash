# Shared by the tests/cli/*.sh scripts: `source "$(dirname "$0")/lib/common.bash" "$@"` after the header comment.
# Gives: $rig (the binary, an absolute path), $root (the source tree), $build (the build tree holding $rig), $tmp
# (removed on exit), $fail, check NAME CONDITION... and use_test_recipes.
set -u
rig=$(realpath "$1"); root="$2"
build=$(cd "$(dirname "$rig")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
use_test_recipes() {  # rig finds the test recipes (tests/recipes: greet, ...) and no config directory of the caller's
  export RIG_RECIPE_PATH="$build/tests/recipes"
  unset RIG_CONFIG_PATH
}
