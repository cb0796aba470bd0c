// A thin RAII wrapper over libfyaml's event parser. Nothing of libfyaml leaves src/.
#pragma once

#include <libfyaml.h>

#include <optional>
#include <string>
#include <string_view>

namespace rig::detail::fy {

struct Position {
  size_t offset = 0;
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based
};

struct Diagnostic {
  std::string message;
  uint32_t line = 0, column = 0;  // 1-based
};

// What rig needs of one parse event. The strings point into the parser's (or a batch's) storage.
struct EventView {
  fy_event_type kind = FYET_NONE;
  fy_scalar_style scalar_style = FYSS_PLAIN;
  Position position;      // where the node starts: an opening quote, an alias's '*'
  Position tag_position;  // where its tag starts, when it has one
  std::string_view text, tag_text, anchor_text;  // text: a scalar's value or an alias's name

  fy_event_type type() const { return kind; }
  Position start() const { return position; }
  std::string_view value() const { return text; }
  std::string_view tag() const { return tag_text; }
  std::string_view anchor() const { return anchor_text; }
  fy_scalar_style style() const { return scalar_style; }
};

class Event {
 public:
  // `input` is the text the parser reads: plain one-line scalars are returned as views into it.
  Event(fy_parser* parser, fy_event* event, std::string_view input) : parser_(parser), event_(event), input_(input) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (event_) fy_parser_event_free(parser_, event_);
  }
  explicit operator bool() const { return event_ != nullptr; }

  fy_event_type type() const { return event_->type; }
  Position start() const;
  bool implicit_document() const { return fy_document_event_is_implicit(event_); }
  // The value as libfyaml formats it (what view().text holds for every token it does not take from the input).
  std::string_view formatted_value() const { return text_of(fy_event_get_token(event_)); }
  EventView view() const;

 private:
  static std::string_view text_of(fy_token* token);
  std::string_view scalar_text(fy_token* token, fy_scalar_style style) const;
  fy_parser* parser_;
  fy_event* event_;
  std::string_view input_;
};

class Parser {
 public:
  // `text` must outlive the parser. json = strict JSON input.
  Parser(std::string_view text, bool json);
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser();

  Event next() { return Event(parser_, fy_parser_parse(parser_), input_); }
  bool failed() const { return fy_parser_get_stream_error(parser_); }
  std::optional<Diagnostic> first_error() const;

 private:
  std::string_view input_;
  std::string diagnostics_;  // what libfyaml reported, as text
  fy_diag* diag_ = nullptr;
  fy_parser* parser_ = nullptr;
};

}  // namespace rig::detail::fy
