#include "rig/convert.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "detail/scalar.hpp"

namespace rig::detail {

void collect_error(std::vector<Error>& out, const Error& e) {
  if (auto* list = dynamic_cast<const ErrorList*>(&e)) {
    for (const auto& each : list->errors()) out.push_back(each);
    return;
  }
  out.push_back(e);
}

void check_fields(std::span<const Constraint> checks, const Node& given, const Node& written, std::string_view owner,
                  const KeyPath& path, std::vector<Error>& errors) {
  Node values = Node::map(given.origin());
  for (const auto& e : written.entries()) {
    const Node* g = given.find(e.key);
    values.set(e.key, g ? *g : Node(e.value).set_origin(given.origin()));
  }
  check_constraints(checks, values, owner, path, errors);
}

void throw_collected(std::vector<Error>& errors) {
  if (errors.empty()) return;
  throw ErrorList(std::move(errors));
}

Error unknown_keyword(const MapEntry& entry, const KeyPath& path, std::string_view owner,
                      const std::vector<std::string>& known) {
  KeyPath at = path;
  at.push_key(entry.key);
  std::string hint = did_you_mean(entry.key, known);
  if (hint.empty()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    hint = known.empty() ? std::string("it takes no arguments") : "known: " + list;
  }
  const Origin& where = entry.key_origin.known() ? entry.key_origin : entry.value.origin();
  return Error("rig.args.unknown_keyword", fmt::format("unknown keyword '{}' for {}", entry.key, owner), where,
               at.to_string(), std::move(hint));
}

void expect_list_of(const Node& n, const KeyPath& p, size_t size, std::string_view type) {
  if (!n.is_list()) throw_type_error(n, p, type);
  if (n.size() != size)
    throw TypeError("rig.type.mismatch",
                    fmt::format("expected {} (a list of {}), got a list of {}", type, size, n.size()), n.origin(),
                    p.to_string());
}

namespace {

struct Unit {
  std::string_view name;
  long double ns;
};
constexpr Unit kUnits[] = {{"ns", 1.0L},         {"us", 1e3L},          {"\xC2\xB5s", 1e3L}, {"ms", 1e6L},
                           {"s", 1e9L},          {"sec", 1e9L},         {"min", 60e9L},      {"m", 60e9L},
                           {"h", 3600e9L},       {"d", 86400e9L}};

}  // namespace

std::optional<long double> parse_duration_ns(std::string_view text) {
  long double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    std::string number(text.substr(start, i - start));
    size_t ustart = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    const Unit* found = nullptr;
    for (const auto& u : kUnits)
      if (u.name == unit) found = &u;
    if (!found) return std::nullopt;
    auto value = parse_float(number);
    if (!value) return std::nullopt;
    total += static_cast<long double>(*value) * found->ns;
    any = true;
  }
  if (!any) return std::nullopt;
  return total;
}

long double duration_count(const Node& n, const KeyPath& p, std::string_view type, long double ns_per_unit,
                           bool integral) {
  long double count;
  if (n.is_int()) {
    count = static_cast<long double>(n.int_value());
  } else if (n.is_float()) {
    count = static_cast<long double>(n.float_value());
  } else if (n.is_string() && !n.is_interpolation()) {
    bool negative = !n.str().empty() && n.str().front() == '-';
    auto ns = parse_duration_ns(std::string_view(n.str()).substr(negative ? 1 : 0));
    if (!ns)
      throw_type_error(n, p, type, "write a number with a unit: ns, us, ms, s, min, h, d (e.g. '10s', '1h30min')");
    count = (negative ? -*ns : *ns) / ns_per_unit;
  } else {
    throw_type_error(n, p, type);
  }
  if (integral) {
    long double rounded = std::nearbyint(count);
    if (std::fabs(count - rounded) > 1e-9L * std::max(1.0L, std::fabs(count)))
      throw TypeError("rig.type.mismatch",
                      fmt::format("{} is not a whole number of {}'s units", scalar_text(n), type), n.origin(),
                      p.to_string(), "use a smaller unit or a floating-point duration");
    if (std::fabs(rounded) > 9.2e18L)
      throw TypeError("rig.type.out_of_range", fmt::format("{} is out of range for {}", scalar_text(n), type),
                      n.origin(), p.to_string());
    return rounded;
  }
  return count;
}

std::string duration_text(long double count, std::string_view unit) {
  if (count == std::nearbyint(count) && std::fabs(count) < 9e18L)
    return fmt::format("{}{}", static_cast<long long>(count), unit);
  return format_float(static_cast<double>(count)) + std::string(unit);
}

void throw_enum_error(const Node& n, const KeyPath& p, std::string_view type, const std::vector<std::string>& names) {
  std::string list;
  for (const auto& s : names) list += (list.empty() ? "" : ", ") + s;
  if (n.is_string() && !n.is_interpolation()) {
    std::string hint = did_you_mean(n.str(), names);
    throw TypeError("rig.type.mismatch", fmt::format("'{}' is not a {} (one of: {})", n.str(), type, list),
                    n.origin(), p.to_string(), std::move(hint));
  }
  throw_type_error(n, p, type, fmt::format("one of: {}", list));
}

}  // namespace rig::detail
