#!/usr/bin/env bash
# Checkpoints under SIGKILL: full_finetune checkpoints every step while it is killed at random moments, again and
# again (each run starts over, so it also replaces the files the last one left); after each kill every checkpoint file in the directory must load completely (rig_compare_weights reads each
# tensor of it), and a torn file must never carry a checkpoint's name.
# Usage: checkpoint_kill.sh RIG_TOOL RIG_COMPARE_WEIGHTS [KILLS]
set -euo pipefail
rig=$1
compare=$2
kills=${3:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32 steps=100000 seed=5 threads=1
        loader.batch_size=8 evaluator.every_n_steps=0 checkpointer.every_n_steps=1 checkpointer.keep_last=3
        checkpointer.dir="$work/ckpt")
RANDOM=7  # the kill times are random but repeatable
checked=0
for i in $(seq 1 "$kills"); do
  touch "$work/start$i"
  "$rig" run full_finetune --output-dir "$work/run$i" "${common[@]}" >"$work/run$i.log" 2>&1 &
  pid=$!
  # Wait until this run has written a checkpoint of its own, then kill it 0-400 ms later: mid-write, often.
  for _ in $(seq 1 600); do
    [[ -n $(find "$work/ckpt" -name 'step_*.pt' -newer "$work/start$i" 2>/dev/null | head -1) ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  sleep "0.$(printf '%03d' $((RANDOM % 400)))"
  kill -KILL "$pid" 2>/dev/null || true
  if wait "$pid" 2>/dev/null; then echo "FAIL: run $i finished before it was killed"; cat "$work/run$i.log"; exit 1; fi
  for f in "$work"/ckpt/step_*.pt; do
    [[ -e $f ]] || continue
    "$compare" "$f" "$f" >/dev/null 2>"$work/compare.err" ||
      { echo "FAIL: after kill $i, $(basename "$f") does not load"; cat "$work/compare.err"; exit 1; }
    checked=$((checked + 1))
  done
done
n=$(ls "$work"/ckpt/step_*.pt | wc -l)
((n > 0)) || { echo "FAIL: no checkpoint was ever written"; exit 1; }
echo "PASS: $kills kills, $checked checkpoint loads, every file complete"
