#!/usr/bin/env bash
# Data parallelism in full_finetune: `rig run --nproc 2` with batch B runs (smoke), rank 0 alone writes, and its final
# weights match one process with batch 2B (same seed, same windows), and so do the validation metrics, which the 2
# ranks compute from their shares of the validation batches (Evaluator::evaluate with the group). Usage: data_parallel.sh RIG COMPARE_WEIGHTS SRC
set -euo pipefail
rig=$1; compare=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset RANK WORLD_SIZE SLURM_PROCID SLURM_NTASKS RIG_RUN_DIR
# SGD, not the config's AdamW: the attention's key bias has a gradient of exactly zero in theory, and Adam scales the
# float rounding left in it to lr-sized steps, so AdamW runs agree everywhere but there (~1e-4). SGD keeps rounding
# small, so the comparison can be tight.
common=(optimizer._component_=rig.torch.SGD optimizer.lr=0.1 +optimizer.momentum=0.9 model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32 steps=20 lr_scheduler.warmup_steps=5 threads=1 seed=3
        evaluator.every_n_steps=10 evaluator.batch_size=2 evaluator.max_batches=5 checkpointer.every_n_steps=10)
"$rig" run full_finetune --output-dir "$work/one" "${common[@]}" loader.batch_size=8 >"$work/one.log" 2>&1 ||
  { echo "FAIL: 1 process"; cat "$work/one.log"; exit 1; }
"$rig" run --nproc 2 full_finetune --output-dir "$work/two" "${common[@]}" loader.batch_size=4 >"$work/two.log" 2>&1 ||
  { echo "FAIL: 2 processes"; cat "$work/two.log" "$work/two/rank-1.log"; exit 1; }
grep -q "^perplexity: " "$work/two.log" || { echo "FAIL: rank 0's final metrics missing"; cat "$work/two.log"; exit 1; }
[[ -s "$work/two/checkpoints/step_00000020.pt" && -s "$work/two/model.pt" ]] || { echo "FAIL: rank 0's files"; exit 1; }
files=$(ls "$work/two" | tr '\n' ' ')
[[ $files == "checkpoints config.yaml metrics.jsonl model.pt operative.yaml origins.json overrides.txt rank-1.log resolved.yaml run.json stdout.log tensorboard " ]] ||
  { echo "FAIL: unexpected files in the run directory: $files"; exit 1; }
n=$(grep -c '"loss"' "$work/two/metrics.jsonl")
[[ $n -eq 20 ]] || { echo "FAIL: rank 0 logged $n losses, not 20 (rank 1 must log nothing)"; exit 1; }
"$compare" "$work/one/model.pt" "$work/two/model.pt" 1e-5 1e-6 || { echo "FAIL: 2 x batch 4 != 1 x batch 8"; exit 1; }
/usr/bin/python3 - "$work/one/metrics.jsonl" "$work/two/metrics.jsonl" <<'PY' || { echo "FAIL: validation metrics differ"; exit 1; }
import json, sys
def evals(f): return [r for r in map(json.loads, open(f)) if "val_loss" in r]
a, b = evals(sys.argv[1]), evals(sys.argv[2])
assert len(a) == 2 and len(b) == 2, (a, b)  # steps 10 and 20
for x, y in zip(a, b):
    assert x["step"] == y["step"], (x, y)
    for k in ("val_loss", "perplexity", "token_accuracy"):
        assert abs(x[k] - y[k]) <= 1e-5 * max(1.0, abs(x[k])), (k, x, y)
PY
echo "PASS: 2 processes x batch 4 end with the weights and validation metrics of 1 process x batch 8; rank 0 alone wrote the run directory"
