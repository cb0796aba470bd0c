#!/usr/bin/env bash
# End-to-end: hyperparameter search (`rig sweep run --search random|tpe`, `rig sweep resume` of a search, `rig run
# RECIPE -m` with sweep.search.*) with tests/data/objective_job.sh, a shifted quadratic with known optimum, as the job.
source "$(dirname "$0")/lib/common.bash" "$@"
unset RIG_RECIPE_PATH RIG_CONFIG_PATH NO_COLOR RANK WORLD_SIZE SLURM_PROCID SLURM_NTASKS RIG_RUN_DIR
job="$root/tests/data/objective_job.sh"
cd "$tmp" || exit 1
exits_with_id() { test "$4" -eq "$1" && grep -qF -- "$2" <<<"$3"; }  # exits_with_id RC_WANTED ID OUTPUT RC
space=(x='interval(-1,1)' 'lr=tag(log, interval(1e-5,1e-1))' 'n=int(interval(1,8))' 'opt=choice(adam,sgd)')
trials_of() { python3 -c 'import json,sys; print(json.dumps([l["params"] for l in map(json.loads, open(sys.argv[1]))]))' "$1/trials.jsonl"; }

# Random search: within the space and the budget.
out=$("$rig" sweep run --name rnd --search random --trials 8 --parallel 4 --objective loss --seed 3 "${space[@]}" \
      plot=false -- bash "$job" 2>&1); rc=$?
echo "$out" | tail -4
d=$(ls -d multirun/rnd/*/ | head -1); d=${d%/}
check "random search exits 0" test "$rc" -eq 0
check "8 trials, 8 job directories, numbered 0-7" bash -c 'test $(ls -d "$0"/?_* | wc -l) -eq 8 && test -d "$0"/7_*' "$d"
check "every trial within the space, fixed override passed" python3 - "$d" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/trials.jsonl")]
assert [r["trial"] for r in rows] == list(range(8)), rows
for r in rows:
    p = r["params"]
    assert -1 <= p["x"] < 1 and 1e-5 <= p["lr"] < 1e-1 and isinstance(p["n"], int) and 1 <= p["n"] <= 8, p
    assert p["opt"] in ("adam", "sgd") and r["status"] == "succeeded" and r["loss"] is not None, r
PY
check "the job got its overrides appended" grep -q "^args=plot=false x=" "$d"/0_*/stdout.log
check "best.json is the trial with the smallest loss" python3 - "$d" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/trials.jsonl")]
b = json.load(open(sys.argv[1] + "/best.json"))
assert b["job"] == min(rows, key=lambda r: r["loss"])["trial"] and b["objective"] == min(r["loss"] for r in rows), b
PY

# TPE, seeded: the same trials twice.
for n in 1 2; do
  "$rig" sweep run --name tpe$n --search tpe --trials 14 --parallel 2 --objective loss --seed 5 "${space[@]}" \
    -- bash "$job" >/dev/null 2>&1
done
t1=$(ls -d multirun/tpe1/*/ | head -1); t2=$(ls -d multirun/tpe2/*/ | head -1)
check "a seeded TPE search proposes the same trials twice" test "$(trials_of "$t1")" = "$(trials_of "$t2")"
check "and they are not all alike" python3 -c 'import json,sys; t=json.loads(sys.argv[1]); assert len({json.dumps(x) for x in t}) == 14' "$(trials_of "$t1")"

# kill -9 in the middle, then resume: the same trials and best as the uninterrupted search above (same seed).
"$rig" sweep run --name kill --search tpe --trials 14 --parallel 2 --objective loss --seed 5 "${space[@]}" \
  -- bash "$job" pause=0.1 >"$tmp/kill.out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do [[ $(ls multirun/kill/*/*/status.json 2>/dev/null | wc -l) -ge 5 ]] && break; sleep 0.05; done
kill -9 "$pid"; wait "$pid" 2>/dev/null
sleep 1  # the orphaned jobs finish
k=$(ls -d multirun/kill/*/ | head -1); k=${k%/}
before=$(ls -d "$k"/*_*/ | wc -l)
echo "killed with $before trials proposed"
check "the search was killed in the middle" test "$before" -lt 14
out=$("$rig" sweep resume "$k" 2>&1); rc=$?
echo "$out" | tail -3
check "resume exits 0" test "$rc" -eq 0
check "resume continues to 14 trials" test "$(ls -d "$k"/*_*/ | wc -l)" -eq 14
u=$("$rig" sweep run --name unint --search tpe --trials 14 --parallel 2 --objective loss --seed 5 "${space[@]}" \
    -- bash "$job" pause=0.1 2>&1 >/dev/null; ls -d multirun/unint/*/ | head -1)
check "the resumed search has the same 14 trials as an uninterrupted one" python3 -c 'import json,sys; a,b=map(json.loads,sys.argv[1:]); assert len(a)==14 and a==b,(a,b)' "$(trials_of "$k")" "$(trials_of "${u%/}")"
check "and the same best" python3 -c 'import json,sys; a,b=(json.load(open(p+"/best.json")) for p in sys.argv[1:]); assert (a["job"],a["objective"])==(b["job"],b["objective"]),(a,b)' "$k" "${u%/}"
out=$("$rig" sweep resume "$k" 2>&1)
check "a second resume runs nothing new" bash -c 'grep -q "resuming the search: 14 of 14" <<<"$0" && test $(ls -d "$1"/*_*/ | wc -l) -eq 14' "$out" "$k"

# Bad settings and spaces: located, exit 2, nothing launched.
out=$("$rig" sweep run --search tpe --trials 3 x='interval(0,1)' -- bash "$job" 2>&1); rc=$?
check "no objective: rig.search.setting" exits_with_id 2 rig.search.setting "$out" "$rc"
out=$("$rig" sweep run --search tpe --trials 3 --objective loss 'lr=tag(log, interval(0,1))' -- bash "$job" 2>&1); rc=$?
check "a log interval from 0: rig.search.space at its argv position" \
  bash -c 'exits_with_id() { test "$4" -eq "$1" && grep -qF -- "$2" <<<"$3"; }; exits_with_id 2 rig.search.space "$0" "$1" && grep -q "argv\[" <<<"$0"' "$out" "$rc"
check "nothing was launched for them" test ! -e multirun/bash

# rig run RECIPE -m with a search (sweep.search.* settings).
out=$("$rig" run greet -m --dry-run sweep.search.objective=loss sweep.search.trials=3 'times=int(interval(1,3))' 2>&1)
check "rig run -m --dry-run shows the search" grep -q "search tpe of 3 trials" <<<"$out"
"$rig" run greet -m sweep.search.algorithm=random sweep.search.objective=loss sweep.search.trials=3 \
  'times=int(interval(1,3))' >/dev/null 2>&1
g=$(ls -d multirun/greet/*/ | head -1)
check "rig run -m: the recipe ran each trial in its directory" test "$(ls "$g"/*/greeting.txt | wc -l)" -eq 3

# Pruning (--prune median|asha) on the deterministic objective: random search proposes the same trials with and
# without a pruner, so the pruned set can be checked against the rules computed here from the objective's formula.
# asha's trials do not pause: they end before the pruner reads their reports, and are pruned after they ended.
prune_space=(x='interval(-1,1)' 'opt=choice(adam,sgd)' steps=6 plot=false)
declare -A pause=([none]=0.05 [median]=0.05 [asha]=0)
for rule in none median asha; do
  "$rig" sweep run --name "p_$rule" --search random --trials 10 --parallel 2 --objective loss --seed 3 \
    --prune "$rule" "${prune_space[@]}" pause="${pause[$rule]}" -- bash "$job" >"$tmp/p_$rule.out" 2>&1
  echo "--prune $rule: exit $?"
done
pdir() { local d; d=$(ls -d multirun/p_"$1"/*/ | head -1); echo "${d%/}"; }
check "a pruned search: the same trials as without a pruner" \
  bash -c 'test -n "$0" && test "$0" = "$1" && test "$0" = "$2"' "$(trials_of "$(pdir none)")" \
  "$(trials_of "$(pdir median)")" "$(trials_of "$(pdir asha)")"
for rule in median asha; do
  check "--prune $rule stops exactly the trials (and at the steps) the rule gives" python3 - "$(pdir $rule)" "$rule" <<'PY'
import json, math, sys
d, rule = sys.argv[1:]
rows = [json.loads(l) for l in open(d + "/trials.jsonl")]
def f(p):  # tests/data/objective_job.sh
    return (p["x"] - 0.3) ** 2 + (p["opt"] != "adam")
curves = [[(s, f(r["params"]) + 1 / s) for s in range(1, 7)] for r in rows]
expected = {}  # trial -> step it is pruned at
for b in range(0, len(rows), 2):  # batches of --parallel 2: references are the trials before the batch
    refs = [[(s, v) for s, v in curves[j] if j not in expected or s <= expected[j]] for j in range(b)]
    for i in range(b, min(b + 2, len(rows))):
        if rule == "median":
            best = math.inf
            for s, v in curves[i]:
                best = min(best, v)
                at = sorted(next(v2 for s2, v2 in reversed(r) if s2 <= s) for r in refs if r and r[-1][0] >= s)
                if len(at) >= 5:
                    n = len(at); med = at[n // 2] if n % 2 else (at[n // 2 - 1] + at[n // 2]) / 2
                    if best > med: expected[i] = s; break
        else:  # asha, rungs at 1, 3 (and 9: never reached), eta 3
            for rung in (1, 3):
                vals = sorted([curves[i][rung - 1][1]] + [r[rung - 1][1] for r in refs if r and r[-1][0] >= rung])
                if curves[i][rung - 1][1] > vals[max(1, len(vals) // 3) - 1]: expected[i] = rung; break
got = {r["trial"]: r["pruned"]["step"] for r in rows if r["status"] == "pruned"}
assert expected and got == expected, (rule, got, expected)
assert all(r["loss"] is not None for r in rows if r["status"] != "pruned")
PY
  check "--prune $rule: the best trial is the one found without pruning" python3 -c '
import json,sys; a,b=(json.load(open(p+"/best.json")) for p in sys.argv[1:]); assert (a["job"],a["objective"])==(b["job"],b["objective"]),(a,b)' "$(pdir none)" "$(pdir $rule)"
done
check "pruned trials are stopped early: fewer steps run, their jobs recorded pruned" python3 - "$(pdir none)" "$(pdir median)" <<'PY'
import json, glob, sys
steps = lambda d: sum(sum(1 for _ in open(m)) for m in glob.glob(d + "/*/metrics.jsonl"))
secs = lambda d: sum(json.loads(l).get("duration_s", 0) for l in open(d + "/trials.jsonl"))
a, b = sys.argv[1:]
print(f"trials' time without pruning {secs(a):.2f} s, with --prune median {secs(b):.2f} s; steps {steps(a)} vs {steps(b)}")
assert steps(b) < steps(a), (steps(a), steps(b))
PY
for rule in median asha; do
  check "--prune $rule: trials.jsonl, each trial's status.json and summary.jsonl agree on how every trial ended" \
    python3 - "$(pdir $rule)" "$rule" <<'PY'
import json, glob, os, sys
d, rule = sys.argv[1:]
trials = {r["trial"]: r["status"] for r in map(json.loads, open(d + "/trials.jsonl"))}
files = {int(os.path.basename(os.path.dirname(p)).split("_")[0]): json.load(open(p))["status"]
         for p in glob.glob(d + "/*/status.json")}
summary = {r["job"]: r["status"] for r in map(json.loads, open(d + "/summary.jsonl"))}
assert len(trials) == 10 and trials == files == summary, (trials, files, summary)
ended_first = [json.load(open(p))["stopped"] is False for p in glob.glob(d + "/*/pruned.json")]
print(rule, "pruned:", sorted(t for t, s in trials.items() if s == "pruned"), "ended before the pruner:", sum(ended_first))
assert "pruned" in trials.values() and "succeeded" in trials.values()
if rule == "asha": assert any(ended_first), "asha's trials do not pause: some end before they are pruned"
PY
done
out=$("$rig" sweep resume "$(pdir median)" 2>&1)
check "resume of a pruned search runs no pruned trial again" grep -q "resuming the search: 10 of 10" <<<"$out"
check "  and keeps them pruned" test "$(grep -c '"status": "pruned"' "$(pdir median)/trials.jsonl")" -ge 1
out=$("$rig" sweep run --search random --trials 3 --objective loss sweep.search.asha_reduction_factor=1 --prune asha \
      x='interval(0,1)' -- bash "$job" 2>&1); rc=$?
check "asha_reduction_factor 1: rig.search.setting" exits_with_id 2 rig.search.setting "$out" "$rc"
exit $fail
