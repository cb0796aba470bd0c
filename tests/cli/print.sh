#!/usr/bin/env bash
# End-to-end: `rig print` on good and bad files — output, diagnostics and exit codes.
source "$(dirname "$0")/lib/common.bash" "$@"

out=$("$rig" print --show-origin "$root/examples/sample.yaml"); rc=$?
check "print exits 0" test "$rc" -eq 0
check "show-origin names file:line:col" grep -q "seed: 42  # $root/examples/sample.yaml:3:7" <<<"$out"
check "merge key values keep their origin" grep -q "batch_size: 64  # $root/examples/sample.yaml:13:15" <<<"$out"

json=$("$rig" print --json "$root/examples/sample.yaml"); rc=$?
check "print --json exits 0" test "$rc" -eq 0
check "json is valid for python" python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d["seed"] == 42' <<<"$json"

printf 'a: 1\nb:\n  c: 2\n  c: 3\n' > "$tmp/dup.yaml"
err=$(NO_COLOR=1 "$rig" print "$tmp/dup.yaml" 2>&1 >/dev/null); rc=$?
check "duplicate key exits 2" test "$rc" -eq 2
check "diagnostic is file:line:col with id" grep -q "^$tmp/dup.yaml:4:3: error\[rig.yaml.duplicate_key\]" <<<"$err"
check "diagnostic shows the line and a caret" grep -q "^   |   ^" <<<"$err"
check "diagnostic names the key path" grep -q "= key: b.c" <<<"$err"
check "no colour when NO_COLOR is set" bash -c '! grep -q $'"'"'\033'"'"' <<<"$0"' "$err"

"$rig" print "$tmp/missing.yaml" 2>/dev/null; rc=$?
check "missing file exits 2" test "$rc" -eq 2
"$rig" print 2>/dev/null; rc=$?
check "usage error exits 2" test "$rc" -eq 2
"$rig" print --help >/dev/null; rc=$?
check "--help exits 0" test "$rc" -eq 0

printf '{"x": 1, "y": [1.5, "s"]}' > "$tmp/a.json"
out=$("$rig" print "$tmp/a.json"); rc=$?
check "json input prints as yaml (y quoted: YAML 1.1 reads it as a bool)" test "$rc" -eq 0 -a "$out" = $'x: 1\n"y":\n  - 1.5\n  - s'

printf 'x: .nan\n' > "$tmp/nan.yaml"
err=$("$rig" print --json "$tmp/nan.yaml" 2>&1 >/dev/null); rc=$?
check "non-finite float in json exits 2" test "$rc" -eq 2
check "non-finite float error is located" grep -q "nan.yaml:1:4: error\[rig.json.non_finite\]" <<<"$err"

exit $fail
