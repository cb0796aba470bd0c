#!/usr/bin/python3
"""rig against Debian's python3-torch (same LibTorch 1.13) on a ~100M-parameter Llama-shaped random checkpoint:
sharded checkpoint load (seconds, peak RSS), a LoRA training step (tokens/s, peak RSS) and greedy generation with a
KV cache (tokens/s, peak RSS). The Python side is written as a PyTorch user would write it: an nn.Module Llama
(transformers' structure), LoRA wrappers on q/k/v/o, AdamW, a torch.cat KV cache, safetensors read with mmap +
torch.frombuffer and load_state_dict. Each measurement runs in its own process (one peak RSS each), both sides with
the same thread count. Runs only when BUILD/bench/rig_bench_llama exists.

Peak RSS is reported in total and above each process's own baseline (its RSS once Python/LibTorch are loaded, before
the checkpoint is touched): the baseline is LibTorch's (and Python's) fixed cost, the rest is what loading costs.

usage: compare_llama.py [BUILD_DIR]
  env SMALL=1: a ~10M model, for a quick check; RUNS=N: each measurement N times, rig and python alternating, the
  median reported (and every run listed); PROFILE_DIR=DIR: LibTorch's profiler op table of each side's timed work in
  DIR/{rig,python}-{lora,generate}/summary.txt (the timings are then the profiled ones).
"""
import json
import math
import mmap
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

THREADS = os.environ.get("BENCH_THREADS", "2")
SMALL = os.environ.get("SMALL") == "1"
CFG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32000, "hidden_size": 768,
       "intermediate_size": 2048, "num_hidden_layers": 10, "num_attention_heads": 12, "num_key_value_heads": 4,
       "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 2048, "tie_word_embeddings": False,
       "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}
if SMALL:
    CFG.update(vocab_size=8000, hidden_size=256, intermediate_size=688, num_hidden_layers=4, num_attention_heads=8,
               num_key_value_heads=2)
LORA = dict(steps=5, batch=4, seq=128)
GEN = dict(prompt=32, new=64)


# ---- the checkpoint --------------------------------------------------------------------------------------------------

def write_checkpoint(d, shards=4):
    rng = np.random.default_rng(0)
    C, I, V = CFG["hidden_size"], CFG["intermediate_size"], CFG["vocab_size"]
    H, KV = CFG["num_attention_heads"], CFG["num_key_value_heads"]
    hd = C // H
    shapes = {"model.embed_tokens.weight": (V, C)}
    for l in range(CFG["num_hidden_layers"]):
        p = f"model.layers.{l}."
        shapes.update({p + "self_attn.q_proj.weight": (H * hd, C), p + "self_attn.k_proj.weight": (KV * hd, C),
                       p + "self_attn.v_proj.weight": (KV * hd, C), p + "self_attn.o_proj.weight": (C, H * hd),
                       p + "mlp.gate_proj.weight": (I, C), p + "mlp.up_proj.weight": (I, C),
                       p + "mlp.down_proj.weight": (C, I), p + "input_layernorm.weight": (C,),
                       p + "post_attention_layernorm.weight": (C,)})
    shapes["model.norm.weight"] = (C,)
    shapes["lm_head.weight"] = (V, C)
    names = list(shapes)
    weight_map, total = {}, 0
    for s in range(shards):
        part = names[s::shards]
        fname = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        header, offset = {}, 0
        for n in part:
            size = 4 * int(np.prod(shapes[n]))
            header[n] = {"dtype": "F32", "shape": list(shapes[n]), "data_offsets": [offset, offset + size]}
            offset += size
        h = json.dumps(header).encode()
        h += b" " * ((8 - len(h) % 8) % 8)
        with open(os.path.join(d, fname), "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h)
            for n in part:
                shape = shapes[n]
                a = (1 + 0.02 * rng.standard_normal(shape)) if len(shape) == 1 else \
                    rng.standard_normal(shape) / math.sqrt(shape[-1])
                f.write(a.astype("<f4").tobytes())
        weight_map.update({n: fname for n in part})
        total += offset
    json.dump({"metadata": {"total_size": total}, "weight_map": weight_map},
              open(os.path.join(d, "model.safetensors.index.json"), "w"))
    json.dump(CFG, open(os.path.join(d, "config.json"), "w"))
    return total


# ---- the Python side (run in child processes) ------------------------------------------------------------------------

PY_SIDE = r'''
import json, math, mmap, os, resource, struct, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
torch.manual_seed(0)
mode, d = sys.argv[1], sys.argv[2]
# The process's RSS before the checkpoint is touched (Python and LibTorch loaded, no model), in MiB.
baseline = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024.0

class profiled:
    """BENCH_PROFILE=DIR: LibTorch's profiler op table of the timed work, written to DIR/summary.txt."""
    def __enter__(self):
        self.dir = os.environ.get("BENCH_PROFILE")
        if self.dir:
            self.prof = torch.autograd.profiler.profile()
            self.prof.__enter__()
        return self
    def __exit__(self, *exc):
        if self.dir:
            self.prof.__exit__(*exc)
            os.makedirs(self.dir, exist_ok=True)
            with open(os.path.join(self.dir, "summary.txt"), "w") as f:
                f.write(self.prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=-1))
cfg = json.load(open(os.path.join(d, "config.json")))

class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__(); self.weight = nn.Parameter(torch.ones(n)); self.eps = eps
    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), -1)

class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kv = c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = c["hidden_size"] // self.h
        self.q_proj = nn.Linear(c["hidden_size"], self.h * self.hd, bias=False)
        self.k_proj = nn.Linear(c["hidden_size"], self.kv * self.hd, bias=False)
        self.v_proj = nn.Linear(c["hidden_size"], self.kv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.h * self.hd, c["hidden_size"], bias=False)
    def forward(self, x, cos, sin, cache=None):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.kv, self.hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if cache is not None:
            if cache[0] is not None:
                k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        rep = self.h // self.kv
        k = k.repeat_interleave(rep, 1); v = v.repeat_interleave(rep, 1)
        s = q @ k.transpose(-2, -1) / math.sqrt(self.hd)
        S = k.shape[2]
        if T > 1:
            s = s + torch.full((T, S), float("-inf")).triu(S - T + 1)
        y = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, -1)
        return self.o_proj(y)

class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)
    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))

class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn, self.mlp = Attention(c), MLP(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
    def forward(self, x, cos, sin, cache=None):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, cache)
        return x + self.mlp(self.post_attention_layernorm(x))

class Inner(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = Inner(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        hd = c["hidden_size"] // c["num_attention_heads"]
        self.inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
    def forward(self, ids, caches=None, offset=0):
        T = ids.shape[1]
        f = torch.outer(torch.arange(offset, offset + T).float(), self.inv_freq)
        emb = torch.cat([f, f], -1)
        cos, sin = emb.cos(), emb.sin()
        x = self.model.embed_tokens(ids)
        for i, layer in enumerate(self.model.layers):
            x = layer(x, cos, sin, None if caches is None else caches[i])
        return self.lm_head(self.model.norm(x))

def load_safetensors(path):
    f = open(path, "rb")
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    n = struct.unpack("<Q", m[:8])[0]
    header = json.loads(m[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = torch.frombuffer(m, dtype=torch.float32, count=(e - b) // 4, offset=8 + n + b).view(t["shape"])
    return out

t0 = time.perf_counter()
model = Llama(cfg)
index = json.load(open(os.path.join(d, "model.safetensors.index.json")))
for shard in sorted(set(index["weight_map"].values())):
    model.load_state_dict(load_safetensors(os.path.join(d, shard)), strict=False)
load_s = time.perf_counter() - t0
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
if mode == "load":
    print(json.dumps({"seconds": load_s, "peak_rss_mb": rss(), "baseline_rss_mb": baseline}))
    sys.exit(0)

class LoRALinear(nn.Module):
    def __init__(self, base, r=8, alpha=16):
        super().__init__()
        self.base, self.scale = base, alpha / r
        self.A = nn.Parameter(torch.empty(r, base.in_features).uniform_(-1 / math.sqrt(base.in_features), 1 / math.sqrt(base.in_features)))
        self.B = nn.Parameter(torch.zeros(base.out_features, r))
    def forward(self, x):
        return self.base(x) + F.linear(F.linear(x, self.A), self.B) * self.scale

if mode == "lora":
    steps, B, T = map(int, sys.argv[3:6])
    for p in model.parameters():
        p.requires_grad_(False)
    for layer in model.model.layers:
        for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
            setattr(layer.self_attn, n, LoRALinear(getattr(layer.self_attn, n)))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    tokens = torch.randint(0, cfg["vocab_size"], (B, T + 1))
    x, y = tokens[:, :-1], tokens[:, 1:]
    model.train()
    def step():
        opt.zero_grad()
        logits = model(x)
        F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
        opt.step()
    step()
    t = time.perf_counter()
    with profiled():
        for _ in range(steps):
            step()
    s = time.perf_counter() - t
    print(json.dumps({"seconds": s, "tokens_per_s": steps * B * T / s, "peak_rss_mb": rss(), "baseline_rss_mb": baseline}))
elif mode == "generate":
    plen, n = map(int, sys.argv[3:5])
    prompt = [(i * 7919) % cfg["vocab_size"] for i in range(plen)]
    model.eval()
    def generate(new):
        with torch.no_grad():
            caches = [[None, None] for _ in model.model.layers]
            ids, out, offset = torch.tensor([prompt]), [], 0
            for _ in range(new):
                logits = model(ids, caches, offset)
                offset += ids.shape[1]
                nxt = int(logits[0, -1].argmax())
                out.append(nxt)
                ids = torch.tensor([[nxt]])
            return out
    generate(4)
    t = time.perf_counter()
    with profiled():
        out = generate(n)
    s = time.perf_counter() - t
    print(json.dumps({"seconds": s, "tokens_per_s": len(out) / s, "peak_rss_mb": rss(), "baseline_rss_mb": baseline}))
'''


def run(cmd, profile=None):
    env = dict(os.environ, OMP_NUM_THREADS=THREADS, BENCH_THREADS=THREADS)
    env.pop("BENCH_PROFILE", None)
    if profile:
        env["BENCH_PROFILE"] = profile
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rig = os.path.join(build, "bench", "rig_bench_llama")
    if not os.path.exists(rig):
        print(f"compare_llama: {rig} not built; skipped")
        return
    runs = int(os.environ.get("RUNS", "1"))
    profile_dir = os.environ.get("PROFILE_DIR")
    work = tempfile.mkdtemp(prefix="rig_bench_llama_")
    try:
        size = write_checkpoint(work)
        params, model_mib = size // 4, size / 2**20
        print(f"model: {params / 1e6:.1f}M parameters, {model_mib:.0f} MiB float32 in 4 shards; "
              f"{THREADS} threads each side; median of {runs} run(s), rig and python alternating; "
              f"load average before {os.getloadavg()[0]:.2f}")
        py = os.path.join(work, "py_side.py")
        open(py, "w").write(PY_SIDE)
        rows = [("load", ["load"], "seconds"),
                ("LoRA step", ["lora", str(LORA["steps"]), str(LORA["batch"]), str(LORA["seq"])], "tokens_per_s"),
                ("generate (KV cache)", ["generate", str(GEN["prompt"]), str(GEN["new"])], "tokens_per_s")]
        for label, args, key in rows:
            rs, ps = [], []
            for _ in range(runs):
                rs.append(run([rig, args[0], work] + args[1:],
                              profile_dir and os.path.join(profile_dir, "rig-" + args[0])))
                ps.append(run(["/usr/bin/python3", py, args[0], work] + args[1:],
                              profile_dir and os.path.join(profile_dir, "python-" + args[0])))
            r = {k: median([x[k] for x in rs]) for k in rs[0]}
            p = {k: median([x[k] for x in ps]) for k in ps[0]}
            ratio = (p[key] / r[key]) if key == "seconds" else (r[key] / p[key])
            unit = "s" if key == "seconds" else "tokens/s"
            r_above, p_above = r["peak_rss_mb"] - r["baseline_rss_mb"], p["peak_rss_mb"] - p["baseline_rss_mb"]
            print(f"{label:20s} rig {r[key]:9.2f} {unit}  python3-torch {p[key]:9.2f} {unit}  "
                  f"ratio (rig faster > 1) {ratio:.2f}   peak RSS rig {r['peak_rss_mb']:.0f} MiB, "
                  f"python {p['peak_rss_mb']:.0f} MiB; above the process baseline (rig {r['baseline_rss_mb']:.0f}, "
                  f"python {p['baseline_rss_mb']:.0f} MiB) rig {r_above:.0f} = {r_above / model_mib:.2f}x the model, "
                  f"python {p_above:.0f} = {p_above / model_mib:.2f}x  [load average {os.getloadavg()[0]:.2f}]")
            if runs > 1:
                print(f"{'':20s} runs: rig " + " ".join(f"{x[key]:.2f}" for x in rs) + " | python " +
                      " ".join(f"{x[key]:.2f}" for x in ps))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
