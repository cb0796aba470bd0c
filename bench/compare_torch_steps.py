#!/usr/bin/python3
"""Per-step training time of rig's classify and full_finetune recipes against the same training loops written in
Python with Debian's python3-torch (the same LibTorch 1.13), measured in the same run, interleaved.

  classify:      Fashion-MNIST (Debian's dataset-fashion-mnist), MLP 784-256-128-10 (ReLU), batch 128, AdamW
                 (lr 2e-3, weight decay 1e-4), cosine schedule with linear warm-up (warmup_ratio 0.0357, min_ratio
                 0.05), a new shuffle every epoch of the 54k training split, loss.item() every step.
  full_finetune: the shipped config: TransformerLM (byte vocabulary 257, context 64, d_model 64, 2 layers, 4 heads,
                 GELU MLP of 4 x d_model, pre-LayerNorm, learned positions), batch 16 windows of Debian's
                 /usr/share/common-licenses, AdamW (lr 3e-3, weight decay 0.01), cosine with warm-up (ratio 0.1,
                 min_ratio 0.1), gradient clipping at norm 1.0, loss.item() every step.

The C++ side is the recipe binary as shipped (its console, JSONL and TensorBoard loggers on; the evaluator and the
checkpointer switched off inside the loop). The Python side is the loop a PyTorch user writes (torch.nn modules,
torch.optim.AdamW with its defaults, LambdaLR, batches gathered by indexing one tensor, a JSONL record and a console
line every 100 steps). Both sides run as fresh processes with the same thread count (threads=T, torch.set_num_threads
(T)) and the same OMP_WAIT_POLICY (PASSIVE: what the recipes choose for themselves, docs/torch.md). A third side
runs the same Python loop with glibc's malloc keeping freed memory (MALLOC_MMAP_THRESHOLD_=32 MiB,
MALLOC_TRIM_THRESHOLD_=64 MiB): the settings rig's recipes make for themselves with mallopt
(rig::torch::retain_freed_memory). Without them the Python loop page-faults its tensors in again every step.

Time per step: each side writes one JSONL record per step with its wall time after the step (the recipe's
metrics.jsonl; the Python loop the same record). A repetition's time per step is (t[N] - t[W]) / (N - W) over the
steps after W warm-up steps, so start-up, data loading and the final evaluation are outside it, while batching,
forward, backward, the optimizer, the schedule and logging are inside it. The script also reports each repetition's
median step-to-step interval (robust against a neighbour's burst on a shared machine).

usage: compare_torch_steps.py [BUILD_DIR] [--threads 1,2] [--reps 5] [--which classify,full_finetune]
                              [--steps-classify 400] [--steps-lm 120]
       (BUILD_DIR defaults to ./build; runs only when BUILD_DIR/recipes/classify/classify and
        BUILD_DIR/recipes/full_finetune/full_finetune exist)
Run it un-niced, when the machine is as idle as it gets; it prints the load average it saw.
"""
import argparse
import gzip
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

PYTHON = "/usr/bin/python3"  # Debian's, with python3-torch
FASHION = "/usr/share/datasets/fashion-mnist"
WARMUP = 20  # steps left out of each repetition's time per step


# ---- the Python loops (run in a child process: python3 compare_torch_steps.py --worker ...) ---------------------------

def cosine_with_warmup(total, warmup_ratio, min_ratio):
    """rig.torch.CosineWithWarmup's factor (torch/src/train.cpp), for LambdaLR."""
    warmup = min(max(math.ceil(warmup_ratio * total), 0), max(0, total - 1))

    def factor(step):
        if step < warmup:
            return (step + 1) / (warmup + 1)
        progress = min(1.0, (step - warmup) / (total - warmup))
        return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))
    return factor


def read_idx(path):
    import numpy as np
    data = gzip.open(path, "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class JSONL:
    """One record per step, as rig's JSONLLogger writes: step, wall_time, loss, lr; a console line every 100 steps."""

    def __init__(self, path, total):
        self.out, self.total, self.start = open(path, "w"), total, time.perf_counter()

    def log(self, step, loss, lr):
        self.out.write(json.dumps({"step": step, "wall_time": time.time(), "loss": loss, "lr": lr}) + "\n")
        if step % 100 == 0 or step == self.total:
            rate = step / (time.perf_counter() - self.start)
            print(f"step {step} loss={loss:.5g} lr={lr:.5g} it/s={rate:.1f}", flush=True)

    def close(self):
        self.out.close()


def classify_worker(threads, steps, out):
    import numpy as np
    import torch
    from torch import nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    images = read_idx(f"{FASHION}/train-images-idx3-ubyte.gz")
    labels = read_idx(f"{FASHION}/train-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1).div_(255).sub_(0.2860).div_(0.3530)
    y = torch.from_numpy(labels.astype(np.int64))
    split = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(0))
    n_val = round(x.shape[0] * 0.1)
    train = split[n_val:]
    x_train, y_train = x[train].contiguous(), y[train].contiguous()
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_with_warmup(steps, 0.0357, 0.05))
    batch, per_epoch = 128, x_train.shape[0] // 128
    log = JSONL(out, steps)
    model.train()
    order = None
    for step in range(steps):
        if step % per_epoch == 0:
            order = torch.randperm(x_train.shape[0])
        idx = order[(step % per_epoch) * batch: (step % per_epoch + 1) * batch]
        inputs, targets = x_train[idx], y_train[idx]
        loss = nn.functional.cross_entropy(model(inputs), targets)
        opt.zero_grad()
        loss.backward()
        loss_value = loss.item()
        opt.step()
        sched.step()
        log.log(step + 1, loss_value, opt.param_groups[0]["lr"])
    log.close()


def lm_worker(threads, steps, out):
    import glob
    import numpy as np
    import torch
    from torch import nn
    F = nn.functional

    class Attention(nn.Module):
        def __init__(self, d, heads):
            super().__init__()
            self.heads, self.qkv, self.proj, self.drop = heads, nn.Linear(d, 3 * d), nn.Linear(d, d), nn.Dropout(0.0)
            self.mask = None

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(x).view(B, T, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.heads))
            if self.mask is None or self.mask.shape[0] < T:
                self.mask = torch.ones(T, T, dtype=torch.bool).triu(1)
            att = self.drop(torch.softmax(att.masked_fill(self.mask[:T, :T], float("-inf")), -1))
            return self.drop(self.proj((att @ v).transpose(1, 2).reshape(B, T, C)))

    class DecoderBlock(nn.Module):
        def __init__(self, d, heads):
            super().__init__()
            self.ln1, self.attn, self.ln2 = nn.LayerNorm(d), Attention(d, heads), nn.LayerNorm(d)
            self.fc1, self.fc2, self.drop = nn.Linear(d, 4 * d), nn.Linear(4 * d, d), nn.Dropout(0.0)

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.drop(self.fc2(F.gelu(self.fc1(self.ln2(x)))))

    class TransformerLM(nn.Module):
        def __init__(self, vocab, context, d, layers, heads):
            super().__init__()
            self.tok_emb, self.pos_emb = nn.Embedding(vocab, d), nn.Embedding(context, d)
            nn.init.normal_(self.tok_emb.weight, 0, 0.02)
            nn.init.normal_(self.pos_emb.weight, 0, 0.02)
            self.blocks = nn.ModuleList(DecoderBlock(d, heads) for _ in range(layers))
            self.ln_f, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)

        def forward(self, tokens):
            x = self.tok_emb(tokens) + self.pos_emb(torch.arange(tokens.shape[1]))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln_f(x))

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    context, batch = 64, 16
    text = b"".join(open(f, "rb").read() + b"\n" for f in sorted(glob.glob("/usr/share/common-licenses/*"))
                    if os.path.isfile(f))
    tokens = torch.from_numpy(np.frombuffer(text, dtype=np.uint8).astype(np.int64))
    windows = tokens.unfold(0, context + 1, context)  # [n, context + 1], a view: window i starts at i * context
    split = torch.randperm(windows.shape[0], generator=torch.Generator().manual_seed(0))
    train = split[round(windows.shape[0] * 0.05):]
    model = TransformerLM(257, context, 64, 2, 4)
    print(f"python: {sum(p.numel() for p in model.parameters())} parameters, {train.shape[0]} training windows",
          flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_with_warmup(steps, 0.1, 0.1))
    per_epoch = train.shape[0] // batch
    log = JSONL(out, steps)
    model.train()
    order = None
    for step in range(steps):
        if step % per_epoch == 0:
            order = train[torch.randperm(train.shape[0])]
        w = windows[order[(step % per_epoch) * batch: (step % per_epoch + 1) * batch]]
        logits = model(w[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        loss_value = loss.item()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        log.log(step + 1, loss_value, opt.param_groups[0]["lr"])
    log.close()


# ---- the driver ---------------------------------------------------------------------------------------------------

def seconds_per_step(jsonl):
    """(mean over the steps after WARMUP, median step-to-step interval, last loss) from a per-step JSONL file."""
    times, loss = {}, None
    with open(jsonl) as f:
        for line in f:
            r = json.loads(line)
            if "loss" in r:
                times[r["step"]] = r["wall_time"]
                loss = r["loss"]
    last = max(times)
    steps = [s for s in sorted(times) if s >= WARMUP]
    intervals = [times[s] - times[s - 1] for s in steps[1:] if s - 1 in times]
    return (times[last] - times[WARMUP]) / (last - WARMUP), statistics.median(intervals), loss


def run(cmd, env):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}")
    return p.stdout


def run_cpp(build, which, threads, steps, tmp):
    out_dir = os.path.join(tmp, f"cpp-{which}")
    subprocess.run(["rm", "-rf", out_dir])
    binary = os.path.join(build, "recipes", which, which)
    cmd = [binary] + (["--config", "fashion_mnist_mlp", "task.test=false", "+evaluator.max_batches=1"]
                      if which == "classify" else []) + \
        [f"steps={steps}", f"threads={threads}", "evaluator.every_n_steps=0", "checkpointer.every_n_steps=0",
         "--output-dir", out_dir]
    text = run(cmd, ENV)
    return seconds_per_step(os.path.join(out_dir, "metrics.jsonl")), text


def run_python(which, threads, steps, tmp, env):
    out = os.path.join(tmp, f"py-{which}.jsonl")
    text = run([PYTHON, os.path.abspath(__file__), "--worker", which, "--threads", str(threads), "--steps",
                str(steps), "--out", out], env)
    return seconds_per_step(out), text


def parameter_count(text, prefix):
    for line in text.splitlines():
        if line.startswith(prefix):
            return int(line.split()[1])
    return None


ENV = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
ENV.pop("OMP_NUM_THREADS", None)
for _name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
    ENV.pop(_name, None)
# The heap settings rig's recipes make for themselves (rig::torch::retain_freed_memory, torch/src/threads_plain.cpp),
# given to the Python loop through glibc's environment variables: the third side, "Python, heap retained".
RETAINED = dict(ENV, MALLOC_MMAP_THRESHOLD_=str(32 << 20), MALLOC_TRIM_THRESHOLD_=str(64 << 20))
SIDES = {"cpp": "rig C++ recipe", "py": "Python loop", "pyr": "Python, heap retained"}


def ms(values):
    return f"{statistics.median(values) * 1e3:7.3f} ms [{min(values) * 1e3:.3f}–{max(values) * 1e3:.3f}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--which", default="classify,full_finetune")
    ap.add_argument("--steps-classify", type=int, default=400)
    ap.add_argument("--steps-lm", type=int, default=120)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        (classify_worker if a.worker == "classify" else lm_worker)(int(a.threads), a.steps, a.out)
        return
    for which in a.which.split(","):
        if not os.access(os.path.join(a.build, "recipes", which, which), os.X_OK):
            print(f"compare_torch_steps: {a.build}/recipes/{which}/{which} not built (target {which}); skipped")
            return
    print(f"OMP_WAIT_POLICY=PASSIVE on every side; {a.reps} interleaved repetitions (each side first in turn); "
          f"time per step over steps {WARMUP}..N")
    with tempfile.TemporaryDirectory(prefix="rig_compare_steps_") as tmp:
        for which in a.which.split(","):
            steps = a.steps_classify if which == "classify" else a.steps_lm
            for threads in [int(t) for t in a.threads.split(",")]:
                per_step = {side: [] for side in SIDES}
                median = {side: [] for side in SIDES}
                ratios = {side: [] for side in SIDES if side != "cpp"}
                loads, counts = [], set()
                for rep in range(a.reps):
                    loads.append(os.getloadavg()[0])
                    order = list(SIDES)[rep % 3:] + list(SIDES)[:rep % 3]  # each side first in turn
                    result, line = {}, []
                    for side in order:
                        if side == "cpp":
                            result[side], text = run_cpp(a.build, which, threads, steps, tmp)
                            counts.add(parameter_count(text, "full_finetune:"))
                        else:
                            result[side], text = run_python(which, threads, steps, tmp, ENV if side == "py" else RETAINED)
                            counts.add(parameter_count(text, "python:"))
                    if which == "full_finetune" and len(counts) != 1:
                        sys.exit(f"the models differ in their parameter counts: {counts}")
                    for side in SIDES:
                        per_step[side].append(result[side][0])
                        median[side].append(result[side][1])
                        line.append(f"{side} {result[side][0] * 1e3:.3f} ms/step (last loss {result[side][2]:.4f})")
                        if side != "cpp":
                            ratios[side].append(result["cpp"][0] / result[side][0])
                    print(f"  {which} threads={threads} rep {rep}: {', '.join(line)}, load {loads[-1]:.2f}", flush=True)
                extra = f", {counts.pop()} parameters on both sides" if which == "full_finetune" else ""
                print(f"{which}, {steps} steps, threads={threads}{extra}, load average {min(loads):.2f}–{max(loads):.2f}")
                for side, name in SIDES.items():
                    print(f"  {name:22} mean per step {ms(per_step[side])}   median interval {ms(median[side])}")
                for side in ratios:
                    r = ratios[side]
                    print(f"  C++ / {SIDES[side]:22} {statistics.median(r):.3f} [{min(r):.3f}–{max(r):.3f}] "
                          f"(mean per step, per repetition; < 1: C++ faster)", flush=True)

if __name__ == "__main__":
    main()
