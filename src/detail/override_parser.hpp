// The override parser (rig/overrides.hpp) and the functions of its value grammar (casts, sweeps, sort, ...).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/overrides.hpp"

namespace rig::detail {

class OverrideParser {
 public:
  // A parsed element of a value: a node, or a sweep, or the list of an extend_list(...) call.
  struct Element {
    Node node;
    std::optional<Sweep> sweep;
    bool extend_list = false;
    size_t pos = 0;  // byte offset of its first character
  };
  struct Arg {
    std::string name;  // empty for a positional argument
    Element value;
    size_t pos = 0;
  };
  struct Call {
    std::string name;
    std::vector<Arg> args;
    size_t pos = 0;
  };

  OverrideParser(std::shared_ptr<const Source> source, int argv_index);

  Override parse_override();
  // The right-hand side of `key=`: from the current position to the end.
  Element parse_value();
  void seek(size_t byte_offset) { pos_ = byte_offset; }

  Origin at(size_t pos);  // the origin of byte `pos` of the argument
  uint32_t column_at(size_t pos);  // at(pos).column, without making an Origin
  [[noreturn]] void fail(size_t pos, std::string_view what, std::string message, std::string hint = {});

 private:
  enum class Context { Top, List, DictValue, DictKey, Args };
  struct Unquoted {
    std::string text;
    bool escaped = false;
  };

  void parse_key(Override& o);
  Element parse_element(Context ctx);
  Node parse_list();
  Node parse_dict();
  std::string parse_dict_key();
  Node parse_quoted();
  Node parse_unquoted(Context ctx);
  Unquoted scan_unquoted(Context ctx, bool allow_interpolation);
  size_t interpolation_end(size_t start);
  Element parse_function(size_t name_end);
  size_t function_name_end() const;

  bool is_terminator(char c, Context ctx) const;
  void skip_ws();
  bool peek(char c) const;
  std::string char_name(size_t pos) const;
  std::string unexpected_message(size_t pos) const;
  std::string unexpected_hint(size_t pos) const;

  std::shared_ptr<const Source> source_;
  std::string_view text_;
  int argv_index_;
  size_t pos_ = 0;
  size_t depth_ = 0;  // nesting of lists, dicts and calls
  // at() walks forward from the last position it converted: parsing asks for positions in increasing order.
  size_t cache_pos_ = 0;
  uint32_t cache_line_ = 1, cache_col_ = 1;
};

// Evaluates a call of the value grammar: int() float() str() bool() json(), choice() range() interval() glob()
// tag() sort() shuffle(), extend_list(). Errors go through parser.fail() at the offending argument.
OverrideParser::Element call_function(OverrideParser& parser, OverrideParser::Call& call);

// Byte offsets at which each segment of a key path starts (`a.b[0]` -> 0, 2, 3).
std::vector<size_t> key_segment_offsets(std::string_view key);

}  // namespace rig::detail
