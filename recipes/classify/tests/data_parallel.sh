#!/usr/bin/env bash
# Data parallelism end to end: `rig run --nproc 2 classify` with loader.batch_size=B must end with the same weights
# (within 1e-5 relative) as one process with batch 2B: same seed, same data order (rig/torch/distributed.hpp); and the
# same validation and test metrics, which the 2 ranks compute from their shares of the evaluation batches.
# Rank 0 alone writes the run directory. Usage: data_parallel.sh RIG COMPARE_WEIGHTS SOURCE_DIR
rig_bin=$1; compare=$2
source "$3/tests/cli/lib/common.bash" "$1" "$3"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH RANK WORLD_SIZE SLURM_PROCID SLURM_NTASKS RIG_RUN_DIR
export NO_COLOR=1
common=(--config fashion_mnist_mlp task=synthetic task.num_examples=2048 task.num_features=16 "model.hidden=[32]"
        steps=40 seed=4 threads=1 lr_scheduler.warmup_steps=5 evaluator.every_n_steps=20 evaluator.batch_size=16 checkpointer.every_n_steps=20
        loggers.0.progress_bar=false loggers.0.every_n_steps=10)

"$rig_bin" run classify "${common[@]}" loader.batch_size=32 --output-dir one >one.out 2>&1; rc=$?
check "1 process, batch 32: exit 0" test "$rc" -eq 0
"$rig_bin" run --nproc 2 classify "${common[@]}" loader.batch_size=16 --output-dir two >two.out 2>&1; rc=$?
check "2 processes, batch 16 each: exit 0" test "$rc" -eq 0 || cat two.out two/rank-1.log
check "same final weights (rtol 1e-5)" "$compare" one/model.pt two/model.pt 1e-5 1e-6
check "the control: another seed gives other weights" bash -c "
  '$rig_bin' run classify ${common[*]@Q} seed=5 loader.batch_size=32 --output-dir other >/dev/null 2>&1 &&
  ! '$compare' one/model.pt other/model.pt 1e-5 1e-6 >/dev/null 2>&1"
check "same averaged losses in metrics.jsonl" python3 - one/metrics.jsonl two/metrics.jsonl <<'PY'
import json, sys
def losses(f): return [json.loads(l)["loss"] for l in open(f) if '"loss"' in l]
a, b = losses(sys.argv[1]), losses(sys.argv[2])
assert len(a) == 40 and len(a) == len(b), (len(a), len(b))
assert all(abs(x - y) <= 1e-5 * abs(x) for x, y in zip(a, b)), list(zip(a, b))[:5]
PY
check "same validation metrics (steps 20 and 40, each rank evaluating its share of 13 batches)" python3 - one/metrics.jsonl two/metrics.jsonl <<'PY'
import json, sys
def evals(f): return [r for r in map(json.loads, open(f)) if "val_loss" in r]
a, b = evals(sys.argv[1]), evals(sys.argv[2])
assert [r["step"] for r in a] == [20, 40, 40] and [r["step"] for r in b] == [20, 40, 40], (a, b)
for x, y in zip(a, b):
    for k in ("val_loss", "accuracy"):
        assert abs(x[k] - y[k]) <= 1e-5 * max(1.0, abs(x[k])), (k, x, y)
PY
check "rank 0 wrote the run directory: checkpoints, model, run.json" test -s two/checkpoints/step_00000040.pt -a -s two/run.json
# The two-process run directory holds what the one-process run wrote, plus rank 1's log and nothing else.
same_files_plus_rank1_log() {
  local a b; a=$(ls one | tr '\n' ' '); b=$(ls two | grep -v '^rank-1\.log$' | tr '\n' ' ')
  [[ "$a" == "$b" && -f two/rank-1.log ]] || { echo "one: $a"; echo "two: $(ls two | tr '\n' ' ')"; return 1; }
}
check "rank 1 wrote only its log" same_files_plus_rank1_log
check "rank 1's log is its own (no metrics lines)" bash -c "! grep -q 'scores:' two/rank-1.log"
check "rank 0's report reached rig's stdout" grep -q "^accuracy: " two.out
exit $fail
