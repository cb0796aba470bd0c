#include "rig/origin.hpp"

#include <fmt/format.h>

namespace rig {

std::shared_ptr<const Source> Source::make(std::string name, std::string text) {
  return std::make_shared<const Source>(Source{std::move(name), std::move(text)});
}

std::string_view Source::line_text(uint32_t line) const {
  if (line == 0) return {};
  std::string_view t = text;
  size_t pos = 0;
  for (uint32_t l = 1; l < line; ++l) {
    pos = t.find('\n', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  if (pos > t.size()) return {};
  size_t end = t.find('\n', pos);
  std::string_view out = t.substr(pos, end == std::string_view::npos ? t.size() - pos : end - pos);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
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
