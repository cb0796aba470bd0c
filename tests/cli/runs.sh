#!/usr/bin/env bash
# End-to-end: `rig runs` (a table of run directories: recipe runs and sweep jobs, failed and killed ones, --sort,
# --filter, --json), `rig diff` (only differing keys with their origins, overrides, final metrics; exit 0/1) and
# `rig sweep collect --sort/--desc/--top/--csv` (metrics as columns, the best job marked, best.json).
source "$(dirname "$0")/lib/common.bash" "$@"
unset RIG_RECIPE_PATH RIG_CONFIG_PATH NO_COLOR RANK WORLD_SIZE SLURM_PROCID SLURM_NTASKS RIG_RUN_DIR
job="$root/tests/data/objective_job.sh"
exits_with_id() { test "$4" -eq "$1" && grep -qF -- "$2" <<<"$3"; }  # exits_with_id RC_WANTED ID OUTPUT RC
cd "$tmp" || exit 1

# ---- recipe runs: succeeded, failed, killed ------------------------------------------------------------------------
"$rig" run greet who=ann >/dev/null 2>&1
"$rig" run greet who=bob times=2 >/dev/null 2>&1
"$rig" run greet who=ann >/dev/null 2>&1
"$rig" run greet who=eve +fail=true >/dev/null 2>&1
"$rig" run greet who=kim +sleep_s=30 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do [[ $(ls outputs/greet/*/run.json 2>/dev/null | wc -l) -eq 5 ]] && break; sleep 0.1; done
sleep 0.3
out=$("$rig" runs --filter who=kim 2>&1)
check "a live run shows as running" grep -qE 'greet +[0-9T:-]+Z +running' <<<"$out"
# `rig run` execs the recipe, so $pid is the recipe's process.
kill -9 "$pid"; wait "$pid" 2>/dev/null
mapfile -t dirs < <(ls -d outputs/greet/*/ | sed 's:/$::')
out=$("$rig" runs 2>&1); rc=$?
echo "$out"
check "runs exits 0" test "$rc" -eq 0
check "5 runs listed" grep -q "^5 of 5 runs under outputs" <<<"$out"
check "a failed run shows its status" grep -qE 'failed\(1\) .*who=eve' <<<"$out"
check "a SIGKILLed run shows as killed" grep -qE 'killed .*who=kim' <<<"$out"
out=$("$rig" runs --filter status=succeeded --filter who=ann 2>&1)
check "--filter on status and an override" grep -q "^2 of 5 runs under outputs" <<<"$out"
json=$("$rig" runs --json --sort times --desc 2>&1)
check "--json, sorted by a config key descending" python3 -c '
import json,sys; r=json.loads(sys.argv[1]); assert len(r)==5 and r[0]["overrides"]==["who=bob","times=2"], r
assert {x["status"] for x in r} == {"succeeded","failed(1)","killed"}, r' "$json"
out=$("$rig" runs nowhere 2>&1); rc=$?
check "a missing directory is a usage error" exits_with_id 2 rig.runs.dir "$out" "$rc"

# ---- diff ----------------------------------------------------------------------------------------------------------
out=$("$rig" diff "${dirs[0]}" "${dirs[1]}" 2>&1); rc=$?
echo "$out"
check "differing configs exit 1" test "$rc" -eq 1
check "only the differing keys are listed" bash -c '! grep -q "^  notes" <<<"$0" && grep -q "^  times" <<<"$0" && grep -q "^  who" <<<"$0"' "$out"
check "each side says where its value came from" grep -qE "A: 1 +\(.*greet\.yaml:5:8\)" <<<"$out"
check "an override's origin is its argv position" grep -qE "B: 2 +\(argv\[2\]" <<<"$out"
check "the overrides of both runs" grep -q "B: who=bob times=2" <<<"$out"
out=$("$rig" diff "${dirs[0]}" "${dirs[2]}" 2>&1); rc=$?
check "equal configs (own run_dir aside) exit 0" test "$rc" -eq 0
check "and list no key" grep -q "config (0 of" <<<"$out"
out=$("$rig" diff "${dirs[0]}" nowhere 2>&1); rc=$?
check "diff of a non-run is a usage error" exits_with_id 2 rig.runs.dir "$out" "$rc"

# ---- sweep jobs: runs, diff, collect -------------------------------------------------------------------------------
"$rig" sweep run --name q x=0.1,0.3,0.9 opt=adam,sgd -- bash "$job" >/dev/null 2>&1
sdir=$(ls -d multirun/q/*/ | head -1); sdir=${sdir%/}
out=$("$rig" runs multirun 2>&1)
check "runs lists sweep jobs with their metrics as columns" grep -qE '^q/.*/2_x=0.3,opt=adam +bash .* x=0.3 opt=adam +4 +0.25$' <<<"$out"
out=$("$rig" diff "$sdir/0_x=0.1,opt=adam" "$sdir/1_x=0.1,opt=sgd" 2>&1); rc=$?
check "diff of sweep jobs: their overrides differ (exit 1)" test "$rc" -eq 1
check "diff of sweep jobs: final metrics side by side" grep -qE '^  loss +0.29 +1.29$' <<<"$out"
out=$("$rig" sweep collect "$sdir" --sort loss --top 3 2>&1); rc=$?
echo "$out"
check "collect exits 0" test "$rc" -eq 0
check "collect: metrics are columns" grep -qE '^ +job +overrides +status +duration +step +loss$' <<<"$out"
check "collect: sorted, the best job first and marked" grep -qE '^ +\*2 +x=0.3 opt=adam +succeeded .* 0.25$' <<<"$out"
check "collect --top 3 shows three rows" test "$(grep -cE '^ +\*?[0-9]+ +x=' <<<"$out")" -eq 3
check "best.json names the best job, its overrides and metrics" python3 -c '
import json,sys; b=json.load(open(sys.argv[1])); assert b["job"]==2 and b["overrides"]==["x=0.3","opt=adam"] and b["metrics"]["loss"]==0.25, b' "$sdir/best.json"
csv=$("$rig" sweep collect "$sdir" --sort loss --desc --csv 2>&1)
check "--csv --desc: a header and rows, worst first, parsed by Python's csv" python3 -c '
import csv,io,sys; r=list(csv.DictReader(io.StringIO(sys.argv[1]))); assert len(r)==6 and r[0]["job"]=="5" and r[-1]["loss"]=="0.25", r' "$csv"
check "--desc: best.json is the largest loss" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["job"]==5' "$sdir/best.json"
out=$("$rig" sweep collect "$sdir" --sort nosuch 2>&1); rc=$?
check "a sort key no job has is a usage error" exits_with_id 2 rig.sweep.sort_key "$out" "$rc"
exit $fail
