#!/usr/bin/env bash
# End-to-end: `rig print --resolve` — resolved output, provenance with --show-origin, located errors.
source "$(dirname "$0")/lib/common.bash" "$@"

cat >"$tmp/c.yaml" <<'YAML'
base:
  lr: 0.1
model:
  lr: ${base.lr}
  out: /runs/${base.lr}
token: ???
YAML
out=$("$rig" print --resolve "$tmp/c.yaml"); rc=$?
check "resolve exits 0" test "$rc" -eq 0
check "reference resolved" grep -q "^  lr: 0.1$" <<<"$out"
check "string interpolation" grep -q "^  out: /runs/0.1$" <<<"$out"
check "unreferenced ??? stays" grep -q "^token: ???$" <<<"$out"
out=$("$rig" print --resolve --show-origin "$tmp/c.yaml")
check "origin and via" grep -q "lr: 0.1  # $tmp/c.yaml:2:7 via $tmp/c.yaml:4:7" <<<"$out"

printf 'model:\n  dim: 1\n  head: ${model.dimm}\n' >"$tmp/bad.yaml"
err=$("$rig" print --resolve "$tmp/bad.yaml" 2>&1); rc=$?
check "error exits 2" test "$rc" -eq 2
check "error located at the interpolation" grep -q "bad.yaml:3:9: error\[rig.interpolation.key_not_found\]" <<<"$err"
check "did-you-mean" grep -q "did you mean 'dim'" <<<"$err"
exit $fail
