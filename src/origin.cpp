#include "rig/origin.hpp"

#include <fmt/format.h>

namespace rig {

std::shared_ptr<const Source> Source::make(std::string name, std::string text) {
  return std::make_shared<const Source>(Source{std::move(name), std::move(text)});
}

// Lines end at LF, CRLF or a lone CR, as YAML counts them (b-break), so a file with old Mac or mixed line endings
// shows the line its errors point at.
std::string_view Source::line_text(uint32_t line) const {
  if (line == 0) return {};
  std::string_view t = text;
  auto line_end = [&](size_t from) { return t.find_first_of("\r\n", from); };
  auto next_line = [&](size_t end) {
    return end + (t[end] == '\r' && end + 1 < t.size() && t[end + 1] == '\n' ? 2 : 1);
  };
  size_t pos = 0;
  for (uint32_t l = 1; l < line; ++l) {
    size_t end = line_end(pos);
    if (end == std::string_view::npos) return {};
    pos = next_line(end);
  }
  if (pos > t.size()) return {};
  size_t end = line_end(pos);
  return t.substr(pos, end == std::string_view::npos ? t.size() - pos : end - pos);
}

std::string_view Origin::source_name() const { return source ? std::string_view(source->name) : "<unknown>"; }

std::string Origin::to_string() const {
  if (!source) return "<unknown>";
  std::string out = source->name;
  if (arg_index >= 0 && source->name == "<cli>") out = fmt::format("argv[{}]", arg_index);
  if (line > 0) out += fmt::format(":{}:{}", line, column);
  return out;
}

}  // namespace rig
