#!/usr/bin/env bash
# User 2 with the classify recipe (user2.sh does it with lora_finetune): rig cp classify DIR --project, edit one
# line of its loop, build it out of tree against an installed rig, run it, see the edit take effect.
# Usage: user2_classify.sh BUILD_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash" "$@"
cd "$tmp" || exit 1
rig cp classify my_classify --project
check "user 2: rig cp --project links rig::torch" grep -q 'LINK rig::torch' my_classify/CMakeLists.txt
check "user 2: ... and copies the config groups" test -f my_classify/configs/task/csv.yaml -a -f my_classify/configs/model/convnet.yaml
# The edit: log the training batch's accuracy next to the loss.
sed -i 's|{"lr", scheduler->lr()}}|{"lr", scheduler->lr()}, {"train_accuracy", logits.argmax(1).eq(batch.labels).to(torch::kDouble).mean().item<double>()}}|' \
  my_classify/classify.cpp
check "user 2: the edit is one line of the loop" test "$(diff "$root/recipes/classify/classify.cpp" my_classify/classify.cpp | grep -c '^>')" -eq 1
configure_and_build my_classify my_classify/build
check "user 2: the edited recipe builds out of tree" test -x my_classify/build/classify
run=(--config fashion_mnist_mlp task=synthetic steps=60 evaluator.every_n_steps=0 checkpointer.every_n_steps=0)
out=$(my_classify/build/classify "${run[@]}" --output-dir edited 2>&1); rc=$?
check "user 2: the edited recipe runs with its copied configs" test "$rc" -eq 0
check "user 2: the edit took effect (train_accuracy logged every step)" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if "\"loss\"" in l]
assert len(rows) == 60 and all(0 <= r["train_accuracy"] <= 1 for r in rows), rows[:2]' edited/metrics.jsonl
"$prefix/libexec/rig/classify" "${run[@]}" --output-dir original >/dev/null 2>&1
check "user 2: the installed recipe is unchanged" bash -c '! grep -q train_accuracy original/metrics.jsonl'
exit $fail
