#!/usr/bin/env bash
# Resume test: a run killed with SIGKILL mid-training and resumed from its last checkpoint (resume=true, checkpointer.dir= the killed run's) must end
# with weights bit-identical to an uninterrupted run. Usage: resume.sh CLASSIFY_BINARY SOURCE_DIR
set -euo pipefail
classify=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--config fashion_mnist_mlp task=synthetic model=mlp steps=600 seed=3 threads=2 lr_scheduler.warmup_steps=20
        task.num_examples=4096 task.num_features=32 task.num_classes=8 "model.hidden=[256, 256]" model.dropout=0.1
        loader.batch_size=64 evaluator.every_n_steps=0 checkpointer.every_n_steps=50 checkpointer.keep_last=2
        'loggers=[{_component_: rig.torch.ConsoleLogger, every_n_steps: 100000}]')

"$classify" "${common[@]}" --output-dir "$work/full" >/dev/null

"$classify" "${common[@]}" --output-dir "$work/killed" >/dev/null &
pid=$!
# Kill as soon as a checkpoint exists and before the run can finish.
for _ in $(seq 1 600); do
  if compgen -G "$work/killed/checkpoints/step_*.pt" >/dev/null; then break; fi
  sleep 0.05
done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null && { echo "FAIL: the run finished before it could be killed"; exit 1; }
if [[ -e "$work/killed/model.pt" ]]; then echo "FAIL: the killed run wrote its final model"; exit 1; fi
last=$(ls "$work/killed/checkpoints" | grep -v tmp | tail -1)
echo "killed after $last"

out=$("$classify" "${common[@]}" --output-dir "$work/resumed" resume=true checkpointer.dir="$work/killed/checkpoints")
grep -q "resumed from .*$last" <<<"$out" || { echo "FAIL: did not resume from $last"; echo "$out"; exit 1; }
cmp "$work/full/model.pt" "$work/resumed/model.pt" || { echo "FAIL: final weights differ"; exit 1; }
echo "PASS: resumed run's final weights are bit-identical"
