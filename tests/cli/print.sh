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

# Inputs of 256 KiB and more take the large-input path (heap reserved at once, no teardown at exit): the output must
# still be complete and flushed. Oracle: PyYAML's reading of the input; the interpolations resolved by the generator.
python3 - "$tmp/big.yaml" "$tmp/big_expected.json" <<'PY'
import json, random, sys
random.seed(7)
doc, expected, lines = {}, {}, []
for s in range(300):
    lines.append(f"section_{s}:")
    expected[f"section_{s}"] = sec = {}
    for k in range(40):
        v = random.choice([random.randint(-10**9, 10**9), round(random.random() * 1000, 6), f"text {s} {k} ü"])
        lines.append(f"  key_{k}: {json.dumps(v, ensure_ascii=False)}")
        sec[f"key_{k}"] = v
    lines.append(f"  ref: ${{section_{s}.key_0}}")
    sec["ref"] = sec["key_0"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
json.dump(expected, open(sys.argv[2], "w"))
PY
check "large input is over the threshold" test "$(stat -c %s "$tmp/big.yaml")" -ge 262144
"$rig" print --resolve --json "$tmp/big.yaml" > "$tmp/big_out.json"; rc=$?
check "large input: print --resolve --json exits 0" test "$rc" -eq 0
check "large input: resolved JSON equals the generator's" python3 -c '
import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))' "$tmp/big_out.json" "$tmp/big_expected.json"
"$rig" print "$tmp/big.yaml" > "$tmp/big_out.yaml"; rc=$?
check "large input: print (YAML) exits 0" test "$rc" -eq 0
check "large input: printed YAML reads back as PyYAML reads the input" python3 -c '
import sys, yaml
assert yaml.safe_load(open(sys.argv[1])) == yaml.safe_load(open(sys.argv[2]))' "$tmp/big_out.yaml" "$tmp/big.yaml"
printf 'section_0:\n  key_0: 2\n' >> "$tmp/big.yaml"
err=$(NO_COLOR=1 "$rig" print "$tmp/big.yaml" 2>&1 >/dev/null); rc=$?
check "large input: a duplicate key at the end exits 2, located" \
  bash -c '[ "$0" -eq 2 ] && grep -q "big.yaml:$1:1: error\[rig.yaml.duplicate_key\]" <<<"$2"' "$rc" "$(( $(wc -l < "$tmp/big.yaml") - 1 ))" "$err"

exit $fail
