#!/usr/bin/env bash
# full_finetune init_from=MODEL continues training a model instead of starting from random weights: its first loss is
# the trained model's (well below a fresh model's ln(257) ≈ 5.5 nats for bytes); a missing model is an error (exit 2).
# Usage: init_from.sh RIG_TOOL SOURCE_DIR
set -euo pipefail
rig=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32 threads=1 loader.batch_size=8
        lr_scheduler.warmup_steps=2 evaluator.every_n_steps=0 evaluator.max_batches=2 checkpointer.every_n_steps=0)
first_loss() { grep -o '"loss":[^,}]*' "$1/metrics.jsonl" | head -1 | cut -d: -f2; }

"$rig" run full_finetune --output-dir "$work/a" "${common[@]}" steps=150 >"$work/a.log" 2>&1 ||
  { echo "FAIL: first run"; cat "$work/a.log"; exit 1; }
"$rig" run full_finetune --output-dir "$work/fresh" "${common[@]}" steps=5 >"$work/fresh.log" 2>&1 ||
  { echo "FAIL: fresh run"; cat "$work/fresh.log"; exit 1; }
"$rig" run full_finetune --output-dir "$work/b" "${common[@]}" steps=5 init_from="$work/a/model.pt" >"$work/b.log" 2>&1 ||
  { echo "FAIL: init_from run"; cat "$work/b.log"; exit 1; }
fresh=$(first_loss "$work/fresh"); continued=$(first_loss "$work/b")
echo "first loss: fresh $fresh, continued $continued"
awk -v f="$fresh" -v c="$continued" 'BEGIN { exit !(f > 5.0 && c < 4.0) }' ||
  { echo "FAIL: init_from did not start from the trained model"; exit 1; }

rc=0
"$rig" run full_finetune --output-dir "$work/c" "${common[@]}" steps=5 init_from="$work/nope.pt" >"$work/c.log" 2>&1 || rc=$?
[[ $rc -eq 2 ]] || { echo "FAIL: a missing init_from should exit 2, got $rc"; cat "$work/c.log"; exit 1; }
grep -q "rig.io.read" "$work/c.log" || { echo "FAIL: no rig.io.read error"; cat "$work/c.log"; exit 1; }
echo "PASS: init_from continues from the model; a missing model is reported"
