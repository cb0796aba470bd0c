// rig/constraints.hpp — value checks declared once, run by both `--validate` and instantiate.
//
// A component declares what its arguments must satisfy beyond their C++ type: per parameter (a range, positive,
// non-empty, one of a list, a pattern, finite) and across parameters (warmup_steps < total_steps). Declare them
//
//   - on an options struct, as a static member (they then hold wherever the struct is read: a component built with
//     it, a recipe key of that type, cfg["loader"].as<DataLoaderOptions>()):
//
//       struct DataLoaderOptions {
//         int64_t batch_size = 32;
//         static constexpr auto checks = rig::checks(rig::require("batch_size", rig::positive()));
//       };
//
//   - or as registration clauses, for a constructor's or function's named parameters:
//
//       RIG_FUNCTION(my::cosine, rig::params("warmup_steps", "total_steps"),
//                    rig::require("total_steps", rig::positive()), rig::require_less("warmup_steps", "total_steps"));
//
// Every violated check is reported (all at once, with the rest of the config's errors), located at the offending
// value with its full key path (`lr_scheduler.warmup_steps`), or at the component's name when the value is a default
// or a call-site argument. The id is rig.value.constraint unless the check names its own (a third argument).
// `rig describe` lists each parameter's checks. A check applies to the value as the config gives it (a number for a
// range, a string / list / map for non_empty); a value of another kind is left to its type's conversion.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rig {

class Node;
class KeyPath;
class Error;

enum class Rule : uint8_t { Range, NonEmpty, OneOf, Pattern, Finite, Less, LessEqual };

struct Constraint {
  Rule rule = Rule::Range;
  std::string_view param;  // the parameter (field) checked
  std::string_view other;  // Less / LessEqual: the parameter it is compared with
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  std::string_view text;  // OneOf: the choices, separated by '|'; Pattern: an ECMAScript regular expression (whole)
  std::string_view id;    // the error's id; empty: rig.value.constraint
};

// ---- rules ----------------------------------------------------------------------------------------------------------

enum class Bounds : uint8_t { closed, closed_open, open_closed, open };

constexpr Constraint range(double lo, double hi, Bounds b = Bounds::closed) {
  Constraint c;
  c.lo = lo;
  c.hi = hi;
  c.lo_open = b == Bounds::open_closed || b == Bounds::open;
  c.hi_open = b == Bounds::closed_open || b == Bounds::open;
  return c;
}
constexpr Constraint at_least(double lo) { return range(lo, std::numeric_limits<double>::infinity(), Bounds::closed_open); }
constexpr Constraint at_most(double hi) { return range(-std::numeric_limits<double>::infinity(), hi, Bounds::open_closed); }
constexpr Constraint positive() { return range(0, std::numeric_limits<double>::infinity(), Bounds::open); }
constexpr Constraint non_negative() { return at_least(0); }
constexpr Constraint finite() {
  Constraint c;
  c.rule = Rule::Finite;
  return c;
}
constexpr Constraint non_empty() {
  Constraint c;
  c.rule = Rule::NonEmpty;
  return c;
}
// `one_of("mean|sum")`: the value's text is one of the choices.
constexpr Constraint one_of(std::string_view choices) {
  Constraint c;
  c.rule = Rule::OneOf;
  c.text = choices;
  return c;
}
constexpr Constraint pattern(std::string_view regex) {
  Constraint c;
  c.rule = Rule::Pattern;
  c.text = regex;
  return c;
}

// ---- binding a rule to parameters -------------------------------------------------------------------------------

constexpr Constraint require(std::string_view param, Constraint rule, std::string_view id = {}) {
  rule.param = param;
  rule.id = id;
  return rule;
}
// `a < b` (both numbers).
constexpr Constraint require_less(std::string_view a, std::string_view b, std::string_view id = {}) {
  Constraint c;
  c.rule = Rule::Less;
  c.param = a;
  c.other = b;
  c.id = id;
  return c;
}
constexpr Constraint require_less_equal(std::string_view a, std::string_view b, std::string_view id = {}) {
  Constraint c = require_less(a, b, id);
  c.rule = Rule::LessEqual;
  return c;
}

// An options struct's `static constexpr auto checks = rig::checks(...)`.
template <class... C>
constexpr std::array<Constraint, sizeof...(C)> checks(const C&... c) {
  return {c...};
}

// A registration clause: the checks an options struct declares, for a component whose parameters are its fields
// listed one by one (rig::params).
template <class O>
struct ChecksOf {
  using type = O;
};
template <class O>
inline constexpr ChecksOf<O> checks_of{};

// "positive", "in [0, 1)", "one of mean, sum", "< total_steps": what the constraint asks, for messages and describe.
std::string describe(const Constraint& c);

namespace detail {

// Runs `checks` over `values`, a map from parameter name to its value as given (each Node located where it should be
// reported: the config value, or the component's name for a default); a parameter absent from the map is not
// checked. Violations are appended to `out`, at `path`.<param>, naming `owner`.
void check_constraints(std::span<const Constraint> checks, const Node& values, std::string_view owner,
                       const KeyPath& path, std::vector<Error>& out);

template <class T>
constexpr std::span<const Constraint> declared_checks() {
  if constexpr (requires { T::checks; })
    return T::checks;
  else
    return {};
}

}  // namespace detail

}  // namespace rig
