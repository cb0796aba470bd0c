#include "detail/fyaml.hpp"

#include <cstdlib>
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
  fy_token *value = nullptr, *tag = nullptr, *anchor = nullptr;
  switch (v.kind) {
    case FYET_SCALAR:
      value = event_->scalar.value;
      tag = event_->scalar.tag;
      anchor = event_->scalar.anchor;
      break;
    case FYET_ALIAS: value = event_->alias.anchor; break;
    case FYET_MAPPING_START:
      tag = event_->mapping_start.tag;
      anchor = event_->mapping_start.anchor;
      break;
    case FYET_SEQUENCE_START:
      tag = event_->sequence_start.tag;
      anchor = event_->sequence_start.anchor;
      break;
    default: break;
  }
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

Parser::Parser(std::string_view text, bool json) : input_(text) {
  fy_diag_cfg dc;
  fy_diag_cfg_default(&dc);
  dc.fp = nullptr;
  dc.output_fn = capture;
  dc.user = &diagnostics_;
  dc.colorize = false;
  dc.level = FYET_ERROR;
  diag_ = fy_diag_create(&dc);
  if (!diag_) throw std::bad_alloc();

  fy_parse_cfg cfg{};
  // rig checks depth and duplicate keys itself (libfyaml's duplicate check is quadratic). Flow collections may
  // be indented loosely, as PyYAML (and so OmegaConf) allows: 134 torchtune configs close a list at the key's column.
  cfg.flags = static_cast<fy_parse_cfg_flags>(FYPCF_QUIET | FYPCF_DISABLE_DEPTH_LIMIT | FYPCF_ALLOW_DUPLICATE_KEYS |
                                              FYPCF_DEFAULT_VERSION_1_2 | FYPCF_SLOPPY_FLOW_INDENTATION |
                                              (json ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE));
  cfg.diag = diag_;
  parser_ = fy_parser_create(&cfg);
  if (!parser_) {
    fy_diag_unref(diag_);
    throw std::bad_alloc();
  }
  fy_parser_set_string(parser_, text.data(), text.size());
}

Parser::~Parser() {
  // libfyaml 0.7.12 can crash tearing down a parser that stopped on an error (fuzz finding: `? -\v:\t-\t`, a
  // SEGV in fy_indent_vacuum_internal from fy_parser_destroy and from fy_parser_reset alike). A parser that failed
  // is therefore left allocated: a few KB per rejected input, never a crash. See docs/reliability.md.
  if (failed()) return;
  fy_parser_destroy(parser_);
  fy_diag_unref(diag_);
}

// The first report reads "<input>:LINE:COL: error: MESSAGE\n" followed by the source line and a caret.
std::optional<Diagnostic> Parser::first_error() const {
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
