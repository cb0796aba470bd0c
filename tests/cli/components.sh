#!/usr/bin/env bash
# `rig components` and `rig describe` over the rig tool's own registry (empty until recipes link components in).
set -u
RIG="$1"
fail() { echo "FAIL: $*"; exit 1; }

out=$("$RIG" components 2>&1); rc=$?
[ "$rc" -eq 0 ] || fail "rig components exited $rc"
# The tool registers its sweep launchers (src/launcher.cpp); recipes add theirs.
echo "$out" | grep -q "^rig.LocalLauncher  \[rig::Launcher\]" || fail "rig components: expected the local launcher, got: $out"

out=$("$RIG" describe my.Missing 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "rig describe of an unknown name exited $rc, expected 2"
echo "$out" | grep -q "error\[rig.component.unknown\]: unknown component 'my.Missing'" || fail "unexpected: $out"
echo ok
