#include "detail/scalar.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <limits>
#include <regex>

namespace rig::detail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool looks_like_decimal_float(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < t.size() && is_digit(t[i])) ++i, ++int_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && is_digit(t[i])) ++i, ++frac_digits;
    if (int_digits == 0 && frac_digits == 0) return false;
  } else if (int_digits == 0) {
    return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < t.size() && is_digit(t[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == t.size();
}

enum class IntForm { None, Decimal, Octal, Hex };

IntForm int_form(std::string_view t) {
  if (t.size() > 2 && t[0] == '0' && t[1] == 'o') {
    for (char c : t.substr(2))
      if (c < '0' || c > '7') return IntForm::None;
    return IntForm::Octal;
  }
  if (t.size() > 2 && t[0] == '0' && t[1] == 'x') {
    for (char c : t.substr(2))
      if (!std::isxdigit(static_cast<unsigned char>(c))) return IntForm::None;
    return IntForm::Hex;
  }
  size_t i = (!t.empty() && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
  if (i == t.size()) return IntForm::None;
  for (; i < t.size(); ++i)
    if (!is_digit(t[i])) return IntForm::None;
  return IntForm::Decimal;
}

std::optional<int64_t> int_value(std::string_view t, IntForm form) {
  int base = 10;
  if (form == IntForm::Octal || form == IntForm::Hex) {
    base = form == IntForm::Octal ? 8 : 16;
    t.remove_prefix(2);
  }
  bool negative = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), magnitude, base);
  if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    return magnitude == kMax + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

std::optional<double> special_float(std::string_view t) {
  std::string_view body = t;
  double sign = 1;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
    if (body == ".inf" || body == ".Inf" || body == ".INF") return sign * std::numeric_limits<double>::infinity();
    return std::nullopt;
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") return std::numeric_limits<double>::infinity();
  if (body == ".nan" || body == ".NaN" || body == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

// A decimal float literal's value; nullopt when it is too large for a double (it would silently become ±infinity:
// infinity is written `.inf`). A literal too small to represent becomes 0 (or a subnormal), as IEEE rounding does.
std::optional<double> decimal_float(std::string_view t) {
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  // On a range error from_chars leaves v unchanged; strtod tells overflow (±HUGE_VAL) from underflow.
  if (ec == std::errc::result_out_of_range) v = std::strtod(std::string(t).c_str(), nullptr);
  if (std::isinf(v)) return std::nullopt;
  return v;
}

}  // namespace

bool is_null_text(std::string_view t) { return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL"; }

std::optional<bool> parse_bool(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

std::optional<int64_t> parse_int(std::string_view t) {
  IntForm form = int_form(t);
  if (form == IntForm::None) return std::nullopt;
  return int_value(t, form);
}

std::optional<double> parse_float(std::string_view t) {
  if (auto s = special_float(t)) return s;
  if (looks_like_decimal_float(t)) return decimal_float(t);
  return std::nullopt;
}

bool float_out_of_range(std::string_view t) { return looks_like_decimal_float(t) && !decimal_float(t); }

std::string float_range_message(std::string_view t) {
  return fmt::format("float {} is too large for a 64-bit float (it would become infinity)", t);
}

std::optional<Node> resolve_plain(std::string_view t) {
  if (t.empty()) return Node();
  char c = t[0];
  // Fast path: most plain scalars are words that start with a letter other than the special ones.
  bool maybe_special = is_digit(c) || c == '-' || c == '+' || c == '.' || c == '~' || c == '?' || c == 'n' ||
                       c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F';
  if (!maybe_special) return Node(std::string(t));
  if (is_null_text(t)) return Node();
  if (t == "???") return Node::missing();
  if (auto b = parse_bool(t)) return Node(*b);
  if (IntForm form = int_form(t); form != IntForm::None) {
    auto v = int_value(t, form);
    if (!v) return std::nullopt;
    return Node(*v);
  }
  if (auto f = parse_float(t)) return Node(*f);
  if (looks_like_decimal_float(t)) return std::nullopt;  // too large for a double
  return Node(std::string(t));
}

std::string format_float(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

namespace {

// Plain scalars that a YAML 1.1 reader types, rig (YAML 1.2 core) aside: the implicit resolvers of PyYAML
// (resolver.py: int, float, merge, value, timestamp) and OmegaConf's wider float (omegaconf/_utils.py), as regular
// expressions over the whole scalar. Only scalars that start with a digit, a sign, '.', '=' or '<' can match.
bool yaml11_typed(std::string_view t) {
  if (t.empty()) return false;
  char c = t[0];
  if (!(is_digit(c) || c == '+' || c == '-' || c == '.' || c == '=' || c == '<')) return false;
  if (t == "=" || t == "<<") return true;  // PyYAML's value and merge tags
  // std::regex matches recursively: a long scalar of this kind is quoted without matching (quoting is always safe).
  if (t.size() > 64) return true;
  static const std::regex kInt11(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  static const std::regex kFloat11(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  static const std::regex kFloatOmegaConf(
      "[-+]?(?:[0-9][0-9_]*)(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\\.[0-9_]+(?:[eE][-+]?[0-9]+)?");
  static const std::regex kTimestamp(
      "[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
      "(?:(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?");
  std::string s(t);
  return std::regex_match(s, kInt11) || std::regex_match(s, kFloat11) || std::regex_match(s, kFloatOmegaConf) ||
         std::regex_match(s, kTimestamp);
}

}  // namespace

bool plain_safe(std::string_view t) {
  if (t.empty()) return false;
  auto resolved = resolve_plain(t);
  if (!resolved || !resolved->is_string()) return false;
  if (yaml11_typed(t)) return false;
  // Words YAML 1.1 readers (OmegaConf, PyYAML) would take as bools or null: quote them for portability.
  static constexpr std::string_view kYaml11[] = {"y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no",
                                                 "No", "NO", "on",  "On",  "ON",  "off", "Off", "OFF"};
  for (auto w : kYaml11)
    if (t == w) return false;
  unsigned char first = static_cast<unsigned char>(t[0]);
  if (std::strchr("-?:,[]{}#&*!|>'\"%@`", first)) {
    // "-", "?", ":" start a plain scalar only when followed by a non-space; keep it simple and quote.
    return false;
  }
  if (first == ' ' || t.back() == ' ' || first == '\t' || t.back() == '\t') return false;
  for (size_t i = 0; i < t.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(t[i]);
    if (ch < 0x20 || ch == 0x7f) return false;  // control characters, line breaks, tabs
    if (ch == ':' && (i + 1 == t.size() || t[i + 1] == ' ')) return false;
    if (ch == '#' && i > 0 && t[i - 1] == ' ') return false;
    if (ch >= 0x80) return false;  // keep non-ASCII safe from encodings: quote (escapes stay exact)
  }
  // Flow indicators would end the scalar inside flow collections; rig never writes flow collections with content,
  // but `{`/`}` and friends confuse readers of `${...}`-free text less when quoted.
  return true;
}

}  // namespace rig::detail
