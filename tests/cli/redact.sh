#!/usr/bin/env bash
# Values from environment variables are redacted in every printed resolved config (`rig print --resolve`, a recipe's
# --print-config --resolve) unless --show-env asks for them; resolved.yaml: tests/cli/recipes.sh.
source "$(dirname "$0")/lib/common.bash" "$@"
greet="$build/tests/recipes/greet"
cd "$tmp" || exit 1
unset RIG_CONFIG_PATH RIG_RECIPE_PATH
printf 'token: ${oc.env:REDACT_TEST_TOKEN}\ncopy: ${token}\nurl: https://u:${token}@host\nplain: 1\n' >c.yaml
export REDACT_TEST_TOKEN=hunter2-secret RIG_PLAIN=7
out=$("$rig" print c.yaml --resolve 2>&1); rc=$?
check "print --resolve exits 0" test "$rc" -eq 0
check "print --resolve hides the secret everywhere" test "$(grep -c hunter2 <<<"$out")" -eq 0
check "print --resolve says what was redacted" grep -qF 'copy: <redacted:env REDACT_TEST_TOKEN>' <<<"$out"
check "RIG_ environment overrides are redacted" grep -qF 'plain: <redacted:env RIG_PLAIN>' <<<"$out"
out=$("$rig" print c.yaml --resolve --json 2>&1)
check "print --resolve --json hides it too" test "$(grep -c hunter2 <<<"$out")" -eq 0
out=$("$rig" print c.yaml --resolve --show-env 2>&1)
check "--show-env shows it" grep -qF 'url: https://u:hunter2-secret@host' <<<"$out"
out=$("$rig" print c.yaml 2>&1)
check "unresolved print shows the interpolation, not the value" grep -qF 'token: ${oc.env:REDACT_TEST_TOKEN}' <<<"$out"
unset RIG_PLAIN  # greet has no key `plain`
export GREET_WHO=hunter2-secret
out=$("$greet" who='${oc.env:GREET_WHO}' --print-config --resolve 2>&1); rc=$?
check "recipe --print-config --resolve exits 0" test "$rc" -eq 0
check "recipe --print-config --resolve hides it" test "$(grep -c hunter2 <<<"$out")" -eq 0
check "recipe names the variable" grep -qF 'who: <redacted:env GREET_WHO>' <<<"$out"
out=$("$greet" who='${oc.env:GREET_WHO}' --print-config --resolve --show-env 2>&1)
check "recipe --show-env shows it" grep -qF 'who: hunter2-secret' <<<"$out"
exit $fail
