// rig/torch/text.hpp — text corpora and tokenizers (no LibTorch needed).
//
//   auto files = rig::torch::expand_globs({"/usr/share/common-licenses/*"});   // sorted, de-duplicated
//   std::string text = rig::torch::read_corpus(files);
//   rig::torch::ByteTokenizer bytes;                                            // 256 byte ids + eos
//   rig::torch::CharTokenizer chars({.corpus = {"notes/*.txt"}});               // one id per code point seen
//   rig::torch::SentencePieceTokenizer sp({.corpus = {"/usr/share/common-licenses/*"}, .vocab_size = 2000});
//   std::vector<int64_t> ids = sp.encode("hello");  std::string back = sp.decode(ids);
//
// Every tokenizer implements rig::torch::Tokenizer, so datasets take a std::shared_ptr<const Tokenizer>.
// Errors are rig::Error: rig.torch.data.no_files (a pattern matched nothing), rig.io.read, rig.torch.tokenizer.*.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "rig/constraints.hpp"

namespace rig::torch {

// Every regular file matching any of `patterns` (glob(7): *, ?, [..]; a plain path matches itself), sorted and
// without duplicates. A pattern that matches nothing is an error (rig.torch.data.no_files, with the pattern).
std::vector<std::filesystem::path> expand_globs(const std::vector<std::string>& patterns);

// The files' contents, concatenated, each followed by a newline.
std::string read_corpus(const std::vector<std::filesystem::path>& files);

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::vector<int64_t> encode(std::string_view text) const = 0;
  virtual std::string decode(std::span<const int64_t> ids) const = 0;
  virtual int64_t vocab_size() const = 0;
  // End of sequence; also used as padding by the prompt/response dataset.
  virtual int64_t eos_id() const = 0;
};

// Byte-level: ids 0..255 are the bytes of the UTF-8 text, 256 is eos. Lossless for any input.
struct ByteTokenizerOptions {};
class ByteTokenizer : public Tokenizer {
 public:
  explicit ByteTokenizer(ByteTokenizerOptions options = {});
  std::vector<int64_t> encode(std::string_view text) const override;
  std::string decode(std::span<const int64_t> ids) const override;
  int64_t vocab_size() const override { return 257; }
  int64_t eos_id() const override { return 256; }
};

// Character-level over UTF-8 code points: id 0 is unknown, 1 is eos, then the alphabet's characters in code point
// order. The alphabet is `alphabet` when given, else every character of the corpus files.
struct CharTokenizerOptions {
  std::vector<std::string> corpus = {"/usr/share/common-licenses/*"};
  std::string alphabet = "";
  static constexpr auto checks = rig::checks(rig::require("corpus", rig::non_empty()));
};
class CharTokenizer : public Tokenizer {
 public:
  explicit CharTokenizer(CharTokenizerOptions options = {});
  std::vector<int64_t> encode(std::string_view text) const override;
  std::string decode(std::span<const int64_t> ids) const override;
  int64_t vocab_size() const override { return static_cast<int64_t>(chars_.size()) + 2; }
  int64_t eos_id() const override { return 1; }
  int64_t unk_id() const { return 0; }

 private:
  std::vector<char32_t> chars_;  // sorted; id = index + 2
};

// SentencePiece (libsentencepiece). Loads `model` when given; otherwise trains a model of `vocab_size` pieces on the
// corpus files in memory (model_type: unigram, bpe, char or word) and, when `save_to` is set, writes it there.
struct SentencePieceOptions {
  std::string model = "";
  std::vector<std::string> corpus = {"/usr/share/common-licenses/*"};
  int64_t vocab_size = 1000;
  std::string model_type = "unigram";
  double character_coverage = 1.0;
  std::string save_to = "";
  static constexpr auto checks = rig::checks(rig::require("vocab_size", rig::positive()),
                                                  rig::require("model_type", rig::one_of("unigram|bpe|char|word")),
                                                  rig::require("character_coverage", rig::range(0, 1, rig::Bounds::open_closed)));
};
class SentencePieceTokenizer : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(SentencePieceOptions options = {});
  ~SentencePieceTokenizer() override;
  SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept;
  SentencePieceTokenizer& operator=(SentencePieceTokenizer&&) noexcept;

  std::vector<int64_t> encode(std::string_view text) const override;
  std::string decode(std::span<const int64_t> ids) const override;
  int64_t vocab_size() const override;
  int64_t eos_id() const override;
  // The serialized model (what `save_to` holds).
  std::string serialized() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rig::torch
