// Loading YAML and JSON text into rig trees: libfyaml's events in, rig's own nodes out.
#include "rig/yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unordered_map>
#include <unordered_set>

#include "detail/node_data.hpp"
#include "detail/event_pipe.hpp"
#include "detail/fyaml.hpp"
#include "detail/node_arena.hpp"
#include "detail/scalar.hpp"

namespace rig {

namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";
constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

// Line and column (1-based, in characters) of byte `offset` in `text`.
std::pair<uint32_t, uint32_t> locate(std::string_view text, size_t offset) {
  uint32_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {  // LF, CRLF, lone CR
      ++line;
      column = 1;
    } else if (c == '\r') {
      // the CR of a CRLF: the LF ends the line
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

// Offset of the first byte that is not valid UTF-8 or is a NUL, or npos.
size_t first_bad_byte(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > n) return i;
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string_view classify(std::string_view message, bool json) {
  auto has = [&](std::string_view w) { return message.find(w) != std::string_view::npos; };
  if (json || has("JSON")) return "rig.json.syntax";
  if (has("tab")) return "rig.yaml.tab";
  if (has("escape")) return "rig.yaml.escape";
  if (has("quoted")) return "rig.yaml.quoted_scalar";
  if (has("alias") || has("anchor")) return "rig.yaml.alias";
  if (has("indent") || has("indend")) return "rig.yaml.indentation";  // libfyaml spells it both ways
  if (has("flow")) return "rig.yaml.flow";
  if (has("tag")) return "rig.yaml.tag";
  return "rig.yaml.syntax";
}

struct Anchored {
  Node node;
  size_t expanded = 1;  // nodes this subtree stands for once every alias inside it is expanded
};

// Builds rig trees from libfyaml's events. Collections are filled in frames that are reused from one collection to
// the next at the same depth (their containers keep their capacity), and each finished collection is moved once into
// storage of exactly its size: loading allocates about one block per value and one per collection.
class Builder {
 public:
  Builder(std::string text, std::string_view name, const LoadLimits& limits, bool json, bool single)
      : limits_(limits), json_(json), single_(single), source_(Source::make(std::string(name), std::move(text))) {}

  std::vector<Node> run() {
    std::string_view text = source_->text;
    if (size_t bad = first_bad_byte(text); bad != std::string_view::npos) {
      bool nul = text[bad] == '\0';
      fail<ParseError>(nul ? "rig.yaml.nul_byte" : "rig.yaml.invalid_utf8", position_of(bad),
                       nul ? "NUL byte in input" : "invalid UTF-8 byte sequence",
                       nul ? "" : "save the file as UTF-8");
    }
    if (!json_) check_directives(text);
    detail::ArenaScope arena(text.size());  // the document's nodes come from one arena (detail/node_arena.hpp)
    std::optional<detail::fy::Diagnostic> error;
    if (parse(text, error)) return std::move(docs_);
    // libfyaml 0.7.12 rejects an empty entry of a block sequence written at its key's column (`lr:\n-\n- x`), which
    // YAML 1.2 reads as null (example 8.15). Such input is parsed again with `~` written after each line's bare `-`.
    // The parser's events then decide which of those dashes are entries: a `~` that comes back as a null sequence
    // entry exactly where it was written is one; a `~` the parser has read past without returning it was taken into
    // other content (a block or multi-line scalar) and is dropped, and the text is parsed again without it. The result
    // stands only when every `~` left is a null entry.
    if (!json_ && error && error->message == "did not find expected node content") {
      std::vector<TextPosition> candidates = bare_entry_dashes(text);
      while (!candidates.empty()) {
        reset();
        patched_nulls_ = std::move(candidates);
        std::string patched = with_null_after(text, patched_nulls_);
        std::optional<detail::fy::Diagnostic> again;
        bool parsed = parse(patched, again);
        if (parsed && confirmed_nulls_.size() == patched_nulls_.size()) return std::move(docs_);
        // Keep the confirmed entries and those the parser has not reached; stop when nothing was ruled out.
        candidates.clear();
        for (const TextPosition& p : patched_nulls_)
          if (std::binary_search(confirmed_nulls_.begin(), confirmed_nulls_.end(), p) || (!parsed && p > last_event_))
            candidates.push_back(p);
        if (candidates.size() == patched_nulls_.size()) break;
      }
    }
    parse_failed(error);
  }

 private:
  struct Frame {
    bool is_map = false;
    Origin origin;  // of the collection
    std::string anchor;
    size_t expanded = 1;
    detail::MapData map;    // the entries so far, when is_map
    std::vector<Node> list;  // the elements so far, otherwise
    bool have_key = false;
    bool key_is_merge = false;
    std::string key;
    uint32_t key_line = 0, key_column = 0;
    std::unordered_set<std::string> merged_keys;  // keys that came from `<<` and may be overridden
  };

  // Directives (`%YAML`, `%TAG`) come before the first document, each on its own line, and a document that follows
  // directives starts with `---` (YAML 1.2, 9.2). rig reads YAML 1.2 only: `%YAML 1.1` would type plain scalars
  // differently (`yes`, `0b1`, `1_000`), so it is refused rather than read as 1.2. Other versions are libfyaml's to
  // refuse.
  void check_directives(std::string_view text) {
    size_t pos = 0, line_no = 0;
    size_t directive_line = 0;
    if (text.starts_with("\xEF\xBB\xBF")) pos = 3;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_no;
      size_t first = line.find_first_not_of(" \t");
      bool blank = first == std::string_view::npos || line[first] == '#';
      if (!blank) {
        if (line[0] != '%') {
          if (directive_line && !(line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t')))
            fail<ParseError>("rig.yaml.syntax", Origin{source_, static_cast<uint32_t>(line_no), 1},
                             "a document after directives must start with '---' (YAML 1.2, 9.2)",
                             fmt::format("write '---' on the line after the directive of line {}", directive_line));
          return;
        }
        directive_line = line_no;
        if (line.starts_with("%YAML") && line.size() > 5 && (line[5] == ' ' || line[5] == '\t')) {
          std::string_view version = line.substr(5);
          version.remove_prefix(std::min(version.find_first_not_of(" \t"), version.size()));
          version = version.substr(0, version.find_first_of(" \t#"));
          if (version == "1.1" || version == "1.0")
            fail<ParseError>("rig.yaml.version", Origin{source_, static_cast<uint32_t>(line_no), 7},
                             fmt::format("YAML {} is not supported: rig reads YAML 1.2, where plain scalars such as "
                                         "yes, 0b101, 1_000 and 1:30 are strings",
                                         version),
                             "remove the directive (and quote any value meant as a string) or write %YAML 1.2");
        }
      }
      pos = end + 1;
    }
    if (directive_line)
      fail<ParseError>("rig.yaml.syntax", Origin{source_, static_cast<uint32_t>(directive_line), 1},
                       "directives without a document: a document starting with '---' must follow them");
  }

  // A byte order mark may start the stream; inside a document it is allowed only within quoted scalars (YAML 1.2,
  // 5.2). In a plain scalar or key it would silently become part of the text.
  void check_bom(const detail::fy::EventView& ev) {
    if (ev.style() != FYSS_PLAIN) return;
    size_t bom = ev.value().find("\xEF\xBB\xBF");
    if (bom == std::string_view::npos) return;
    Origin at = origin_of(ev);
    at.column += static_cast<uint32_t>(std::count_if(ev.value().begin(), ev.value().begin() + static_cast<ptrdiff_t>(bom),
                                                     [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    fail<ParseError>("rig.yaml.bom", at, "a byte order mark (U+FEFF) inside a document",
                     "remove it: a byte order mark may only start the file (an editor or a concatenation left it here)");
  }

  // Feeds `text`'s events to handle(); false (with libfyaml's first error) when the text is not valid YAML.
  bool parse(std::string_view text, std::optional<detail::fy::Diagnostic>& error) {
    if (text.size() >= limits_.pipeline_bytes) {
      detail::fy::EventPipe pipe(text, json_);
      detail::fy::EventBatch batch;
      while (pipe.next(batch))
        for (size_t i = 0; i < batch.events.size(); ++i) handle(batch.view(i));
      if (pipe.failed()) error = pipe.first_error();
      return !pipe.failed();
    }
    detail::fy::Parser parser(text, json_);
    while (detail::fy::Event ev = parser.next()) handle(ev.view());
    if (parser.failed()) error = parser.first_error();
    return !parser.failed();
  }

  void reset() {
    frames_.clear();  // a failed parse leaves the open collections' contents behind
    depth_ = 0;
    anchors_.clear();
    root_ = Node();
    docs_.clear();
    literal_nodes_ = alias_nodes_ = 0;
    second_document_ = false;
    confirmed_nulls_.clear();
    last_event_ = {0, 0};
  }

  using TextPosition = std::pair<uint32_t, uint32_t>;  // line, column (1-based)

  // Where a `~` would go after the dash of each line that is a bare block-sequence entry (`-`, maybe a comment after
  // it), in text order. Lines inside block scalars are found here too; the events sort them out.
  static std::vector<TextPosition> bare_entry_dashes(std::string_view text) {
    std::vector<TextPosition> out;
    uint32_t line = 0;
    for (size_t pos = 0; pos < text.size();) {
      ++line;
      size_t end = std::min(text.find('\n', pos), text.size());
      std::string_view l = text.substr(pos, end - pos);
      size_t dash = l.find_first_not_of(' ');
      if (dash != std::string_view::npos && l[dash] == '-') {
        size_t rest = l.find_first_not_of(" \t\r", dash + 1);
        if (rest == std::string_view::npos || (rest > dash + 1 && l[rest] == '#'))
          out.emplace_back(line, static_cast<uint32_t>(dash + 3));
      }
      pos = end + 1;
    }
    return out;
  }

  // `text` with ` ~` written after the dash at each of `at` (positions from bare_entry_dashes, in text order).
  static std::string with_null_after(std::string_view text, const std::vector<TextPosition>& at) {
    std::string out;
    out.reserve(text.size() + 2 * at.size());
    uint32_t line = 1;
    size_t line_start = 0, copied = 0;
    for (const auto& [l, column] : at) {
      for (; line < l; ++line) line_start = text.find('\n', line_start) + 1;
      size_t after_dash = line_start + column - 2;
      out.append(text.substr(copied, after_dash - copied));
      out += " ~";
      copied = after_dash;
    }
    out.append(text.substr(copied));
    return out;
  }

  [[noreturn]] void parse_failed(const std::optional<detail::fy::Diagnostic>& d) {
    Origin at{source_, d ? d->line : 1, d ? d->column : 1};
    std::string message = d ? d->message : "syntax error";
    fail<ParseError>(std::string(classify(message, json_)), at, message);
  }

  template <class E>
  [[noreturn]] void fail(std::string id, Origin at, std::string message, std::string hint = {}) {
    throw E(std::move(id), std::move(message), std::move(at), current_path(), std::move(hint));
  }

  Origin position_of(size_t offset) const {
    auto [line, column] = locate(source_->text, offset);
    return Origin{source_, line, column};
  }
  Origin origin_of(const detail::fy::EventView& ev) const {
    auto p = ev.start();
    return Origin{source_, p.line, p.column};
  }
  Origin tag_origin_of(const detail::fy::EventView& ev) const {
    auto p = ev.tag_position.line ? ev.tag_position : ev.start();
    return Origin{source_, p.line, p.column};
  }
  Origin key_origin(const Frame& f) const { return Origin{source_, f.key_line, f.key_column}; }

  std::string current_path() const {
    KeyPath path;
    for (size_t i = 0; i < depth_; ++i) {
      const Frame& f = frames_[i];
      if (!f.is_map)
        path.push_index(f.list.size());
      else if (f.have_key)
        path.push_key(f.key);
    }
    return path.to_string();
  }

  void handle(const detail::fy::EventView& ev) {
    if (!patched_nulls_.empty()) last_event_ = {ev.start().line, ev.start().column};
    switch (ev.type()) {
      case FYET_DOCUMENT_START:
        if (single_ && !docs_.empty()) {
          // An implicit document (content after `...`) has no position of its own: report at its first node.
          if (origin_of(ev).line == 0) {
            second_document_ = true;
            break;
          }
          second_document(origin_of(ev));
        }
        break;
      case FYET_DOCUMENT_END:
        docs_.push_back(std::move(root_));
        root_ = Node();
        anchors_.clear();
        break;
      case FYET_MAPPING_START:
        if (second_document_) second_document(origin_of(ev));
        open(ev, true);
        break;
      case FYET_SEQUENCE_START:
        if (second_document_) second_document(origin_of(ev));
        open(ev, false);
        break;
      case FYET_MAPPING_END:
      case FYET_SEQUENCE_END: close(); break;
      case FYET_SCALAR:
        if (second_document_) second_document(origin_of(ev));
        check_bom(ev);
        if (!patched_nulls_.empty()) confirm_null(ev);
        scalar(ev);
        break;
      case FYET_ALIAS:
        if (second_document_) second_document(origin_of(ev));
        alias(ev);
        break;
      default: break;
    }
  }

  [[noreturn]] void second_document(Origin at) {
    if (at.line == 0) at = Origin{source_, 1, 1};
    fail<ParseError>("rig.yaml.multi_document", std::move(at),
                     "a config file holds one YAML document; a second one starts here (after '---' or '...')",
                     "split the documents into separate files, or delete what follows the end of the document");
  }

  Frame& top() { return frames_[depth_ - 1]; }  // the innermost open collection; depth_ > 0
  bool expecting_key() const { return depth_ > 0 && frames_[depth_ - 1].is_map && !frames_[depth_ - 1].have_key; }

  void check_collection_tag(const detail::fy::EventView& ev, std::string_view expected) {
    std::string_view tag = ev.tag();
    if (tag.empty() || tag == "!") return;
    if (tag.substr(0, kTagPrefix.size()) == kTagPrefix) {
      std::string_view name = tag.substr(kTagPrefix.size());
      if (name == expected) return;
      if (name == "seq" || name == "map" || name == "str" || name == "int" || name == "float" || name == "bool" ||
          name == "null")
        fail<ParseError>("rig.yaml.tag_mismatch", tag_origin_of(ev),
                         fmt::format("tag !!{} cannot apply to a {}", name, expected == "map" ? "mapping" : "sequence"));
    }
    unknown_tag(ev, tag);
  }

  [[noreturn]] void unknown_tag(const detail::fy::EventView& ev, std::string_view tag) {
    fail<ParseError>("rig.yaml.unknown_tag", tag_origin_of(ev), fmt::format("unsupported tag '{}'", tag),
                     "rig accepts the core tags !!str, !!int, !!float, !!bool, !!null, !!seq and !!map");
  }

  void open(const detail::fy::EventView& ev, bool is_map) {
    if (expecting_key())
      fail<ParseError>("rig.yaml.complex_key", origin_of(ev), "a mapping key must be a scalar",
                       "rig config keys are strings");
    check_collection_tag(ev, is_map ? "map" : "seq");
    if (depth_ >= limits_.max_depth)
      fail<LimitError>("rig.limit.depth", origin_of(ev),
                       fmt::format("nesting deeper than the limit of {} levels", limits_.max_depth),
                       "raise LoadLimits::max_depth if this config is intended");
    ++literal_nodes_;
    if (depth_ == frames_.size()) frames_.emplace_back();
    Frame& f = frames_[depth_++];
    f.is_map = is_map;
    f.origin = origin_of(ev);
    f.anchor.assign(ev.anchor());
    f.expanded = 1;
    f.have_key = false;
    f.key_is_merge = false;
    f.merged_keys.clear();
  }

  void close() {
    Frame& f = frames_[--depth_];
    Node node = f.is_map ? detail::take_map(f.map, std::move(f.origin)) : detail::take_list(f.list, std::move(f.origin));
    if (!f.anchor.empty()) anchors_[f.anchor] = Anchored{node, f.expanded};
    add(std::move(node), f.expanded);
  }

  // A scalar read as a string: "???" is MISSING however it is written (quoted, `!!str`, `!`), as OmegaConf reads
  // any "???" string; a string "???" that is not MISSING could not be written back (dump_yaml quotes it).
  static Node string_value(std::string_view text) {
    return text == "???" ? Node::missing() : Node(std::string(text));
  }

  Node typed_scalar(const detail::fy::EventView& ev, const Origin& at) {
    std::string_view text = ev.value();
    std::string_view tag = ev.tag();
    bool plain = ev.style() == FYSS_PLAIN;
    if (tag.empty()) {
      if (!plain) return string_value(text);
      if (auto n = detail::resolve_plain(text)) return std::move(*n);
      if (detail::float_out_of_range(text))
        fail<ParseError>("rig.yaml.float_range", at, detail::float_range_message(text),
                         std::string(detail::kFloatRangeHint));
      fail<ParseError>("rig.yaml.int_range", at, fmt::format("integer {} does not fit in 64 bits", text),
                       "quote it to keep it as a string");
    }
    if (tag == "!") return string_value(text);
    if (tag.substr(0, kTagPrefix.size()) != kTagPrefix) unknown_tag(ev, tag);
    std::string_view name = tag.substr(kTagPrefix.size());
    auto bad = [&](std::string_view what) -> Node {
      fail<ParseError>("rig.yaml.tagged_value", at, fmt::format("'{}' is not a valid {}", text, what));
    };
    if (name == "str") return string_value(text);
    if (name == "int") {
      if (auto v = detail::parse_int(text)) return Node(*v);
      return bad("!!int");
    }
    if (name == "float") {
      if (auto v = detail::parse_float(text)) return Node(*v);
      if (detail::float_out_of_range(text))
        fail<ParseError>("rig.yaml.float_range", at, detail::float_range_message(text),
                         std::string(detail::kFloatRangeHint));
      if (auto v = detail::parse_int(text)) return Node(static_cast<double>(*v));
      return bad("!!float");
    }
    if (name == "bool") {
      if (auto v = detail::parse_bool(text)) return Node(*v);
      return bad("!!bool");
    }
    if (name == "null") {
      if (detail::is_null_text(text)) return Node();
      return bad("!!null");
    }
    if (name == "seq" || name == "map")
      fail<ParseError>("rig.yaml.tag_mismatch", tag_origin_of(ev), fmt::format("tag !!{} cannot apply to a scalar", name));
    unknown_tag(ev, tag);
  }

  void confirm_null(const detail::fy::EventView& ev) {
    if (expecting_key() || depth_ == 0 || top().is_map || ev.value() != "~" || ev.style() != FYSS_PLAIN) return;
    auto p = ev.start();
    TextPosition at{p.line, p.column};
    if (std::binary_search(patched_nulls_.begin(), patched_nulls_.end(), at)) confirmed_nulls_.push_back(at);
  }

  void scalar(const detail::fy::EventView& ev) {
    if (expecting_key()) {
      key(ev);
      return;
    }
    Origin at = origin_of(ev);
    Node n = typed_scalar(ev, at);
    n.set_origin(std::move(at));
    ++literal_nodes_;
    if (!ev.anchor().empty()) anchors_[std::string(ev.anchor())] = Anchored{n, 1};
    add(std::move(n), 1);
  }

  void key(const detail::fy::EventView& ev) {
    Frame& f = top();
    std::string_view tag = ev.tag();
    if (!tag.empty() && tag != "!" && tag != kStrTag)
      (void)typed_scalar(ev, origin_of(ev));  // validates the tag; keys are kept as their text
    f.key.assign(ev.value());
    auto p = ev.start();
    f.key_line = p.line;
    f.key_column = p.column;
    check_implicit_key_length(ev, f);
    f.have_key = true;
    f.key_is_merge = ev.style() == FYSS_PLAIN && tag.empty() && f.key == "<<" && !json_;
    if (!ev.anchor().empty()) anchors_[std::string(ev.anchor())] = Anchored{Node(f.key).set_origin(origin_of(ev)), 1};
  }

  // An implicit key (`key: value`, not `? key`) is at most 1024 characters (YAML 1.2, 7.4.2 and 8.2.2).
  void check_implicit_key_length(const detail::fy::EventView& ev, const Frame& f) {
    constexpr size_t kMaxImplicitKey = 1024;
    if (f.key.size() + 2 <= kMaxImplicitKey || json_) return;
    size_t chars = 0;
    for (unsigned char c : f.key) chars += (c & 0xC0) != 0x80;
    if (ev.style() != FYSS_PLAIN) chars += 2;  // the quotes
    if (chars <= kMaxImplicitKey) return;
    std::string_view line = source_->line_text(f.key_line);
    std::string_view before = line.substr(0, std::min(line.size(), static_cast<size_t>(f.key_column - 1)));
    size_t last = before.find_last_not_of(" \t");
    if (last != std::string_view::npos && before[last] == '?') return;  // an explicit key
    fail<ParseError>("rig.yaml.key_too_long", key_origin(f),
                     fmt::format("an implicit key of {} characters: YAML limits implicit keys to {}", chars,
                                 kMaxImplicitKey),
                     "write it as an explicit key: '? KEY' on one line, ': VALUE' on the next");
  }

  void alias(const detail::fy::EventView& ev) {
    Origin at = origin_of(ev);
    std::string name(ev.value());
    auto it = anchors_.find(name);
    if (it == anchors_.end())
      fail<ParseError>("rig.yaml.unknown_alias", at, fmt::format("alias '*{}' names no anchor defined before it", name));
    const Anchored& a = it->second;
    alias_nodes_ += a.expanded;
    size_t budget = std::max(limits_.max_alias_nodes, 10 * literal_nodes_);
    if (alias_nodes_ > budget)
      fail<LimitError>("rig.limit.alias_expansion", at,
                       fmt::format("aliases expand to more than {} nodes (an alias bomb?)", budget),
                       "raise LoadLimits::max_alias_nodes if this config is intended");
    if (expecting_key()) {
      if (!a.node.is_scalar())
        fail<ParseError>("rig.yaml.complex_key", at, "a mapping key must be a scalar", "rig config keys are strings");
      Frame& f = top();
      f.key = detail::scalar_text(a.node);
      f.key_line = at.line;
      f.key_column = at.column;
      f.have_key = true;
      f.key_is_merge = false;
      return;
    }
    add(a.node, a.expanded);
  }

  void add(Node node, size_t expanded) {
    if (depth_ == 0) {
      root_ = std::move(node);
      return;
    }
    Frame& f = top();
    f.expanded += expanded;
    if (!f.is_map) {
      f.list.push_back(std::move(node));
      return;
    }
    if (f.key_line == 0) locate_empty_key(f, node.origin());
    f.have_key = false;
    if (f.key_is_merge) {
      merge_into(f, node);
      return;
    }
    if (!f.merged_keys.empty() && f.merged_keys.erase(f.key)) {
      MapEntry* e = f.map.find(f.key);
      e->value = std::move(node);
      e->key_origin = key_origin(f);
      return;
    }
    MapEntry entry{std::move(f.key), std::move(node), key_origin(f)};
    if (f.map.insert_new(entry)) return;
    f.key = std::move(entry.key);  // left in place by the failed insert
    f.have_key = true;             // so the error's key path names this key
    ParseError err("rig.yaml.duplicate_key", fmt::format("duplicate key '{}'", f.key), key_origin(f), current_path(),
                   "each key may appear once in a mapping; later layers override with merges, not repeats");
    err.add_note(f.map.find(f.key)->key_origin, "first defined here");
    throw err;
  }

  // An empty key (`: a`) has no text, so libfyaml gives it no position: it is placed at the `:` before its value (or,
  // when the value is empty too, at the mapping).
  void locate_empty_key(Frame& f, const Origin& value) {
    f.key_line = f.origin.line;
    f.key_column = f.origin.column;
    if (!value.known() || value.column == 0) return;
    std::string_view text = source_->text;
    size_t start = 0;
    for (uint32_t l = 1; l < value.line && start != std::string_view::npos; ++l) {
      start = text.find('\n', start);
      if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos) return;
    size_t at = std::min(text.size(), start + value.column - 1);
    while (at > start && (text[at - 1] == ' ' || text[at - 1] == '\t')) --at;
    if (at > start && text[at - 1] == ':') {
      f.key_line = value.line;
      f.key_column = static_cast<uint32_t>(at - start);
    }
  }

  // YAML merge key: `<<: *base` or `<<: [*a, *b]`. Keys written in this mapping win; earlier sources win over later.
  void merge_into(Frame& f, const Node& value) {
    auto merge_one = [&](const Node& m) {
      if (!m.is_map())
        fail<ParseError>("rig.yaml.merge_value", key_origin(f),
                         "the value of a '<<' merge key must be a mapping or a list of mappings");
      for (const auto& e : m.entries()) {
        if (f.map.find(e.key)) continue;
        f.map.insert(MapEntry{e.key, e.value, e.key_origin});
        f.merged_keys.insert(e.key);
      }
    };
    if (value.is_list()) {
      for (const auto& m : value.elements()) merge_one(m);
    } else {
      merge_one(value);
    }
  }

  LoadLimits limits_;
  bool json_, single_;
  bool second_document_ = false;  // content after `...`: reported at its first node
  std::shared_ptr<const Source> source_;
  std::vector<Frame> frames_;  // frames_[0, depth_) are the open collections; the rest wait to be reused
  size_t depth_ = 0;
  std::unordered_map<std::string, Anchored> anchors_;
  Node root_;
  std::vector<Node> docs_;
  size_t literal_nodes_ = 0, alias_nodes_ = 0;
  std::vector<TextPosition> patched_nulls_;    // each `~` written after a bare dash, in text order
  std::vector<TextPosition> confirmed_nulls_;  // those that came back as null sequence entries, in text order
  TextPosition last_event_{0, 0};              // the start of the last event handled
};

Node single_document(std::vector<Node> docs, std::string_view name) {
  if (docs.empty()) return Node::map(Origin{Source::make(std::string(name)), 1, 1});
  return std::move(docs.front());
}

void check_size(size_t bytes, std::string_view name, const LoadLimits& limits) {
  if (bytes > limits.max_file_bytes)
    throw LimitError("rig.limit.file_size",
                     fmt::format("'{}' is {} bytes, over the limit of {} bytes", name, bytes, limits.max_file_bytes),
                     Origin{Source::make(std::string(name))}, {}, "raise LoadLimits::max_file_bytes if intended");
}

Node load_yaml_text(std::string text, std::string_view name, const LoadLimits& limits) {
  check_size(text.size(), name, limits);
  return single_document(Builder(std::move(text), name, limits, false, true).run(), name);
}

Node load_json_text(std::string text, std::string_view name, const LoadLimits& limits) {
  check_size(text.size(), name, limits);
  auto docs = Builder(std::move(text), name, limits, true, true).run();
  if (docs.empty())
    throw ParseError("rig.json.syntax", "empty JSON text", Origin{Source::make(std::string(name)), 1, 1});
  return std::move(docs.front());
}

}  // namespace

Node load_yaml(std::string_view text, std::string_view name, const LoadLimits& limits) {
  return load_yaml_text(std::string(text), name, limits);
}

std::vector<Node> load_yaml_all(std::string_view text, std::string_view name, const LoadLimits& limits) {
  check_size(text.size(), name, limits);
  return Builder(std::string(text), name, limits, false, false).run();
}

Node load_json(std::string_view text, std::string_view name, const LoadLimits& limits) {
  return load_json_text(std::string(text), name, limits);
}

namespace {

// Closes a descriptor on every path out of read_file.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

[[noreturn]] void not_a_file(const std::filesystem::path& path, const char* kind, const Origin& where) {
  throw IoError("rig.io.not_a_file", fmt::format("cannot read '{}': it is {}, not a regular file", path.string(), kind),
                where, {}, "a config is read from a regular file (or a symlink to one)");
}

}  // namespace

// One open, one fstat of what was opened, then reads: a FIFO, socket, device or directory is refused before any byte
// is read (O_NONBLOCK keeps the open of a FIFO without a writer from waiting), and the file named is the file read.
std::string read_file(const std::filesystem::path& path, size_t max_bytes) {
  Origin where{Source::make(path.string())};
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
  if (f.fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      throw IoError("rig.io.not_found", fmt::format("cannot read '{}': no such file", path.string()), where);
    if (err == ENXIO) not_a_file(path, "a socket or a device without a reader", where);
    throw IoError("rig.io.read", fmt::format("cannot read '{}': {}", path.string(), std::strerror(err)), where);
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    throw IoError("rig.io.read", fmt::format("cannot read '{}': {}", path.string(), std::strerror(errno)), where);
  if (!S_ISREG(st.st_mode)) not_a_file(path, file_kind(st.st_mode), where);
  int flags = ::fcntl(f.fd, F_GETFL);
  if (flags >= 0) ::fcntl(f.fd, F_SETFL, flags & ~O_NONBLOCK);
  LoadLimits l;
  l.max_file_bytes = max_bytes;
  check_size(static_cast<size_t>(st.st_size), path.string(), l);
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("rig.io.read", fmt::format("cannot read '{}': {}", path.string(), std::strerror(errno)), where);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    check_size(text.size(), path.string(), l);  // a file that grows while it is read
  }
  return text;
}

Node load_yaml_file(const std::filesystem::path& path, const LoadLimits& limits) {
  return load_yaml_text(read_file(path, limits.max_file_bytes), path.string(), limits);
}

Node load_file(const std::filesystem::path& path, const LoadLimits& limits) {
  std::string text = read_file(path, limits.max_file_bytes);
  if (path.extension() == ".json") return load_json_text(std::move(text), path.string(), limits);
  return load_yaml_text(std::move(text), path.string(), limits);
}

}  // namespace rig
