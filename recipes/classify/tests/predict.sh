#!/usr/bin/env bash
# predict end to end: classify trains on a CSV written as R's write.csv writes (quoted names, one with a comma), then
# `rig run predict` on the same rows must give, row by row, the class and probability of the trained weights' forward
# pass computed independently in python3-torch (features standardized with numpy from the file itself; the weights read
# from model.pt with torch.jit.load). The same for an image folder (pixels as images.py wrote them). A run that
# cannot be predicted from is refused. Usage: predict.sh RIG SOURCE_DIR
source "$2/tests/cli/lib/common.bash" "$@"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH RANK WORLD_SIZE SLURM_PROCID SLURM_NTASKS RIG_RUN_DIR
export NO_COLOR=1

/usr/bin/python3 - <<'PY'
import random
random.seed(11)
centres = {"set,osa": (5.0, 3.4, 1.5), 'versi "color"': (5.9, 2.8, 4.3), "virginica": (6.6, 3.0, 5.6)}
with open("train.csv", "w", newline="") as f:
    f.write('"sepal, length","sepal width","petal length","species"\n')
    for i in range(240):
        name = list(centres)[i % 3]
        vals = [round(c + random.gauss(0, 0.2), 2) for c in centres[name]]
        f.write(",".join(map(str, vals)) + ',"' + name.replace('"', '""') + '"\n')
PY
"$rig" run classify --config fashion_mnist_mlp task=csv task.path=train.csv task.label_column=species \
  'model.hidden=[16]' steps=60 threads=1 evaluator.every_n_steps=0 checkpointer.every_n_steps=0 \
  loggers.0.progress_bar=false --output-dir run >train.out 2>&1; rc=$?
check "classify on the CSV: exit 0" test "$rc" -eq 0 || cat train.out
check "classify wrote inference.yaml beside model.pt" test -s run/inference.yaml -a -s run/model.pt
"$rig" run predict checkpoint=run input=train.csv threads=1 --output-dir out >predict.out 2>&1; rc=$?
check "predict: exit 0" test "$rc" -eq 0 || cat predict.out
# The oracle: the MLP's forward pass (Linear, ReLU, ..., Linear) in python3-torch with model.pt's weights.
cat >oracle.py <<'PY'
import csv, sys, torch
def check(run, x, names, labels, ids, predictions):
    m = torch.jit.load(f"{run}/model.pt")
    state = dict(m.named_parameters())
    layers = sorted({k.rsplit(".", 1)[0] for k in state}, key=lambda n: [int(t) if t.isdigit() else t for t in n.split(".")])
    h = torch.tensor(x, dtype=torch.float32)
    for i, name in enumerate(layers):
        h = h @ state[name + ".weight"].T + state[name + ".bias"]
        if i + 1 < len(layers): h = torch.relu(h)
    p, k = torch.softmax(h, 1).max(1)
    got = list(csv.DictReader(open(predictions, newline="")))
    assert len(got) == len(ids), (len(got), len(ids))
    for i, g in enumerate(got):
        assert g["id"] == ids[i], (g, ids[i])
        assert g["predicted"] == names[k[i]], (i, g, names[k[i]])
        assert abs(float(g["probability"]) - float(p[i])) < 1e-5, (i, g, float(p[i]))
    accuracy = sum(g["predicted"] == l for g, l in zip(got, labels)) / len(got)
    assert accuracy > 0.8, accuracy  # it learnt
PY
check "predictions.csv: each row's class and probability are the model's" /usr/bin/python3 - <<'PY'
import csv, numpy as np, oracle
rows = list(csv.reader(open("train.csv", newline="")))
x = np.array([[float(v) for v in r[:3]] for r in rows[1:]])
x = (x - x.mean(0)) / x.std(0, ddof=1)
names = []
for r in rows[1:]:
    if r[3] not in names: names.append(r[3])
oracle.check("run", x, names, [r[3] for r in rows[1:]], [str(i + 1) for i in range(len(rows) - 1)], "out/predictions.csv")
PY

# An image folder: PNG files written by images.py (red or blue dominant), 8x8, the same check.
/usr/bin/python3 "$root/torch/tests/images.py" folder pics 7 12 8
"$rig" run classify --config fashion_mnist_mlp task=image_folder task.root=pics task.image_size=8 'model.hidden=[16]' \
  steps=60 threads=1 evaluator.every_n_steps=0 checkpointer.every_n_steps=0 loggers.0.progress_bar=false \
  --output-dir irun >itrain.out 2>&1; rc=$?
check "classify on an image folder: exit 0" test "$rc" -eq 0 || cat itrain.out
"$rig" run predict checkpoint=irun input=pics threads=1 --output-dir iout >ipredict.out 2>&1; rc=$?
check "predict on the image folder: exit 0" test "$rc" -eq 0 || cat ipredict.out
check "predictions.csv of the images: each image's class and probability are the model's" /usr/bin/python3 - <<'PY'
import json, numpy as np, oracle
written = json.load(open("pics.json"))
ids = sorted(written)
x = np.array([np.array(written[i][3], dtype=np.float64).reshape(8, 8, 3).transpose(2, 0, 1) / 255 for i in ids])
c = x.transpose(1, 0, 2, 3).reshape(3, -1)
x = (x - c.mean(1).reshape(1, 3, 1, 1)) / c.std(1, ddof=1).reshape(1, 3, 1, 1)
oracle.check("irun", x.reshape(len(ids), -1), ["blue", "red"], [i.split("/")[0] for i in ids], ids, "iout/predictions.csv")
PY
"$rig" run predict checkpoint=run input=train.csv threads=1 batch_size=4 profiler.enabled=true profiler.active=2 \
  --output-dir pout >pprof.out 2>&1; rc=$?
check "predict with the profiler: exit 0" test "$rc" -eq 0 || cat pprof.out
check "predict's profiler: trace.json parses and names the model's ops in its 2 active batches" /usr/bin/python3 -c '
import json, sys
names = [e["name"] for e in json.load(open(sys.argv[1]))["traceEvents"]]
assert sorted(n for n in names if n.startswith("ProfilerStep#")) == ["ProfilerStep#0", "ProfilerStep#1"], names
assert "aten::addmm" in names and "aten::softmax" in names, set(names)' pout/profile/trace.json
out=$("$rig" run predict checkpoint=. input=train.csv 2>&1); rc=$?
check "predict on a directory without inference.yaml: exit 2, rig.classify.predict" \
  test "$rc" -eq 2 -a -n "$(grep -F 'error[rig.classify.predict]' <<<"$out")"
printf '"sepal, length","sepal width","petal length"\n5.0,,1.5\n' >holes.csv
out=$("$rig" run predict checkpoint=run input=holes.csv 2>&1); rc=$?
check "a missing value in the input: located at its line and column" grep -qE '^holes.csv:2:5: error\[rig.torch.data.missing\]' <<<"$out"
exit $fail
