#!/usr/bin/env bash
# Resume: a full_finetune run killed with SIGKILL mid-training and resumed from its last checkpoint ends with weights
# bit-identical to an uninterrupted run. Usage: resume.sh RIG_TOOL SOURCE_DIR
set -euo pipefail
rig=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32 steps=300 seed=3 threads=1
        loader.batch_size=8 evaluator.every_n_steps=0 evaluator.max_batches=2
        checkpointer.every_n_steps=20 checkpointer.keep_last=2)

"$rig" run full_finetune --output-dir "$work/full" "${common[@]}" >"$work/full.log" 2>&1 ||
  { echo "FAIL: uninterrupted run"; cat "$work/full.log"; exit 1; }

"$rig" run full_finetune --output-dir "$work/killed" "${common[@]}" >"$work/killed.log" 2>&1 &
pid=$!
# Kill as soon as a checkpoint exists, well before the run can finish.
for _ in $(seq 1 1200); do
  if compgen -G "$work/killed/checkpoints/step_*.pt" >/dev/null; then break; fi
  sleep 0.05
done
kill -KILL "$pid" 2>/dev/null || true
if wait "$pid" 2>/dev/null; then echo "FAIL: the run finished before it could be killed"; exit 1; fi
if [[ -e "$work/killed/model.pt" ]]; then echo "FAIL: the killed run wrote its final model"; exit 1; fi
if compgen -G "$work/killed/checkpoints/*.tmp" >/dev/null; then echo "note: a partial checkpoint (.tmp) was left"; fi
last=$(ls "$work/killed/checkpoints" | grep -v tmp | sort -t_ -k2 -n | tail -1)
echo "killed after $last"

out=$("$rig" run full_finetune --output-dir "$work/resumed" "${common[@]}" resume=true \
      checkpointer.dir="$work/killed/checkpoints" 2>&1) || { echo "FAIL: resumed run"; echo "$out"; exit 1; }
grep -q "resumed from .*$last" <<<"$out" || { echo "FAIL: did not resume from $last"; echo "$out"; exit 1; }
cmp "$work/full/model.pt" "$work/resumed/model.pt" || { echo "FAIL: final weights differ"; exit 1; }
echo "PASS: the resumed run's final weights are bit-identical to the uninterrupted run's"
