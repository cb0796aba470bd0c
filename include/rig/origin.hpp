// rig/origin.hpp — where a value was written.
//
// Every node of a rig config carries an Origin: the Source it was read from (a file, one command-line argument, an
// environment variable, code) and the 1-based line and column inside that source's text. Sources keep their text so
// that a diagnostic can print the offending line with a caret long after loading.
//
//   auto src = rig::Source::make("configs/train.yaml", text);
//   rig::Origin at{src, 12, 5};
//   at.to_string();   // "configs/train.yaml:12:5"
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rig {

// A text configuration was read from. Immutable and shared by every Origin that points into it.
struct Source {
  std::string name;  // a path, or a label such as "<cli>", "env RIG_LR", "<code>", "hook pair_vocab"
  std::string text;  // the whole text, kept for caret diagnostics; may be empty

  static std::shared_ptr<const Source> make(std::string name, std::string text = {});

  // The text of 1-based line `line`, without its line break; empty when out of range.
  std::string_view line_text(uint32_t line) const;
};

struct Origin {
  std::shared_ptr<const Source> source;
  uint32_t line = 0;       // 1-based; 0 when unknown
  uint32_t column = 0;     // 1-based, in characters; 0 when unknown
  int32_t arg_index = -1;  // index in argv for a command-line override, else -1

  bool known() const { return source != nullptr; }
  std::string_view source_name() const;

  // "file:line:col", "argv[3]:1:5", "<code>", or "<unknown>".
  std::string to_string() const;
};

}  // namespace rig
