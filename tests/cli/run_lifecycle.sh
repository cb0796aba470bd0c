#!/usr/bin/env bash
# A run's directory and its end: a run that fails on its config (at resolution or in the recipe) leaves no run
# directory behind; one killed by SIGTERM or SIGINT records its exit status (128 + the signal) in run.json. The
# console output is kept in stdout.log.
source "$(dirname "$0")/lib/common.bash" "$@"
greet="$build/tests/recipes/greet"
cd "$tmp" || exit 1
unset RIG_CONFIG_PATH RIG_RECIPE_PATH
runs() { find outputs -mindepth 2 -maxdepth 2 -type d 2>/dev/null | wc -l; }

"$greet" '+notes.x=${nope}' >out.txt 2>&1; rc=$?
check "an unresolvable interpolation: exit 2" test "$rc" -eq 2
check "  no run directory left" test "$(runs)" -eq 0
"$greet" greeter._component_=greet.Nope >out.txt 2>&1; rc=$?
check "an unknown component (the recipe's start-up): exit 2" test "$rc" -eq 2
check "  no run directory left" test "$(runs)" -eq 0
check "  the error is shown" grep -qF 'greet.Nope' out.txt
"$greet" times=oops >out.txt 2>&1; rc=$?
check "a value of the wrong type: exit 2, no run directory" test "$rc" -eq 2 -a "$(runs)" -eq 0
"$greet" +fail=true >out.txt 2>&1; rc=$?
check "a failing run (exit 1) keeps its directory" test "$rc" -eq 1 -a "$(runs)" -eq 1
"$greet" '+notes.x=${nope}' --output-dir given >out.txt 2>&1; rc=$?
check "a directory the user gave is kept, with its status" python3 -c '
import json, sys; assert json.load(open(sys.argv[1]))["exit_status"] == 2' given/run.json

"$greet" times=3 --output-dir printed >out.txt 2>err.txt; rc=$?
check "a run keeps its console output in stdout.log" test "$rc" -eq 0 -a "$(grep -c Hello printed/stdout.log)" -eq 3
check "  and the console still shows it" test "$(cat out.txt)" = "$(cat printed/stdout.log)"

for sig in TERM INT; do
  "$greet" +sleep_s=30 --output-dir "killed_$sig" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do test -s "killed_$sig/resolved.yaml" && break; sleep 0.1; done
  sleep 0.3
  kill -"$sig" "$pid"; wait "$pid"; rc=$?
  want=$((128 + $(kill -l "$sig")))
  check "SIG$sig: the process still dies of it ($want)" test "$rc" -eq "$want"
  check "SIG$sig: run.json records exit status $want and an end time" python3 -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert r["exit_status"] == int(sys.argv[2]), r
assert r["end_time"] and r["start_time"] <= r["end_time"], r' "killed_$sig/run.json" "$want"
done
exit $fail
