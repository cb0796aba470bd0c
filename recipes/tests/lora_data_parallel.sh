#!/usr/bin/env bash
# Data parallelism in lora_finetune: `rig run --nproc 2` with batch B ends with the adapters of one process with batch
# 2B (same seed, same examples), on prompt/response records of different lengths (each rank weights its loss by its
# share of the counted targets); the validation metrics, shared out over the ranks and reduced, equal one process's;
# rank 0 alone writes. Usage: lora_data_parallel.sh RIG COMPARE_WEIGHTS
set -euo pipefail
rig=$1; compare=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset RANK WORLD_SIZE SLURM_PROCID SLURM_NTASKS RIG_RUN_DIR
shape=(model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32)
"$rig" run full_finetune --output-dir base "${shape[@]}" steps=2 lr_scheduler.warmup_steps=1 threads=1 >base.log 2>&1 ||
  { echo "FAIL: base run"; cat base.log; exit 1; }
for i in $(seq 1 40); do
  printf '{"prompt": "%d plus %d is", "response": " %s"}\n' "$i" "$i" "$(printf '%*s' $((i % 7 + 1)) '' | tr ' ' x)"
done >records.jsonl
# SGD (see data_parallel.sh: Adam magnifies float rounding where a gradient is zero in theory, as B = 0 makes A's).
common=(base_checkpoint=base/model.pt dataset.path=records.jsonl "${shape[@]}" optimizer._component_=rig.torch.SGD
        optimizer.lr=0.5 steps=8 lr_scheduler.warmup_steps=2 threads=1 seed=3 split.validation_ratio=0.25
        evaluator.every_n_steps=4 evaluator.batch_size=3 checkpointer.every_n_steps=4 loader.drop_last=true)
"$rig" run lora_finetune --output-dir one "${common[@]}" loader.batch_size=8 >one.log 2>&1 ||
  { echo "FAIL: 1 process"; cat one.log; exit 1; }
"$rig" run --nproc 2 lora_finetune --output-dir two "${common[@]}" loader.batch_size=4 >two.log 2>&1 ||
  { echo "FAIL: 2 processes"; cat two.log two/rank-1.log; exit 1; }
"$compare" one/adapters.pt two/adapters.pt 1e-4 1e-6 || { echo "FAIL: 2 x batch 4 != 1 x batch 8 (adapters)"; exit 1; }
"$compare" one/adapters.pt base/model.pt >/dev/null 2>&1 && { echo "FAIL: the control: adapters equal a model"; exit 1; }
python3 - one/metrics.jsonl two/metrics.jsonl <<'PY' || exit 1
import json, sys
def records(f): return [json.loads(l) for l in open(f)]
a, b = records(sys.argv[1]), records(sys.argv[2])
la, lb = [r["loss"] for r in a if "loss" in r], [r["loss"] for r in b if "loss" in r]
assert len(la) == 8 and len(lb) == 8, (len(la), len(lb))
assert all(abs(x - y) <= 1e-5 * abs(x) for x, y in zip(la, lb)), list(zip(la, lb))
va, vb = [r["val_loss"] for r in a if "val_loss" in r], [r["val_loss"] for r in b if "val_loss" in r]
assert len(va) == 2 and len(vb) == 2, (va, vb)
assert all(abs(x - y) <= 1e-5 * abs(x) for x, y in zip(va, vb)), (va, vb)
PY
files=$(ls two | tr '\n' ' ')
[[ $files == "adapters.pt checkpoints config.yaml metrics.jsonl model.pt operative.yaml origins.json overrides.txt rank-1.log resolved.yaml run.json stdout.log tensorboard " ]] ||
  { echo "FAIL: unexpected files in the run directory: $files"; exit 1; }
grep -q "^perplexity: " two.log || { echo "FAIL: rank 0's final metrics missing"; cat two.log; exit 1; }
echo "PASS: 2 processes x batch 4 end with the adapters and validation metrics of 1 process x batch 8"
