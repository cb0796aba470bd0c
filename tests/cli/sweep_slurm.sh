#!/usr/bin/env bash
# End-to-end against a real SLURM: a single-node cluster on localhost (tests/slurm/cluster.sh), an array of 4 jobs
# with one failing on purpose (--wait), a resume that re-runs only that job, an asynchronous submit followed by
# `rig sweep status` / `rig sweep collect`, a cancelled task that collect reports and resume re-runs, and a pruned
# hyperparameter search.
set -u
rig="$1"; root="$2"
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: the SLURM test starts munged, slurmctld and slurmd, which needs root (run the tests as root to include it)"
  exit 77
fi
tmp=$(mktemp -d)
source "$root/tests/slurm/cluster.sh"
trap 'slurm_cluster_stop; rm -rf "$tmp"' EXIT
fail=0
check() {  # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
json_count() {  # json_count FILE STATUS: rows of summary.jsonl with that status
  python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["status"] == sys.argv[2]))' "$1" "$2"
}
# wait_until SECONDS COMMAND...: polls every 0.2 s
wait_until() {
  local limit=$(( $1 * 5 )); shift
  for _ in $(seq 1 "$limit"); do "$@" && return 0; sleep 0.2; done
  return 1
}

# 8 CPUs whatever the machine has: the arrays' tasks run side by side (2 at a time for the %2 array of 2-CPU tasks).
slurm_cluster_start "$tmp/cluster" 8 || { echo "FAIL the SLURM cluster did not come up"; exit 1; }
echo "ok   cluster up: $(sinfo -h -o '%P %t %D')"
job="$root/tests/data/sweep_job.sh"
export SWEEP_TEST_FIXED="$tmp/fixed"
slurm=(sweep.launcher=slurm sweep.slurm.partition=debug sweep.slurm.poll_seconds=0.2)

# 1. An array of 4 jobs, waited for; a=3 fails.
out=$(timeout 120 "$rig" sweep run --root "$tmp/mr" --name arr --wait a=1,2,3,4 "${slurm[@]}" \
  sweep.slurm.cpus_per_task=2 sweep.slurm.max_concurrent=2 'sweep.slurm.setup=["export FROM_SETUP=yes"]' \
  '+sweep.slurm.sbatch_lines=["--comment=rig-test"]' -- bash "$job" 2>&1); rc=$?
echo "$out"
dir=$(ls -d "$tmp"/mr/arr/*/ | head -1); dir=${dir%/}
check "waited sweep exits 1 (a job failed)" test "$rc" -eq 1
check "one sbatch script, a job array with %K" grep -q '^#SBATCH --array=0-3%2$' "$dir/slurm/array-0.sbatch"
check "partition, cpus-per-task and extra lines in the script" \
  bash -c 'grep -q "^#SBATCH --partition=debug$" "$0" && grep -q "^#SBATCH --cpus-per-task=2$" "$0" && grep -q "^#SBATCH --comment=rig-test$" "$0"' "$dir/slurm/array-0.sbatch"
check "summary: 3 succeeded" test "$(json_count "$dir/summary.jsonl" succeeded)" -eq 3
check "summary: 1 failed" test "$(json_count "$dir/summary.jsonl" failed)" -eq 1
check "the failed job's exit status and log tail" \
  python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][2]; assert r["exit_code"]==3 and "fails on purpose" in r["log_tail"], r' "$dir/summary.jsonl"
check "final metrics from metrics.jsonl" \
  python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][3]; assert r["metrics"]=={"step":2,"loss":0.4}, r' "$dir/summary.jsonl"
check "job stdout in its run directory, under SLURM" grep -q "^job=1 a=2 " "$dir"/1_a=2/stdout.log
check "OMP_NUM_THREADS follows SLURM_CPUS_PER_TASK" grep -q " omp=2 " "$dir"/1_a=2/stdout.log
check "setup commands ran" grep -q " setup=yes " "$dir"/1_a=2/stdout.log
check "the table names the failed job" grep -Eq '^ +2 +a=3 +failed\(3\)' <<<"$out"

# 2. Resume: only job 2 is re-run (now fixed), on SLURM.
touch "$tmp/fixed"
out=$(timeout 120 "$rig" sweep resume "$dir" --wait 2>&1); rc=$?
echo "$out"
check "resume exits 0" test "$rc" -eq 0
check "resume re-ran only job 2" grep -q "resuming 1 of 4 jobs: 2" <<<"$out"
check "the second submission is array 2" grep -q '^#SBATCH --array=2%2$' "$dir/slurm/array-1.sbatch"
check "after resume: 4 succeeded" test "$(json_count "$dir/summary.jsonl" succeeded)" -eq 4
rm -f "$tmp/fixed"

# 3. Asynchronous submit, then status and collect from "another shell".
out=$(timeout 60 "$rig" sweep run --root "$tmp/mr" --name async a=5,6,7,8,9 "${slurm[@]}" -- bash "$job" sleep=0.5 2>&1); rc=$?
echo "$out"
adir=$(ls -d "$tmp"/mr/async/*/ | head -1); adir=${adir%/}
check "async submit exits 0 at once" test "$rc" -eq 0
check "async submit prints the array job id" grep -Eq '^submitted array job [0-9]+ \(5 tasks\)' <<<"$out"
check "async submit prints how to collect" grep -q "rig sweep collect $adir" <<<"$out"
status=$("$rig" sweep status "$adir" 2>&1)
check "status right after submit shows queued or running tasks" grep -Eq ' (queued|running|succeeded) ' <<<"$status"
check "all tasks leave the queue within 60 s" wait_until 60 bash -c '! "$0" sweep status "$1" | grep -Eq " (queued|running|pending) "' "$rig" "$adir"
out=$("$rig" sweep collect "$adir" 2>&1); rc=$?
echo "$out"
check "collect exits 0" test "$rc" -eq 0
check "collect wrote 5 succeeded rows" test "$(json_count "$adir/summary.jsonl" succeeded)" -eq 5

# 4. A task cancelled while running leaves no final status: collect asks SLURM, resume re-runs it.
out=$(timeout 60 "$rig" sweep run --root "$tmp/mr" --name cancel a=1,2 "${slurm[@]}" -- bash "$job" sleep=30 2>&1)
cdir=$(ls -d "$tmp"/mr/cancel/*/ | head -1); cdir=${cdir%/}
id=$(grep -Eo 'array job [0-9]+' <<<"$out" | grep -Eo '[0-9]+')
check "both tasks start" wait_until 30 bash -c 'test -e "$0"/0_a=1/started.json && test -e "$0"/1_a=2/started.json' "$cdir"
scancel "$id"
check "cancelled tasks leave the queue" wait_until 30 bash -c '[[ -z "$(squeue -h -j "$0")" ]]' "$id"
out=$("$rig" sweep collect "$cdir" 2>&1); rc=$?
echo "$out"
check "collect after cancel exits 1" test "$rc" -eq 1
# scancel signals the whole task; when the job's own exit (143) is seen before rig's SIGTERM handler runs, the task
# is recorded failed(143) instead of interrupted. Both mean "did not succeed", which is what resume relies on.
check "cancelled tasks are reported interrupted or stopped by SIGTERM" test "$(( $(json_count "$cdir/summary.jsonl" interrupted) + $(json_count "$cdir/summary.jsonl" failed) ))" -eq 2
out=$(SWEEP_TEST_NO_SLEEP=1 timeout 60 "$rig" sweep resume "$cdir" --launcher local 2>&1 </dev/null); rc=$?
echo "$out"
check "resume on the other launcher re-runs both" grep -q "resuming 2 of 2 jobs: 0-1" <<<"$out"
check "and both succeed" test "$rc" -eq 0

# 5. A search through the SLURM launcher: trials proposed 2 at a time, each batch one array (--wait implied); the
#    median pruner stops trials by scancel of their array task. Same seed, same trials, same pruning as on the local
#    launcher (decisions depend on the trials before each batch, not on timing).
search=(--search random --trials 4 --parallel 2 --objective loss --seed 3 --prune median sweep.search.prune_min_trials=2
        x='interval(-1,1)' steps=10 pause=0.2)
out=$(timeout 120 "$rig" sweep run --root "$tmp/mr" --name search "${search[@]}" "${slurm[@]}" \
  -- bash "$root/tests/data/objective_job.sh" 2>&1); rc=$?
echo "$out"
sdir=$(ls -d "$tmp"/mr/search/*/ | head -1); sdir=${sdir%/}
check "search on SLURM exits 0" test "$rc" -eq 0
check "two arrays, one per batch of 2 trials" \
  bash -c 'grep -q "^#SBATCH --array=0-1$" "$0/slurm/array-0.sbatch" && grep -q "^#SBATCH --array=2-3$" "$0/slurm/array-1.sbatch"' "$sdir"
check "trials ran under SLURM" grep -q "^args=" "$sdir"/0_*/stdout.log
check "the second batch's trials were pruned by scancel: recorded pruned, stopped before step 10" python3 - "$sdir" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/trials.jsonl")]
assert [r["status"] for r in rows] == ["succeeded", "succeeded", "pruned", "pruned"], rows
assert all(r["pruned"]["step"] == 1 and r["pruned"]["stopped"] for r in rows[2:]), rows
PY
out=$(timeout 60 "$rig" sweep run --root "$tmp/mr" --name search_local "${search[@]}" \
  -- bash "$root/tests/data/objective_job.sh" 2>&1)
ldir=$(ls -d "$tmp"/mr/search_local/*/ | head -1); ldir=${ldir%/}
check "the same trials, states and best as the same search on the local launcher" python3 - "$sdir" "$ldir" <<'PY'
import json, sys
a, b = ([(r["params"], r["status"]) for r in map(json.loads, open(d + "/trials.jsonl"))] for d in sys.argv[1:])
assert a == b, (a, b)
ba, bb = (json.load(open(d + "/best.json")) for d in sys.argv[1:])
assert (ba["job"], ba["objective"]) == (bb["job"], bb["objective"]), (ba, bb)
PY
exit $fail
