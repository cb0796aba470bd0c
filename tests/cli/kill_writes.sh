#!/usr/bin/env bash
# SIGKILL at 50 random moments while rig writes a run directory (the test recipe greet), a sweep directory
# (`rig sweep run`) and while a resume rewrites it: every file left is absent or complete (lib/kill_writes.py).
source "$(dirname "$0")/lib/common.bash" "$@"
unset RIG_CONFIG_PATH RIG_RECIPE_PATH
out=$(python3 "$root/tests/cli/lib/kill_writes.py" "$rig" "$build/tests/recipes/greet" \
  "$root/tests/data/sweep_job.sh" "$tmp" 50 2>&1); rc=$?
echo "$out"
check "every file left by a SIGKILLed writer is absent or complete" test "$rc" -eq 0
check "the kills landed (some runs were killed)" grep -qE '^greet: 50 runs, [1-9][0-9]* killed' <<<"$out"
exit $fail
