// The functions of the override value grammar: casts, sweeps, sort/shuffle and extend_list (docs/overrides.md).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <random>

#include "detail/override_parser.hpp"
#include "detail/scalar.hpp"
#include "rig/yaml.hpp"

namespace rig::detail {

namespace {

using Element = OverrideParser::Element;
using Arg = OverrideParser::Arg;
using Call = OverrideParser::Call;

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names = {"choice", "range", "interval", "glob",  "tag",  "sort", "shuffle",
                                                 "int",    "float", "str",      "bool",  "json", "extend_list"};
  return names;
}

// Checks the call's arguments against a signature: `params` may be given by position or name; with `varargs`
// extra positional arguments are allowed (they come back in `rest`); `keywords` may only be given by name.
struct Bound {
  std::vector<Arg*> params;  // nullptr where not given
  std::vector<Arg*> rest;
  std::vector<Arg*> keywords;
};

Bound bind(OverrideParser& p, Call& call, std::vector<std::string_view> params, bool varargs,
           std::vector<std::string_view> keywords = {}) {
  Bound b;
  b.params.assign(params.size(), nullptr);
  b.keywords.assign(keywords.size(), nullptr);
  size_t next = 0;
  for (auto& arg : call.args) {
    if (arg.name.empty()) {
      if (varargs) {
        b.rest.push_back(&arg);
      } else if (next < params.size()) {
        b.params[next++] = &arg;
      } else {
        p.fail(arg.pos, "function_args",
               fmt::format("{}() takes at most {} argument{}", call.name, params.size(), params.size() == 1 ? "" : "s"));
      }
      continue;
    }
    auto pi = std::find(params.begin(), params.end(), arg.name);
    auto ki = std::find(keywords.begin(), keywords.end(), arg.name);
    Arg** slot = nullptr;
    if (pi != params.end()) slot = &b.params[static_cast<size_t>(pi - params.begin())];
    if (ki != keywords.end()) slot = &b.keywords[static_cast<size_t>(ki - keywords.begin())];
    if (!slot) {
      std::vector<std::string> known(params.begin(), params.end());
      known.insert(known.end(), keywords.begin(), keywords.end());
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      std::string hint = did_you_mean(arg.name, known);
      p.fail(arg.pos, "function_args", fmt::format("{}() has no argument named '{}'", call.name, arg.name),
             hint.empty() ? fmt::format("its named arguments are: {}", names.empty() ? "none" : names) : hint);
    }
    if (*slot) p.fail(arg.pos, "function_args", fmt::format("argument '{}' of {}() is given twice", arg.name, call.name));
    *slot = &arg;
  }
  return b;
}

Arg& required(OverrideParser& p, const Call& call, Arg* arg, std::string_view name) {
  if (!arg) p.fail(call.pos, "function_args", fmt::format("{}() needs the argument '{}'", call.name, name));
  return *arg;
}

const Node& plain_value(OverrideParser& p, const Call& call, const Arg& arg) {
  if (arg.value.sweep || arg.value.extend_list)
    p.fail(arg.pos, "nested_sweep", fmt::format("{}() does not take a sweep here", call.name));
  return arg.value.node;
}

bool is_number(const Node& n) { return n.is_int() || n.is_float(); }
double number(const Node& n) { return n.is_int() ? static_cast<double>(n.int_value()) : n.float_value(); }

const Node& numeric(OverrideParser& p, const Call& call, const Arg& arg) {
  const Node& n = plain_value(p, call, arg);
  if (!is_number(n))
    p.fail(arg.pos, "function_args",
           fmt::format("{}() takes numbers, got {} '{}'", call.name, kind_name(n.kind()), scalar_text(n)));
  return n;
}

void restamp(Node& n, const Origin& origin) {
  n.set_origin(origin);
  if (n.is_list())
    for (size_t i = 0; i < n.size(); ++i) restamp(n.element(i), origin);
  if (n.is_map())
    for (const auto& key : n.keys()) restamp(*n.find_mut(key), origin);
}

// ---- casts ----------------------------------------------------------------------------------------------------------

enum class CastTo { Int, Float, Str, Bool, Json };

std::string_view cast_name(CastTo to) {
  switch (to) {
    case CastTo::Int: return "int";
    case CastTo::Float: return "float";
    case CastTo::Str: return "str";
    case CastTo::Bool: return "bool";
    case CastTo::Json: return "json";
  }
  return "?";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// str() of a float as Python (and so Hydra) writes it: positional notation from 1e-4 up to 1e16.
std::string float_text(double v) {
  double a = std::fabs(v);
  if (!std::isfinite(v) || a == 0 || a < 1e-4 || a >= 1e16) return format_float(v);
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec != std::errc()) return format_float(v);
  std::string s(buf, end);
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

Node cast_scalar(OverrideParser& p, size_t pos, const Node& n, CastTo to) {
  auto cannot = [&](std::string_view why = {}) -> Node {
    std::string shown = n.is_string() ? fmt::format("string '{}'", n.str()) : fmt::format("{} {}", kind_name(n.kind()), scalar_text(n));
    p.fail(pos, "cast", fmt::format("cannot cast {} to {}{}", shown, cast_name(to), why));
  };
  if (n.is_null() || n.is_missing()) {
    if (to == CastTo::Str && n.is_null()) return Node(std::string("null"));
    return cannot();
  }
  switch (to) {
    case CastTo::Int:
      if (n.is_int()) return n;
      if (n.is_bool()) return Node(int64_t{n.bool_value() ? 1 : 0});
      if (n.is_float()) {
        double v = std::trunc(n.float_value());
        if (!std::isfinite(v) || v < -9.2233720368547758e18 || v >= 9.2233720368547758e18) return cannot();
        return Node(static_cast<int64_t>(v));
      }
      if (auto i = parse_int(n.str())) return Node(*i);
      return cannot();
    case CastTo::Float:
      if (n.is_float()) return n;
      if (n.is_int()) return Node(static_cast<double>(n.int_value()));
      if (n.is_bool()) return Node(n.bool_value() ? 1.0 : 0.0);
      if (auto f = parse_float(n.str())) return Node(*f);
      if (auto i = parse_int(n.str())) return Node(static_cast<double>(*i));
      if (float_out_of_range(n.str()))
        throw ParseError("rig.yaml.float_range", float_range_message(n.str()), p.at(pos), {},
                         std::string(kFloatRangeHint));
      return cannot();
    case CastTo::Str:
      if (n.is_string()) return n;
      if (n.is_float()) return Node(float_text(n.float_value()));
      return Node(scalar_text(n));
    case CastTo::Bool:
      if (n.is_bool()) return n;
      if (n.is_int()) return Node(n.int_value() != 0);
      if (n.is_float()) return Node(n.float_value() != 0.0);  // NaN is true, as in Python
      if (lower(n.str()) == "true") return Node(true);
      if (lower(n.str()) == "false") return Node(false);
      return cannot(" (only 'true' and 'false' in any case are bools)");
    case CastTo::Json: {
      if (!n.is_string()) return cannot(" (json() parses a string)");
      try {
        Node parsed = load_json(n.str(), "json()");
        restamp(parsed, n.origin());
        return parsed;
      } catch (const Error& e) {
        if (e.id() == "rig.yaml.float_range")
          throw ParseError(e.id(), fmt::format("json(): {}", e.message()), p.at(pos), {}, e.hint());
        p.fail(pos, "cast", fmt::format("json(): {}", e.message()), "json() takes a quoted JSON text: json('{\"a\": [1, 2]}')");
      }
    }
  }
  return cannot();
}

// Lists cast element by element, dicts value by value (keys unchanged); a failure anywhere fails the whole cast.
Node cast_node(OverrideParser& p, size_t pos, const Node& n, CastTo to) {
  if (to != CastTo::Json && n.is_list()) {
    Node out = Node::list(n.origin());
    for (const auto& e : n.elements()) out.push_back(cast_node(p, pos, e, to));
    return out;
  }
  if (to != CastTo::Json && n.is_map()) {
    Node out = Node::map(n.origin());
    for (const auto& e : n.entries()) out.set(e.key, cast_node(p, pos, e.value, to), e.key_origin);
    return out;
  }
  Node out = cast_scalar(p, pos, n, to);
  if (to != CastTo::Json) out.set_origin(n.origin());
  return out;
}

Element cast(OverrideParser& p, Call& call, CastTo to) {
  Bound b = bind(p, call, {"value"}, false);
  Arg& arg = required(p, call, b.params[0], "value");
  Element out;
  out.pos = call.pos;
  if (arg.value.extend_list) p.fail(arg.pos, "nested_sweep", "extend_list() cannot be cast");
  if (!arg.value.sweep) {
    out.node = cast_node(p, arg.pos, arg.value.node, to);
    return out;
  }
  Sweep s = *arg.value.sweep;
  switch (s.type) {
    case Sweep::Type::Choice:
      for (auto& c : s.choices) c = cast_node(p, arg.pos, c, to);
      break;
    case Sweep::Type::Range:
      if (to != CastTo::Int && to != CastTo::Float)
        p.fail(arg.pos, "cast", fmt::format("cannot cast a range to {}", cast_name(to)), "ranges cast to int or float");
      s.start = cast_node(p, arg.pos, s.start, to);
      s.stop = cast_node(p, arg.pos, s.stop, to);
      s.step = cast_node(p, arg.pos, s.step, to);
      break;
    case Sweep::Type::Interval:  // int(interval(a, b)): an integer parameter of a search; float() keeps it real
      if (to == CastTo::Int || to == CastTo::Float) {
        s.integer = to == CastTo::Int;
        if (s.integer) s.low = std::ceil(s.low), s.high = std::floor(s.high);
        break;
      }
      p.fail(arg.pos, "cast", fmt::format("cannot cast an interval to {}", cast_name(to)),
             "intervals cast to int or float");
    case Sweep::Type::Glob:
      p.fail(arg.pos, "cast", fmt::format("cannot cast a glob to {}", cast_name(to)));
  }
  out.sweep = std::move(s);
  return out;
}

// ---- sweeps ---------------------------------------------------------------------------------------------------------

Element sweep_element(OverrideParser& p, const Call& call, Sweep s) {
  s.origin = p.at(call.pos);
  Element out;
  out.pos = call.pos;
  out.sweep = std::move(s);
  return out;
}

Element choice(OverrideParser& p, Call& call) {
  Bound b = bind(p, call, {}, true);
  if (b.rest.empty()) p.fail(call.pos, "function_args", "choice() needs at least one value");
  Sweep s;
  s.type = Sweep::Type::Choice;
  for (Arg* a : b.rest) s.choices.push_back(plain_value(p, call, *a));
  return sweep_element(p, call, std::move(s));
}

Element range(OverrideParser& p, Call& call) {
  Bound b = bind(p, call, {"start", "stop", "step"}, false);
  Sweep s;
  s.type = Sweep::Type::Range;
  s.start = numeric(p, call, required(p, call, b.params[0], "start"));
  s.stop = numeric(p, call, required(p, call, b.params[1], "stop"));
  s.step = b.params[2] ? numeric(p, call, *b.params[2]) : Node(int64_t{1});
  if (number(s.step) == 0) p.fail(b.params[2]->pos, "function_args", "range() step cannot be zero");
  return sweep_element(p, call, std::move(s));
}

Element interval(OverrideParser& p, Call& call) {
  Bound b = bind(p, call, {"start", "end"}, false);
  Sweep s;
  s.type = Sweep::Type::Interval;
  s.low = number(numeric(p, call, required(p, call, b.params[0], "start")));
  s.high = number(numeric(p, call, required(p, call, b.params[1], "end")));
  if (!(s.low < s.high))
    p.fail(b.params[1]->pos, "function_args",
           fmt::format("interval() needs start < end, got [{}, {})", format_float(s.low), format_float(s.high)));
  return sweep_element(p, call, std::move(s));
}

std::vector<std::string> string_list(OverrideParser& p, const Call& call, const Arg& arg) {
  const Node& n = plain_value(p, call, arg);
  std::vector<std::string> out;
  auto one = [&](const Node& v) {
    if (!v.is_string() || v.str().empty())
      p.fail(arg.pos, "function_args", fmt::format("{}() takes glob patterns (strings)", call.name));
    out.push_back(v.str());
  };
  if (n.is_list())
    for (const auto& v : n.elements()) one(v);
  else
    one(n);
  return out;
}

Element glob(OverrideParser& p, Call& call) {
  Bound b = bind(p, call, {"include", "exclude"}, false);
  Sweep s;
  s.type = Sweep::Type::Glob;
  s.include = string_list(p, call, required(p, call, b.params[0], "include"));
  if (b.params[1]) s.exclude = string_list(p, call, *b.params[1]);
  return sweep_element(p, call, std::move(s));
}

Element tag(OverrideParser& p, Call& call) {
  Bound b = bind(p, call, {}, true, {"sweep"});
  Arg* sweep_arg = b.keywords[0];
  if (!sweep_arg && !b.rest.empty() && b.rest.back()->value.sweep) {
    sweep_arg = b.rest.back();
    b.rest.pop_back();
  }
  if (!sweep_arg || !sweep_arg->value.sweep)
    p.fail(sweep_arg ? sweep_arg->pos : call.pos, "function_args", "tag() needs a sweep to tag",
           "write tag(name, ..., choice(...)) or tag(name, sweep=range(...))");
  Sweep s = *sweep_arg->value.sweep;
  for (Arg* a : b.rest) {
    const Node& t = plain_value(p, call, *a);
    if (!t.is_scalar() || t.is_null()) p.fail(a->pos, "function_args", "tag() takes tag names before the sweep");
    s.tags.push_back(scalar_text(t));
  }
  return sweep_element(p, call, std::move(s));
}

// Numbers compare numerically, strings and bools among themselves; anything else cannot be sorted.
bool sortable_pair(const Node& a, const Node& b) {
  if (is_number(a) && is_number(b)) return true;
  return (a.is_string() && b.is_string()) || (a.is_bool() && b.is_bool());
}

bool less(const Node& a, const Node& b) {
  if (a.is_int() && b.is_int()) return a.int_value() < b.int_value();
  if (is_number(a)) return number(a) < number(b);
  if (a.is_bool()) return !a.bool_value() && b.bool_value();
  return a.str() < b.str();
}

void sort_nodes(OverrideParser& p, size_t pos, std::vector<Node>& nodes, bool reverse) {
  for (size_t i = 1; i < nodes.size(); ++i)
    if (!sortable_pair(nodes[0], nodes[i]))
      p.fail(pos, "function_args",
             fmt::format("sort() cannot compare {} '{}' with {} '{}'", kind_name(nodes[0].kind()), scalar_text(nodes[0]),
                         kind_name(nodes[i].kind()), scalar_text(nodes[i])));
  std::stable_sort(nodes.begin(), nodes.end(), [&](const Node& a, const Node& b) { return reverse ? less(b, a) : less(a, b); });
}

void shuffle_nodes(std::vector<Node>& nodes) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::shuffle(nodes.begin(), nodes.end(), rng);
}

// sort() and shuffle(): over a sweep (sweep= or one positional sweep), a list (list= or one positional list), a
// single value (returned as it is), or several values (a choice sweep).
Element reorder(OverrideParser& p, Call& call, bool shuffle) {
  Bound b = shuffle ? bind(p, call, {}, true, {"sweep", "list"}) : bind(p, call, {}, true, {"sweep", "list", "reverse"});
  bool reverse = false;
  if (!shuffle && b.keywords[2]) {
    const Node& r = plain_value(p, call, *b.keywords[2]);
    if (!r.is_bool()) p.fail(b.keywords[2]->pos, "function_args", "sort() reverse= takes true or false");
    reverse = r.bool_value();
  }
  Arg* sweep_arg = b.keywords[0];
  Arg* list_arg = b.keywords[1];
  size_t given = (sweep_arg ? 1 : 0) + (list_arg ? 1 : 0) + (b.rest.empty() ? 0 : 1);
  if (given == 0) p.fail(call.pos, "function_args", fmt::format("{}() needs something to reorder", call.name));
  if (given > 1) p.fail(call.pos, "function_args", fmt::format("{}() takes values, sweep= or list=, only one of them", call.name));
  if (b.rest.size() == 1) {
    Arg* only = b.rest.front();
    if (only->value.sweep)
      sweep_arg = only;
    else if (only->value.node.is_list())
      list_arg = only;
    else
      return only->value;  // sort(1) is 1
  }
  Element out;
  out.pos = call.pos;
  if (sweep_arg) {
    if (!sweep_arg->value.sweep) p.fail(sweep_arg->pos, "function_args", fmt::format("{}() sweep= takes a sweep", call.name));
    Sweep s = *sweep_arg->value.sweep;
    if (s.type != Sweep::Type::Choice && s.type != Sweep::Type::Range)
      p.fail(sweep_arg->pos, "function_args", fmt::format("{}() reorders a choice or a range, not an interval or a glob", call.name));
    if (shuffle) {
      s.order = Sweep::Order::Shuffled;
    } else {
      s.order = reverse ? Sweep::Order::Descending : Sweep::Order::Ascending;
      if (s.type == Sweep::Type::Choice) sort_nodes(p, sweep_arg->pos, s.choices, reverse);
    }
    out.sweep = std::move(s);
    return out;
  }
  if (list_arg) {
    const Node& list = plain_value(p, call, *list_arg);
    if (!list.is_list()) p.fail(list_arg->pos, "function_args", fmt::format("{}() list= takes a list", call.name));
    std::vector<Node> items(list.elements().begin(), list.elements().end());
    if (shuffle)
      shuffle_nodes(items);
    else
      sort_nodes(p, list_arg->pos, items, reverse);
    out.node = Node::list(list.origin());
    for (auto& n : items) out.node.push_back(std::move(n));
    return out;
  }
  Sweep s;
  s.type = Sweep::Type::Choice;
  for (Arg* a : b.rest) s.choices.push_back(plain_value(p, call, *a));
  if (shuffle) {
    s.order = Sweep::Order::Shuffled;
  } else {
    s.order = reverse ? Sweep::Order::Descending : Sweep::Order::Ascending;
    sort_nodes(p, b.rest.front()->pos, s.choices, reverse);
  }
  return sweep_element(p, call, std::move(s));
}

Element extend_list(OverrideParser& p, Call& call) {
  Bound b = bind(p, call, {}, true);
  Element out;
  out.pos = call.pos;
  out.extend_list = true;
  out.node = Node::list(p.at(call.pos));
  for (Arg* a : b.rest) out.node.push_back(plain_value(p, call, *a));
  return out;
}

}  // namespace

Element call_function(OverrideParser& p, Call& call) {
  const std::string& n = call.name;
  if (n == "int") return cast(p, call, CastTo::Int);
  if (n == "float") return cast(p, call, CastTo::Float);
  if (n == "str") return cast(p, call, CastTo::Str);
  if (n == "bool") return cast(p, call, CastTo::Bool);
  if (n == "json") return cast(p, call, CastTo::Json);
  if (n == "choice") return choice(p, call);
  if (n == "range") return range(p, call);
  if (n == "interval") return interval(p, call);
  if (n == "glob") return glob(p, call);
  if (n == "tag") return tag(p, call);
  if (n == "sort") return reorder(p, call, false);
  if (n == "shuffle") return reorder(p, call, true);
  if (n == "extend_list") return extend_list(p, call);
  std::string hint = did_you_mean(n, function_names());
  p.fail(call.pos, "unknown_function", fmt::format("unknown function '{}'", n),
         (hint.empty() ? std::string() : hint + " ") +
             "To write a literal '(' in a value, escape it as \\( or quote the value.");
}

}  // namespace rig::detail
