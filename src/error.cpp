#include "rig/error.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "detail/environment_values.hpp"

namespace rig {

Error::Error(std::string id, std::string message, Origin origin, std::string key_path, std::string hint)
    : std::runtime_error(""),
      id_(std::move(id)),
      message_(detail::hide_environment_values(std::move(message))),
      origin_(std::move(origin)),
      key_path_(detail::hide_environment_values(std::move(key_path))),
      hint_(detail::hide_environment_values(std::move(hint))) {
  refresh_what();
}

Error& Error::with_key_path(std::string path) {
  if (key_path_.empty()) key_path_ = detail::hide_environment_values(std::move(path));
  refresh_what();
  return *this;
}
Error& Error::with_origin(Origin origin) {
  if (!origin_.known()) origin_ = std::move(origin);
  refresh_what();
  return *this;
}
Error& Error::with_hint(std::string hint) {
  hint_ = detail::hide_environment_values(std::move(hint));
  refresh_what();
  return *this;
}
Error& Error::add_note(Origin origin, std::string message) {
  notes_.push_back({std::move(origin), detail::hide_environment_values(std::move(message))});
  refresh_what();
  return *this;
}

// what() is the diagnostic without colour, so an uncaught rig::Error still says everything.
void Error::refresh_what() { static_cast<std::runtime_error&>(*this) = std::runtime_error(format(*this)); }

ErrorList::ErrorList(std::vector<Error> errors)
    : Error(errors.empty() ? "rig.errors" : errors.front().id(),
            fmt::format("{} error{}", errors.size(), errors.size() == 1 ? "" : "s")),
      errors_(std::move(errors)) {
  std::string all;
  for (const auto& e : errors_) all += format(e);
  static_cast<std::runtime_error&>(*this) = std::runtime_error(all);
}

namespace {

struct Palette {
  const char *bold = "", *red = "", *blue = "", *green = "", *cyan = "", *reset = "";
};

Palette palette(bool color) {
  if (!color) return {};
  return {"\033[1m", "\033[1;31m", "\033[1;34m", "\033[1;32m", "\033[36m", "\033[0m"};
}

// The caret line under `line_text`, pointing at 1-based character `column`. Tabs are kept so the caret lines up.
std::string caret_padding(std::string_view line_text, uint32_t column) {
  std::string pad;
  uint32_t chars = 0;
  for (size_t i = 0; i < line_text.size() && chars + 1 < column; ++i) {
    unsigned char c = static_cast<unsigned char>(line_text[i]);
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: same character
    pad += (c == '\t') ? '\t' : ' ';
    ++chars;
  }
  while (chars + 1 < column) {
    pad += ' ';
    ++chars;
  }
  return pad;
}

// Byte offset of 1-based character `column` in `line` (UTF-8), or line.size() past the end.
size_t offset_of_column(std::string_view line, uint32_t column) {
  uint32_t chars = 1;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (chars++ == column) return i;
  }
  return line.size();
}

void render_source_line(std::string& out, const Origin& at, const Palette& p) {
  if (!at.source || at.line == 0) return;
  if (detail::environment_variable_of(at.source.get())) return;  // the text is the variable's value: never shown
  std::string_view text = at.source->line_text(at.line);
  if (text.empty() && at.source->text.empty()) return;
  // A long line (a 10 MB one, say) is shown as a window around the column.
  constexpr size_t kWindow = 160;
  size_t at_byte = at.column > 0 ? offset_of_column(text, at.column) : 0;
  size_t begin = at_byte > kWindow / 2 ? at_byte - kWindow / 2 : 0;
  while (begin > 0 && begin < text.size() && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) --begin;
  std::string_view shown = text.substr(begin, kWindow);
  std::string prefix = begin > 0 ? "..." : "";
  std::string suffix = begin + shown.size() < text.size() ? " ..." : "";
  std::string gutter = std::to_string(at.line);
  std::string blank(gutter.size(), ' ');
  out += fmt::format(" {}{} |{} {}{}{}\n", p.blue, gutter, p.reset, prefix, shown, suffix);
  if (at.column == 0) return;
  std::string pad = caret_padding(text.substr(begin), static_cast<uint32_t>(
                                                           at.column - (begin > 0 ? std::count_if(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(begin), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }) : 0)));
  out += fmt::format(" {}{} |{} {}{}{}^{}\n", p.blue, blank, p.reset, std::string(prefix.size(), ' '), pad, p.green,
                     p.reset);
}

}  // namespace

std::string format(const Error& e, const FormatOptions& options) {
  if (auto* list = dynamic_cast<const ErrorList*>(&e)) {
    std::string out;
    for (const auto& each : list->errors()) out += format(each, options);
    return out;
  }
  Palette p = palette(options.color);
  std::string out;
  if (e.origin().known()) out += fmt::format("{}{}:{} ", p.bold, e.origin().to_string(), p.reset);
  out += fmt::format("{}error[{}]{}: {}{}{}\n", p.red, e.id(), p.reset, p.bold, e.message(), p.reset);
  render_source_line(out, e.origin(), p);
  if (!e.key_path().empty()) out += fmt::format("  {}= key:{} {}\n", p.cyan, p.reset, e.key_path());
  for (const auto& note : e.notes()) {
    out += fmt::format("  {}= note:{} ", p.cyan, p.reset);
    if (note.origin.known()) out += note.origin.to_string() + ": ";
    out += note.message + "\n";
    render_source_line(out, note.origin, p);
  }
  if (!e.hint().empty()) out += fmt::format("  {}= hint:{} {}\n", p.cyan, p.reset, e.hint());
  return detail::hide_environment_values(std::move(out));  // a source excerpt may hold one (text oc.create read)
}

bool use_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return isatty(fd) != 0;
}

namespace {

// Optimal-string-alignment distance, case-insensitive.
size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

bool contains_icase(std::string_view hay, std::string_view needle) {
  if (needle.size() < 3 || needle.size() > hay.size()) return false;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
  return it != hay.end();
}

}  // namespace

namespace {

// `s` without the characters that print as nothing (zero-width spaces and joiners, word joiner, BOM, soft hyphen,
// bidirectional marks): a key typed or pasted with one looks like the key it was meant to be.
std::string visible(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    if (i + 2 < s.size() && b(0) == 0xE2 && b(1) == 0x80 && (b(2) >= 0x8B && b(2) <= 0x8F)) {  // U+200B-U+200F
      i += 3;
    } else if (i + 2 < s.size() && b(0) == 0xE2 && b(1) == 0x81 && b(2) >= 0xA0 && b(2) <= 0xA4) {  // U+2060-2064
      i += 3;
    } else if (i + 2 < s.size() && b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) {  // U+FEFF
      i += 3;
    } else if (i + 1 < s.size() && b(0) == 0xC2 && b(1) == 0xAD) {  // U+00AD
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> closest(std::string_view typed, const std::vector<std::string>& candidates, size_t max) {
  std::vector<std::pair<size_t, const std::string*>> scored;
  const std::string word = visible(typed);
  for (const auto& c : candidates) {
    if (c == typed) continue;
    if (word != typed && c == word) {  // the same key but for invisible characters: the best match
      scored.emplace_back(0, &c);
      continue;
    }
    size_t longest = std::max(word.size(), c.size());
    size_t allowed = longest <= 3 ? 1 : longest <= 6 ? 2 : 3;
    size_t d = edit_distance(word, c);
    if (d <= allowed)
      scored.emplace_back(d * 2, &c);
    else if (contains_icase(c, word) || contains_icase(word, c))
      scored.emplace_back(allowed * 2 + 1, &c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& x, auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < max; ++i) {
    if (std::find(out.begin(), out.end(), *scored[i].second) == out.end()) out.push_back(*scored[i].second);
  }
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto best = closest(word, candidates);
  if (best.empty()) return {};
  std::string out = "did you mean ";
  for (size_t i = 0; i < best.size(); ++i) {
    if (i > 0) out += (i + 1 == best.size()) ? " or " : ", ";
    out += "'" + best[i] + "'";
  }
  return out + "?";
}

}  // namespace rig
