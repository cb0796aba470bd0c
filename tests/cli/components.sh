#!/usr/bin/env bash
# `rig components` and `rig describe`, answered from the recipes' manifests (tests/cli/recipes.sh covers the listing).
set -u
RIG="$1"
fail() { echo "FAIL: $*"; exit 1; }

out=$("$RIG" components 2>&1); rc=$?
[ "$rc" -eq 0 ] || fail "rig components exited $rc: $out"

out=$(NO_COLOR=1 "$RIG" describe my.Missing 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "rig describe of an unknown name exited $rc, expected 2"
echo "$out" | grep -q "error\[rig.component.unknown\]" || fail "unexpected: $out"
echo "$out" | grep -q "my.Missing" || fail "the error does not name the component: $out"
echo ok
