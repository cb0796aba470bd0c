#include "detail/fyaml.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <new>

namespace rig::detail::fy {

namespace {
// libfyaml 0.7.12 leaks collected errors, so diagnostics are taken as the text it prints instead.
void capture(fy_diag*, void* user, const char* buf, size_t len) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() < 4096) out->append(buf, len);
}
}  // namespace

namespace {
// An event's tokens, read from its union: what fy_event_get_token, fy_event_get_tag_token and
// fy_event_get_anchor_token return, without three calls into the library for every event.
struct EventTokens {
  fy_token *token = nullptr, *tag = nullptr, *anchor = nullptr;
};
EventTokens tokens_of(const fy_event* e) {
  switch (e->type) {
    case FYET_STREAM_START: return {e->stream_start.stream_start};
    case FYET_STREAM_END: return {e->stream_end.stream_end};
    case FYET_DOCUMENT_START: return {e->document_start.document_start};
    case FYET_DOCUMENT_END: return {e->document_end.document_end};
    case FYET_MAPPING_START: return {e->mapping_start.mapping_start, e->mapping_start.tag, e->mapping_start.anchor};
    case FYET_MAPPING_END: return {e->mapping_end.mapping_end};
    case FYET_SEQUENCE_START: return {e->sequence_start.sequence_start, e->sequence_start.tag, e->sequence_start.anchor};
    case FYET_SEQUENCE_END: return {e->sequence_end.sequence_end};
    case FYET_SCALAR: return {e->scalar.value, e->scalar.tag, e->scalar.anchor};
    case FYET_ALIAS: return {e->alias.anchor};
    default: return {};
  }
}

Position position_of(const fy_mark* m) {
  if (!m) return {};
  return {m->input_pos, static_cast<uint32_t>(m->line + 1), static_cast<uint32_t>(m->column + 1)};
}
// libfyaml marks a quoted scalar at its first character inside the quotes and an alias after its '*': step back
// one character so that carets point at the quote or the star the user wrote.
void step_back(Position& p) {
  if (p.column > 1 && p.offset > 0) {
    --p.column;
    --p.offset;
  }
}
}  // namespace

Position Event::start() const { return position_of(fy_event_start_mark(event_)); }

// A plain scalar on one line is exactly the input between its marks (no folding, no escapes): a view into the input
// instead of fy_token_get_text, which formats every scalar into a buffer of its own (15% of a config's load time).
// tests/fyaml_test.cpp (FastText.*) checks the two agree on every scalar of the YAML test suite and the corpus.
std::string_view Event::scalar_text(fy_token* token, fy_scalar_style style) const {
  if (block_text_) return *block_text_;
  if (style == FYSS_PLAIN) {
    const fy_mark* start = fy_token_start_mark(token);
    const fy_mark* end = fy_token_end_mark(token);
    if (start && end && start->line == end->line && start->input_pos <= end->input_pos &&
        end->input_pos <= input_.size())
      return input_.substr(start->input_pos, end->input_pos - start->input_pos);
  }
  return text_of(token);
}

// One pass over the event's own fields: view() runs for every event of every file, so it reads the union directly
// instead of asking libfyaml's accessors for each part.
EventView Event::view() const {
  EventView v;
  v.kind = event_->type;
  auto [token, tag, anchor] = tokens_of(event_);
  fy_token* value = v.kind == FYET_SCALAR || v.kind == FYET_ALIAS ? token : nullptr;
  v.position = value ? position_of(fy_token_start_mark(value)) : start();
  if (v.kind == FYET_SCALAR) {
    v.scalar_style = fy_token_scalar_style(value);
    v.text = scalar_text(value, v.scalar_style);
  } else if (v.kind == FYET_ALIAS) {
    v.text = text_of(value);
  }
  if (v.kind == FYET_ALIAS || v.scalar_style == FYSS_SINGLE_QUOTED || v.scalar_style == FYSS_DOUBLE_QUOTED)
    step_back(v.position);
  if (tag) {
    v.tag_text = text_of(tag);
    v.tag_position = position_of(fy_token_start_mark(tag));
  }
  if (anchor) v.anchor_text = text_of(anchor);
  return v;
}

std::string_view Event::text_of(fy_token* token) {
  if (!token) return {};
  size_t len = 0;
  const char* text = fy_token_get_text(token, &len);
  return text ? std::string_view(text, len) : std::string_view();
}

namespace {
size_t end_of(fy_token* token) {
  const fy_mark* m = token ? fy_token_end_mark(token) : nullptr;
  return m ? m->input_pos : 0;
}
}  // namespace

Event Parser::next() {
  for (;;) {
    fy_event* e = own_error_ ? nullptr : fy_parser_parse(parser_);
    if (!e) return Event(parser_, nullptr, input_);
    std::optional<std::string> block_text;
    if (!track(e, block_text)) {  // a restart on patched text, or an error of rig's own
      fy_parser_event_free(parser_, e);
      continue;
    }
    if (replay_ > 0) {  // an event delivered before the restart
      --replay_;
      fy_parser_event_free(parser_, e);
      continue;
    }
    ++delivered_;
    return Event(parser_, e, input_, std::move(block_text));
  }
}

bool Parser::track(fy_event* e, std::optional<std::string>& block_text) {
  auto [token, tag, anchor] = tokens_of(e);
  // A block scalar's header comes after every token before it (its own anchor and tag included): the first '|' or
  // '>' there outside a comment.
  if (tag || anchor) last_end_ = std::max({last_end_, end_of(anchor), end_of(tag)});
  switch (e->type) {
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START: {
      fy_token_type t = fy_token_get_type(token);
      const fy_mark* m = token ? fy_token_start_mark(token) : nullptr;
      bool block = t == FYTT_BLOCK_MAPPING_START || t == FYTT_BLOCK_SEQUENCE_START;
      collections_.push_back(block && m ? m->column : -1);
      break;
    }
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
      if (!collections_.empty()) collections_.pop_back();
      break;
    case FYET_SCALAR: {
      fy_scalar_style style = fy_token_scalar_style(token);
      if (style != FYSS_LITERAL && style != FYSS_FOLDED) break;
      const fy_mark* begin = fy_token_start_mark(token);
      const fy_mark* end = fy_token_end_mark(token);
      if (!begin || !end) break;
      // The scalar is read to where it ends by itself; where libfyaml's token ends elsewhere, with more than white
      // space between the two, libfyaml has misread the scalar's indentation and taken other lines as its content or
      // left some of its content out (as comments, or as an error).
      BlockScalarSpan span;
      span.header = find_block_header(input_, last_end_, begin->input_pos);
      span.begin = begin->input_pos;
      span.end = input_.size();
      span.parent_indent = collections_.empty() ? -1 : collections_.back();
      if (span.header == std::string_view::npos || span.begin > end->input_pos || end->input_pos > input_.size()) {
        misread(span.header == std::string_view::npos ? begin->input_pos : span.header);
        return false;
      }
      Patch* patch = patch_at(span.header);
      if (patch) patch->seen = true;
      span.added_indicator = patch != nullptr;
      DecodedBlockScalar decoded = decode_block_scalar(input_, span);
      auto [from, to] = std::minmax(decoded.end, end->input_pos);
      if (input_.substr(from, to - from).find_first_not_of(" \t\r\n") != std::string_view::npos) {
        if (patch && patch->guessed) {  // the indicator guessed for this header does not help: read it unpatched
          drop_patch(static_cast<size_t>(patch - patches_.data()));
        } else if (!patch && !decoded.explicit_indent) {
          add_patches(span.header, decoded);
        } else {
          misread(span.header);
        }
        return false;
      }
      block_text = std::move(decoded.text);
      break;
    }
    default: break;
  }
  last_end_ = std::max(last_end_, end_of(token));
  // A guessed indicator the parse went past without finding a block scalar header there was in other text (a
  // comment, a quoted or block scalar): read the input again without it.
  for (; checked_ < patches_.size() && patches_[checked_].at + checked_ < last_end_; ++checked_) {
    if (!patches_[checked_].seen && patches_[checked_].guessed) {
      drop_patch(checked_);
      return false;
    }
  }
  return true;
}

// libfyaml 0.7.12 detects a block scalar's indentation from the first non-empty line even when that line is not
// indented past the parent collection (`a: |` with nothing, then a sibling key at the parent's column), and so takes
// the siblings as the scalar's text. Such a scalar is empty: the input is read again from the start with the
// indentation given explicitly in its header (`|` becomes `|1`: after the indicator, before any comment, so every
// token keeps its line and column), and the events already delivered are skipped. Every later header that looks the
// same gets a guessed indicator at once (one restart, not one per scalar); the parse confirms or drops each guess.
void Parser::add_patches(size_t header, const DecodedBlockScalar& decoded) {
  size_t original = to_original(header);
  int m = std::clamp(decoded.indent - std::max(collections_.empty() ? -1 : collections_.back(), 0), 1, 9);
  std::vector<Patch> added{{original, m, false, false}};
  for (auto [at, digit] : empty_block_headers(original_, original + 1))
    if (!dropped_.count(at)) added.push_back({at, digit, true, false});
  std::vector<Patch> merged;
  std::merge(patches_.begin(), patches_.end(), added.begin(), added.end(), std::back_inserter(merged),
             [](const Patch& a, const Patch& b) { return a.at < b.at; });
  merged.erase(std::unique(merged.begin(), merged.end(), [](const Patch& a, const Patch& b) { return a.at == b.at; }),
               merged.end());
  patches_ = std::move(merged);
  restart();
}

// The patch whose header is at `header` of input_, if any (patch i sits i characters later than in the original).
Parser::Patch* Parser::patch_at(size_t header) {
  auto it = std::partition_point(patches_.begin(), patches_.end(),
                                 [&](const Patch& p) { return p.at + static_cast<size_t>(&p - patches_.data()) < header; });
  if (it == patches_.end() || it->at + static_cast<size_t>(it - patches_.begin()) != header) return nullptr;
  return &*it;
}

size_t Parser::to_original(size_t offset) const {
  size_t before = 0;
  while (before < patches_.size() && patches_[before].at + before < offset) ++before;
  return offset - before;
}

void Parser::drop_patch(size_t i) {
  dropped_.insert(patches_[i].at);
  patches_.erase(patches_.begin() + static_cast<std::ptrdiff_t>(i));
  restart();
}

void Parser::restart() {
  std::string text;
  text.reserve(original_.size() + patches_.size());
  size_t from = 0;
  for (Patch& p : patches_) {
    text.append(original_.substr(from, p.at + 1 - from));
    text += static_cast<char>('0' + p.digit);
    from = p.at + 1;
    p.seen = false;
  }
  text.append(original_.substr(from));
  patched_.push_back(std::move(text));
  retired_.push_back(parser_);  // its events may still be alive: destroyed with this parser
  input_ = patched_.back();
  start();
  replay_ = delivered_;
  last_end_ = 0;
  checked_ = 0;
  collections_.clear();
}

// A block scalar libfyaml misreads and an indentation indicator cannot fix (it has one already, or the one rig gave
// it does not help): refused at its header rather than loaded with the wrong text.
void Parser::misread(size_t at) {
  refuse(at, "the YAML parser (libfyaml 0.7.12) misreads the indentation of this block scalar; write its content "
             "indented past its parent's and the header's column, or quote the value");
}

void Parser::refuse(size_t at, std::string message) {
  Diagnostic d;
  d.line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < at && i < input_.size(); ++i)
    if (input_[i] == '\n' || (input_[i] == '\r' && (i + 1 == input_.size() || input_[i + 1] != '\n'))) {
      ++d.line;
      line_start = i + 1;
    }
  d.column = static_cast<uint32_t>(at - line_start + 1);
  d.message = std::move(message);
  own_error_ = std::move(d);
}

namespace {

// libfyaml 0.7.12 recycles a simple key twice when, while an explicit key (`?`) is pending in block context, the
// blanks after a ':' hold a tab before a block indicator (`? -\v:\t-\t`): fy_fetch_value puts the key on its recycle
// list, then fails fy_ws_indentation_check and puts it there again on its error path. The list then loops, and
// fy_parser_destroy (and fy_parser_reset) free the key twice and crash. No libfyaml parser is allowed into that
// state: such input is refused here, before parsing, with libfyaml's own message at the tab. The test is textual and
// wider than libfyaml's (any earlier '?' followed by a blank, the ':' anywhere, even in a quoted scalar or a
// comment): it refuses only input that has both a "? " and a tab after ':' before one of `?:|>-`
// (docs/compatibility.md). Returns the tab's offset.
std::optional<size_t> tab_libfyaml_cannot_free(std::string_view text) {
  if (text.find('\t') == std::string_view::npos) return std::nullopt;
  auto blank = [&](size_t i) { return i >= text.size() || text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'; };
  bool explicit_key = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '?' && blank(i + 1)) explicit_key = true;  // maybe an explicit-key indicator
    if (c != ':' || !explicit_key) continue;
    size_t j = i + 1, tab = std::string_view::npos;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) {
      if (text[j] == '\t' && tab == std::string_view::npos) tab = j;
      ++j;
    }
    if (tab == std::string_view::npos || j >= text.size()) continue;
    char next = text[j];
    if (next == '?' || next == ':' || next == '|' || next == '>' || (next == '-' && blank(j + 1))) return tab;
  }
  return std::nullopt;
}

}  // namespace

Parser::Parser(std::string_view text, bool json) : input_(text), original_(text), json_(json) {
  fy_diag_cfg dc;
  fy_diag_cfg_default(&dc);
  dc.fp = nullptr;
  dc.output_fn = capture;
  dc.user = &diagnostics_;
  dc.colorize = false;
  dc.level = FYET_ERROR;
  diag_ = fy_diag_create(&dc);
  if (!diag_) throw std::bad_alloc();
  start();
  if (std::optional<size_t> tab = json ? std::nullopt : tab_libfyaml_cannot_free(text))
    refuse(*tab, "cannot use tab for indentation of block entry");
}

void Parser::start() {
  fy_parse_cfg cfg{};
  // rig checks depth and duplicate keys itself (libfyaml's duplicate check is quadratic). Flow collections may
  // be indented loosely, as PyYAML (and so OmegaConf) allows: 134 torchtune configs close a list at the key's column.
  cfg.flags = static_cast<fy_parse_cfg_flags>(FYPCF_QUIET | FYPCF_DISABLE_DEPTH_LIMIT | FYPCF_ALLOW_DUPLICATE_KEYS |
                                              FYPCF_DEFAULT_VERSION_1_2 | FYPCF_SLOPPY_FLOW_INDENTATION |
                                              (json_ ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE));
  cfg.diag = diag_;
  parser_ = fy_parser_create(&cfg);
  if (!parser_) {
    fy_diag_unref(diag_);
    throw std::bad_alloc();
  }
  fy_parser_set_string(parser_, input_.data(), input_.size());
}

// Every parser is freed, failed or not: none can be in the state libfyaml cannot free (tab_libfyaml_cannot_free).
Parser::~Parser() {
  for (fy_parser* p : retired_) fy_parser_destroy(p);
  fy_parser_destroy(parser_);
  fy_diag_unref(diag_);
}

// The first report reads "<input>:LINE:COL: error: MESSAGE\n" followed by the source line and a caret.
std::optional<Diagnostic> Parser::first_error() const {
  if (own_error_) return own_error_;
  std::string_view text = diagnostics_;
  size_t marker = text.find(": error: ");
  if (marker == std::string_view::npos) return std::nullopt;
  size_t end = text.find('\n', marker);
  Diagnostic d;
  d.message = std::string(text.substr(marker + 9, end == std::string_view::npos ? end : end - marker - 9));
  std::string_view head = text.substr(0, marker);  // "...:LINE:COL"
  size_t c = head.rfind(':');
  size_t l = c == std::string_view::npos ? c : head.rfind(':', c - 1);
  if (l != std::string_view::npos) {
    d.line = static_cast<uint32_t>(std::strtoul(std::string(head.substr(l + 1, c - l - 1)).c_str(), nullptr, 10));
    d.column = static_cast<uint32_t>(std::strtoul(std::string(head.substr(c + 1)).c_str(), nullptr, 10));
  }
  if (d.line == 0) d.line = 1;
  if (d.column == 0) d.column = 1;
  return d;
}

}  // namespace rig::detail::fy
