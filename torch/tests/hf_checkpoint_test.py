#!/usr/bin/python3
"""Hugging Face checkpoints in rig, against references written here (numpy, python3-regex): no downloads.

Writes tiny random checkpoints (Llama with GQA; Llama-3 rope scaling + tied embeddings; Qwen2 with q/k/v biases;
a sharded BF16 one with an explicit head_dim) and a small byte-level BPE tokenizer.json, then checks:
  - rig's logits equal an independent numpy forward pass within 1e-4 (float32);
  - greedy generation with the KV cache == without it == the reference's tokens;
  - `rig run generate --config hf ...` writes generation.json with the reference tokenizer's prompt tokens and the
    reference's greedy completion (stopping at eos, included);
  - the tokenizer agrees with a reference encoder (python3-regex + BPE by merge rank) on texts incl. non-ASCII;
  - export -> import is bit-identical (every tensor, in its checkpoint dtype);
  - LoRA / full fine-tuning through the recipes lowers the loss and writes OUT/hf/, which generates;
  - every malformed checkpoint gives a located error (file:line:col: error[id]).

Usage: hf_checkpoint_test.py HF_PROBE RIG_TOOL
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
import regex

PROBE, RIG = sys.argv[1], sys.argv[2]
ENV = dict(os.environ, OMP_NUM_THREADS="1")
failures = []


def check(ok, what):
    print(("PASS: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)


# ---- safetensors writer (the format's definition) -------------------------------------------------------------------

def bf16_bits(a):
    """float32 -> bfloat16 bit patterns (round to nearest even)."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, tensors):
    """tensors: list of (name, dtype 'F32'|'BF16'|'F16', float32 array). Returns {name: stored float32 values}."""
    header, blobs, offset, stored = {}, [], 0, {}
    for name, dtype, a in tensors:
        if dtype == "F32":
            raw = np.ascontiguousarray(a, dtype="<f4").tobytes()
            stored[name] = np.asarray(a, dtype=np.float32)
        elif dtype == "F16":
            h = np.asarray(a, dtype="<f2")
            raw = h.tobytes()
            stored[name] = h.astype(np.float32)
        else:
            bits = bf16_bits(a)
            raw = bits.astype("<u2").tobytes()
            stored[name] = bf16_to_f32(bits).reshape(a.shape)
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    return stored


def read_safetensors(path):
    """{name: (dtype, shape, raw bytes)}"""
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = (t["dtype"], t["shape"], data[8 + n + b:8 + n + e])
    return out


def read_dir_tensors(d):
    if os.path.exists(os.path.join(d, "model.safetensors.index.json")):
        index = json.load(open(os.path.join(d, "model.safetensors.index.json")))
        out = {}
        for f in sorted(set(index["weight_map"].values())):
            out.update(read_safetensors(os.path.join(d, f)))
        return out
    return read_safetensors(os.path.join(d, "model.safetensors"))


# ---- a small byte-level BPE tokenizer and its reference encoder -----------------------------------------------------

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                  r"\s*[\r\n]+|\s+(?!\S)|\s+")
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
CORPUS = ("The quick brown fox jumps over the lazy dog. It's a dog's life, isn't it? We'll see: 12345 + 678 = 13023.\n"
          "Über straße café naïve résumé — déjà vu. Ça va? 日本語のテキスト、中文文本。Привет, мир! 🙂🚀 "
          "the the the then there their theory fine-tune fine-tuning tokens tokenizer tokenize\n\n  indented   spaces")


class RefTokenizer:
    """The reference: added tokens split first (longest match), regex pre-tokenization, byte map, BPE by rank."""

    def __init__(self, pattern, merges, vocab, added, ignore_merges, prefix):
        self.pattern = regex.compile(pattern)
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.vocab, self.added, self.ignore_merges, self.prefix = vocab, added, ignore_merges, prefix

    def bpe(self, word):
        if self.ignore_merges and word in self.vocab:
            return [self.vocab[word]]
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((parts[i], parts[i + 1]), 1 << 30), i) for i in range(len(parts) - 1)]
            rank, _ = min(pairs)
            if rank == 1 << 30:
                break
            a = min(pairs)[1]
            first, second = parts[a], parts[a + 1]
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and parts[i] == first and parts[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return [self.vocab[p] for p in parts]

    def token_bytes(self, i):
        for k, v in self.added.items():
            if v == i:
                return k.encode("utf-8")
        tok = next(k for k, v in self.vocab.items() if v == i)
        return bytes(BYTE_DECODER[c] for c in tok)

    def encode_plain(self, text):
        ids = []
        for piece in self.pattern.findall(text):
            ids += self.bpe("".join(BYTE_ENCODER[b] for b in piece.encode("utf-8")))
        return ids

    def encode(self, text):
        ids, i, last = [], 0, 0
        specials = sorted(self.added, key=len, reverse=True)
        while i < len(text):
            hit = next((s for s in specials if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            ids += self.encode_plain(text[last:i]) + [self.added[hit]]
            i += len(hit)
            last = i
        return self.prefix + ids + self.encode_plain(text[last:])


def train_merges(pattern, n_merges):
    words = {}
    for piece in regex.findall(pattern, CORPUS):
        w = tuple(BYTE_ENCODER[b] for b in piece.encode("utf-8"))
        words[w] = words.get(w, 0) + 1
    merges = []
    for _ in range(n_merges):
        counts = {}
        for w, c in words.items():
            for p in zip(w, w[1:]):
                counts[p] = counts.get(p, 0) + c
        if not counts:
            break
        best = max(sorted(counts), key=lambda p: counts[p])
        merges.append(best)
        new = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] = new.get(tuple(out), 0) + c
        words = new
    return merges


def make_tokenizer(style):
    """style 'llama3': Split(regex) + ByteLevel(use_regex=false), BOS by TemplateProcessing, ignore_merges;
    style 'gpt2': ByteLevel(use_regex=true), no post-processor tokens (Qwen2-like: no BOS)."""
    pattern = LLAMA3_PATTERN if style == "llama3" else GPT2_PATTERN
    merges = train_merges(pattern, 90)
    vocab = {BYTE_ENCODER[b]: i for i, b in enumerate(sorted(BYTE_ENCODER))}
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    if style == "llama3":
        names = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    else:
        names = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    added = {n: len(vocab) + i for i, n in enumerate(names)}
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": n, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for n, i in added.items()],
        "normalizer": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": style == "llama3", "vocab": vocab,
                  "merges": [[a, b] for a, b in merges] if style == "llama3" else [a + " " + b for a, b in merges]},
    }
    if style == "llama3":
        bos = added["<|begin_of_text|>"]
        tok["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
        tok["post_processor"] = {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [bos], "tokens": ["<|begin_of_text|>"]}}}]}
        prefix = [bos]
    else:
        tok["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
        tok["post_processor"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
        prefix = []
    ref = RefTokenizer(pattern, merges, vocab, added, style == "llama3", prefix)
    return tok, ref, added


# ---- random checkpoints and the numpy reference forward pass --------------------------------------------------------

def make_weights(cfg, rng):
    V, C, I, L = cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or C // H
    bias = cfg["architectures"][0] == "Qwen2ForCausalLM"

    def lin(o, i):
        return (rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32)

    # Small embeddings and strong layers: greedy continuations then vary (a tied model with large embeddings would
    # mostly repeat the last token, which tests the cache little).
    w = {"model.embed_tokens.weight": (0.3 * rng.standard_normal((V, C))).astype(np.float32)}
    for l in range(L):
        p = f"model.layers.{l}."
        w[p + "self_attn.q_proj.weight"] = lin(H * hd, C)
        w[p + "self_attn.k_proj.weight"] = lin(KV * hd, C)
        w[p + "self_attn.v_proj.weight"] = lin(KV * hd, C)
        w[p + "self_attn.o_proj.weight"] = 2 * lin(C, H * hd)
        if bias:
            for n, o in (("q", H * hd), ("k", KV * hd), ("v", KV * hd)):
                w[p + f"self_attn.{n}_proj.bias"] = (0.1 * rng.standard_normal(o)).astype(np.float32)
        w[p + "mlp.gate_proj.weight"] = lin(I, C)
        w[p + "mlp.up_proj.weight"] = lin(I, C)
        w[p + "mlp.down_proj.weight"] = 2 * lin(C, I)
        w[p + "input_layernorm.weight"] = (1 + 0.1 * rng.standard_normal(C)).astype(np.float32)
        w[p + "post_attention_layernorm.weight"] = (1 + 0.1 * rng.standard_normal(C)).astype(np.float32)
    w["model.norm.weight"] = (1 + 0.1 * rng.standard_normal(C)).astype(np.float32)
    if not cfg.get("tie_word_embeddings", False):
        w["lm_head.weight"] = lin(V, C)
    return w


def ref_inv_freq(cfg, hd):
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (np.arange(0, hd, 2, dtype=np.float64) / hd))
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type") == "llama3":
        factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        out = []
        for f in inv:
            wavelen = 2 * np.pi / f
            if wavelen < old / high:
                out.append(f)
            elif wavelen > old / low:
                out.append(f / factor)
            else:
                s = (old / wavelen - low) / (high - low)
                out.append((1 - s) * f / factor + s * f)
        inv = np.array(out)
    return inv


def ref_forward(cfg, w, ids):
    """float64 logits [T, V] of a Llama-family decoder, written from the transformers definition."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    C, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or C // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    T = len(ids)

    def rms(x, g):
        return g * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))

    def rot(x):
        return np.concatenate([-x[..., hd // 2:], x[..., :hd // 2]], -1)

    ang = np.outer(np.arange(T), ref_inv_freq(cfg, hd))
    cos, sin = np.cos(np.concatenate([ang, ang], -1)), np.sin(np.concatenate([ang, ang], -1))
    x = w["model.embed_tokens.weight"][ids]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms(x, w[p + "input_layernorm.weight"])
        proj = {}
        for n in "qkv":
            y = h @ w[p + f"self_attn.{n}_proj.weight"].T
            if p + f"self_attn.{n}_proj.bias" in w:
                y = y + w[p + f"self_attn.{n}_proj.bias"]
            proj[n] = y.reshape(T, -1, hd).transpose(1, 0, 2)  # [heads, T, hd]
        q = proj["q"] * cos + rot(proj["q"]) * sin
        k = proj["k"] * cos + rot(proj["k"]) * sin
        out = np.zeros((H, T, hd))
        for head in range(H):
            g = head // (H // KV)
            s = q[head] @ k[g].T / np.sqrt(hd)
            s = s + np.triu(np.full((T, T), -np.inf), 1)
            s = np.exp(s - s.max(-1, keepdims=True))
            out[head] = (s / s.sum(-1, keepdims=True)) @ proj["v"][g]
        x = x + out.transpose(1, 0, 2).reshape(T, H * hd) @ w[p + "self_attn.o_proj.weight"].T
        h = rms(x, w[p + "post_attention_layernorm.weight"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        x = x + ((gate / (1 + np.exp(-gate))) * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    x = rms(x, w["model.norm.weight"])
    head = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]
    return x @ head.T


def ref_greedy(cfg, w, ids, n, eos=()):
    ids, out = list(ids), []
    for _ in range(n):
        nxt = int(np.argmax(ref_forward(cfg, w, ids)[-1]))
        ids.append(nxt)
        out.append(nxt)
        if nxt in eos:
            break
    return out


def write_checkpoint(d, cfg, w, dtype="F32", shards=1, tokenizer=None):
    os.makedirs(d, exist_ok=True)
    json.dump(cfg, open(os.path.join(d, "config.json"), "w"), indent=2)
    names = list(w)
    stored = {}
    if shards == 1:
        stored = write_safetensors(os.path.join(d, "model.safetensors"), [(n, dtype, w[n]) for n in names])
    else:
        weight_map = {}
        for s in range(shards):
            part = names[s::shards]
            fname = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            stored.update(write_safetensors(os.path.join(d, fname), [(n, dtype, w[n]) for n in part]))
            weight_map.update({n: fname for n in part})
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map},
                  open(os.path.join(d, "model.safetensors.index.json"), "w"), indent=2)
    if tokenizer is not None:
        json.dump(tokenizer, open(os.path.join(d, "tokenizer.json"), "w"), ensure_ascii=False)
    return stored


def base_config(arch, **kw):
    cfg = {"architectures": [arch], "model_type": {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2"}[arch],
           "vocab_size": 384, "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
           "num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
           "max_position_embeddings": 256, "tie_word_embeddings": False, "bos_token_id": 0, "eos_token_id": 1,
           "torch_dtype": "float32"}
    cfg.update(kw)
    return cfg


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, env=ENV, **kw)


def main(body=None, prefix="rig_hf_test_"):
    """Runs body(work) (this file's tests by default) in a fresh temporary directory; exit status 1 on any failure."""
    work = tempfile.mkdtemp(prefix=prefix)
    try:
        (body or tests)(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} FAILED", file=sys.stderr)
        sys.exit(1)
    print("all passed")


def tests(work):
    rng = np.random.default_rng(19)
    llama_tok, llama_ref, llama_added = make_tokenizer("llama3")
    gpt2_tok, gpt2_ref, gpt2_added = make_tokenizer("gpt2")
    eot = llama_added["<|eot_id|>"]
    models = {
        "llama_gqa": (base_config("LlamaForCausalLM", eos_token_id=eot, bos_token_id=llama_added["<|begin_of_text|>"]),
                      "F32", 1, llama_tok),
        "llama3_scaled_tied": (base_config("LlamaForCausalLM", num_attention_heads=8, num_key_value_heads=2,
                                           intermediate_size=128, rope_theta=500000.0, tie_word_embeddings=True,
                                           eos_token_id=[llama_added["<|end_of_text|>"], eot],
                                           rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                         "high_freq_factor": 4.0,
                                                         "original_max_position_embeddings": 64}),
                               "F32", 1, llama_tok),
        "qwen2_bias": (base_config("Qwen2ForCausalLM", hidden_size=48, num_attention_heads=6, num_key_value_heads=2,
                                   intermediate_size=96, rms_norm_eps=1e-6, rope_theta=1000000.0,
                                   tie_word_embeddings=True, eos_token_id=gpt2_added["<|im_end|>"]),
                       "F32", 1, gpt2_tok),
        "sharded_bf16": (base_config("LlamaForCausalLM", num_hidden_layers=3, num_key_value_heads=1, head_dim=32,
                                     torch_dtype="bfloat16", eos_token_id=eot),
                         "BF16", 3, llama_tok),
    }
    stored = {}
    for name, (cfg, dtype, shards, tok) in models.items():
        w = make_weights(cfg, rng)
        stored[name] = write_checkpoint(os.path.join(work, name), cfg, w, dtype, shards, tok)

    # -- logits and generation against the reference
    prompt = [int(x) for x in rng.integers(0, 300, size=7)]
    for name, (cfg, *_rest) in models.items():
        d = os.path.join(work, name)
        out = os.path.join(work, name + ".logits")
        r = run([PROBE, "logits", d, out] + [str(i) for i in prompt])
        if r.returncode != 0:
            check(False, f"{name}: logits ({r.stderr.strip()})")
            continue
        got = np.fromfile(out, dtype=np.float32).reshape(len(prompt), cfg["vocab_size"])
        want = ref_forward(cfg, stored[name], prompt)
        err = float(np.abs(got - want).max())
        check(err < 1e-4, f"{name}: logits equal the numpy reference (max |diff| {err:.2e} < 1e-4)")
        ref_tokens = ref_greedy(cfg, stored[name], prompt, 8)
        cached = run([PROBE, "generate", d, "8", "cache"] + [str(i) for i in prompt]).stdout.split()
        uncached = run([PROBE, "generate", d, "8", "nocache"] + [str(i) for i in prompt]).stdout.split()
        check([int(t) for t in cached] == ref_tokens and cached == uncached,
              f"{name}: greedy with KV cache {cached} == without {uncached} == reference {ref_tokens}")

    # -- the tokenizer
    texts = ["Hello world", "It's the dog's  toy, isn't it?", "naïve café — déjà vu", "日本語のテキスト",
             "Привет, мир! 🙂🚀", "12345678 numbers 3.14159", "  leading and trailing  ", "tabs\tand\nnew\n\nlines\r\n",
             "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>", "the theory of tokens", "",
             "mixed: Ünïcödé ŁÓDŹ ǅ Ⅻ ① 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "emoji👩‍👩‍👧 family", "<|im_start|>system\nYou are<|im_end|>"]
    texts += ["".join(chr(c) for c in rng.integers(32, 0x3000, size=20)) for _ in range(20)]
    for name, ref in (("llama_gqa", llama_ref), ("qwen2_bias", gpt2_ref)):
        f = os.path.join(work, "texts.bin")
        open(f, "wb").write(b"\0".join(t.encode("utf-8") for t in texts))
        r = run([PROBE, "encode", os.path.join(work, name), f])
        lines = r.stdout.split("\n")[:len(texts)]
        got = [[int(x) for x in line.split()] for line in lines]
        want = [ref.encode(t) for t in texts]
        bad = [t for t, g, w_ in zip(texts, got, want) if g != w_]
        check(r.returncode == 0 and not bad,
              f"{name} tokenizer agrees with the reference on {len(texts)} texts and round-trips"
              + (f" (differs on {bad[:2]!r}; {r.stderr.strip()})" if bad or r.returncode else ""))

    # -- generate through the recipe: the command-line contract
    gprompt = "The quick brown fox"
    for name, ref in (("llama_gqa", llama_ref), ("qwen2_bias", gpt2_ref)):
        cfg = models[name][0]
        d = os.path.join(work, name)
        ptoks = ref.encode(gprompt)
        full = ref_greedy(cfg, stored[name], ptoks, 6)
        # eos: a token the greedy continuation reaches at its 3rd step (unless it appears earlier).
        eos = full[2]
        cut = full[:full.index(eos) + 1]
        cfg2 = dict(cfg, eos_token_id=eos)
        d2 = d + "_eos"
        shutil.copytree(d, d2)
        json.dump(cfg2, open(os.path.join(d2, "config.json"), "w"))
        for dd, want_tokens, label in ((d, full, "max_new_tokens"), (d2, cut, "eos")):
            out = os.path.join(work, "gen_" + os.path.basename(dd))
            r = run([RIG, "run", "generate", "--config", "hf", f"checkpoint_dir={dd}", f"prompt={gprompt}",
                     "max_new_tokens=6", "temperature=0", "--output-dir", out])
            try:
                g = json.load(open(os.path.join(out, "generation.json")))
            except OSError:
                check(False, f"{name}: generate wrote no generation.json ({r.stdout[-300:]} {r.stderr[-500:]})")
                continue
            expected_completion = b"".join(ref.token_bytes(t) for t in want_tokens).decode("utf-8", "replace")
            check(g["prompt"] == gprompt and g["prompt_tokens"] == ptoks and g["completion_tokens"] == want_tokens
                  and list(g) == ["prompt", "prompt_tokens", "completion_tokens", "completion"],
                  f"{name}: generate --config hf ({label}) gives prompt_tokens {g['prompt_tokens']} and completion "
                  f"{g['completion_tokens']} (reference {ptoks}, {want_tokens})")
            check(g["completion"] == expected_completion,
                  f"{name}: completion {g['completion']!r} is the completion tokens' text {expected_completion!r}")

    # -- export -> import is bit-identical
    for name in models:
        src = os.path.join(work, name)
        dst = os.path.join(work, name + "_export")
        r = run([PROBE, "export", src, dst])
        if r.returncode != 0:
            check(False, f"{name}: export failed: {r.stderr.strip()}")
            continue
        a, b = read_dir_tensors(src), read_dir_tensors(dst)
        check(a == b, f"{name}: export reproduces every tensor bit for bit (dtype, shape, bytes)")
        dst2 = dst + "2"
        run([PROBE, "export", dst, dst2])
        check(read_dir_tensors(dst2) == a, f"{name}: export of the export is the same again")
    # bf16 in memory: the bf16 checkpoint loaded as bfloat16 exports the same bits too
    r = run([PROBE, "export", os.path.join(work, "sharded_bf16"), os.path.join(work, "bf16_as_bf16"), "bfloat16"])
    check(r.returncode == 0 and read_dir_tensors(os.path.join(work, "bf16_as_bf16")) ==
          read_dir_tensors(os.path.join(work, "sharded_bf16")), "sharded_bf16 loaded as bfloat16 exports bit-identically")

    # -- fine-tuning through the recipes
    data = os.path.join(work, "data.jsonl")
    with open(data, "w") as f:
        for i in range(8):
            f.write(json.dumps({"instruction": f"Say the number {i}", "input": "", "output": f"The number is {i}."}) + "\n")
        f.write(json.dumps({"messages": [{"role": "user", "content": "Hi"},
                                         {"role": "assistant", "content": "Hello! How can I help?"}]}) + "\n")
    for recipe in ("lora_finetune", "full_finetune"):
        out = os.path.join(work, recipe)
        r = run([RIG, "run", recipe, "--config", "hf", f"checkpoint_dir={os.path.join(work, 'llama_gqa')}",
                 f"dataset.path={data}", "steps=30", "optimizer.lr=3e-3", "gradient_accumulation_steps=2",
                 "--output-dir", out])
        if r.returncode != 0:
            check(False, f"{recipe} --config hf failed: {r.stdout[-500:]} {r.stderr[-1500:]}")
            continue
        losses = [json.loads(l)["loss"] for l in open(os.path.join(out, "metrics.jsonl")) if '"loss"' in l]
        check(len(losses) == 30 and np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5]),
              f"{recipe}: the loss falls ({np.mean(losses[:5]):.3f} -> {np.mean(losses[-5:]):.3f})")
        base, tuned = read_dir_tensors(os.path.join(work, "llama_gqa")), read_dir_tensors(os.path.join(out, "hf"))
        changed = sorted(n for n in base if base[n] != tuned[n])
        if recipe == "lora_finetune":
            check(changed and all(".self_attn." in n and n.endswith("_proj.weight") for n in changed),
                  f"lora_finetune: OUT/hf changes only the adapted projections ({len(changed)} tensors)")
        else:
            check(len(changed) > len(base) // 2, f"full_finetune: OUT/hf changes the weights ({len(changed)} tensors)")
        g_out = os.path.join(work, recipe + "_gen")
        r = run([RIG, "run", "generate", "--config", "hf", f"checkpoint_dir={os.path.join(out, 'hf')}",
                 "prompt=Say the number 3", "max_new_tokens=5", "temperature=0", "--output-dir", g_out])
        check(r.returncode == 0 and os.path.exists(os.path.join(g_out, "generation.json")),
              f"{recipe}: the exported OUT/hf generates {r.stderr[-300:]}")

    # -- malformed checkpoints: located errors
    good = os.path.join(work, "llama_gqa")
    st_path = "model.safetensors"

    def variant(tag, mutate):
        d = os.path.join(work, "bad_" + tag)
        shutil.copytree(good, d)
        mutate(d)
        return d

    def rewrite_header(d, fn):
        p = os.path.join(d, st_path)
        data = open(p, "rb").read()
        n = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + n])
        fn(header)
        h = json.dumps(header).encode()
        h += b" " * ((8 - len(h) % 8) % 8)
        open(p, "wb").write(struct.pack("<Q", len(h)) + h + data[8 + n:])

    def truncate(d):
        p = os.path.join(d, st_path)
        data = open(p, "rb").read()
        open(p, "wb").write(data[:len(data) - 100])

    def header_too_long(d):
        p = os.path.join(d, st_path)
        data = open(p, "rb").read()
        open(p, "wb").write(struct.pack("<Q", len(data) * 2) + data[8:])

    def set_field(name, key, value):
        return lambda d: rewrite_header(d, lambda h: h[name].__setitem__(key, value))

    def overlap(h):
        a = h["model.layers.0.mlp.up_proj.weight"]["data_offsets"]
        b = h["model.layers.0.mlp.gate_proj.weight"]
        b["data_offsets"] = [a[0], a[0] + (b["data_offsets"][1] - b["data_offsets"][0])]

    def config_edit(**kw):
        def f(d):
            c = json.load(open(os.path.join(d, "config.json")))
            c.update(kw)
            json.dump(c, open(os.path.join(d, "config.json"), "w"), indent=2)
        return f

    def drop_tensor(h):
        del h["model.layers.1.mlp.down_proj.weight"]

    q = "model.layers.0.self_attn.q_proj.weight"
    cases = [
        ("truncated", truncate, "rig.torch.safetensors.truncated", "model.safetensors"),
        ("header_longer_than_file", header_too_long, "rig.torch.safetensors.truncated", "model.safetensors"),
        ("wrong_shape", set_field(q, "shape", [32, 128]), "rig.torch.hf.shape", q),
        ("unknown_dtype", set_field(q, "dtype", "F33"), "rig.torch.safetensors.dtype", q),
        ("unloadable_dtype", lambda d: rewrite_header(d, lambda h: h[q].update(dtype="I32")), "rig.torch.hf.dtype", q),
        ("overlapping_offsets", lambda d: rewrite_header(d, overlap), "rig.torch.safetensors.overlap", "data_offsets"),
        ("missing_tensor", lambda d: rewrite_header(d, drop_tensor), "rig.torch.hf.missing_tensor",
         "model.layers.1.mlp.down_proj.weight"),
        ("unknown_architecture", config_edit(architectures=["GPT2LMHeadModel"]), "rig.torch.hf.architecture",
         "config.json"),
        ("config_disagrees", config_edit(intermediate_size=200), "rig.torch.hf.shape", "config.json"),
        ("bad_heads", config_edit(num_key_value_heads=3), "rig.torch.hf.config", "config.json"),
    ]
    for tag, mutate, error_id, mention in cases:
        d = variant(tag, mutate)
        r = run([PROBE, "check", d])
        text = r.stdout + r.stderr
        located = regex.search(r"[^\s:]+:\d+:\d+: error\[", text) or regex.search(r"[^\s:]+: error\[", text)
        check(r.returncode == 2 and f"error[{error_id}]" in text and mention in text and located is not None,
              f"malformed ({tag}): exit 2, located error[{error_id}] naming {mention}"
              + ("" if r.returncode == 2 and f"error[{error_id}]" in text else f" -- got rc {r.returncode}: {text[:400]}"))


if __name__ == "__main__":
    main()
