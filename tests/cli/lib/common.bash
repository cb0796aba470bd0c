# Shared by the tests/cli/*.sh scripts: `source "$(dirname "$0")/lib/common.bash" "$@"` after the header comment.
# Gives: $rig (the binary), $root (the source tree), $tmp (removed on exit), $fail and check NAME CONDITION...
set -u
rig="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
