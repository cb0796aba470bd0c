// HFTokenizer: tokenizer.json byte-level BPE (PCRE2 for the pre-tokenizer regexes), or tokenizer.model.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/torch/hf_tokenizer.hpp"
#include "rig/yaml.hpp"

namespace rig::torch {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(std::string id, std::string message, Origin at, std::string key = {}, std::string hint = {}) {
  throw Error(std::move(id), std::move(message), std::move(at), std::move(key), std::move(hint));
}

// GPT-2's byte <-> printable code point table (the ByteLevel alphabet).
struct ByteMap {
  std::array<std::string, 256> to_char;                // byte -> UTF-8 of its code point
  std::unordered_map<char32_t, unsigned char> to_byte;  // code point -> byte
  ByteMap() {
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
      to_char[static_cast<size_t>(b)] = utf8(cp);
      to_byte[cp] = static_cast<unsigned char>(b);
    }
  }
  static std::string utf8(char32_t cp) {
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
  }
};
const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes come back as themselves.
char32_t next_code_point(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + static_cast<size_t>(len) > s.size()) len = 1;
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
  i += static_cast<size_t>(len);
  return cp;
}

// A compiled PCRE2 pattern (UTF, Unicode properties, JIT when available).
class Regex {
 public:
  Regex(const std::string& pattern, const Origin& at, const std::string& key) {
    int err = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP, &err,
                          &offset, nullptr);
    if (!code_) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(err, buf, sizeof buf);
      fail("rig.torch.tokenizer.regex",
           "tokenizer.json: the pre-tokenizer's regex does not compile at offset " + std::to_string(offset) + ": " +
               reinterpret_cast<const char*>(buf),
           at, key);
    }
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // an interpreter fallback when JIT is unavailable
  }
  ~Regex() { pcre2_code_free(code_); }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // The [begin, end) byte ranges of every non-overlapping match in `s`.
  std::vector<std::pair<size_t, size_t>> matches(std::string_view s) const {
    std::vector<std::pair<size_t, size_t>> out;
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
    size_t pos = 0;
    while (pos <= s.size()) {
      int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, 0, md, nullptr);
      if (rc == PCRE2_ERROR_NOMATCH) break;
      if (rc < 0) {
        pcre2_match_data_free(md);
        fail("rig.torch.tokenizer.utf8",
             rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21 ? "the text is not valid UTF-8"
                                                                         : "the pre-tokenizer's regex failed (" +
                                                                               std::to_string(rc) + ")",
             {});
      }
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      size_t b = ov[0], e = ov[1];
      if (e == b) {  // an empty match: step over one character
        if (b >= s.size()) break;
        size_t next = b;
        next_code_point(s, next);
        pos = next;
        continue;
      }
      out.emplace_back(b, e);
      pos = e;
    }
    pcre2_match_data_free(md);
    return out;
  }

 private:
  pcre2_code* code_ = nullptr;
};

constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct PreStep {
  enum Kind { SplitRegex, SplitString, ByteLevel, Digits } kind;
  std::shared_ptr<Regex> regex;  // SplitRegex, ByteLevel with use_regex
  std::string literal;           // SplitString
  bool remove = false;           // Split behavior Removed (else Isolated)
  bool add_prefix_space = false; // ByteLevel
  bool individual_digits = false;
};

// Splits each piece at the matches of `ranges(piece)`, keeping the matches (and the text between, unless remove).
template <class Ranges>
std::vector<std::string> split_pieces(const std::vector<std::string>& pieces, Ranges ranges, bool remove) {
  std::vector<std::string> out;
  for (const auto& p : pieces) {
    size_t last = 0;
    for (auto [b, e] : ranges(p)) {
      if (b > last) out.push_back(p.substr(last, b - last));
      if (!remove) out.push_back(p.substr(b, e - b));
      last = e;
    }
    if (last < p.size()) out.push_back(p.substr(last));
  }
  return out;
}

}  // namespace

struct HFTokenizer::Impl {
  // tokenizer.json
  std::unordered_map<std::string, int64_t> vocab;
  std::vector<std::string> id_to_token;  // "" for ids without one
  std::unordered_map<std::string, int> merge_rank;  // "a b" -> rank
  bool ignore_merges = false;
  std::vector<PreStep> steps;
  bool byte_level = false;
  struct Added {
    std::string content;
    int64_t id;
  };
  std::vector<Added> added;  // longest first
  std::unordered_map<int64_t, std::string> added_by_id;
  std::vector<int64_t> prefix, suffix;
  int64_t eos = -1;
  int64_t size = 0;
  mutable std::mutex cache_mutex;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache;
  // tokenizer.model
  std::unique_ptr<SentencePieceTokenizer> sp;

  std::vector<int64_t> bpe(const std::string& piece) const;
  void encode_text(std::string_view text, std::vector<int64_t>& out) const;
};

std::vector<int64_t> HFTokenizer::Impl::bpe(const std::string& mapped) const {
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (auto it = cache.find(mapped); it != cache.end()) return it->second;
  }
  std::vector<int64_t> ids;
  auto whole = vocab.find(mapped);
  if (ignore_merges && whole != vocab.end()) {
    ids.push_back(whole->second);
  } else {
    std::vector<std::string> sym;
    for (size_t i = 0; i < mapped.size();) {
      size_t start = i;
      next_code_point(mapped, i);
      sym.push_back(mapped.substr(start, i - start));
    }
    while (sym.size() > 1) {
      int best = std::numeric_limits<int>::max();
      size_t at = 0;
      for (size_t i = 0; i + 1 < sym.size(); ++i) {
        auto it = merge_rank.find(sym[i] + " " + sym[i + 1]);
        if (it != merge_rank.end() && it->second < best) best = it->second, at = i;
      }
      if (best == std::numeric_limits<int>::max()) break;
      // Merge every occurrence of the best pair, left to right (as the reference BPE does).
      std::string a = sym[at], b = sym[at + 1];
      std::vector<std::string> next;
      for (size_t i = 0; i < sym.size();) {
        if (i + 1 < sym.size() && sym[i] == a && sym[i + 1] == b) {
          next.push_back(a + b);
          i += 2;
        } else {
          next.push_back(sym[i++]);
        }
      }
      sym = std::move(next);
    }
    for (const auto& s : sym) {
      auto it = vocab.find(s);
      if (it == vocab.end())
        throw Error("rig.torch.tokenizer.unknown", "tokenizer.json: the symbol '" + s +
                                                       "' is not in the vocabulary (and the model has no unk_token)");
      ids.push_back(it->second);
    }
  }
  std::lock_guard<std::mutex> lock(cache_mutex);
  if (cache.size() > 200000) cache.clear();
  cache.emplace(mapped, ids);
  return ids;
}

void HFTokenizer::Impl::encode_text(std::string_view text, std::vector<int64_t>& out) const {
  if (text.empty()) return;
  std::vector<std::string> pieces = {std::string(text)};
  for (const auto& step : steps) {
    switch (step.kind) {
      case PreStep::SplitRegex:
        pieces = split_pieces(pieces, [&](const std::string& p) { return step.regex->matches(p); }, step.remove);
        break;
      case PreStep::SplitString:
        pieces = split_pieces(
            pieces,
            [&](const std::string& p) {
              std::vector<std::pair<size_t, size_t>> r;
              if (step.literal.empty()) return r;
              for (size_t at = p.find(step.literal); at != std::string::npos; at = p.find(step.literal, at + step.literal.size()))
                r.emplace_back(at, at + step.literal.size());
              return r;
            },
            step.remove);
        break;
      case PreStep::Digits:
        pieces = split_pieces(
            pieces,
            [&](const std::string& p) {
              std::vector<std::pair<size_t, size_t>> r;
              for (size_t i = 0; i < p.size();) {
                if (p[i] >= '0' && p[i] <= '9') {
                  size_t j = i + 1;
                  if (!step.individual_digits)
                    while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
                  r.emplace_back(i, j);
                  i = j;
                } else {
                  ++i;
                }
              }
              return r;
            },
            false);
        break;
      case PreStep::ByteLevel:
        if (step.add_prefix_space)
          for (auto& p : pieces)
            if (!p.starts_with(' ')) p.insert(0, " ");
        if (step.regex)
          pieces = split_pieces(pieces, [&](const std::string& p) { return step.regex->matches(p); }, false);
        break;
    }
  }
  const ByteMap& bm = byte_map();
  for (const auto& p : pieces) {
    if (p.empty()) continue;
    std::string mapped;
    for (char c : p) mapped += bm.to_char[static_cast<unsigned char>(c)];
    auto ids = bpe(mapped);
    out.insert(out.end(), ids.begin(), ids.end());
  }
}

namespace {

// The text of an eos token named by tokenizer_config.json (a string or {"content": ...}).
std::optional<std::string> config_token(const fs::path& file, const char* key) {
  if (!fs::exists(file)) return std::nullopt;
  Node cfg = load_file(file);
  const Node* t = cfg.find(key);
  if (t && t->is_string()) return t->str();
  if (t && t->is_map())
    if (const Node* c = t->find("content"); c && c->is_string()) return c->str();
  return std::nullopt;
}

void load_tokenizer_json(HFTokenizer::Impl& impl, const fs::path& file) {
  Node root = load_file(file);
  const Node* model = root.find("model");
  if (!model || !model->is_map()) fail("rig.torch.tokenizer.json", "tokenizer.json has no 'model' object", root.origin(), "model");
  const Node* type = model->find("type");
  if (!type || !type->is_string() || type->str() != "BPE")
    fail("rig.torch.tokenizer.unsupported",
         "tokenizer.json: model type " + (type && type->is_string() ? "'" + type->str() + "'" : std::string("(none)")) +
             " is not supported",
         type ? type->origin() : model->origin(), "model.type", "rig reads byte-level BPE tokenizer.json files");
  if (const Node* bf = model->find("byte_fallback"); bf && bf->is_bool() && bf->bool_value())
    fail("rig.torch.tokenizer.unsupported", "tokenizer.json: byte-fallback BPE (SentencePiece-style) is not supported",
         bf->origin(), "model.byte_fallback", "put the checkpoint's tokenizer.model next to it and remove tokenizer.json");
  if (const Node* im = model->find("ignore_merges"); im && im->is_bool()) impl.ignore_merges = im->bool_value();
  const Node* vocab = model->find("vocab");
  if (!vocab || !vocab->is_map()) fail("rig.torch.tokenizer.json", "tokenizer.json: model.vocab must be an object", model->origin(), "model.vocab");
  for (const auto& e : vocab->entries()) {
    if (!e.value.is_int() || e.value.int_value() < 0)
      fail("rig.torch.tokenizer.json", "tokenizer.json: vocabulary ids must be non-negative integers", e.value.origin(),
           "model.vocab." + e.key);
    impl.vocab[e.key] = e.value.int_value();
    impl.size = std::max(impl.size, e.value.int_value() + 1);
  }
  const Node* merges = model->find("merges");
  if (merges && merges->is_list()) {
    int rank = 0;
    for (const Node& m : merges->elements()) {
      std::string key;
      if (m.is_string()) {
        key = m.str();
      } else if (m.is_list() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        key = m[0].str() + " " + m[1].str();
      } else {
        fail("rig.torch.tokenizer.json", "tokenizer.json: a merge is \"a b\" or [\"a\", \"b\"]", m.origin(), "model.merges");
      }
      impl.merge_rank.emplace(std::move(key), rank++);
    }
  }
  if (const Node* norm = root.find("normalizer"); norm && !norm->is_null()) {
    const Node* t = norm->find("type");
    if (!t || !t->is_string() || t->str() != "NFC")
      fail("rig.torch.tokenizer.unsupported",
           "tokenizer.json: normalizer " + (t && t->is_string() ? "'" + t->str() + "'" : std::string("?")) +
               " is not supported",
           norm->origin(), "normalizer", "rig supports no normalizer, or NFC (applied as identity)");
  }
  // Pre-tokenizers.
  std::vector<const Node*> pre;
  if (const Node* p = root.find("pre_tokenizer"); p && !p->is_null()) {
    const Node* t = p->find("type");
    if (t && t->is_string() && t->str() == "Sequence") {
      if (const Node* list = p->find("pretokenizers"); list && list->is_list())
        for (const Node& n : list->elements()) pre.push_back(&n);
    } else {
      pre.push_back(p);
    }
  }
  for (const Node* p : pre) {
    const Node* t = p->find("type");
    std::string type = t && t->is_string() ? t->str() : "";
    PreStep step{};
    if (type == "Split") {
      const Node* pattern = p->find("pattern");
      const Node* behavior = p->find("behavior");
      std::string b = behavior && behavior->is_string() ? behavior->str() : "Isolated";
      if (b != "Isolated" && b != "Removed")
        fail("rig.torch.tokenizer.unsupported", "tokenizer.json: Split behavior '" + b + "' is not supported",
             behavior ? behavior->origin() : p->origin(), "pre_tokenizer.behavior", "Isolated or Removed");
      if (const Node* inv = p->find("invert"); inv && inv->is_bool() && inv->bool_value())
        fail("rig.torch.tokenizer.unsupported", "tokenizer.json: Split with invert = true is not supported", inv->origin(),
             "pre_tokenizer.invert");
      step.remove = b == "Removed";
      if (pattern && pattern->find("Regex") && (*pattern)["Regex"].is_string()) {
        step.kind = PreStep::SplitRegex;
        step.regex = std::make_shared<Regex>((*pattern)["Regex"].str(), (*pattern)["Regex"].origin(), "pre_tokenizer.pattern.Regex");
      } else if (pattern && pattern->find("String") && (*pattern)["String"].is_string()) {
        step.kind = PreStep::SplitString;
        step.literal = (*pattern)["String"].str();
      } else {
        fail("rig.torch.tokenizer.json", "tokenizer.json: Split needs a pattern {\"Regex\": ...} or {\"String\": ...}",
             p->origin(), "pre_tokenizer.pattern");
      }
    } else if (type == "ByteLevel") {
      step.kind = PreStep::ByteLevel;
      const Node* aps = p->find("add_prefix_space");
      step.add_prefix_space = aps && aps->is_bool() && aps->bool_value();
      const Node* ur = p->find("use_regex");
      if (!ur || !ur->is_bool() || ur->bool_value())
        step.regex = std::make_shared<Regex>(kGpt2Pattern, p->origin(), "pre_tokenizer");
      impl.byte_level = true;
    } else if (type == "Digits") {
      step.kind = PreStep::Digits;
      const Node* ind = p->find("individual_digits");
      step.individual_digits = ind && ind->is_bool() && ind->bool_value();
    } else {
      fail("rig.torch.tokenizer.unsupported", "tokenizer.json: pre-tokenizer '" + type + "' is not supported",
           t ? t->origin() : p->origin(), "pre_tokenizer.type", "Split, ByteLevel, Digits or a Sequence of them");
    }
    impl.steps.push_back(std::move(step));
  }
  if (!impl.byte_level)
    fail("rig.torch.tokenizer.unsupported", "tokenizer.json has no ByteLevel pre-tokenizer: rig reads byte-level BPE",
         root.origin(), "pre_tokenizer", "for a SentencePiece model, use its tokenizer.model");
  // Added tokens.
  if (const Node* added = root.find("added_tokens"); added && added->is_list()) {
    for (const Node& a : added->elements()) {
      const Node* id = a.find("id");
      const Node* content = a.find("content");
      if (!id || !id->is_int() || !content || !content->is_string() || content->str().empty())
        fail("rig.torch.tokenizer.json", "tokenizer.json: an added token needs an integer id and a non-empty content",
             a.origin(), "added_tokens");
      impl.added.push_back({content->str(), id->int_value()});
      impl.added_by_id[id->int_value()] = content->str();
      impl.size = std::max(impl.size, id->int_value() + 1);
    }
    std::stable_sort(impl.added.begin(), impl.added.end(),
                     [](const auto& a, const auto& b) { return a.content.size() > b.content.size(); });
  }
  impl.id_to_token.assign(static_cast<size_t>(impl.size), "");
  for (const auto& [tok, id] : impl.vocab) impl.id_to_token[static_cast<size_t>(id)] = tok;
  // Post-processor.
  std::vector<const Node*> posts;
  if (const Node* p = root.find("post_processor"); p && !p->is_null()) {
    const Node* t = p->find("type");
    if (t && t->is_string() && t->str() == "Sequence") {
      if (const Node* list = p->find("processors"); list && list->is_list())
        for (const Node& n : list->elements()) posts.push_back(&n);
    } else {
      posts.push_back(p);
    }
  }
  for (const Node* p : posts) {
    const Node* t = p->find("type");
    std::string type = t && t->is_string() ? t->str() : "";
    if (type == "ByteLevel") continue;
    if (type != "TemplateProcessing")
      fail("rig.torch.tokenizer.unsupported", "tokenizer.json: post-processor '" + type + "' is not supported",
           t ? t->origin() : p->origin(), "post_processor.type", "TemplateProcessing, ByteLevel or a Sequence of them");
    const Node* single = p->find("single");
    const Node* specials = p->find("special_tokens");
    if (!single || !single->is_list())
      fail("rig.torch.tokenizer.json", "tokenizer.json: TemplateProcessing needs a 'single' list", p->origin(),
           "post_processor.single");
    bool after = false;
    for (const Node& item : single->elements()) {
      if (item.find("Sequence")) {
        after = true;
        continue;
      }
      const Node* sp = item.find("SpecialToken");
      const Node* name = sp ? sp->find("id") : nullptr;
      if (!name || !name->is_string())
        fail("rig.torch.tokenizer.json", "tokenizer.json: a template item is {\"Sequence\": ...} or {\"SpecialToken\": {\"id\": ...}}",
             item.origin(), "post_processor.single");
      const Node* entry = specials ? specials->find(name->str()) : nullptr;
      const Node* ids = entry ? entry->find("ids") : nullptr;
      if (!ids || !ids->is_list())
        fail("rig.torch.tokenizer.json", "tokenizer.json: special token '" + name->str() + "' of the template has no ids",
             name->origin(), "post_processor.special_tokens");
      for (const Node& i : ids->elements()) (after ? impl.suffix : impl.prefix).push_back(i.int_value());
    }
  }
}

}  // namespace

HFTokenizer::HFTokenizer(HFTokenizerOptions options) : impl_(std::make_unique<Impl>()) {
  fs::path path = options.path;
  if (path.empty()) throw Error("rig.torch.tokenizer.option", "HFTokenizer: path is empty", {}, "path");
  fs::path dir = fs::is_directory(path) ? path : path.parent_path();
  fs::path file = path;
  if (fs::is_directory(path)) {
    file = fs::exists(path / "tokenizer.json") ? path / "tokenizer.json" : path / "tokenizer.model";
    if (!fs::exists(file))
      throw IoError("rig.io.read", "'" + path.string() + "' has neither tokenizer.json nor tokenizer.model", {}, "path");
  }
  if (file.extension() == ".model") {
    impl_->sp = std::make_unique<SentencePieceTokenizer>(SentencePieceOptions{.model = file.string()});
    impl_->size = impl_->sp->vocab_size();
    // Llama 2 / Mistral: a BOS before each text unless tokenizer_config.json says otherwise.
    bool add_bos = true;
    if (fs::exists(dir / "tokenizer_config.json")) {
      Node cfg = load_file(dir / "tokenizer_config.json");
      if (const Node* b = cfg.find("add_bos_token"); b && b->is_bool()) add_bos = b->bool_value();
    }
    int64_t bos = 1;
    if (fs::exists(dir / "config.json")) {
      Node cfg = load_file(dir / "config.json");
      if (const Node* b = cfg.find("bos_token_id"); b && b->is_int()) bos = b->int_value();
    }
    if (add_bos) impl_->prefix.push_back(bos);
    impl_->eos = impl_->sp->eos_id();
  } else {
    load_tokenizer_json(*impl_, file);
  }
  // eos: config.json's, else tokenizer_config.json's token.
  if (fs::exists(dir / "config.json")) {
    Node cfg = load_file(dir / "config.json");
    if (const Node* e = cfg.find("eos_token_id")) {
      if (e->is_int()) impl_->eos = e->int_value();
      else if (e->is_list() && !e->empty() && (*e)[0].is_int()) impl_->eos = (*e)[0].int_value();
    }
  } else if (auto tok = config_token(dir / "tokenizer_config.json", "eos_token")) {
    if (auto id = token_id(*tok)) impl_->eos = *id;
  }
}

HFTokenizer::~HFTokenizer() = default;
HFTokenizer::HFTokenizer(HFTokenizer&&) noexcept = default;
HFTokenizer& HFTokenizer::operator=(HFTokenizer&&) noexcept = default;

std::vector<int64_t> HFTokenizer::encode_raw(std::string_view text) const {
  if (impl_->sp) return impl_->sp->encode(text);
  std::vector<int64_t> out;
  // Added tokens first: the longest one starting at each position; the text between goes through BPE.
  size_t last = 0, i = 0;
  while (i < text.size()) {
    const Impl::Added* hit = nullptr;
    for (const auto& a : impl_->added)
      if (text.compare(i, a.content.size(), a.content) == 0) {
        hit = &a;
        break;
      }
    if (!hit) {
      ++i;
      continue;
    }
    impl_->encode_text(text.substr(last, i - last), out);
    out.push_back(hit->id);
    i += hit->content.size();
    last = i;
  }
  impl_->encode_text(text.substr(last), out);
  return out;
}

std::vector<int64_t> HFTokenizer::encode(std::string_view text) const {
  std::vector<int64_t> out = impl_->prefix;
  std::vector<int64_t> body = encode_raw(text);
  out.insert(out.end(), body.begin(), body.end());
  out.insert(out.end(), impl_->suffix.begin(), impl_->suffix.end());
  return out;
}

std::string HFTokenizer::decode(std::span<const int64_t> ids) const {
  if (impl_->sp) {
    std::vector<int64_t> body;
    for (int64_t id : ids)
      if (std::find(impl_->prefix.begin(), impl_->prefix.end(), id) == impl_->prefix.end()) body.push_back(id);
    return impl_->sp->decode(body);
  }
  const ByteMap& bm = byte_map();
  std::string out;
  for (int64_t id : ids) {
    if (auto a = impl_->added_by_id.find(id); a != impl_->added_by_id.end()) {
      out += a->second;
      continue;
    }
    // An id with no token is skipped, as Hugging Face's tokenizers library decodes: a model's vocab_size may exceed
    // its tokenizer's tokens (Qwen2: 151936 rows, ~151665 tokens), and sampling can pick such a row.
    if (id < 0 || id >= impl_->size || impl_->id_to_token[static_cast<size_t>(id)].empty()) continue;
    const std::string& tok = impl_->id_to_token[static_cast<size_t>(id)];
    for (size_t i = 0; i < tok.size();) {
      size_t start = i;
      char32_t cp = next_code_point(tok, i);
      auto b = bm.to_byte.find(cp);
      if (b != bm.to_byte.end())
        out += static_cast<char>(b->second);
      else
        out.append(tok, start, i - start);
    }
  }
  return out;
}

int64_t HFTokenizer::vocab_size() const { return impl_->size; }
int64_t HFTokenizer::eos_id() const { return impl_->eos; }
const std::vector<int64_t>& HFTokenizer::prefix() const { return impl_->prefix; }
const std::vector<int64_t>& HFTokenizer::suffix() const { return impl_->suffix; }

std::optional<int64_t> HFTokenizer::added_token_id(std::string_view token) const {
  for (const auto& a : impl_->added)
    if (a.content == token) return a.id;
  return std::nullopt;
}

std::optional<int64_t> HFTokenizer::token_id(std::string_view token) const {
  if (auto id = added_token_id(token)) return id;
  if (auto it = impl_->vocab.find(std::string(token)); it != impl_->vocab.end()) return it->second;
  return std::nullopt;
}

}  // namespace rig::torch

RIG_COMPONENT(rig::torch::HFTokenizer, rig::options<rig::torch::HFTokenizerOptions>,
              rig::interfaces<rig::torch::Tokenizer>,
              rig::doc("A Hugging Face checkpoint's tokenizer: tokenizer.json (byte-level BPE) or tokenizer.model"));
