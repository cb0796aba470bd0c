#include "rig/constraints.hpp"

#include <fmt/format.h>

#include <cmath>
#include <regex>

#include "detail/constraint_keywords.hpp"
#include "detail/scalar.hpp"
#include "rig/error.hpp"
#include "rig/node.hpp"

namespace rig {

namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

bool numeric(const Node& n, double& out) {
  if (n.is_int()) {
    out = static_cast<double>(n.int_value());
    return true;
  }
  if (n.is_float()) {
    out = n.float_value();
    return true;
  }
  return false;
}

std::vector<std::string_view> choices(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t bar = text.find('|', start);
    out.push_back(text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

// Whether `v` satisfies the one-value rule `c`; true when the rule does not apply to a value of its kind.
bool satisfies(const Constraint& c, const Node& v) {
  double x = 0;
  switch (c.rule) {
    case Rule::Range:
      if (!numeric(v, x)) return true;
      if (std::isnan(x)) return false;
      return (c.lo_open ? x > c.lo : x >= c.lo) && (c.hi_open ? x < c.hi : x <= c.hi);
    case Rule::Finite:
      return !numeric(v, x) || std::isfinite(x);
    case Rule::NonEmpty:
      if (v.is_string()) return !v.str().empty();
      if (v.is_container()) return v.size() != 0;
      return !v.is_null();
    case Rule::OneOf: {
      if (!v.is_scalar() || v.is_null()) return true;
      std::string text = detail::scalar_text(v);
      for (auto choice : choices(c.text))
        if (choice == text) return true;
      return false;
    }
    case Rule::Pattern:
      if (!v.is_string()) return true;
      return std::regex_match(v.str(), std::regex(std::string(c.text), std::regex::ECMAScript));
    case Rule::Less:
    case Rule::LessEqual: return true;  // across parameters: see check_constraints
  }
  return true;
}

std::string shown(const Node& v) {
  if (v.is_scalar()) {
    std::string t = detail::scalar_text(v);
    return v.is_string() ? "'" + t + "'" : t;
  }
  return v.is_list() ? fmt::format("a list of {}", v.size()) : fmt::format("a map of {}", v.size());
}

std::string child(const KeyPath& path, std::string_view key) {
  KeyPath p = path;
  p.push_key(std::string(key));
  return p.to_string();
}

}  // namespace

std::string describe(const Constraint& c) {
  switch (c.rule) {
    case Rule::Range: {
      bool no_lo = std::isinf(c.lo), no_hi = std::isinf(c.hi);
      if (c.lo == 0 && c.lo_open && no_hi) return "positive";
      if (no_hi) return fmt::format("{} {}", c.lo_open ? ">" : ">=", number(c.lo));
      if (no_lo) return fmt::format("{} {}", c.hi_open ? "<" : "<=", number(c.hi));
      return fmt::format("in {}{}, {}{}", c.lo_open ? "(" : "[", number(c.lo), number(c.hi), c.hi_open ? ")" : "]");
    }
    case Rule::Finite: return "finite";
    case Rule::NonEmpty: return "non-empty";
    case Rule::OneOf: {
      std::string list;
      for (auto choice : choices(c.text)) list += (list.empty() ? "" : ", ") + std::string(choice);
      return "one of " + list;
    }
    case Rule::Pattern: return fmt::format("matching /{}/", c.text);
    case Rule::Less: return fmt::format("< {}", c.other);
    case Rule::LessEqual: return fmt::format("<= {}", c.other);
  }
  return {};
}

namespace {

Node number_node(double v) {
  if (std::trunc(v) == v && std::fabs(v) < 9.0e15) return Node(static_cast<int64_t>(v));
  return Node(v);
}

}  // namespace

Node detail::json_schema_keywords(const Constraint& c) {
  Node s = Node::map();
  switch (c.rule) {
    case Rule::Range:
      if (!std::isinf(c.lo)) s.set(c.lo_open ? "exclusiveMinimum" : "minimum", number_node(c.lo));
      if (!std::isinf(c.hi)) s.set(c.hi_open ? "exclusiveMaximum" : "maximum", number_node(c.hi));
      break;
    case Rule::NonEmpty: {
      s.set("minLength", Node(int64_t{1}));
      s.set("minItems", Node(int64_t{1}));
      s.set("minProperties", Node(int64_t{1}));
      Node null = Node::map();
      null.set("type", "null");
      s.set("not", null);
      break;
    }
    case Rule::OneOf: {
      // The check compares the value's text: `1` and `"1"` both match the choice 1.
      Node values = Node::list();
      for (auto choice : choices(c.text)) {
        values.push_back(Node(std::string(choice)));
        if (auto typed = detail::resolve_plain(choice); typed && !typed->is_string() && !typed->is_null())
          values.push_back(*typed);
      }
      s.set("enum", values);
      break;
    }
    case Rule::Pattern: s.set("pattern", fmt::format("^(?:{})$", c.text)); break;
    case Rule::Finite:
    case Rule::Less:
    case Rule::LessEqual: break;
  }
  return s;
}

namespace detail {

void check_constraints(std::span<const Constraint> checks, const Node& values, std::string_view owner,
                       const KeyPath& path, std::vector<Error>& out) {
  for (const Constraint& c : checks) {
    const Node* v = values.find(c.param);
    if (!v || v->is_missing() || v->is_interpolation()) continue;
    std::string id = c.id.empty() ? std::string("rig.value.constraint") : std::string(c.id);
    if (c.rule == Rule::Less || c.rule == Rule::LessEqual) {
      const Node* w = values.find(c.other);
      double a = 0, b = 0;
      if (!w || !numeric(*v, a) || !numeric(*w, b)) continue;
      if (c.rule == Rule::Less ? a < b : a <= b) continue;
      Error e(id,
              fmt::format("{}: {} ({}) must be {} {} ({})", owner, c.param, shown(*v),
                          c.rule == Rule::Less ? "less than" : "at most", c.other, shown(*w)),
              v->origin(), child(path, c.param),
              fmt::format("lower {} or raise {}", child(path, c.param), child(path, c.other)));
      e.add_note(w->origin(), fmt::format("{} is {} here", c.other, shown(*w)));
      out.push_back(std::move(e));
      continue;
    }
    if (satisfies(c, *v)) continue;
    out.emplace_back(id, fmt::format("{}: {} must be {}, got {}", owner, c.param, describe(c), shown(*v)), v->origin(),
                     child(path, c.param), fmt::format("give {} a value that is {}", child(path, c.param), describe(c)));
  }
}

}  // namespace detail

}  // namespace rig
