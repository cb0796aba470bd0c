// rig/torch/hf_tokenizer.hpp — the tokenizer of a Hugging Face checkpoint: tokenizer.json (byte-level BPE) or
// tokenizer.model (SentencePiece). No LibTorch needed.
//
//   rig::torch::HFTokenizer tok({.path = "ckpt/"});        // ckpt/tokenizer.json, else ckpt/tokenizer.model
//   std::vector<int64_t> ids = tok.encode("Hello wörld");  // with the post-processor's tokens (a BOS, if it adds one)
//   std::vector<int64_t> raw = tok.encode_raw("Hi");       // without them
//   std::string text = tok.decode(ids);                    // added tokens decode to their text
//
// tokenizer.json, as Hugging Face's tokenizers library defines it, with a BPE model over byte-level symbols (GPT-2,
// Llama 3, Qwen2, SmolLM):
//   - added tokens (special or not) are matched first, longest match at each position;
//   - pre-tokenizers: Split (a regex or a string; behavior Isolated or Removed), ByteLevel (with its GPT-2 regex when
//     use_regex), Digits, or a Sequence of them; regexes run with PCRE2 in UTF mode with Unicode properties;
//   - each piece's bytes map to the ByteLevel alphabet, then BPE merges apply lowest rank first (ignore_merges: a
//     piece that is a vocabulary entry as a whole is kept whole);
//   - post-processor: TemplateProcessing's single-sequence template (its special tokens before and after the text),
//     ByteLevel (no tokens), or a Sequence of them.
// decode() inverts the byte mapping, so decode(encode_raw(s)) == s for any valid UTF-8 text s. Ids with no token
// (a checkpoint's vocab_size may exceed its tokenizer's tokens, as Qwen2's does) are skipped, as Hugging Face's
// tokenizers library skips them; encoding never gives such ids.
// Normalizers: none, or NFC, which rig does not apply (docs/compatibility.md). Anything else (a WordPiece or Unigram
// model, a Metaspace pre-tokenizer, byte-fallback BPE) is refused with an error naming the key; for Llama 2 / Mistral
// the SentencePiece tokenizer.model is read instead.
// Errors: rig.torch.tokenizer.* located in tokenizer.json, rig.io.read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rig/torch/text.hpp"

namespace rig::torch {

struct HFTokenizerOptions {
  std::string path = "";  // a tokenizer.json or tokenizer.model file, or a checkpoint directory holding one
};

class HFTokenizer : public Tokenizer {
 public:
  explicit HFTokenizer(HFTokenizerOptions options = {});
  ~HFTokenizer() override;
  HFTokenizer(HFTokenizer&&) noexcept;
  HFTokenizer& operator=(HFTokenizer&&) noexcept;

  std::vector<int64_t> encode(std::string_view text) const override;  // with the post-processor's tokens
  std::vector<int64_t> encode_raw(std::string_view text) const;        // without them
  std::string decode(std::span<const int64_t> ids) const override;
  int64_t vocab_size() const override;
  // The checkpoint's eos (config.json's first eos_token_id, else tokenizer_config.json's eos_token), else -1.
  int64_t eos_id() const override;
  // The id of a token (an added token's content or a vocabulary entry), if there is one.
  std::optional<int64_t> token_id(std::string_view token) const;
  // The id of an added (or special) token, matched whole wherever it occurs in a text, if the text is one.
  std::optional<int64_t> added_token_id(std::string_view token) const;
  // The tokens the post-processor puts before and after a single text.
  const std::vector<int64_t>& prefix() const;
  const std::vector<int64_t>& suffix() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rig::torch
