#!/usr/bin/env bash
# A distinctive secret set in several environment variables, used in every form rig knows (oc.env, copies,
# concatenation, oc.decode, oc.create, oc.select, oc.dict.values, a RIG_* override, interpolations inside env values)
# and in the error forms (`${oc.env:${oc.env:X}}`, `${${oc.env:X}}`, a component name from the environment): the
# secret is found nowhere — not in `rig print`, `rig validate`, a recipe run (stdout, stderr, every file of the run
# directory) nor a sweep (stdout, stderr, every file of the sweep and job directories).
source "$(dirname "$0")/lib/common.bash" "$@"
use_test_recipes
cd "$tmp" || exit 1
S='qX9-SECRET-v4lue'
export SEC_A="$S" SEC_BAD="{a: [$S" SEC_LIST="[1, $S]" SEC_MAP="{k: $S, $S: 2}" SEC_REF="\${notes.a}" RIG_NOTES="{n: $S}"
nowhere() {  # nowhere NAME FILE-OR-DIR...: each exists and the secret appears in none of them
  local f; for f in "${@:2}"; do test -e "$f" || { echo "  missing: $f"; return 1; }; done
  if grep -rqF -- "$S" "${@:2}"; then echo "  found in: $(grep -rlF -- "$S" "${@:2}" | head -3)"; return 1; fi
}
forms=(
  '+notes.a=${oc.env:SEC_A}'
  "+notes.b=\${oc.decode:'[\${notes.a}]'}"
  '+notes.c=${oc.create:${oc.env:SEC_MAP}}'
  '+notes.d=pre-${notes.a}-post'
  '+notes.e=${oc.select:notes.a}'
  '+notes.f=${oc.dict.values:notes.c}'
  '+notes.g=${oc.decode:${oc.env:SEC_LIST}}'
  '+notes.h=${oc.create:{x: ${notes.a}}}'
  '+notes.i=${oc.decode:${oc.env:SEC_REF}}'
)
cat >c.yaml <<'YAML'
a: ${oc.env:SEC_A}
b: "${oc.decode:'[${a}]'}"
c: ${oc.create:${oc.env:SEC_MAP}}
d: pre-${a}-post
e: ${oc.select:a}
f: ${oc.dict.values:c}
g: ${oc.decode:${oc.env:SEC_LIST}}
h: "${oc.create:{x: ${a}}}"
i: ${oc.decode:'${oc.env:SEC_A}'}
YAML

out=$(env -u RIG_NOTES "$rig" print c.yaml --resolve 2>&1); rc=$?
check "print --resolve exits 0" test "$rc" -eq 0
echo "$out" >print.txt
env -u RIG_NOTES "$rig" print c.yaml --resolve --json >>print.txt 2>&1
env -u RIG_NOTES "$rig" print c.yaml >>print.txt 2>&1
check "print (--resolve, --json, plain) never shows it" nowhere print print.txt
check "print names the variables" grep -qF '<redacted:env SEC_' print.txt

"$rig" validate greet "${forms[@]}" >val.out 2>val.err; rc=$?
check "validate exits 0" test "$rc" -eq 0
check "validate never shows it" nowhere validate val.out val.err

"$rig" run greet "${forms[@]}" --output-dir run1 >run.out 2>run.err; rc=$?
check "run exits 0" test "$rc" -eq 0
check "run: stdout, stderr and every file of the run directory" nowhere run run.out run.err run1
check "run: resolved.yaml names the variables" grep -qF '<redacted:env SEC_A>' run1/resolved.yaml
check "run: config.yaml keeps the RIG_ variable's name" grep -qF '<redacted:env RIG_NOTES>' run1/config.yaml
"$build/tests/recipes/greet" "${forms[@]}" --print-config --resolve >pc.out 2>&1
check "recipe --print-config --resolve" nowhere print-config pc.out

# Errors: each names the variable, never the value.
errs=(
  '+notes.z=${oc.env:${oc.env:SEC_A}}'
  '+notes.z=${${oc.env:SEC_A}}'
  '+notes.z=${greeter.${oc.env:SEC_A}}'
  '+notes.z=${notes.n.${oc.env:SEC_A}}'
  'greeter._component_=${oc.env:SEC_A}'
  '+notes.z=${oc.create:${oc.env:SEC_BAD}}'
  '+notes.z=${oc.decode:${oc.env:SEC_BAD}}'
  'times=${oc.env:SEC_A}'
)
for e in "${errs[@]}"; do
  "$rig" validate greet "$e" >err.out 2>&1; rc=$?
  check "validate '$e' fails (exit 2)" test "$rc" -eq 2
  check "validate '$e' hides it" nowhere "$e" err.out
  check "validate '$e' names the variable" grep -qE '<env:(SEC_A|SEC_BAD)>' err.out
  "$rig" run greet "$e" >err.out 2>&1
  check "run '$e' hides it" nowhere "$e" err.out
done
RIG_TIMES="$S" "$rig" validate greet >err.out 2>&1; rc=$?
check "a RIG_ value of the wrong type: exit 2" test "$rc" -eq 2
check "a RIG_ value of the wrong type: hidden" nowhere rig-times err.out

"$rig" run greet -m times=1,2 "${forms[@]}" --sweep-root sw >sw.out 2>sw.err; rc=$?
check "sweep exits 0" test "$rc" -eq 0
check "sweep: stdout, stderr, sweep and job directories" nowhere sweep sw.out sw.err sw
check "sweep ran its jobs" test "$(find sw -name resolved.yaml | wc -l)" -eq 2
exit $fail
