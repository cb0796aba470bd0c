#!/usr/bin/env bash
# End-to-end: the classify recipe through the rig tool. ls, --help, validate (and its planted errors), the task-model
# hook seen in --print-config, the compat matrix, determinism (same seed, same losses), and user 1: a CSV of their
# own with a few overrides, recorded in the run directory. Usage: classify_cli.sh RIG SOURCE_DIR
source "$2/tests/cli/lib/common.bash" "$@"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH
export NO_COLOR=1
has() { grep -qF -- "$1" <<<"$2"; }

# ---- ls, --help -------------------------------------------------------------------------------------------------
out=$("$rig" ls)
check "ls lists classify with its config" grep -qE '^classify +fashion_mnist_mlp' <<<"$out"
out=$("$rig" ls classify)
check "ls classify: task group" has "task/: csv, fashion_mnist, image_folder, synthetic" "$out"
check "ls classify: model group" has "model/: convnet, mlp" "$out"
out=$("$rig" run classify --help)
check "--help names the hook" has "hooks of this recipe: task_sets_model_sizes" "$out"
check "--help lists the keys the loop reads" grep -qE '^  optimizer +\S*Optimizer' <<<"$out"
check "--help lists the optimizers to choose from" grep -qE '^ +one of: .*rig\.torch\.SGD' <<<"$out"

# ---- validate ---------------------------------------------------------------------------------------------------
out=$("$rig" validate classify --config fashion_mnist_mlp 2>&1); rc=$?
check "validate fashion_mnist_mlp: valid, no warnings" test "$rc" -eq 0 -a "$out" = $'0 errors, 0 warnings\nclassify: config is valid'
for pair in "fashion_mnist mlp" "fashion_mnist convnet" "synthetic mlp"; do
  set -- $pair
  "$rig" validate classify --config fashion_mnist_mlp task="$1" model="$2" >/dev/null 2>&1
  check "validate task=$1 model=$2" test $? -eq 0
done
out=$("$rig" validate classify --config fashion_mnist_mlp task=synthetic model=convnet 2>&1); rc=$?
check "a model that does not fit the task: exit 2" test "$rc" -eq 2
check "... rig.classify.incompatible at the model's config file" \
  grep -qE 'configs/classify/model/convnet.yaml:2:14: error\[rig.classify.incompatible\]' <<<"$out"
# Every problem at once, each where it was written: an option of the loop, a typo in it, a task option.
out=$("$rig" validate classify --config fashion_mnist_mlp optimizer.lr=fast +optimizer.wieght_decay=0.1 task.limit=-x 2>&1)
rc=$?
check "planted errors: exit 2, three errors" test "$rc" -eq 2 -a -n "$(grep -x '3 errors, 0 warnings' <<<"$out")"
check "... optimizer.lr's type, at argv" grep -qE '^argv\[3\]:1:14: error\[rig.type.mismatch\]: expected double' <<<"$out"
check "... the misspelt option, with did-you-mean" has "hint: did you mean 'weight_decay'?" "$out"
check "... the task's option" grep -qE '^argv\[5\]:1:12: error\[rig.type.mismatch\]' <<<"$out"
out=$("$rig" validate classify --config fashion_mnist_mlp model.hiden=[3] 2>&1); rc=$?
check "a misspelt override: exit 2, did-you-mean" test "$rc" -eq 2 -a -n "$(grep -F "did you mean 'model.hidden'" <<<"$out")"

# ---- the hook sets the model's sizes -----------------------------------------------------------------------------
out=$("$rig" run classify --config fashion_mnist_mlp --print-config --show-origin)
check "mlp in_features from the task" grep -qE '^  in_features: 784 +# hook task_sets_model_sizes' <<<"$out"
check "mlp out_features from the task" grep -qE '^  out_features: 10 +# hook task_sets_model_sizes' <<<"$out"
out=$("$rig" run classify --config fashion_mnist_mlp model=convnet --print-config)
check "convnet geometry from the task" python3 -c '
import sys, yaml; m = yaml.safe_load(sys.stdin)["model"]
assert (m["in_channels"], m["image_size"], m["num_classes"]) == (1, 28, 10), m' <<<"$out"
out=$("$rig" run classify --config fashion_mnist_mlp task=synthetic task.num_features=7 task.num_classes=5 --print-config)
check "synthetic task sizes follow its overrides" python3 -c '
import sys, yaml; m = yaml.safe_load(sys.stdin)["model"]
assert (m["in_features"], m["out_features"]) == (7, 5), m' <<<"$out"

# ---- rig compat: which task fits which model ------------------------------------------------------------------------
out=$("$rig" compat --rows classify::Task --cols classify::Model)
echo "$out"
# Columns in registration order; MLP takes images and feature vectors, ConvNet images only.
header=$(head -1 <<<"$out")
mlp_first=1; [[ "$header" == *"classify.ConvNet"*"classify.MLP"* ]] && mlp_first=0
row() { grep -E "^classify\.$1 " <<<"$out" | grep -oE '[●○]' | tr -d '\n'; }
want() { if ((mlp_first)); then echo "$1$2"; else echo "$2$1"; fi; }  # want MLP_CELL CONVNET_CELL
check "compat: FashionMNIST fits MLP and ConvNet" test "$(row FashionMNIST)" = "$(want ● ●)"
check "compat: CSV fits MLP only" test "$(row CSV)" = "$(want ● ○)"
check "compat: Synthetic fits MLP only" test "$(row Synthetic)" = "$(want ● ○)"
check "compat: ImageFolder fits MLP and ConvNet" test "$(row ImageFolder)" = "$(want ● ●)"

# ---- determinism: same seed, same losses; learns -------------------------------------------------------------------
quick=(--config fashion_mnist_mlp task=synthetic task.noise=0.3 steps=120 threads=1 model.dropout=0.1 evaluator.every_n_steps=0
       checkpointer.every_n_steps=0 loggers.0.every_n_steps=1000)
"$rig" run classify "${quick[@]}" --output-dir a >a.out 2>&1
"$rig" run classify "${quick[@]}" --output-dir b >b.out 2>&1
"$rig" run classify "${quick[@]}" seed=1 --output-dir c >c.out 2>&1
losses() { python3 -c 'import json, sys; print([json.loads(l)["loss"] for l in open(sys.argv[1]) if "loss" in l and "val_loss" not in l])' "$1"; }
check "run writes metrics.jsonl and model.pt" test -s a/metrics.jsonl -a -s a/model.pt
check "120 losses logged" test "$(losses a/metrics.jsonl | python3 -c 'import sys; print(len(eval(sys.stdin.read())))')" = 120
check "same seed: identical losses" test "$(losses a/metrics.jsonl)" = "$(losses b/metrics.jsonl)"
check "another seed: other losses" test "$(losses a/metrics.jsonl)" != "$(losses c/metrics.jsonl)"
check "synthetic task learnt (accuracy >= 0.9)" python3 -c '
import re, sys; a = float(re.search(r"^accuracy: ([0-9.]+)$", open(sys.argv[1]).read(), re.M).group(1)); assert a >= 0.9, a' a.out

# ---- the optimizer comes from the config: another one with one override ------------------------------------------
"$rig" run classify "${quick[@]}" 'optimizer:={_component_: rig.torch.SGD, lr: 0.05, momentum: 0.9}' --output-dir sgd \
  >sgd.out 2>&1; rc=$?
check "optimizer:={_component_: rig.torch.SGD, ...}: the run succeeds" test "$rc" -eq 0
check "... with other losses than AdamW's" test "$(losses a/metrics.jsonl)" != "$(losses sgd/metrics.jsonl)"
"$rig" validate classify --config fashion_mnist_mlp optimizer._component_=rig.torch.SGD >/dev/null 2>&1
check "optimizer._component_=rig.torch.SGD validates" test $? -eq 0
out=$("$rig" validate classify --config fashion_mnist_mlp 'optimizer:={_component_: rig.torch.AdamW, momentum: 0.9}' 2>&1)
check "the control: momentum is no AdamW parameter" has "rig.args.unknown_keyword" "$out"

# ---- user 1: their own data (a CSV), three overrides, recorded in the run directory ------------------------------
python3 - <<'PY'
import csv, random
random.seed(7)
centres = {"setosa": (5.0, 3.4, 1.5, 0.2), "versicolor": (5.9, 2.8, 4.3, 1.3), "virginica": (6.6, 3.0, 5.6, 2.0)}
with open("flowers.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
    for i in range(600):
        name = list(centres)[i % 3]
        w.writerow([round(c + random.gauss(0, 0.25), 2) for c in centres[name]] + [name])
PY
out=$("$rig" run classify --config fashion_mnist_mlp task=csv task.path=flowers.csv task.label_column=species \
      steps=300 2>&1); rc=$?
check "user 1: the CSV run succeeds" test "$rc" -eq 0
check "user 1: accuracy >= 0.9" python3 -c '
import re, sys; a = float(re.search(r"^accuracy: ([0-9.]+)$", sys.argv[1], re.M).group(1)); assert a >= 0.9, a' "$out"
runs=(outputs/classify/*)
check "user 1: one run directory" test "${#runs[@]}" -eq 1
check "user 1: overrides.txt records the overrides" test "$(cat "${runs[0]}/overrides.txt")" = \
  $'task=csv\ntask.path=flowers.csv\ntask.label_column=species\nsteps=300'
check "user 1: config.yaml records the task and the sizes the hook set" python3 -c '
import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
assert c["task"]["_component_"] == "classify.CSV" and c["task"]["path"] == "flowers.csv", c["task"]
assert (c["model"]["in_features"], c["model"]["out_features"]) == (4, 3), c["model"]
assert c["steps"] == 300' "${runs[0]}/config.yaml"
exit $fail
