// Plain text and CSV tables for the `rig` tool's listings, and the ordering/matching rules --sort and --filter share.
#pragma once

#include <algorithm>
#include <charconv>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rig_cli {

// "a, b, c": the strings with `sep` between them (none after an empty first one).
inline std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

struct Table {
  std::vector<std::string> header;
  std::vector<bool> right;  // right-aligned columns (numbers)
  std::vector<std::vector<std::string>> rows;

  std::string text(const std::string& indent = "") const {
    std::vector<size_t> w(header.size());
    for (size_t c = 0; c < header.size(); ++c) w[c] = header[c].size();
    for (const auto& r : rows)
      for (size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], r[c].size());
    auto line = [&](const std::vector<std::string>& r) {
      std::string out = indent;
      for (size_t c = 0; c < w.size(); ++c) {
        const std::string& cell = c < r.size() ? r[c] : std::string();
        std::string pad(w[c] - std::min(w[c], cell.size()), ' ');
        out += (c ? "  " : "") + (c < right.size() && right[c] ? pad + cell : cell + pad);
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out + "\n";
    };
    std::string out = line(header);
    for (const auto& r : rows) out += line(r);
    return out;
  }

  // RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
  std::string csv() const {
    auto field = [](const std::string& s) {
      if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
      std::string q = "\"";
      for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      return q + "\"";
    };
    auto line = [&](const std::vector<std::string>& r) {
      std::string out;
      for (size_t c = 0; c < r.size(); ++c) out += (c ? "," : "") + field(r[c]);
      return out + "\n";
    };
    std::string out = line(header);
    for (const auto& r : rows) out += line(r);
    return out;
  }
};

inline std::optional<double> as_number(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Two values match when their text is equal or both are the same number (0.001 == 1e-3).
inline bool same_value(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto x = as_number(a), y = as_number(b);
  return x && y && *x == *y;
}

// The order of `keys`: numbers numerically (when both are numbers), else as text; a missing key sorts last in both
// directions; ties keep their order.
inline std::vector<size_t> sorted_order(const std::vector<std::optional<std::string>>& keys, bool desc) {
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    const auto& a = keys[i];
    const auto& b = keys[j];
    if (!a || !b) return a.has_value() && !b.has_value();
    auto x = as_number(*a), y = as_number(*b);
    if (x && y) return desc ? *x > *y : *x < *y;
    return desc ? *a > *b : *a < *b;
  });
  return order;
}

}  // namespace rig_cli
