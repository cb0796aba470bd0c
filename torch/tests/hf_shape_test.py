#!/usr/bin/python3
"""The model config's expected shape (rig.torch.HFLlama's `shape`) against a checkpoint's config.json, through
`rig run generate --config hf`: a disagreement is a located error at config.json's key (line and column computed
here from the file's text) naming both values, with a note at the config's key; an agreeing shape runs.

Usage: hf_shape_test.py HF_PROBE RIG_TOOL
"""
import json
import os
import re
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_checkpoint_test as hfc  # noqa: E402

PROBE, RIG = sys.argv[1], sys.argv[2]
check, run = hfc.check, hfc.run


def json_position(text, key, nested_in=None):
    """1-based line and column of KEY's value in TEXT (json.dump(indent=2) output: one key per line)."""
    lines = text.split("\n")
    start = 0
    if nested_in:
        start = next(i for i, l in enumerate(lines) if l.strip().startswith(f'"{nested_in}"'))
    for i in range(start, len(lines)):
        m = re.match(r'(\s*)"' + re.escape(key) + r'":\s*', lines[i])
        if m:
            return i + 1, m.end() + 1
    raise KeyError(key)


def generate(ckpt, work, tag, *args):
    out = os.path.join(work, "gen_" + tag)
    r = run([RIG, "run", "generate", "--config", "hf", f"checkpoint_dir={ckpt}", "prompt=Hi", "max_new_tokens=2",
             "temperature=0", "--output-dir", out, *args])
    return r, r.stdout + r.stderr


def tests(work):
    rng = np.random.default_rng(5)
    tok, _ref, added = hfc.make_tokenizer("llama3")
    n_tokens = max(list(tok["model"]["vocab"].values()) + list(added.values())) + 1  # every id decodes
    cfg = hfc.base_config("LlamaForCausalLM", vocab_size=n_tokens, eos_token_id=added["<|eot_id|>"],
                          bos_token_id=added["<|begin_of_text|>"])
    ckpt = os.path.join(work, "tiny")
    hfc.write_checkpoint(ckpt, cfg, hfc.make_weights(cfg, rng), tokenizer=tok)
    cfg_path = os.path.join(ckpt, "config.json")
    text = open(cfg_path).read()

    def located(out, key, value_got, value_want, nested_in=None):
        line, col = json_position(text, key, nested_in)
        return (f"config.json:{line}:{col}: error[rig.torch.hf.config_mismatch]" in out
                and str(value_got) in out and str(value_want) in out)

    # A builder's shape: llama3_2_1b's vocabulary (128256) is not this checkpoint's (384).
    r, out = generate(ckpt, work, "builder", "model.shape=llama3_2_1b")
    check(r.returncode != 0 and located(out, "vocab_size", n_tokens, 128256) and "llama3_2_1b" in out
          and re.search(r"note: (argv\[\d+\]|<cli>)", out) is not None,
          f"shape=llama3_2_1b: located at config.json's vocab_size with both values and a note at the override\n{out[-900:]}")

    # Explicit fields in a config file: the error at config.json's key, the note at the YAML key (line 4).
    yaml_path = os.path.join(work, "shape.yaml")
    open(yaml_path, "w").write("model:\n  shape:\n    hidden_size: 64\n    intermediate_size: 999\n")
    r, out = generate(ckpt, work, "yaml", "--config", yaml_path)
    yaml_note = re.search(re.escape("shape.yaml") + r":4:\d+", out)
    check(r.returncode != 0 and located(out, "intermediate_size", 160, 999) and yaml_note is not None,
          f"shape from a YAML file: config.json's intermediate_size (160 vs 999), note at shape.yaml:4\n{out[-900:]}")

    # Fields of rope scaling live in config.json's rope_scaling object.
    scaled = os.path.join(work, "scaled")
    shutil.copytree(ckpt, scaled)
    cfg2 = dict(cfg, rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                   "high_freq_factor": 4.0, "original_max_position_embeddings": 64})
    json.dump(cfg2, open(os.path.join(scaled, "config.json"), "w"), indent=2)
    text_scaled = open(os.path.join(scaled, "config.json")).read()
    r, out = generate(scaled, work, "rope", "model.shape={rope_scaling_factor: 32.0}")
    line, col = json_position(text_scaled, "factor", nested_in="rope_scaling")
    check(r.returncode != 0 and f"config.json:{line}:{col}: error[rig.torch.hf.config_mismatch]" in out
          and "rope_scaling.factor" in out and "32" in out,
          f"shape rope_scaling_factor: located inside config.json's rope_scaling\n{out[-900:]}")

    # An agreeing shape (head_dim derived from hidden_size / heads in config.json) runs.
    r, out = generate(ckpt, work, "agree", "model.shape={hidden_size: 64, num_key_value_heads: 2, head_dim: 16, "
                      "rms_norm_eps: 1.0e-5, tie_word_embeddings: false, max_position_embeddings: 256}")
    check(r.returncode == 0 and os.path.exists(os.path.join(work, "gen_agree", "generation.json")),
          f"an agreeing shape loads and generates\n{out[-600:]}")

    # Names and fields that do not exist: located, with did-you-mean.
    r, out = generate(ckpt, work, "unknown", "model.shape=llama3_2_1")
    check(r.returncode != 0 and "error[rig.torch.hf.option]" in out and "llama3_2_1b" in out,
          f"an unknown builder is a located error suggesting one\n{out[-600:]}")
    r, out = generate(ckpt, work, "field", "model.shape={hiden_size: 64}")
    check(r.returncode != 0 and "hidden_size" in out and "error[" in out,
          f"an unknown field is an error suggesting hidden_size\n{out[-600:]}")


if __name__ == "__main__":
    hfc.main(tests)
