#!/usr/bin/python3
"""The `--config hf` recipes honour device, dtype, autocast and the profiler, checked from outside the recipe.

On a tiny random Llama checkpoint (float32 safetensors, written here with hf_checkpoint_test.py's writer):
  - full_finetune / lora_finetune with dtype=bf16: finite losses, and the weights really were bfloat16: every float32
    tensor of the exported OUT/hf has its low 16 bits zero (a bf16 value widened), which the source's have not;
  - autocast=true dtype=bf16: trains, and the weights stayed float32 (the export keeps low bits);
  - profiler.enabled=true: profile/trace.json parses as JSON and names the Llama's matrix products, for the
    fine-tuning loop and for generate's decoding steps;
  - generate with dtype=bf16 (and autocast) gives a completion;
  - device=cuda on this CPU-only LibTorch: exit 2 and a located rig.torch.device error, for generate and fine-tuning
    (full_finetune; lora_finetune runs the same function);
  - a `dtype` in the model section is refused at that key (the top-level `dtype` is the one source);
  - data parallel: `rig run --nproc 2` with batch 2 logs the same losses, tokens and validation metrics as one
    process with batch 4 (2 accumulated micro-batches, examples of different lengths) and exports the same weights;
    rank 0 alone writes the run directory. For lora_finetune and full_finetune.
Only the CPU is tested: the machine has no GPU.

Usage: hf_recipes_test.py HF_PROBE RIG_TOOL
"""
import json
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_checkpoint_test as hc  # noqa: E402  (reads HF_PROBE RIG_TOOL from sys.argv too)

RIG = hc.RIG
check = hc.check
NO_CRASH = re.compile(r"abort|segmentation|terminate called|core dumped", re.I)


def run(recipe, *args, out):
    r = hc.run([RIG, "run", recipe, "--config", "hf", *args, "--output-dir", out])
    return r.returncode, r.stdout + r.stderr


def losses(out):
    try:
        return [json.loads(l)["loss"] for l in open(os.path.join(out, "metrics.jsonl")) if '"loss"' in l]
    except OSError:
        return []


def float_words(d):
    """Every float32 tensor of checkpoint directory d, as uint32 words."""
    return {n: np.frombuffer(b, dtype=np.uint32) for n, (dt, _shape, b) in hc.read_dir_tensors(d).items() if dt == "F32"}


def bf16_held(d):
    """True when every float32 weight of d has zero low 16 bits: each is a bfloat16 value."""
    words = float_words(d)
    return bool(words) and all(not (w & 0xFFFF).any() for w in words.values())


def trace_ops(out):
    """The event names of OUT/profile/trace.json (None when missing or not JSON)."""
    try:
        return [e["name"] for e in json.load(open(os.path.join(out, "profile", "trace.json")))["traceEvents"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def tests(work):
    rng = np.random.default_rng(7)
    tok, _ref, added = hc.make_tokenizer("llama3")
    # vocab_size: the tokenizer's, so that any sampled id decodes.
    cfg = hc.base_config("LlamaForCausalLM", vocab_size=max(added.values()) + 1, eos_token_id=added["<|eot_id|>"],
                         bos_token_id=added["<|begin_of_text|>"])
    ckpt = os.path.join(work, "llama")
    hc.write_checkpoint(ckpt, cfg, hc.make_weights(cfg, rng), "F32", 1, tok)
    check(not bf16_held(ckpt), "the source checkpoint's float32 weights are not all bf16 values (the test can fail)")
    data = os.path.join(work, "data.jsonl")
    with open(data, "w") as f:
        for i in range(6):
            f.write(json.dumps({"instruction": f"Say {i}", "input": "", "output": f"It is {i}."}) + "\n")
    train = [f"checkpoint_dir={ckpt}", f"dataset.path={data}", "threads=1", "loader.batch_size=2"]

    # -- dtype=bf16: the weights are bf16 from loading to the export
    for recipe in ("full_finetune", "lora_finetune"):
        out = os.path.join(work, recipe + "_bf16")
        extra = ["profiler.enabled=true"] if recipe == "lora_finetune" else []
        rc, text = run(recipe, *train, "steps=5", "dtype=bf16", *extra, out=out)
        ls = losses(out)
        check(rc == 0 and len(ls) == 5 and all(math.isfinite(x) for x in ls),
              f"{recipe} dtype=bf16: 5 finite losses {ls} (rc {rc}) {'' if rc == 0 else text[-800:]}")
        check("weights: bf16 on cpu" in text, f"{recipe} dtype=bf16 reports bf16 weights on the CPU")
        check(os.path.isdir(os.path.join(out, "hf")) and bf16_held(os.path.join(out, "hf")),
              f"{recipe} dtype=bf16: every exported float32 tensor is a bf16 value (the weights were held in bf16)")
        if recipe == "lora_finetune":  # profiler: wait 1, warmup 1, active 3 of the 5 steps
            names = trace_ops(out)
            check(names is not None and sorted(n for n in names if n.startswith("ProfilerStep#"))
                  == ["ProfilerStep#2", "ProfilerStep#3", "ProfilerStep#4"]
                  and any(n in names for n in ("aten::mm", "aten::addmm", "aten::bmm")),
                  f"{recipe} profiler.enabled=true: trace.json parses and names the Llama's matrix products "
                  f"({sorted(set(names or []))[:12]})")
            check(os.path.exists(os.path.join(out, "profile", "summary.txt")), f"{recipe}: profile/summary.txt")

    # -- autocast: fp32 weights, bf16 forward
    out = os.path.join(work, "full_amp")
    rc, text = run("full_finetune", *train, "steps=3", "dtype=bf16", "autocast=true", out=out)
    ls = losses(out)
    check(rc == 0 and len(ls) == 3 and all(math.isfinite(x) for x in ls),
          f"full_finetune autocast=true dtype=bf16: 3 finite losses {ls} (rc {rc}) {'' if rc == 0 else text[-800:]}")
    check("weights: fp32 on cpu, forward autocast to bf16" in text and os.path.isdir(os.path.join(out, "hf"))
          and not bf16_held(os.path.join(out, "hf")),
          "full_finetune autocast=true: the weights stayed float32 (reported, and the export keeps low bits)")
    check(not os.path.exists(os.path.join(out, "profile")), "profiler off by default: no profile directory")

    # -- generate in bf16, with the profiler on the decoding steps
    gen = [f"checkpoint_dir={ckpt}", "prompt=Say 3", "max_new_tokens=6", "temperature=0", "stop_at_eos=false",
           "threads=1"]
    for tag, extra in (("bf16", ["dtype=bf16", "profiler.enabled=true"]), ("amp", ["dtype=bf16", "autocast=true"])):
        out = os.path.join(work, "gen_" + tag)
        rc, text = run("generate", *gen, *extra, out=out)
        try:
            g = json.load(open(os.path.join(out, "generation.json")))
        except (OSError, ValueError):
            g = {}
        toks = g.get("completion_tokens", [])
        check(rc == 0 and len(toks) == 6 and all(0 <= t < cfg["vocab_size"] for t in toks)
              and isinstance(g.get("completion"), str),
              f"generate {' '.join(extra)}: a completion of 6 tokens {toks} (rc {rc}) {'' if rc == 0 else text[-800:]}")
    names = trace_ops(os.path.join(work, "gen_bf16"))
    check(names is not None and sorted(n for n in names if n.startswith("ProfilerStep#"))
          == ["ProfilerStep#2", "ProfilerStep#3", "ProfilerStep#4"]
          and any(n in names for n in ("aten::mm", "aten::addmm", "aten::bmm")),
          f"generate profiler.enabled=true: trace.json parses, 3 decoding steps, the Llama's matrix products "
          f"({sorted(set(names or []))[:12]})")

    # -- device=cuda: a located config error, not a crash
    for recipe, args in (("generate", gen), ("full_finetune", train + ["steps=2"])):
        rc, text = run(recipe, *args, "device=cuda", out=os.path.join(work, recipe + "_cuda"))
        if rc == 0 and "no CUDA" not in text:
            print(f"skip: {recipe} device=cuda ran: this LibTorch has CUDA and a GPU")
            continue
        check(rc == 2 and re.search(r"(?m)^argv\[\d+\]:1:8: error\[rig\.torch\.device\]: .*this LibTorch has no CUDA", text)
              and not NO_CRASH.search(text),
              f"{recipe} device=cuda: exit 2 with a located rig.torch.device error (rc {rc}: {text[-400:]})")

    # -- one source of the weights' dtype: model.dtype is refused at its key
    rc, text = run("full_finetune", *train, "steps=2", "+model.dtype=bfloat16", out=os.path.join(work, "model_dtype"))
    check(rc == 2 and re.search(r"(?m)^argv\[\d+\]:1:\d+: error\[rig\.torch\.dtype\]: model\.dtype", text)
          and not NO_CRASH.search(text),
          f"+model.dtype=bfloat16: exit 2, rig.torch.dtype located at the override (rc {rc}: {text[-400:]})")


    # -- data parallel: 2 processes x batch 2 end where 1 process x batch 4 does (micro-batches accumulated, examples
    #    of different lengths, validation shared out), and rank 0 alone writes. SGD: Adam magnifies float rounding.
    records = os.path.join(work, "records.jsonl")
    with open(records, "w") as f:
        for i in range(16):
            f.write(json.dumps({"instruction": f"Count to {i % 5 + 1}", "input": "",
                                "output": " ".join(str(k) for k in range(i % 5 + 1))}) + "\n")
    common = [f"checkpoint_dir={ckpt}", f"dataset.path={records}", "dataset.chat_template=alpaca", "threads=1",
              "steps=4", "gradient_accumulation_steps=2", "optimizer._component_=rig.torch.SGD", "optimizer.lr=0.5",
              "split.validation_ratio=0.25", "evaluator.every_n_steps=2", "evaluator.batch_size=3", "seed=3"]
    for recipe in ("lora_finetune", "full_finetune"):
        one, two = os.path.join(work, recipe + "_dp1"), os.path.join(work, recipe + "_dp2")
        r1 = hc.run([RIG, "run", recipe, "--config", "hf", *common, "loader.batch_size=4", "--output-dir", one])
        r2 = hc.run([RIG, "run", "--nproc", "2", recipe, "--config", "hf", *common, "loader.batch_size=2",
                     "--output-dir", two])
        ok = r1.returncode == 0 and r2.returncode == 0
        check(ok, f"{recipe} --config hf: 1 process and --nproc 2 run ({r1.returncode}, {r2.returncode}) "
                  f"{'' if ok else (r1.stderr + r2.stderr)[-1500:]}")
        if not ok:
            continue

        def rows(d):
            return [{k: v for k, v in json.loads(l).items() if k != "wall_time"} for l in open(os.path.join(d, "metrics.jsonl"))]

        a, b = rows(one), rows(two)
        same = len(a) == len(b) and all(x.keys() == y.keys() and all(abs(x[k] - y[k]) <= 1e-5 * max(1.0, abs(x[k]))
                                                                      for k in x) for x, y in zip(a, b))
        check(same and sum("loss" in x for x in a) == 4 and any(len(x) > 1 and "loss" not in x for x in a),
              f"{recipe} --nproc 2 x batch 2: every logged value (4 losses, tokens, validation) equals 1 x batch 4 "
              f"({a} vs {b})")
        ta, tb = hc.read_dir_tensors(os.path.join(one, "hf")), hc.read_dir_tensors(os.path.join(two, "hf"))
        src = hc.read_dir_tensors(ckpt)

        def f32(t):
            return np.frombuffer(t[2], dtype=np.float32)

        close = ta.keys() == tb.keys() and all(np.allclose(f32(ta[n]), f32(tb[n]), rtol=1e-4, atol=1e-6) for n in ta)
        moved = any(not np.array_equal(f32(ta[n]), f32(src[n])) for n in ta)
        check(close and moved, f"{recipe} --nproc 2: the exported weights equal 1 process's (and differ from the "
                               f"source: {moved})")
        files = sorted(os.listdir(two))
        check("rank-1.log" in files and all(not f.startswith("rank-") or f == "rank-1.log" for f in files)
              and os.path.isdir(os.path.join(two, "hf")), f"{recipe} --nproc 2: rank 0 writes the run ({files})")


if __name__ == "__main__":
    hc.main(tests, "rig_hf_recipes_")
