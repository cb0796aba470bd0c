#!/usr/bin/env bash
# "User 1": a new dataset (a JSONL file written here) and three overrides on the command line. The run succeeds and
# its run directory records them (config.yaml, overrides.txt, run.json). Usage: user_dataset.sh RIG_TOOL SOURCE_DIR
set -euo pipefail
rig=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
shape=(model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32)

# A base model to adapt (the user would have one from full_finetune).
"$rig" run full_finetune --output-dir "$work/base" "${shape[@]}" steps=10 lr_scheduler.warmup_steps=5 threads=1 >base.log 2>&1 ||
  { echo "FAIL: base run"; cat base.log; exit 1; }

for i in $(seq 1 10); do
  printf '{"prompt": "What is %d + %d?", "response": " %d"}\n' "$i" "$i" $((2 * i))
done >sums.jsonl

# The user's command: the defaults of configs/lora_finetune, then three overrides. The base's shape comes from the
# environment (RIG_MODEL__*), which the run directory records in resolved.yaml but not in overrides.txt.
export RIG_MODEL__D_MODEL=32 RIG_MODEL__N_LAYERS=1 RIG_MODEL__N_HEADS=2 RIG_MODEL__CONTEXT=32
"$rig" run lora_finetune base_checkpoint="$work/base/model.pt" dataset.path=sums.jsonl steps=15 >user.log 2>&1 ||
  { echo "FAIL: the user's run"; cat user.log; exit 1; }

run_dir=$(sed -n 's/^\[lora_finetune\] run directory: //p' user.log)
[[ -n "$run_dir" && -d "$run_dir" ]] || { echo "FAIL: no run directory in the log"; cat user.log; exit 1; }
fail=0
check() { if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
check "run dir under outputs/lora_finetune" test "${run_dir#outputs/lora_finetune/}" != "$run_dir"
check "overrides.txt lists the three overrides" \
  test "$(cat "$run_dir/overrides.txt")" = "$(printf 'base_checkpoint=%s\ndataset.path=sums.jsonl\nsteps=15' "$work/base/model.pt")"
check "config.yaml has the dataset path" grep -q '^  path: sums.jsonl' "$run_dir/config.yaml"
check "config.yaml has the steps" grep -q '^steps: 15$' "$run_dir/config.yaml"
check "config.yaml has the base checkpoint" grep -qF "base_checkpoint: $work/base/model.pt" "$run_dir/config.yaml"
check "run.json: exit status 0" grep -q '"exit_status": *0' "$run_dir/run.json"
check "run.json: argv has the overrides" grep -qF '"dataset.path=sums.jsonl"' "$run_dir/run.json"
check "the adapters were saved" test -s "$run_dir/adapters.pt"
check "the merged model was saved" test -s "$run_dir/model.pt"
check "15 training steps logged" test "$(grep -c '"loss"' "$run_dir/metrics.jsonl")" -eq 15
exit $fail
