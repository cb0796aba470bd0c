#include "detail/python_text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace rig::detail {

std::string python_float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Shortest round-trip digits, then Python's layout: fixed for 1e-4 <= |v| < 1e16, else d.ddde+XX.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, end);
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::atoi(sci.c_str() + e + 1);
  bool negative = mant[0] == '-';
  if (negative) mant.erase(0, 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out = negative ? "-" : "";
  if (exp >= -5 + 1 && exp < 16) {
    if (exp >= 0) {
      std::string ip = digits.substr(0, std::min<size_t>(digits.size(), static_cast<size_t>(exp) + 1));
      while (ip.size() < static_cast<size_t>(exp) + 1) ip += '0';
      std::string fp = digits.size() > static_cast<size_t>(exp) + 1 ? digits.substr(static_cast<size_t>(exp) + 1) : "0";
      out += ip + "." + fp;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', std::abs(exp));
  return out;
}

namespace {

void repr_string(std::string& out, const std::string& s) {
  char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  out += q;
  for (unsigned char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == static_cast<unsigned char>(q)) out += std::string("\\") + q;
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  out += q;
}

void repr(std::string& out, const Node& n) {
  switch (n.kind()) {
    case Kind::String: repr_string(out, n.str()); return;
    case Kind::Missing: out += "'" + python_str(n) + "'"; return;
    case Kind::List: {
      out += '[';
      bool first = true;
      for (const auto& x : n.elements()) {
        if (!first) out += ", ";
        first = false;
        repr(out, x);
      }
      out += ']';
      return;
    }
    case Kind::Map: {
      out += '{';
      bool first = true;
      for (const auto& e : n.entries()) {
        if (!first) out += ", ";
        first = false;
        repr_string(out, e.key);
        out += ": ";
        repr(out, e.value);
      }
      out += '}';
      return;
    }
    default: out += python_str(n); return;
  }
}

}  // namespace

std::string python_repr(const Node& n) {
  std::string out;
  repr(out, n);
  return out;
}

std::string python_str(const Node& n) {
  switch (n.kind()) {
    case Kind::Null: return "None";
    case Kind::Bool: return n.bool_value() ? "True" : "False";
    case Kind::Int: return std::to_string(n.int_value());
    case Kind::Float: return python_float_repr(n.float_value());
    case Kind::String: return n.str();
    case Kind::Missing: return "???";
    default: return python_repr(n);
  }
}

}  // namespace rig::detail
