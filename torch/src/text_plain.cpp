// Corpus files and tokenizers. No LibTorch here: this TU skips the torch PCH.
#include <dlfcn.h>
#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <cstdlib>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/torch/text.hpp"
#include "rig/yaml.hpp"
#include "sentencepiece/backend.hpp"

namespace rig::torch {

std::vector<std::filesystem::path> expand_globs(const std::vector<std::string>& patterns) {
  std::set<std::filesystem::path> files;
  for (const auto& pattern : patterns) {
    glob_t g{};
    int rc = glob(pattern.c_str(), 0, nullptr, &g);
    bool matched = false;
    if (rc == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i)
        if (std::filesystem::is_regular_file(g.gl_pathv[i])) files.insert(g.gl_pathv[i]), matched = true;
    globfree(&g);
    if (!matched)
      throw Error("rig.torch.data.no_files", "no files match '" + pattern + "'", {}, {},
                    "a path or a glob(7) pattern such as /usr/share/common-licenses/*");
  }
  return {files.begin(), files.end()};
}

std::string read_corpus(const std::vector<std::filesystem::path>& files) {
  std::string text;
  for (const auto& f : files) {
    text += read_file(f);
    text += '\n';
  }
  return text;
}

// ---- UTF-8 --------------------------------------------------------------------------------------------------------
namespace {

// Decodes one code point at text[i], advancing i; an invalid byte decodes as itself (Latin-1), so nothing is lost.
char32_t next_code_point(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b = byte(i);
  int extra = b >= 0xF0 && b < 0xF8 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  if (b >= 0xF8 || (b >= 0x80 && b < 0xC0) || (extra > 0 && i + static_cast<size_t>(extra) >= text.size())) {
    ++i;
    return b;
  }
  char32_t cp = extra == 0 ? b : b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + static_cast<size_t>(k)) & 0xC0) != 0x80) {
      ++i;
      return b;
    }
    cp = (cp << 6) | (byte(i + static_cast<size_t>(k)) & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

// ---- ByteTokenizer ------------------------------------------------------------------------------------------------

ByteTokenizer::ByteTokenizer(ByteTokenizerOptions) {}

std::vector<int64_t> ByteTokenizer::encode(std::string_view text) const {
  std::vector<int64_t> ids(text.size());
  for (size_t i = 0; i < text.size(); ++i) ids[i] = static_cast<unsigned char>(text[i]);
  return ids;
}

std::string ByteTokenizer::decode(std::span<const int64_t> ids) const {
  std::string out;
  for (int64_t id : ids)
    if (id >= 0 && id < 256) out += static_cast<char>(id);
  return out;
}

// ---- CharTokenizer ------------------------------------------------------------------------------------------------

CharTokenizer::CharTokenizer(CharTokenizerOptions options) {
  std::string text = options.alphabet.empty() ? read_corpus(expand_globs(options.corpus)) : options.alphabet;
  std::set<char32_t> seen;
  for (size_t i = 0; i < text.size();) seen.insert(next_code_point(text, i));
  chars_.assign(seen.begin(), seen.end());
}

std::vector<int64_t> CharTokenizer::encode(std::string_view text) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    char32_t cp = next_code_point(text, i);
    auto it = std::lower_bound(chars_.begin(), chars_.end(), cp);
    ids.push_back(it != chars_.end() && *it == cp ? (it - chars_.begin()) + 2 : unk_id());
  }
  return ids;
}

std::string CharTokenizer::decode(std::span<const int64_t> ids) const {
  std::string out;
  for (int64_t id : ids)
    if (id >= 2 && id < vocab_size()) append_utf8(out, chars_[static_cast<size_t>(id - 2)]);
  return out;
}

// ---- SentencePieceTokenizer ---------------------------------------------------------------------------------------

struct SentencePieceTokenizer::Impl {
  std::unique_ptr<detail::SentencePieceBackend> backend;
};

namespace {

// Where librig_sentencepiece.so is: RIG_SENTENCEPIECE_MODULE, else installed next to rig's libraries
// (<prefix>/LIBDIR/rig/), found relative to the binary holding this code (<prefix>/bin, <prefix>/libexec/rig, or a
// shared library in <prefix>/LIBDIR), else where this build tree built it (binaries run from the build tree).
std::string sentencepiece_module_path() {
  if (const char* env = std::getenv("RIG_SENTENCEPIECE_MODULE"); env && *env) return env;
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&sentencepiece_module_path), &self) && self.dli_fname) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::canonical(self.dli_fname, ec).parent_path();
    if (!ec)
      for (int up = 0; up < 3; ++up, dir = dir.parent_path()) {
        auto candidate = dir / RIG_SENTENCEPIECE_INSTALLED;
        if (std::filesystem::exists(candidate, ec)) return candidate.string();
        candidate = dir / "rig" / std::filesystem::path(RIG_SENTENCEPIECE_INSTALLED).filename();
        if (std::filesystem::exists(candidate, ec)) return candidate.string();
      }
  }
  return RIG_SENTENCEPIECE_MODULE;
}

// Opens librig_sentencepiece.so once, isolated from the rest of the process (see sentencepiece/backend.hpp).
detail::SentencePieceBackend* new_backend() {
  using Factory = detail::SentencePieceBackend* (*)();
  static Factory factory = [] {
    std::string path = sentencepiece_module_path();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle)
      throw Error("rig.torch.tokenizer.sentencepiece", std::string("cannot load the SentencePiece module: ") + dlerror(),
                  {}, {}, "set RIG_SENTENCEPIECE_MODULE to the path of librig_sentencepiece.so");
    return reinterpret_cast<Factory>(dlsym(handle, "rig_sentencepiece_backend_new"));
  }();
  if (!factory) throw Error("rig.torch.tokenizer.sentencepiece", "librig_sentencepiece.so lacks its factory");
  return factory();
}

void check(const std::string& error, const std::string& what, const char* field) {
  if (!error.empty()) throw Error("rig.torch.tokenizer.sentencepiece", what + ": " + error, {}, field);
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->backend.reset(new_backend());
  auto& sp = *impl_->backend;
  if (!options.model.empty()) {
    if (!std::filesystem::exists(options.model))
      throw IoError("rig.io.read", "SentencePiece model '" + options.model + "' does not exist", {}, "model");
    check(sp.load(options.model), "cannot load SentencePiece model '" + options.model + "'", "model");
    return;
  }
  std::string text = read_corpus(expand_globs(options.corpus));
  std::string serialized;
  // eos = 1 and unk = 0 keep ids small; bos and pad are not used by rig's datasets.
  check(sp.train({{"vocab_size", std::to_string(options.vocab_size)},
                  {"model_type", options.model_type},
                  {"character_coverage", std::to_string(options.character_coverage)},
                  {"unk_id", "0"},
                  {"eos_id", "1"},
                  {"bos_id", "-1"},
                  {"pad_id", "-1"},
                  {"minloglevel", "2"},
                  {"hard_vocab_limit", "false"},
                  {"num_threads", "1"}},
                 text, &serialized),
        "SentencePiece training failed", "vocab_size");
  if (!options.save_to.empty()) {
    std::filesystem::path to(options.save_to);
    if (to.has_parent_path()) std::filesystem::create_directories(to.parent_path());
    std::ofstream out(to, std::ios::binary);
    out << serialized;
    if (!out) throw IoError("rig.io.write", "cannot write SentencePiece model to '" + options.save_to + "'", {}, "save_to");
  }
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;
SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept = default;
SentencePieceTokenizer& SentencePieceTokenizer::operator=(SentencePieceTokenizer&&) noexcept = default;

std::vector<int64_t> SentencePieceTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  check(impl_->backend->encode(std::string(text), &ids), "SentencePiece encode", "");
  return {ids.begin(), ids.end()};
}

std::string SentencePieceTokenizer::decode(std::span<const int64_t> ids) const {
  std::vector<int> narrow;
  for (int64_t id : ids)
    if (id >= 0 && id < vocab_size() && id != eos_id()) narrow.push_back(static_cast<int>(id));
  std::string out;
  check(impl_->backend->decode(narrow, &out), "SentencePiece decode", "");
  return out;
}

int64_t SentencePieceTokenizer::vocab_size() const { return impl_->backend->piece_size(); }
int64_t SentencePieceTokenizer::eos_id() const { return impl_->backend->eos_id(); }
std::string SentencePieceTokenizer::serialized() const { return impl_->backend->serialized(); }

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::ByteTokenizer, rig::interfaces<rig::torch::Tokenizer>, rig::doc("UTF-8 bytes as ids 0..255, eos 256"));
RIG_COMPONENT(rig::torch::CharTokenizer, rig::options<rig::torch::CharTokenizerOptions>,
              rig::interfaces<rig::torch::Tokenizer>, rig::doc("One id per Unicode character of a corpus or alphabet"));
RIG_COMPONENT(rig::torch::SentencePieceTokenizer, rig::options<rig::torch::SentencePieceOptions>,
              rig::interfaces<rig::torch::Tokenizer>, rig::doc("SentencePiece: load a model, or train one on a corpus"));
