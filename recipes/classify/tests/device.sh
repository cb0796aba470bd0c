#!/usr/bin/env bash
# device:, dtype:, autocast: and the profiler through the rig tool: classify trains in bf16 (kept in bf16, and under
# autocast with fp32 weights) and records the dtype in its checkpoints; profiler.enabled=true writes a Chrome trace
# naming the model's ops; cuda on a CPU-only LibTorch is a located config error (exit 2), not a crash.
# Usage: device.sh RIG SOURCE_DIR
source "$2/tests/cli/lib/common.bash" "$@"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH
export NO_COLOR=1
quick=(--config fashion_mnist_mlp task=synthetic task.num_examples=512 steps=20 threads=1 evaluator.every_n_steps=0
       checkpointer.every_n_steps=20 loader.batch_size=32)
finite_losses='
import json, math, sys
losses = [json.loads(l)["loss"] for l in open(sys.argv[1]) if "\"loss\"" in l]
assert len(losses) == 20 and all(math.isfinite(x) for x in losses), losses'

"$rig" run classify "${quick[@]}" dtype=bf16 profiler.enabled=true profiler.wait=1 profiler.warmup=1 profiler.active=2 \
  --output-dir bf16 >bf16.out 2>&1; rc=$?
check "dtype=bf16: classify trains (exit 0)" test "$rc" -eq 0
check "dtype=bf16: finite losses logged" /usr/bin/python3 -c "$finite_losses" bf16/metrics.jsonl
check "dtype=bf16: the checkpoint records bf16" grep -qa 'bf16' bf16/checkpoints/step_00000020.pt
check "profiler: trace.json parses and names the MLP's ops in its 2 active steps" /usr/bin/python3 -c '
import json, sys
names = [e["name"] for e in json.load(open(sys.argv[1]))["traceEvents"]]
assert sorted(n for n in names if n.startswith("ProfilerStep#")) == ["ProfilerStep#2", "ProfilerStep#3"], names
assert "aten::addmm" in names and "aten::relu" in names, set(names)' bf16/profile/trace.json
check "profiler: summary.txt lists aten::addmm" grep -q '^aten::addmm ' bf16/profile/summary.txt

"$rig" run classify "${quick[@]}" dtype=bf16 autocast=true --output-dir amp >amp.out 2>&1; rc=$?
check "dtype=bf16 autocast=true: classify trains (exit 0)" test "$rc" -eq 0
check "dtype=bf16 autocast=true: finite losses logged" /usr/bin/python3 -c "$finite_losses" amp/metrics.jsonl
check "autocast: the weights stay fp32, so the checkpoint records fp32" grep -qa 'fp32' amp/checkpoints/step_00000020.pt
check "profiler off by default: no profile directory" test ! -e amp/profile

"$rig" run classify "${quick[@]}" device=cuda --output-dir cuda >cuda.out 2>&1; rc=$?
if [[ $rc -eq 0 ]] && ! grep -q 'no CUDA' cuda.out; then
  echo "skip: this LibTorch has CUDA and a GPU, the CPU-only error cannot happen here"
else
  check "device=cuda without CUDA: exit 2" test "$rc" -eq 2
  check "... a located rig.torch.device error" grep -qE '^argv\[[0-9]+\]:1:8: error\[rig\.torch\.device\]: .*this LibTorch has no CUDA' cuda.out
  check "... no crash (no abort, no segfault)" test -z "$(grep -iE 'abort|segmentation|terminate called' cuda.out)"
  out=$("$rig" validate classify --config fashion_mnist_mlp device=cuda:1 2>&1); rc=$?
  check "rig validate device=cuda:1: exit 2, located at the override, key path and hint" bash -c '
    test "$1" -eq 2 && grep -qE "^argv\[[0-9]+\]:1:8: error\[rig\.torch\.device\]: .*this LibTorch has no CUDA" <<<"$2" &&
    grep -q "device" <<<"$2" && grep -q "hint: .*device=cpu" <<<"$2"' _ "$rc" "$out" || echo "$out"
  out=$("$rig" validate full_finetune dtype=fp16 2>&1); rc=$?
  check "rig validate full_finetune dtype=fp16 (CPU): exit 2, rig.torch.dtype at the override" bash -c '
    test "$1" -eq 2 && grep -qE "^argv\[[0-9]+\]:1:7: error\[rig\.torch\.dtype\]" <<<"$2"' _ "$rc" "$out" || echo "$out"
fi
exit $fail
