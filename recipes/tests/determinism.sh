#!/usr/bin/env bash
# Determinism: two full_finetune runs with the same seed log identical losses and end with identical weights; another
# seed gives other losses. Usage: determinism.sh RIG_TOOL SOURCE_DIR
set -euo pipefail
rig=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32 steps=30 threads=1 loader.batch_size=8
        evaluator.every_n_steps=0 evaluator.max_batches=2 checkpointer.every_n_steps=0)
run() {  # run NAME OVERRIDES...
  local name=$1; shift
  "$rig" run full_finetune --output-dir "$work/$name" "${common[@]}" "$@" >"$work/$name.log" 2>&1 ||
    { echo "FAIL: run $name"; cat "$work/$name.log"; exit 1; }
  grep -o '"loss":[^,}]*' "$work/$name/metrics.jsonl" >"$work/$name.losses"
}
run a seed=4
run b seed=4
run c seed=5
n=$(wc -l <"$work/a.losses")
[[ $n -eq 30 ]] || { echo "FAIL: expected 30 training losses, got $n"; exit 1; }
cmp "$work/a.losses" "$work/b.losses" || { echo "FAIL: same seed, different losses"; diff "$work/a.losses" "$work/b.losses"; exit 1; }
cmp "$work/a/model.pt" "$work/b/model.pt" || { echo "FAIL: same seed, different final weights"; exit 1; }
if cmp -s "$work/a.losses" "$work/c.losses"; then echo "FAIL: another seed gave the same losses"; exit 1; fi
echo "PASS: same seed, identical losses ($n steps) and weights; another seed differs"
