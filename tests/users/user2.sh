#!/usr/bin/env bash
# User 2: copy lora_finetune into a project of one's own (rig cp lora_finetune DIR --project), edit one
# line of its loop, build it out of tree against an installed rig, run it on a base model and a JSONL file, and see
# the edit take effect. user2_classify.sh does the same with the classify recipe. Usage: user2.sh BUILD_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash" "$@"
cd "$tmp" || exit 1
rig cp lora_finetune my_lora --project
check "user 2: rig cp --project links rig::torch" grep -q 'LINK rig::torch' my_lora/CMakeLists.txt
check "user 2: ... and copies the config groups" test -f my_lora/configs/dataset/jsonl.yaml
# The edit: log how many tokens each step trained on, next to the loss.
sed -i 's|{"lr", scheduler->lr()}}|{"lr", scheduler->lr()}, {"tokens", static_cast<double>(batch.targets.ne(rig::torch::kIgnoreIndex).sum().item<int64_t>())}}|' \
  my_lora/lora_finetune.cpp
check "user 2: the edit is one line of the loop" test "$(diff "$root/recipes/lora_finetune/lora_finetune.cpp" my_lora/lora_finetune.cpp | grep -c '^>')" -eq 1
configure_and_build my_lora my_lora/build
check "user 2: the edited recipe builds out of tree" test -x my_lora/build/lora_finetune

# A small base model (the user would have one from full_finetune) and the user's data.
shape=(model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32)
rig run full_finetune --output-dir base "${shape[@]}" steps=10 lr_scheduler.warmup_steps=5 threads=1 >base.log 2>&1
check "user 2: a base model" test -s base/model.pt
for i in $(seq 1 10); do printf '{"prompt": "What is %d + %d?", "response": " %d"}\n' "$i" "$i" $((2 * i)); done >sums.jsonl
out=$(my_lora/build/lora_finetune "${shape[@]}" base_checkpoint=base/model.pt dataset.path=sums.jsonl steps=12 threads=1 \
      --output-dir edited 2>&1); rc=$?
check "user 2: the edited recipe runs with its copied configs" test "$rc" -eq 0 || echo "$out"
check "user 2: the edit took effect (tokens logged every step)" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if "\"loss\"" in l]
assert len(rows) == 12 and all(r["tokens"] > 0 for r in rows), rows[:2]' edited/metrics.jsonl
"$prefix/libexec/rig/lora_finetune" "${shape[@]}" base_checkpoint=base/model.pt dataset.path=sums.jsonl steps=12 threads=1 \
  --output-dir original >/dev/null 2>&1
check "user 2: the installed recipe is unchanged" bash -c '! grep -q tokens original/metrics.jsonl'
exit $fail
