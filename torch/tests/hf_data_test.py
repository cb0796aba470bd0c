#!/usr/bin/python3
"""Fine-tuning data of Hugging Face checkpoints in rig, against references written here: no downloads.

  - a checkpoint directory whose tokenizer is a SentencePiece tokenizer.model (Llama 2 / Mistral style, no
    tokenizer.json): a tiny BPE model with byte fallback is trained here with python3-sentencepiece; rig's ids are
    compared with the library's own encoder (through its Python binding) AND with a reference BPE encoder written
    below from SentencePiece's algorithm (pieces' scores, byte fallback), on texts incl. non-ASCII; decoding
    round-trips; `rig run generate --config hf` gives the reference's prompt ids and the numpy reference's greedy ids;
  - the prompt templates (llama3, chatml, alpaca) for chat `messages` records and Alpaca instruction/input/output
    records: the expected text of each is written below from the template's published definition (Meta's Llama 3
    chat format, ChatML, Stanford Alpaca's prompt), tokenized part by part with the reference byte-level BPE encoder
    of hf_checkpoint_test.py, and compared token by token with rig.torch.ChatDataset's examples, with the loss mask
    (prompt tokens ignored, responses kept, train_on_prompt) and truncation at max_seq_len;
  - packing: every example's tokens appear, in order, across the windows; each window holds max_seq_len tokens
    (the last at most); every token after the first is a target exactly once, with its own example's mask.
  - a checkpoint whose config.json vocab_size exceeds its tokenizer's tokens (real Qwen2's does): generate picks ids with
    no token and works; decode skips them as Hugging Face's tokenizers library does (reference written below);
  - the llama3/chatml templates on a tokenizer without their markers as added tokens: rig.torch.data.chat_template,
    located at the dataset's chat_template, exit 2 through `rig run lora_finetune --config hf`.

Usage: hf_data_test.py HF_PROBE RIG_TOOL
"""
import io
import json
import os
import sys

import numpy as np
import sentencepiece as spm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_checkpoint_test as hfc  # noqa: E402  (the safetensors writer, the BPE reference, the numpy forward pass)

PROBE, RIG = sys.argv[1], sys.argv[2]
IGNORE = -100
check, run = hfc.check, hfc.run


# ---- SentencePiece ---------------------------------------------------------------------------------------------------

SP_CORPUS = hfc.CORPUS + ("Le renard brun rapide saute par-dessus le chien paresseux.\n"
                          "Der schnelle braune Fuchs springt über den faulen Hund.\n"
                          "café déjà vu naïve façade\n" * 3)


def train_sentencepiece():
    """A Llama-2-like SentencePiece model: BPE, byte fallback, digits split, unk/bos/eos = 0/1/2, identity
    normalization (so the reference below needs no normalizer)."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([l for l in SP_CORPUS.split("\n") if l.strip()]), model_writer=model,
        model_type="bpe", vocab_size=420, byte_fallback=True, split_digits=True, character_coverage=1.0,
        normalization_rule_name="identity", add_dummy_prefix=True, remove_extra_whitespaces=False,
        allow_whitespace_only_pieces=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, hard_vocab_limit=False,
        minloglevel=2, num_threads=1)
    return model.getvalue()


class RefSentencePiece:
    """SentencePiece's BPE encoding, from its definition: the text with a dummy prefix space and every space as
    U+2581; symbols are characters; repeatedly merge the adjacent pair whose concatenation is a piece of the highest
    score (leftmost on ties); a symbol that is no piece becomes its UTF-8 bytes' <0xXX> pieces."""

    def __init__(self, sp):
        self.ids = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())
                    if not (sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i))}
        self.scores = {p: sp.get_score(i) for p, i in self.ids.items()}
        self.byte_ids = {int(sp.id_to_piece(i)[3:5], 16): i for i in range(sp.get_piece_size()) if sp.is_byte(i)}
        self.pieces = {i: sp.id_to_piece(i) for i in range(sp.get_piece_size())}

    def encode(self, text):
        if not text:
            return []
        syms = list(("\u2581" + text).replace(" ", "\u2581"))
        while True:
            best = None
            for i in range(len(syms) - 1):
                s = self.scores.get(syms[i] + syms[i + 1])
                if s is not None and (best is None or s > best[0]):
                    best = (s, i)
            if best is None:
                break
            i = best[1]
            syms[i:i + 2] = [syms[i] + syms[i + 1]]
        out = []
        for s in syms:
            if s in self.ids:
                out.append(self.ids[s])
            else:
                out += [self.byte_ids[b] for b in s.encode("utf-8")]
        return out

    def decode(self, ids):
        data = b""
        for i in ids:
            p = self.pieces[i]
            if p.startswith("<0x") and len(p) == 6:
                data += bytes([int(p[3:5], 16)])
            elif p not in ("<s>", "</s>", "<unk>"):
                data += p.replace("\u2581", " ").encode("utf-8")
        text = data.decode("utf-8", "replace")
        return text[1:] if text.startswith(" ") else text


def sentencepiece_tests(work, rng):
    model = train_sentencepiece()
    sp = spm.SentencePieceProcessor(model_proto=model)
    ref = RefSentencePiece(sp)
    V = sp.get_piece_size()
    d = os.path.join(work, "llama2_sp")
    cfg = hfc.base_config("LlamaForCausalLM", vocab_size=V, bos_token_id=1, eos_token_id=2)
    w = hfc.make_weights(cfg, rng)
    hfc.write_checkpoint(d, cfg, w)
    open(os.path.join(d, "tokenizer.model"), "wb").write(model)
    json.dump({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>"},
              open(os.path.join(d, "tokenizer_config.json"), "w"))
    check(not os.path.exists(os.path.join(d, "tokenizer.json")), "the SentencePiece checkpoint has no tokenizer.json")

    texts = ["Hello world", "The quick brown fox jumps over the lazy dog.", "It's 12345 + 678 = 13023",
             "naïve café — déjà vu", "日本語のテキスト", "Привет, мир! 🙂🚀", "  leading and trailing  ",
             "double  spaces   here", "tabs\tand\nnew\n\nlines", "Über den faulen Hund", "a", "ǅ Ⅻ ① 𝔘𝔫𝔦"]
    texts += ["".join(chr(c) for c in rng.integers(32, 0x3000, size=16)) for _ in range(12)]
    ref_ok = [t for t in texts if ref.encode(t) == sp.encode(t)]
    check(len(ref_ok) == len(texts),
          f"the written SentencePiece reference agrees with the library on {len(ref_ok)}/{len(texts)} texts"
          + ("" if len(ref_ok) == len(texts) else f" (differs on {[t for t in texts if t not in ref_ok][:2]!r})"))
    f = os.path.join(work, "sp_texts.bin")
    open(f, "wb").write(b"\0".join(t.encode("utf-8") for t in texts))
    r = run([PROBE, "encode", d, f])
    got = [[int(x) for x in line.split()] for line in r.stdout.split("\n")[:len(texts)]]
    want = [[1] + sp.encode(t) for t in texts]
    bad = [t for t, g, w_ in zip(texts, got, want) if g != w_]
    check(r.returncode == 0 and not bad,
          f"tokenizer.model: rig's ids are <s> + the reference's on {len(texts)} texts and decode round-trips"
          + (f" (differs on {bad[:2]!r}: {got[texts.index(bad[0])] if bad else ''} vs "
             f"{want[texts.index(bad[0])] if bad else ''}; {r.stderr.strip()})" if bad or r.returncode else ""))

    prompt = "The quick brown fox"
    ptoks = [1] + ref.encode(prompt)
    want_tokens = hfc.ref_greedy(cfg, w, ptoks, 5, eos=(2,))
    out = os.path.join(work, "gen_sp")
    r = run([RIG, "run", "generate", "--config", "hf", f"checkpoint_dir={d}", f"prompt={prompt}",
             "max_new_tokens=5", "temperature=0", "--output-dir", out])
    try:
        g = json.load(open(os.path.join(out, "generation.json")))
    except OSError:
        check(False, f"tokenizer.model: generate wrote no generation.json ({r.stdout[-300:]} {r.stderr[-500:]})")
        return
    check(g["prompt_tokens"] == ptoks and g["completion_tokens"] == want_tokens,
          f"tokenizer.model: generate's prompt_tokens {g['prompt_tokens']} and completion {g['completion_tokens']} "
          f"are the references' ({ptoks}, {want_tokens})")
    body = [t for t in want_tokens if t != 2]
    check(g["completion"] == sp.decode(body) == ref.decode(body),
          f"tokenizer.model: the completion {g['completion']!r} is its tokens' text {ref.decode(body)!r}")


# ---- prompt templates ------------------------------------------------------------------------------------------------

ALPACA_INPUT = ("Below is an instruction that describes a task, paired with an input that provides further context. "
                "Write a response that appropriately completes the request.\n\n"
                "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n")
ALPACA_NO_INPUT = ("Below is an instruction that describes a task. Write a response that appropriately completes the "
                   "request.\n\n### Instruction:\n{instruction}\n\n### Response:\n")

RECORDS = [
    {"instruction": "Translate to French", "input": "The cat sleeps.", "output": "Le chat dort."},
    {"instruction": "Name a colour", "output": "Blue (bleu, naïve 日本 🙂)"},
    {"messages": [{"role": "system", "content": "You are terse."},
                  {"role": "user", "content": "What is 2 + 2?"},
                  {"role": "assistant", "content": "4"},
                  {"role": "user", "content": "And 3 + 3?"},
                  {"role": "assistant", "content": "It is 6, of course."}]},
    {"messages": [{"role": "user", "content": "Say hello in Russian"},
                  {"role": "assistant", "content": "Привет!"}]},
]


def as_messages(record):
    """An Alpaca record as chat messages (rig/torch/chat_data.hpp: the instruction, then the input, as the user)."""
    if "messages" in record:
        return record["messages"]
    user = record["instruction"] + ("\n\n" + record["input"] if record.get("input") else "")
    return [{"role": "user", "content": user}, {"role": "assistant", "content": record["output"]}]


def render(template, record, eos):
    """The parts of one example: (text or token id, trained) per message part, from the templates' definitions.
    Each message's prompt part and response part are tokenized separately (as torchtune tokenizes messages)."""
    parts = []
    if template == "llama3":  # Meta's Llama 3 chat format (after <|begin_of_text|>)
        for m in as_messages(record):
            header = f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n"
            if m["role"] == "assistant":
                parts += [(header, False), (m["content"] + "<|eot_id|>", True)]
            else:
                parts += [(header + m["content"] + "<|eot_id|>", False)]
    elif template == "chatml":  # <|im_start|>role\ncontent<|im_end|>\n
        for m in as_messages(record):
            if m["role"] == "assistant":
                parts += [(f"<|im_start|>{m['role']}\n", False), (m["content"] + "<|im_end|>", True), ("\n", False)]
            else:
                parts += [(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n", False)]
    else:  # Stanford Alpaca's prompt; the response ends with the tokenizer's eos
        if "messages" not in record:
            prompt = (ALPACA_INPUT if record.get("input") else ALPACA_NO_INPUT).format(**record)
            parts += [(prompt, False), (record["output"], True), (eos, True)]
        else:  # a chat under alpaca: system text first, each user turn an instruction, each assistant turn a response
            for m in record["messages"]:
                if m["role"] == "system":
                    parts += [(m["content"] + "\n\n", False)]
                elif m["role"] == "user":
                    parts += [(ALPACA_NO_INPUT.format(instruction=m["content"]), False)]
                else:
                    parts += [(m["content"], True), (eos, True)]
    return parts


def expected(template, record, ref, eos, train_on_prompt):
    tokens, labels, text = list(ref.prefix), [IGNORE] * len(ref.prefix), ""
    for part, trained in render(template, record, eos):
        ids = [part] if isinstance(part, int) else ref.encode(part)[len(ref.prefix):]
        text += "" if isinstance(part, int) else part
        tokens += ids
        labels += ids if trained or train_on_prompt else [IGNORE] * len(ids)
    return tokens, labels, text


def chat_examples(tok_dir, data, template, option_sets):
    """rig.torch.ChatDataset's (tokens, labels) per example, for each (max_seq_len, packing, train_on_prompt)."""
    r = run([PROBE, "chat", tok_dir, data, template] + [f"{n}:{int(p)}:{int(t)}" for n, p, t in option_sets])
    if r.returncode != 0:
        check(False, f"chat {template}: {r.stderr.strip()}")
        return [[] for _ in option_sets]
    out = []
    for block in r.stdout.split("--\n")[1:]:
        lines = [[int(x) for x in l.split()] for l in block.rstrip("\n").split("\n")]
        out.append(list(zip(lines[0::2], lines[1::2])))
    return out


def template_tests(work):
    llama_tok, llama_ref, llama_added = hfc.make_tokenizer("llama3")
    gpt2_tok, gpt2_ref, gpt2_added = hfc.make_tokenizer("gpt2")
    toks = {}
    for name, tok, eos in (("llama3_tok", llama_tok, llama_added["<|eot_id|>"]),
                           ("chatml_tok", gpt2_tok, gpt2_added["<|im_end|>"])):
        d = os.path.join(work, name)
        os.makedirs(d)
        json.dump(tok, open(os.path.join(d, "tokenizer.json"), "w"), ensure_ascii=False)
        json.dump({"eos_token_id": eos}, open(os.path.join(d, "config.json"), "w"))
        toks[name] = d
    data = os.path.join(work, "records.jsonl")
    with open(data, "w") as f:
        for rec in RECORDS:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    cases = [("llama3", "llama3_tok", llama_ref, llama_added["<|eot_id|>"]),
             ("chatml", "chatml_tok", gpt2_ref, gpt2_added["<|im_end|>"]),
             ("alpaca", "llama3_tok", llama_ref, llama_added["<|eot_id|>"]),
             ("alpaca", "chatml_tok", gpt2_ref, gpt2_added["<|im_end|>"])]
    truncations, packings = (7, 30), (16, 25, 2)
    for template, tok_name, ref, eos in cases:
        tag = f"{template} ({tok_name})"
        sets = [(4096, False, False), (4096, False, True)] + [(n, False, False) for n in truncations] + \
               [(n, True, False) for n in packings]
        results = dict(zip(sets, chat_examples(toks[tok_name], data, template, sets)))
        for train_on_prompt in (False, True):
            got = results[(4096, False, train_on_prompt)]
            want = [expected(template, rec, ref, eos, train_on_prompt) for rec in RECORDS]
            check(len(got) == len(want), f"{tag}: one example per record ({len(got)})")
            for i, ((gt, gl), (wt, wl, text)) in enumerate(zip(got, want)):
                # Labels of position 0 are never a target (position t predicts t + 1): compared from 1 on.
                check(gt == wt and gl[1:] == wl[1:],
                      f"{tag} train_on_prompt={train_on_prompt} record {i}: tokens and loss mask are the template's"
                      + ("" if gt == wt and gl[1:] == wl[1:] else f" -- got {gt} / {gl}, want {wt} / {wl}"))
                body = [t for t in gt[len(ref.prefix):] if not (template == "alpaca" and t == eos)]
                decoded = b"".join(ref.token_bytes(t) for t in body).decode("utf-8", "replace")
                check(decoded == text, f"{tag} record {i}: the tokens spell the template's text"
                      + ("" if decoded == text else f" -- {decoded!r} vs {text!r}"))
        # Truncation at max_seq_len: the first max_seq_len tokens and labels, nothing else.
        want = [expected(template, rec, ref, eos, False) for rec in RECORDS]
        for n in truncations:
            got = results[(n, False, False)]
            ok = len(got) == len(want) and all(gt == wt[:n] and gl[1:] == wl[1:n] for (gt, gl), (wt, wl, _) in zip(got, want))
            check(ok, f"{tag}: max_seq_len={n} cuts every example to its first {n} tokens and labels")
        # Packing: the examples concatenated, cut into windows overlapping by one token.
        concat_t = [x for t, _, _ in want for x in t]
        concat_l = [x for _, l, _ in want for x in l]
        for n in packings:
            got = results[(n, True, False)]
            sizes = [len(t) for t, _ in got]
            joined_t = got[0][0] + [x for t, _ in got[1:] for x in t[1:]] if got else []
            joined_l = got[0][1] + [x for _, l in got[1:] for x in l[1:]] if got else []
            overlap = all(got[k][0][0] == got[k - 1][0][-1] for k in range(1, len(got)))
            targets = sum(len(l) - 1 for _, l in got)
            check(joined_t == concat_t and joined_l[1:] == concat_l[1:] and overlap and all(s == n for s in sizes[:-1])
                  and 2 <= sizes[-1] <= n and targets == len(concat_t) - 1,
                  f"{tag}: packing at {n}: {len(got)} windows of {n} (last {sizes[-1] if sizes else 0}) hold all "
                  f"{len(concat_t)} tokens in order with their masks; {targets} targets = every token but the first")


# ---- ids with no token; templates whose markers the tokenizer lacks --------------------------------------------------

def ref_decode(ref, ids):
    """Hugging Face tokenizers' decode (Tokenizer::decode): each id's token, ids with none skipped (its filter_map),
    then the ByteLevel decoder: the tokens' bytes joined, as UTF-8 with invalid bytes replaced."""
    known = set(ref.vocab.values()) | set(ref.added.values())
    return b"".join(ref.token_bytes(t) for t in ids if t in known).decode("utf-8", "replace")


def vocab_gap_tests(work, rng):
    """A Qwen2-like checkpoint whose config.json vocab_size exceeds its tokenizer's tokens (as real Qwen2's 151936 rows
    exceed its ~151665 tokens): generation that picks a row with no token still works, and decode skips such ids."""
    tok, ref, added = hfc.make_tokenizer("gpt2")
    n_tok = max(list(ref.vocab.values()) + list(added.values())) + 1
    cfg = hfc.base_config("Qwen2ForCausalLM", vocab_size=n_tok + 32, bos_token_id=added["<|endoftext|>"],
                          eos_token_id=added["<|im_end|>"])
    w = hfc.make_weights(cfg, rng)
    w["lm_head.weight"][n_tok:] *= 1.6  # rows with no token score higher, so the greedy continuation picks some
    d = os.path.join(work, "qwen2_gap")
    hfc.write_checkpoint(d, cfg, w, tokenizer=tok)

    prompt = "The quick brown fox"
    ptoks = ref.encode(prompt)
    want = hfc.ref_greedy(cfg, w, ptoks, 8, eos=(cfg["eos_token_id"],))
    check(any(t >= n_tok for t in want) and any(t < n_tok for t in want),
          f"vocab gap: the reference's greedy continuation {want} mixes ids with and without a token (>= {n_tok})")
    out = os.path.join(work, "gen_gap")
    r = run([RIG, "run", "generate", "--config", "hf", f"checkpoint_dir={d}", f"prompt={prompt}",
             "max_new_tokens=8", "temperature=0", "--output-dir", out])
    try:
        g = json.load(open(os.path.join(out, "generation.json")))
    except OSError:
        check(False, f"vocab gap: generate wrote no generation.json ({r.stdout[-300:]} {r.stderr[-500:]})")
        return d, ref
    check(r.returncode == 0 and g["prompt_tokens"] == ptoks and g["completion_tokens"] == want,
          f"vocab gap: generate gives the reference's tokens ({g['completion_tokens']} vs {want})")
    check(g["completion"] == ref_decode(ref, want),
          f"vocab gap: the completion {g['completion']!r} is the reference's decode {ref_decode(ref, want)!r}")

    text = "naïve café 日本語 🙂 the fox"
    body = ref.encode(text)
    mixed = [n_tok] + body[:3] + [n_tok + 31, 10 ** 9] + body[3:] + [added["<|im_start|>"], n_tok + 5]
    r = run([PROBE, "decode", d] + [str(t) for t in mixed])
    got = r.stdout[:-1] if r.stdout.endswith("\n") else r.stdout
    check(r.returncode == 0 and got == ref_decode(ref, mixed) == text + "<|im_start|>",
          f"vocab gap: decode of {mixed} is the reference's {ref_decode(ref, mixed)!r} ({got!r} {r.stderr.strip()})")
    return d, ref


def missing_marker_tests(work, qwen_dir):
    """chat_template llama3 or chatml with a tokenizer lacking one of its markers as an added token is an error at
    the dataset's chat_template key (the marker would otherwise be tokenized as plain text)."""
    data = os.path.join(work, "gap_data.jsonl")
    with open(data, "w") as f:
        f.write(json.dumps(RECORDS[2]) + "\n")
    # The Qwen2-like tokenizer has <|im_start|>/<|im_end|> but not Llama 3's markers; hf.yaml's default is llama3.
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "configs", "lora_finetune", "hf.yaml")
    line = next(i for i, l in enumerate(open(config), 1) if l.strip().startswith("chat_template:"))
    for extra, marker, where in (([], "<|start_header_id|>", f"hf.yaml:{line}:"),
                                 (["dataset.chat_template=chatml"], None, None)):
        out = os.path.join(work, "lora_gap_" + str(len(extra)))
        r = run([RIG, "run", "lora_finetune", "--config", "hf", f"checkpoint_dir={qwen_dir}", f"dataset.path={data}",
                 "steps=1"] + extra + ["--output-dir", out])
        if marker is None:  # chatml: the tokenizer has its markers, so the run works
            check(r.returncode == 0, "lora_finetune chatml on a tokenizer with its markers runs"
                  + ("" if r.returncode == 0 else f" ({r.stderr[-600:]})"))
            continue
        err = r.stderr
        ok = (r.returncode == 2 and "error[rig.torch.data.chat_template]" in err and f"'{marker}'" in err
              and where in err and "= key: " in err and err.split("= key: ")[1].split("\n")[0].strip() == "dataset.chat_template"
              and "alpaca" in err)
        check(ok, f"lora_finetune llama3 on a tokenizer without {marker}: exit 2, rig.torch.data.chat_template at "
                  f"{where} (key dataset.chat_template), naming the marker, hinting alpaca"
                  + ("" if ok else f" (exit {r.returncode}: {err[-900:]})"))
    # ChatDataset itself (hf_probe chat): the Llama 3 tokenizer lacks <|im_start|>.
    llama_tok, _, _ = hfc.make_tokenizer("llama3")
    d = os.path.join(work, "llama3_tok_only")
    os.makedirs(d)
    json.dump(llama_tok, open(os.path.join(d, "tokenizer.json"), "w"), ensure_ascii=False)
    r = run([PROBE, "chat", d, data, "chatml", "64:0:0"])
    ok = r.returncode != 0 and "error[rig.torch.data.chat_template]" in r.stderr and "'<|im_start|>'" in r.stderr
    check(ok, "ChatDataset chatml on a Llama 3 tokenizer is rig.torch.data.chat_template naming <|im_start|>"
          + ("" if ok else f" ({r.stderr.strip()[-400:]})"))


def tests(work):
    sentencepiece_tests(work, np.random.default_rng(23))
    template_tests(work)
    qwen_dir, _ = vocab_gap_tests(work, np.random.default_rng(29))
    missing_marker_tests(work, qwen_dir)


if __name__ == "__main__":
    hfc.main(tests)
