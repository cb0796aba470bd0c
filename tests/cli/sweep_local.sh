#!/usr/bin/env bash
# End-to-end: `rig sweep` on the local launcher — dry run, sweep directory, summary and table, a failing job,
# the parallelism limit, Ctrl-C, resume, a config file's sweep: section, and usage errors.
source "$(dirname "$0")/lib/common.bash" "$@"
json_count() {  # json_count FILE STATUS
  python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["status"] == sys.argv[2]))' "$1" "$2"
}
job="$root/tests/data/sweep_job.sh"
export SWEEP_TEST_FIXED="$tmp/fixed"
cd "$tmp"

# Dry run: the product, the zip pairs, nothing written.
out=$("$rig" sweep run --dry-run a=1,2 'zip(lr=[0.1,0.01], warmup=[100,50])' b=x -- bash "$job" 2>&1); rc=$?
check "dry run exits 0" test "$rc" -eq 0
check "dry run lists 4 jobs" grep -q "^4 jobs, launcher local" <<<"$out"
check "dry run: last axis fastest, zip paired" grep -q "^   1  1_a=1,lr=0.01,warmup=50 bash $job b=x a=1 lr=0.01 warmup=50$" <<<"$out"
check "dry run writes nothing" test ! -e multirun

# A sweep with one failing job.
out=$("$rig" sweep run --name job a=1,2,3,4 sweep.local.threads_per_job=2 -- bash "$job" 2>&1); rc=$?
echo "$out"
dir=$(ls -d multirun/job/*/ | head -1); dir=${dir%/}
check "a failed job makes the sweep exit 1" test "$rc" -eq 1
check "the others still ran: 3 succeeded" test "$(json_count "$dir/summary.jsonl" succeeded)" -eq 3
check "one status line per job" test "$(grep -c '^\[[0-9]/4\] ' <<<"$out")" -eq 4
check "run directories are <job>_<overrides>" test -d "$dir/0_a=1" -a -d "$dir/3_a=4"
check "sweep.yaml lists the 4 jobs" python3 -c 'import yaml,sys; d=yaml.safe_load(open(sys.argv[1])); assert [j["overrides"] for j in d["jobs"]] == [["a=1"],["a=2"],["a=3"],["a=4"]], d' "$dir/sweep.yaml"
check "job stdout in its run directory" grep -q "^job=3 a=4 " "$dir/3_a=4/stdout.log"
check "OMP_NUM_THREADS is threads_per_job" grep -q " omp=2 " "$dir/3_a=4/stdout.log"
check "failed row: exit status and log tail" python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][2]; assert r["status"]=="failed" and r["exit_code"]==3 and "fails on purpose" in r["log_tail"], r' "$dir/summary.jsonl"
check "final metrics are the last line of metrics.jsonl" python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][0]; assert r["metrics"]=={"step":2,"loss":0.1}, r' "$dir/summary.jsonl"
check "the table shows the failure and its log" grep -A1 -E '^ +2 +a=3 +failed\(3\)' <<<"$out" | grep -q "| a=3 fails on purpose"

# Resume re-runs only the failed job.
touch "$tmp/fixed"
out=$("$rig" sweep resume "$dir" 2>&1); rc=$?
check "resume exits 0 once the job is fixed" test "$rc" -eq 0
check "resume re-ran only job 2" grep -q "resuming 1 of 4 jobs: 2" <<<"$out"
check "after resume: 4 succeeded" test "$(json_count "$dir/summary.jsonl" succeeded)" -eq 4
out=$("$rig" sweep resume "$dir" 2>&1)
check "a second resume has nothing to do" grep -q "resuming 0 of 4 jobs: none" <<<"$out"
rm -f "$tmp/fixed"

# At most max_parallel at once: no three jobs overlap in time.
"$rig" sweep run --name par a=1,2,4,5,6 sweep.local.max_parallel=2 -- bash "$job" sleep=0.3 >/dev/null 2>&1
pdir=$(ls -d multirun/par/*/ | head -1)
check "max_parallel=2 is respected" python3 - "$pdir" <<'PY'
import json, glob, sys
iv = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*/status.json")]
assert len(iv) == 5
for s in iv:
    t = s["start"] + 0.15  # a moment inside each job
    assert sum(1 for o in iv if o["start"] <= t < o["end"]) <= 2, iv
PY

# Ctrl-C: running jobs stop, the summary records what did not finish, resume finishes them.
"$rig" sweep run --name stop a=1,2,4,5 sweep.local.max_parallel=2 -- bash "$job" sleep=20 >"$tmp/stop.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [[ $(ls multirun/stop/*/*/started.json 2>/dev/null | wc -l) -eq 2 ]] && break; sleep 0.1; done
kill -INT "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "Ctrl-C stops the sweep within 10 s" bash -c '! kill -0 "$0" 2>/dev/null' "$pid"
wait "$pid"; rc=$?
sdir=$(ls -d multirun/stop/*/ | head -1); sdir=${sdir%/}
check "an interrupted sweep exits 130" test "$rc" -eq 130
check "2 running jobs recorded interrupted" test "$(json_count "$sdir/summary.jsonl" interrupted)" -eq 2
check "2 jobs recorded pending (never started)" test "$(json_count "$sdir/summary.jsonl" pending)" -eq 2
check "it says how to resume" grep -q "rig sweep resume $sdir" "$tmp/stop.out"
out=$(SWEEP_TEST_NO_SLEEP=1 "$rig" sweep resume "$sdir" 2>&1); rc=$?
check "resume after Ctrl-C runs the 4 unfinished jobs" grep -q "resuming 4 of 4 jobs: 0-3" <<<"$out"
check "and they succeed" test "$rc" -eq 0

# The experiment as one file: the sweep: section with params, zip and the command.
cat >exp.yaml <<YAML
model: {lr: 0.1}
sweep:
  name: exp
  command: [bash, $job]
  params:
    a: "range(1, 3)"
    model.depth: [2, 4]
  zip:
    - {lr: [0.1, 0.01], warmup: [100, 50]}
YAML
out=$("$rig" sweep run --config exp.yaml --dry-run 2>&1); rc=$?
check "config sweep: 8 jobs (2 x 2 x zip of 2)" grep -q "^8 jobs, launcher local, directory multirun/exp/" <<<"$out"
check "config sweep: order params then zip" grep -q "^   7  7_a=2,model.depth=4,lr=0.01,warmup=50 bash $job a=2 model.depth=4 lr=0.01 warmup=50$" <<<"$out"
out=$("$rig" sweep run --config exp.yaml --dry-run a=7 2>&1)
check "a command-line override replaces the section's axis" grep -q "^4 jobs" <<<"$out"

# Usage errors: exit 2 with a located diagnostic.
err=$(NO_COLOR=1 "$rig" sweep run --dry-run 'x=interval(0,1)' -- true 2>&1); rc=$?
check "interval in a grid sweep: exit 2" test "$rc" -eq 2
check "interval: rig.sweep.interval with a hint" bash -c 'grep -q "rig.sweep.interval" <<<"$0" && grep -q "range(start, stop, step)" <<<"$0"' "$err"
err=$(NO_COLOR=1 "$rig" sweep run --dry-run 'zip(a=[1,2], b=[1,2,3])' -- true 2>&1); rc=$?
check "zip of unequal lengths: exit 2" test "$rc" -eq 2
check "zip error points at the part" grep -q "argv\[4\]:1:14: error\[rig.sweep.zip\]" <<<"$err"
err=$(NO_COLOR=1 "$rig" sweep run a=1,2 sweep.launcher=slurn -- true 2>&1); rc=$?
check "unknown launcher: exit 2 with did-you-mean" bash -c '[[ $1 -eq 2 ]] && grep -q "slurm" <<<"$0"' "$err" "$rc"
err=$(NO_COLOR=1 "$rig" sweep run a=1,2 sweep.local.max_paralel=2 -- true 2>&1); rc=$?
check "a typo in launcher options: exit 2 with did-you-mean" bash -c '[[ $1 -eq 2 ]] && grep -q "max_parallel" <<<"$0"' "$err" "$rc"
err=$(NO_COLOR=1 "$rig" sweep status "$tmp" 2>&1); rc=$?
check "status of a non-sweep directory: rig.sweep.dir, exit 2" bash -c '[[ $1 -eq 2 ]] && grep -q "rig.sweep.dir" <<<"$0"' "$err" "$rc"
err=$(NO_COLOR=1 "$rig" sweep run a=1,2 2>&1); rc=$?
check "no command: exit 2" bash -c '[[ $1 -eq 2 ]] && grep -q "rig.usage.no_command" <<<"$0"' "$err" "$rc"
out=$("$rig" sweep run --name missing a=1,2 -- /nonexistent/program 2>&1); rc=$?
check "a program that cannot start fails its jobs (exit 1), not the tool" test "$rc" -eq 1
check "its log says why" grep -q "cannot start '/nonexistent/program'" <<<"$out"
exit $fail
