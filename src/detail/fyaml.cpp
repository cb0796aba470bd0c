#include "detail/fyaml.hpp"

#include <new>

namespace rig::detail::fy {

namespace {
void discard(fy_diag*, void*, const char*, size_t) {}
}  // namespace

Position Event::start() const {
  const fy_mark* m = fy_event_start_mark(event_);
  if (!m) return {};
  return {m->input_pos, static_cast<uint32_t>(m->line + 1), static_cast<uint32_t>(m->column + 1)};
}

std::string_view Event::text_of(fy_token* token) {
  if (!token) return {};
  size_t len = 0;
  const char* text = fy_token_get_text(token, &len);
  return text ? std::string_view(text, len) : std::string_view();
}

Parser::Parser(std::string_view text, bool json) {
  fy_diag_cfg dc;
  fy_diag_cfg_default(&dc);
  dc.fp = nullptr;
  dc.output_fn = discard;
  dc.colorize = false;
  diag_ = fy_diag_create(&dc);
  if (!diag_) throw std::bad_alloc();
  fy_diag_set_collect_errors(diag_, true);

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
  fy_parser_destroy(parser_);
  fy_diag_unref(diag_);
}

std::optional<Diagnostic> Parser::first_error() const {
  void* it = nullptr;
  while (fy_diag_error* e = fy_diag_errors_iterate(diag_, &it)) {
    if (e->type < FYET_ERROR) continue;
    return Diagnostic{e->msg ? e->msg : "syntax error", static_cast<uint32_t>(e->line > 0 ? e->line : 1),
                      static_cast<uint32_t>(e->column > 0 ? e->column : 1)};
  }
  return std::nullopt;
}

}  // namespace rig::detail::fy
