#!/usr/bin/env bash
# End-to-end: `rig run RECIPE --multirun` (a sweep of the test recipe greet: dry run, local jobs whose run
# directories are the sweep's, a failing job, the config's sweep: section, launcher choice, usage errors) and
# `rig run --nproc N` (rank 0 streams, the others log, the first failure stops the rest).
source "$(dirname "$0")/lib/common.bash" "$@"
unset RIG_RECIPE_PATH RIG_CONFIG_PATH NO_COLOR RANK WORLD_SIZE SLURM_PROCID SLURM_NTASKS RIG_RUN_DIR
greet="$build/tests/recipes/greet"
cd "$tmp" || exit 1
exits_with() { test "$1" -eq "$2" && grep -qF -- "$3" <<<"$4"; }  # exits_with RC WANTED TEXT OUTPUT
json_count() {  # json_count FILE STATUS
  python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["status"] == sys.argv[2]))' "$1" "$2"
}

# ---- dry run -------------------------------------------------------------------------------------------------------
out=$("$rig" run greet --multirun --dry-run who=a,b times=1,2 2>&1); rc=$?
check "dry run exits 0" test "$rc" -eq 0
check "dry run: 4 jobs on the local launcher under multirun/greet" grep -q "^4 jobs, launcher local, directory multirun/greet/<timestamp>" <<<"$out"
check "dry run: each job runs the recipe binary with its overrides" grep -qF "   3  3_who=b,times=2 $greet who=b times=2" <<<"$out"
check "dry run writes nothing" test ! -e multirun -a ! -e outputs
out=$("$rig" run --multirun greet --config shout --dry-run --launcher slurm 'zip(who=[x,y], times=[1,3])' 2>&1)
check "flags before RECIPE, --config stays in the command, zip, launcher slurm" \
  grep -qF "   1  1_who=y,times=3 $greet --config shout who=y times=3" <<<"$out"
check "launcher slurm is named" grep -q "^2 jobs, launcher slurm" <<<"$out"

# ---- a local sweep -------------------------------------------------------------------------------------------------
out=$("$rig" run greet -m who=ann,bob '+fail=false,true' 2>&1); rc=$?
echo "$out"
dir=$(ls -d multirun/greet/*/ | head -1); dir=${dir%/}
check "failed jobs: exit 1" test "$rc" -eq 1
check "2 of 4 succeeded" test "$(json_count "$dir/summary.jsonl" succeeded)" -eq 2
check "the jobs with +fail=true failed with the recipe's status" python3 -c '
import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]
assert [x["status"] for x in r] == ["succeeded","failed","succeeded","failed"] and r[1]["exit_code"] == 1, r' "$dir/summary.jsonl"
job="$dir/2_who=bob,+fail=false"
check "the recipe ran in the job's run directory" test "$(cat "$job/greeting.txt" 2>/dev/null)" = "Hello, bob."
check "the job's directory has the recipe's files" test -s "$job/config.yaml" -a -s "$job/run.json" -a -s "$job/overrides.txt"
check "the job's stdout is captured" grep -qx "Hello, bob." "$job/stdout.log"
check "no outputs/ directory: jobs ran in the sweep" test ! -e outputs
check "the table is printed" grep -qE '^ +1 +who=ann \+fail=true +failed\(1\)' <<<"$out"
# resume re-runs the failed jobs, each in its own directory again
out=$("$rig" sweep resume "$dir" 2>&1)
check "resume re-runs only the failed jobs (they fail again)" grep -q "resuming 2 of 4 jobs: 1,3" <<<"$out"
check "the re-run wrote run.json again in the same directory" python3 -c '
import json,sys; r=json.load(open(sys.argv[1])); assert r["exit_status"] == 1, r' "$dir/1_who=ann,+fail=true/run.json"

# ---- the config's sweep: section -----------------------------------------------------------------------------------
cat >exp.yaml <<'YAML'
defaults:
  - greeter: plain
  - _self_
who: world
times: 1
notes: {}
sweep:
  name: exp
  params:
    who: [cy, di]
    times: "1,2"
YAML
out=$("$rig" run greet --config "$tmp/exp.yaml" --multirun times=3 2>&1); rc=$?
edir=$(ls -d multirun/exp/*/ 2>/dev/null | head -1); edir=${edir%/}
check "sweep: section: exit 0, named exp" test "$rc" -eq 0 -a -n "$edir"
check "the command line replaces a swept key (2 jobs, times=3)" test "$(ls -d "$edir"/*_who=* | wc -l)" -eq 2
check "each job saw times=3 and ran without the sweep: key" python3 -c '
import yaml,sys; c=yaml.safe_load(open(sys.argv[1])); assert c["times"] == 3 and "sweep" not in c, c' "$edir/1_who=di/config.yaml"
check "the job printed three greetings" test "$(grep -c 'Hello, di.' "$edir/1_who=di/stdout.log")" -eq 3

# ---- usage errors --------------------------------------------------------------------------------------------------
out=$("$rig" run greet --dry-run who=a 2>&1); rc=$?
check "--dry-run without --multirun: exit 2" exits_with "$rc" 2 rig.usage.multirun_flag "$out"
out=$("$rig" run greet -m --launcher nope who=a,b 2>&1); rc=$?
check "unknown launcher: exit 2, nothing launched" test "$rc" -eq 2 -a ! -e multirun/greet/nope
check "  names the launchers" grep -q "rig.component.unknown" <<<"$out"
out=$("$rig" run greet -m --output-dir x who=a,b 2>&1); rc=$?
check "--output-dir with --multirun: exit 2" test "$rc" -eq 2
out=$("$rig" run greet -m 'who=a,b' 'times=range(' 2>&1); rc=$?
check "a bad sweep: exit 2 located in argv" exits_with "$rc" 2 "argv[5]" "$out"

# ---- fail fast: every job composed and validated (one --validate-jobs run of the recipe) before any is launched ----
rm -rf multirun
out=$("$rig" run greet -m who=a,b,c 'times=1,x' 2>&1); rc=$?
echo "$out"
check "an invalid job: exit 2 rig.sweep.invalid_jobs" exits_with "$rc" 2 rig.sweep.invalid_jobs "$out"
check "  lists each invalid job, and only those" grep -qF \
  "3 of 6 jobs are invalid: job 1 (1_who=a,times=x), job 3 (3_who=b,times=x), job 5 (5_who=c,times=x)" <<<"$out"
check "  located at the swept override's argv position" grep -qF "argv[5]:1:7: error[rig.type.mismatch]" <<<"$out"
check "  nothing was launched, not even the valid jobs" test ! -e multirun
out=$("$rig" run greet -m who=a,b,c,d,e 'tmes=1,2' 2>&1); rc=$?
check "a typo in a swept key: every job invalid, the error shown once" \
  bash -c 'test "$1" -eq 2 && grep -qF "10 of 10 jobs are invalid: job 0 (0_who=a,tmes=1), job 1" <<<"$0" &&
           test "$(grep -c "error\[rig.override.unknown_key\]" <<<"$0")" -eq 1 && grep -qF "did you mean '"'"'times'"'"'" <<<"$0"' "$out" "$rc"
out=$("$rig" run greet -m who=a '+greeter.volme=3,4' 2>&1); rc=$?
check "a keyword the component lacks (found by validation, not composition): located" \
  bash -c 'test "$1" -eq 2 && grep -qF "argv[5]:1:10: error[rig.args.unknown_keyword]" <<<"$0"' "$out" "$rc"
cat >typo.yaml <<'YAML'
defaults:
  - greeter: plain
  - _self_
who: world
notes: {}
sweep:
  params:
    who: [cy, di]
    tims: "1,2"
YAML
out=$("$rig" run greet --config "$tmp/typo.yaml" -m 2>&1); rc=$?
check "a typo in the config's sweep: section: exit 2, located at its value in the file, with that line" \
  bash -c 'test "$1" -eq 2 && grep -qF "$2/typo.yaml:9:11: error[rig.override.unknown_key]" <<<"$0" &&
           grep -qF " 9 |     tims: \"1,2\"" <<<"$0"' "$out" "$rc" "$tmp"
cat >elements.yaml <<'YAML'
defaults:
  - greeter: plain
  - _self_
who: world
times: 1
notes: {}
sweep:
  params:
    times: [1, x, 2,
            y]
YAML
out=$("$rig" run greet --config "$tmp/elements.yaml" -m 2>&1); rc=$?
check "a list in sweep.params: each bad element located at itself, not at the list" \
  bash -c 'test "$1" -eq 2 && grep -qF "elements.yaml:9:16: error[rig.type.mismatch]" <<<"$0" &&
           grep -qF "elements.yaml:10:13: error[rig.type.mismatch]" <<<"$0"' "$out" "$rc"
# A bad value from a sweep.zip group (rig sweep run --config, the recipe as the program) and from a search's
# sweep.params (rig run -m): each at the line that wrote it.
cat >zip.yaml <<'YAML'
sweep:
  params: {who: [cy, di]}
  zip:
    - notes: [{}, {}]
      times: [1, x]
YAML
out=$("$rig" sweep run --config zip.yaml -- "$greet" 2>&1); rc=$?
check "rig sweep run --config: a bad value in sweep.zip, at its line in the file" \
  bash -c 'test "$1" -eq 2 && grep -qF "2 of 4 jobs are invalid: job 1" <<<"$0" &&
           grep -qF "zip.yaml:5:18: error[rig.type.mismatch]" <<<"$0" && grep -qF " 5 |       times: [1, x]" <<<"$0"' \
  "$out" "$rc"
cat >search.yaml <<'YAML'
defaults:
  - greeter: plain
  - _self_
who: world
times: 1
notes: {}
sweep:
  search: {objective: loss, trials: 3}
  params:
    greeter: [plain, lowd]
YAML
out=$("$rig" run greet --config "$tmp/search.yaml" -m 2>&1); rc=$?
check "rig run -m: a search's bad choice in sweep.params, at its line in the file" \
  bash -c 'test "$1" -eq 2 && grep -qF "search.yaml:10:22: error[rig.compose.unknown_option]" <<<"$0" &&
           grep -qF "10 |     greeter: [plain, lowd]" <<<"$0"' "$out" "$rc"
check "  nothing launched" test ! -e multirun
out=$("$rig" run greet -m --dry-run who=a 'times=1,x' 2>&1); rc=$?
check "--dry-run validates too" exits_with "$rc" 2 rig.sweep.invalid_jobs "$out"
out=$("$rig" sweep run who=a,b 'tmes=1' -- "$greet" 2>&1); rc=$?
check "rig sweep run -- RECIPE_BINARY: validated by the recipe, argv located" \
  bash -c 'test "$1" -eq 2 && grep -qF "argv[4]:1:1: error[rig.override.unknown_key]" <<<"$0"' "$out" "$rc"
check "  nothing launched" test ! -e multirun
out=$("$rig" run greet -m sweep.search.objective=loss sweep.search.trials=3 'greeter=choice(plain,lowd)' \
      'times=int(interval(0,2))' 2>&1); rc=$?
check "a search: probe trials take every choice; the bad one is refused before any trial" \
  bash -c 'test "$1" -eq 2 && grep -qF "1 of 2 jobs is invalid: job 1 (probe greeter=lowd times=2)" <<<"$0" &&
           grep -qF "argv[6]:1:9: error[rig.compose.unknown_option]" <<<"$0"' "$out" "$rc"
check "  nothing launched" test ! -e multirun
out=$("$rig" run greet -m sweep.validate=false who=a 'times=1,x' 2>&1); rc=$?
check "sweep.validate=false: launched, and the bad job fails by itself" \
  bash -c 'test "$1" -eq 1 && grep -qE "^ +1 +times=x +failed\(2\)" <<<"$0"' "$out" "$rc"

# ---- rig run --nproc -----------------------------------------------------------------------------------------------
rm -rf outputs
out=$("$rig" run --nproc 2 greet who=ranks 2>err.txt); rc=$?
check "--nproc 2 exits 0" test "$rc" -eq 0
check "rank 0's output streams, not rank 1's" test "$out" = "[rank 0/2] Hello, ranks."
runs=(outputs/greet/*)
check "one run directory for both ranks" test "${#runs[@]}" -eq 1
check "rank 1 logged to rank-1.log" grep -qx "\[rank 1/2\] Hello, ranks." "${runs[0]}/rank-1.log"
check "rank 0 wrote run.json" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["exit_status"] == 0' "${runs[0]}/run.json"
start=$(date +%s)
out=$("$rig" run greet --nproc 3 who=x +fail_rank=1 +sleep_s=60 2>&1); rc=$?
took=$(( $(date +%s) - start ))
check "a failing rank: exit status 3 (the worst), at once" test "$rc" -eq 3 -a "$took" -lt 20
check "  names the rank and stops the others" grep -q "rank 1 exited with status 3; stopping the other 2 rank(s)" <<<"$out"
check "  no rank is left running" test -z "$(pgrep -f 'sleep_s=6[0]')"
out=$("$rig" run --nproc 0 greet 2>&1); rc=$?
check "--nproc 0: exit 2" test "$rc" -eq 2
out=$(RANK=0 WORLD_SIZE=2 MASTER_PORT=1 "$rig" run --nproc 2 greet 2>&1); rc=$?
check "--nproc inside a distributed job: exit 2" exits_with "$rc" 2 rig.usage.nproc_nested "$out"
out=$(RANK=x WORLD_SIZE=2 "$rig" run greet 2>&1); rc=$?
check "a malformed RANK: exit 2 rig.dist.env" exits_with "$rc" 2 rig.dist.env "$out"
exit $fail
