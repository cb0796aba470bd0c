// A thin RAII wrapper over libfyaml's event parser. Nothing of libfyaml leaves src/.
#pragma once

#include <libfyaml.h>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "detail/block_scalar.hpp"

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
  // `block_text`: a block scalar's value as rig decodes it (detail/block_scalar.hpp), used instead of libfyaml's.
  Event(fy_parser* parser, fy_event* event, std::string_view input, std::optional<std::string> block_text = {})
      : parser_(parser), event_(event), input_(input), block_text_(std::move(block_text)) {}
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
  std::optional<std::string> block_text_;
};

class Parser {
 public:
  // `text` must outlive the parser. json = strict JSON input.
  Parser(std::string_view text, bool json);
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser();

  // The next event; an empty one at the end or after an error. An Event may outlive later calls.
  Event next();
  bool failed() const { return own_error_ || fy_parser_get_stream_error(parser_); }
  std::optional<Diagnostic> first_error() const;

 private:
  std::string_view input_;
  void start();  // a libfyaml parser over input_
  // Follows the event's position (for block scalars: the value rig decodes into block_text); false when the parse
  // has to start again on patched text (restart_with_indicator).
  bool track(fy_event* event, std::optional<std::string>& block_text);
  struct Patch {
    size_t at;      // offset in the original text of a block scalar header's '|' or '>'
    int digit;      // the indentation indicator written after it
    bool guessed;   // from empty_block_headers rather than a misread the parse found
    bool seen;      // the parse has found the header there
  };
  void add_patches(size_t header, const DecodedBlockScalar& decoded);
  Patch* patch_at(size_t header);
  size_t to_original(size_t offset) const;
  void drop_patch(size_t i);  // a guess that was wrong: never made again
  void restart();             // parses the original text with patches_ applied, skipping the events already delivered
  void misread(size_t at);
  void refuse(size_t at, std::string message);  // an error of rig's own at input_[at]; the parse stops
  std::string_view original_;
  std::vector<Patch> patches_;  // in text order
  size_t checked_ = 0;          // patches_ before this one the parse has gone past
  std::unordered_set<size_t> dropped_;
  std::optional<Diagnostic> own_error_;
  bool json_ = false;
  // Where the last token of the events so far ends, and the column of each open block collection (-1 for a flow
  // one): what decoding a block scalar needs to find its header and its parent's indentation.
  size_t last_end_ = 0;
  std::vector<int> collections_;
  size_t delivered_ = 0, replay_ = 0;  // events returned; of those, how many a restarted parse still has to skip
  std::deque<std::string> patched_;    // the texts of restarted parses (events of earlier ones point into them)
  std::vector<fy_parser*> retired_;    // the parsers they replaced
  std::string diagnostics_;  // what libfyaml reported, as text
  fy_diag* diag_ = nullptr;
  fy_parser* parser_ = nullptr;
};

}  // namespace rig::detail::fy
