// Overrides: the public parse entry points (the parser is src/detail/override_parser.cpp), sweeps, and applying
// overrides to a tree with value history (docs/overrides.md).
#include "rig/overrides.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "detail/override_parser.hpp"
#include "rig/detail/component_node.hpp"
#include "detail/scalar.hpp"

namespace rig {

std::string_view override_kind_name(OverrideKind kind) {
  switch (kind) {
    case OverrideKind::Set: return "set";
    case OverrideKind::Add: return "add";
    case OverrideKind::ForceAdd: return "force-add";
    case OverrideKind::Delete: return "delete";
    case OverrideKind::Replace: return "replace";
    case OverrideKind::Append: return "append";
  }
  return "?";
}

// ---- parsing ------------------------------------------------------------------------------------------------------

Override parse_override(std::shared_ptr<const Source> source, int argv_index) {
  detail::OverrideParser parser(std::move(source), argv_index);
  return parser.parse_override();
}

bool looks_like_override(std::string_view arg) {
  return arg.starts_with('+') || arg.starts_with('~') || arg.find('=') != std::string_view::npos;
}

Override parse_override(std::string_view arg, int argv_index) {
  return parse_override(Source::make("<cli>", std::string(arg)), argv_index);
}

Node parse_override_value(std::shared_ptr<const Source> source, size_t offset, int argv_index) {
  detail::OverrideParser parser(std::move(source), argv_index);
  parser.seek(offset);
  auto value = parser.parse_value();
  if (value.sweep)
    throw Error("rig.override.sweep_in_single_run", "a sweep cannot be used here: this source sets one value",
                     value.sweep->origin, {}, "sweeps are command-line overrides of a --multirun");
  if (value.extend_list)
    throw Error("rig.override.bad_prefix", "extend_list() cannot be used here: this source sets one value",
                     parser.at(value.pos));
  return std::move(value.node);
}

// ---- sweeps -------------------------------------------------------------------------------------------------------

std::vector<Node> Sweep::values() const {
  if (type == Type::Choice) return choices;
  if (type != Type::Range)
    throw Error("rig.override.sweep_values",
                     type == Type::Interval ? "an interval has no finite list of values: it is sampled by a sweeper"
                                            : "a glob's values are the matching options of a config group",
                     origin);
  constexpr size_t kMaxValues = 10'000'000;
  std::vector<Node> out;
  bool floats = start.is_float() || stop.is_float() || step.is_float();
  auto num = [](const Node& n) { return n.is_int() ? static_cast<double>(n.int_value()) : n.float_value(); };
  if (floats) {
    double a = num(start), b = num(stop), d = num(step);
    for (size_t i = 0;; ++i) {
      double v = a + d * static_cast<double>(i);
      if (d > 0 ? !(v < b) : !(v > b)) break;
      if (i == kMaxValues) throw LimitError("rig.limit.sweep", "range() has more than 10,000,000 values", origin);
      out.emplace_back(v);
    }
  } else {
    int64_t a = start.int_value(), b = stop.int_value(), d = step.int_value();
    for (int64_t v = a; d > 0 ? v < b : v > b; v += d) {
      if (out.size() == kMaxValues) throw LimitError("rig.limit.sweep", "range() has more than 10,000,000 values", origin);
      out.emplace_back(v);
      if ((d > 0 && v > std::numeric_limits<int64_t>::max() - d) || (d < 0 && v < std::numeric_limits<int64_t>::min() - d))
        break;
    }
  }
  auto num_less = [&](const Node& x, const Node& y) { return num(x) < num(y); };
  if (order == Order::Ascending) std::stable_sort(out.begin(), out.end(), num_less);
  if (order == Order::Descending)
    std::stable_sort(out.begin(), out.end(), [&](const Node& x, const Node& y) { return num_less(y, x); });
  for (auto& n : out) n.set_origin(origin);
  return out;
}

// ---- applying -----------------------------------------------------------------------------------------------------

namespace {

void collect_paths(const Node& n, KeyPath& path, size_t depth, std::vector<std::string>& out) {
  constexpr size_t kMaxCandidates = 200'000;
  if (out.size() >= kMaxCandidates) return;
  if (path.size() == depth) {
    out.push_back(path.to_string());
    return;
  }
  if (n.is_map()) {
    for (const auto& e : n.entries()) {
      path.push_key(e.key);
      collect_paths(e.value, path, depth, out);
      path.pop();
    }
  } else if (n.is_list()) {
    for (size_t i = 0; i < n.size(); ++i) {
      path.push_index(i);
      collect_paths(n[i], path, depth, out);
      path.pop();
    }
  }
}

// The user's key with segments that step into lists written as indices, so `a.0.b` compares with `a[0].b`.
KeyPath canonical(const Node& cfg, const KeyPath& key) {
  KeyPath out;
  const Node* n = &cfg;
  for (const auto& s : key.segments()) {
    if (n && n->is_list() && !s.key.empty() && s.key.find_first_not_of("0123456789") == std::string::npos) {
      out.push_index(std::stoull(s.key.substr(0, 18)));
    } else {
      out.push_key(s.key);
    }
    KeyPath one;
    one.push_key(s.key);
    n = n ? n->find_path(one) : nullptr;
  }
  return out;
}

[[noreturn]] void throw_unknown_key(const Node& cfg, const KeyPath& key, Origin at, std::span<const uint32_t> columns,
                                    std::string_view verb, std::string add_hint) {
  // The first segment that does not exist; the caret goes under it.
  size_t missing = 0;
  const Node* parent = &cfg;
  KeyPath walked;
  for (const auto& s : key.segments()) {
    KeyPath one;
    one.push_key(s.key);
    const Node* next = parent->find_path(one);
    if (!next) break;
    walked.push_key(s.key);
    parent = next;
    ++missing;
  }
  if (missing < columns.size()) at.column = columns[missing];
  std::string full = canonical(cfg, key).to_string();
  std::vector<std::string> candidates;
  KeyPath scratch;
  collect_paths(cfg, scratch, key.size(), candidates);
  std::string hint = did_you_mean(full, candidates);
  const auto& seg = key.segments()[std::min(missing, key.size() - 1)].key;
  if (hint.empty() && parent->is_map()) {
    auto near = closest(seg, parent->keys());
    if (!near.empty()) {
      KeyPath prefix = canonical(cfg, walked);
      std::vector<std::string> full_near;
      for (const auto& k : near) {
        KeyPath p = prefix;
        p.push_key(k);
        full_near.push_back(p.to_string());
      }
      hint = did_you_mean(full, full_near);
      if (hint.empty()) hint = fmt::format("did you mean '{}'?", full_near.front());
    }
  }
  std::string where;
  if (missing == 0)
    where = fmt::format("the config has no key '{}'", seg);
  else if (parent->is_container())
    where = fmt::format("'{}' has no {} '{}'", canonical(cfg, walked).to_string(),
                        parent->is_list() ? "element" : "key", seg);
  else
    where = fmt::format("'{}' is a {}, not a map or list", canonical(cfg, walked).to_string(), kind_name(parent->kind()));
  if (!add_hint.empty()) hint = hint.empty() ? add_hint : hint + " " + add_hint;
  throw KeyError("rig.override.unknown_key", fmt::format("cannot {} '{}': {}", verb, full, where), std::move(at), full,
                 std::move(hint));
}

// Merging a dict that names another component into a component would keep the old one's keyword arguments
// (torchtune #2152). Say so, and point at the replace form.
void check_component_swap(const Node& target, const Node& value, const Override& o) {
  const MapEntry* old = detail::component_name_entry(target);
  const MapEntry* neu = detail::component_name_entry(value);
  if (!old || !neu || old->value == neu->value) return;
  std::string stale;
  for (const auto& e : target.entries())
    if (e.key != old->key && !value.contains(e.key)) stale += (stale.empty() ? "" : ", ") + e.key;
  Error e("rig.override.component_merge",
          fmt::format("'{}' would merge {} '{}' into {} '{}'{}", o.key_text, neu->key, detail::scalar_text(neu->value),
                      old->key, detail::scalar_text(old->value),
                      stale.empty() ? "" : fmt::format(", keeping the old one's arguments ({})", stale)),
          o.value->origin(), o.key_text,
          fmt::format("write {}:={} to replace the whole node (a component swap), or set single keys", o.key_text,
                      o.text.substr(o.text.find('=') + 1)));
  e.add_note(old->value.origin(), fmt::format("the current {} is set here", old->key));
  throw e;
}

// A list cannot merge into a map nor a map into a list (OmegaConf refuses, and so Hydra): replacing one by the other
// is spelled key:=value.
void check_container_kinds(const Node& target, const Node& value, const Override& o) {
  if (!((target.is_map() && value.is_list()) || (target.is_list() && value.is_map()))) return;
  Error e("rig.override.container_kind",
          fmt::format("cannot merge a {} into '{}', which is a {}", kind_name(value.kind()), o.key_text,
                      kind_name(target.kind())),
          value.origin(), o.key.to_string(),
          fmt::format("write {}:={} to replace the whole node", o.key_text, o.text.substr(o.text.find('=') + 1)));
  e.add_note(target.origin(), "it is set here");
  throw e;
}

void replace_with_history(Node& target, Node value, bool record) {
  if (record && (target.origin().known() || !target.is_null())) value.push_history(target);
  target = std::move(value);
}

void assign(Node& target, const Node& value, bool record) {
  if (target.is_map() && value.is_map()) {
    if (record)
      merge_with_history(target, value);
    else
      target.merge(value);
    return;
  }
  replace_with_history(target, value, record);
}

// Errors from adding a path (a scalar or a short list in the way) point at the override; the node in the way becomes
// a note.
// A list index in the key that the list does not have: the error goes under that index and names the list.
// Returns when no index of the key is the problem.
void throw_if_bad_index(const Node& cfg, const Override& o, const KeyError& cause) {
  const Node* n = &cfg;
  const auto& segs = o.key.segments();
  KeyPath walked;
  for (size_t k = 0; k < segs.size() && n; ++k) {
    const auto& s = segs[k];
    if (n->is_list()) {
      bool digits = !s.key.empty() && s.key.find_first_not_of("0123456789") == std::string::npos;
      size_t index = digits && s.key.size() <= 18 ? std::stoull(s.key) : SIZE_MAX;
      if (index >= n->size()) {
        Origin at = o.key_origin;
        if (k < o.key_columns.size()) at.column = o.key_columns[k];
        std::string list = walked.empty() ? std::string("the root") : "'" + walked.to_string() + "'";
        KeyError e(cause.id(),
                   fmt::format("cannot add '{}': {} is a list of {} element{}, and '{}' is not one of its indices",
                               o.key_text, list, n->size(), n->size() == 1 ? "" : "s", s.key),
                   at, walked.to_string(),
                   fmt::format("a list grows at its end: {}+=[value] appends", walked.empty() ? "key" : walked.to_string()));
        if (n->origin().known()) e.add_note(n->origin(), "the list is set here");
        throw e;
      }
      walked.push_index(index);
      n = &n->elements()[index];
      continue;
    }
    walked.push_key(s.key);
    n = n->is_map() ? n->find(s.key) : nullptr;
  }
}

template <class Fn>
void located(const Node& cfg, const Override& o, Fn&& fn) {
  try {
    fn();
  } catch (const KeyError& e) {
    throw_if_bad_index(cfg, o, e);
    KeyError moved(e.id(), e.message(), o.key_origin, o.key.to_string(), e.hint());
    if (e.origin().known()) moved.add_note(e.origin(), "the value in the way is set here");
    throw moved;
  }
}

// Adds `o`'s value at its key, which is absent: the keys it creates are located at their segments in the argument
// (`+optimizer.bogus=1` puts `bogus` at argv[N]:1:C), so errors about them later (an unknown keyword at validate or
// instantiate) point there.
void add_at_key(Node& cfg, const Override& o) {
  const auto& segments = o.key.segments();
  size_t existing = 0;
  for (const Node* n = &cfg; existing < segments.size() && n->is_map(); ++existing)
    if (!(n = n->find(segments[existing].key))) break;
  located(cfg, o, [&] { cfg.set_path(o.key, *o.value); });
  Node* n = &cfg;
  for (size_t i = 0; i < segments.size() && n && n->is_map(); ++i) {
    Node* child = n->find_mut(segments[i].key);
    if (child && i >= existing && i < o.key_columns.size()) {
      Origin at = o.key_origin;
      at.column = o.key_columns[i];
      child = &n->set(segments[i].key, *child, std::move(at));
    }
    n = child;
  }
}

// Adding below a scalar would have to drop it (OmegaConf.update does, silently); rig refuses and says how to mean it.
void check_addable(const Node& cfg, const Override& o) {
  const Node* n = &cfg;
  const auto& segs = o.key.segments();
  for (size_t k = 0; k + 1 < segs.size(); ++k) {
    KeyPath one;
    one.push_key(segs[k].key);
    n = n->find_path(one);
    if (!n) return;  // missing maps are created
    if (n->is_container() || n->is_null()) continue;
    KeyPath prefix;
    for (size_t i = 0; i <= k; ++i) prefix.push_key(segs[i].key);
    Origin at = o.key_origin;
    if (k + 1 < o.key_columns.size()) at.column = o.key_columns[k + 1];
    KeyError e("rig.key.not_container",
               fmt::format("cannot add '{}': '{}' is {} {}, not a map", o.key_text, prefix.to_string(),
                           n->is_int() ? "an" : "a", kind_name(n->kind())),
               at, o.key.to_string(), fmt::format("write {}:={{...}} to replace it by a map", prefix.to_string()));
    e.add_note(n->origin(), "it is set here");
    throw e;
  }
}

// `key={...}` merges into an existing map without adding keys (Hydra applies it in struct mode): every key of the
// value, at any depth where both sides are maps, must exist already. `+key={...}` and `++key={...}` add.
void check_no_new_keys(const Node& target, const Node& value, const Override& o, KeyPath& path) {
  for (const auto& e : value.entries()) {
    const Node* mine = target.find(e.key);
    path.push_key(e.key);
    if (!mine) {
      std::vector<std::string> keys = target.keys();
      std::string near = did_you_mean(e.key, keys);
      std::string full = path.to_string();
      KeyPath parent = path;
      parent.pop();
      KeyError err("rig.override.unknown_key",
                   fmt::format("cannot set '{}': '{}' has no key '{}'", full, parent.to_string(), e.key),
                   e.key_origin.known() ? e.key_origin : o.value->origin(), full,
                   fmt::format("{}to add keys, write +{}", near.empty() ? "" : near + " ",
                               o.text.starts_with("+") ? o.text.substr(o.text.find_first_not_of('+')) : o.text));
      if (target.origin().known()) err.add_note(target.origin(), fmt::format("'{}' is set here", parent.to_string()));
      throw err;
    }
    if (mine->is_map() && e.value.is_map()) check_no_new_keys(*mine, e.value, o, path);
    path.pop();
  }
}

std::string add_hint(const Override& o) {
  return fmt::format("To add a new key, write +{}={}", o.key_text, o.text.substr(o.text.find('=') + 1));
}

void append(Node& target, const Override& o, bool record) {
  if (target.is_null()) target = Node::list(target.origin());
  if (!target.is_list())
    throw Error("rig.override.not_list",
                fmt::format("cannot append to '{}': it is a {}, not a list", o.key_text, kind_name(target.kind())),
                o.key_origin, o.key_text, "key+=[a, b] extends a list; key=value replaces a value");
  Node updated = target;
  if (o.value->is_list())
    for (const auto& e : o.value->elements()) updated.push_back(e);
  else
    updated.push_back(*o.value);
  if (record) updated.push_history(target);
  target = std::move(updated);
}

}  // namespace

void merge_with_history(Node& dst, const Node& src) {
  if (src.is_missing() && !dst.is_null()) return;  // `???` never overwrites a value (Node::merge's rule)
  if (dst.is_map() && src.is_map()) {
    if (dst.same_storage(src)) return;
    for (const auto& e : src.entries()) {
      if (Node* mine = dst.find_mut(e.key))
        merge_with_history(*mine, e.value);
      else
        dst.set(e.key, e.value, e.key_origin);
    }
    return;
  }
  replace_with_history(dst, src, true);
}

void assign_with_history(Node& cfg, const KeyPath& path, Node value, bool must_exist, const Origin& at) {
  if (Node* target = cfg.find_path_mut(path)) {
    assign(*target, value, true);
    return;
  }
  if (must_exist) throw_unknown_key(cfg, path, at, {}, "set", {});
  try {
    cfg.set_path(path, std::move(value));
  } catch (Error& e) {
    e.with_origin(at).with_key_path(path.to_string());
    throw;
  }
}

std::vector<Node> value_history(const Node& node) {
  std::vector<Node> out;
  auto flatten = [&](auto& self, const Node& n) -> void {
    for (const auto& h : n.history()) {
      self(self, h);
      out.push_back(h);
    }
  };
  flatten(flatten, node);
  out.push_back(node);
  return out;
}

void apply_override(Node& cfg, const Override& o, const ApplyOptions& options) {
  const bool record = options.record_history;
  if (o.package)
    throw Error("rig.override.package",
                     fmt::format("'{}@{}' places a config-group option in a package; only composition understands it",
                                 o.key_text, *o.package),
                     o.key_origin, o.key_text, "compose with config groups (--config-dir), or drop the @package part");
  if (o.sweep) {
    std::string count = o.sweep->type == Sweep::Type::Choice ? fmt::format(" of {} values", o.sweep->choices.size()) : "";
    throw Error("rig.override.sweep_in_single_run",
                     fmt::format("'{}' is a sweep{} but this is a single run", o.key_text, count), o.sweep->origin,
                     o.key_text, "pass --multirun to run one job per value, or give a single value");
  }
  Node* target = cfg.find_path_mut(o.key);
  switch (o.kind) {
    case OverrideKind::Set:
      if (!target) throw_unknown_key(cfg, o.key, o.key_origin, o.key_columns, "set", add_hint(o));
      if (target->is_map() && o.value->is_map()) {
        check_component_swap(*target, *o.value, o);
        KeyPath path = o.key;
        check_no_new_keys(*target, *o.value, o, path);
      }
      check_container_kinds(*target, *o.value, o);
      assign(*target, *o.value, record);
      return;
    case OverrideKind::Replace:
      if (!target) throw_unknown_key(cfg, o.key, o.key_origin, o.key_columns, "replace", add_hint(o));
      replace_with_history(*target, *o.value, record);
      return;
    case OverrideKind::ForceAdd:
      if (target) {
        check_container_kinds(*target, *o.value, o);
        assign(*target, *o.value, record);
        return;
      }
      check_addable(cfg, o);
      add_at_key(cfg, o);
      return;
    case OverrideKind::Add:
      // Hydra's `+key=v`: adds where the key is absent, null or `???`; a map or list value merges into what is there
      // (adding keys); a plain value over a value is an error.
      if (target && (target->is_null() || target->is_missing() || o.value->is_map() || o.value->is_list())) {
        check_container_kinds(*target, *o.value, o);
        assign(*target, *o.value, record);
        return;
      }
      if (target) {
        Error e("rig.override.key_exists", fmt::format("cannot add '{}': the key already exists", o.key_text),
                o.key_origin, o.key.to_string(),
                fmt::format("write {}={} to set it, or ++{}={} to add or set", o.key_text,
                            o.text.substr(o.text.find('=') + 1), o.key_text, o.text.substr(o.text.find('=') + 1)));
        e.add_note(target->origin(), "it is set here");
        throw e;
      }
      check_addable(cfg, o);
      add_at_key(cfg, o);
      return;
    case OverrideKind::Delete:
      if (!target) throw_unknown_key(cfg, o.key, o.key_origin, o.key_columns, "delete", {});
      if (target->is_null() || target->is_missing()) {
        // Hydra looks the key up with OmegaConf.select, which cannot tell a null (or `???`) value from no key.
        Error e("rig.override.delete_null",
                fmt::format("cannot delete '{}': its value is {}, which Hydra treats as no key", o.key_text,
                            target->is_null() ? "null" : "???"),
                o.key_origin, o.key.to_string(),
                fmt::format("set it instead ({}=...), or give it a value before deleting it", o.key_text));
        e.add_note(target->origin(), "it is set here");
        throw e;
      }
      if (o.value && !(*target == *o.value)) {
        Error e("rig.override.delete_mismatch",
                fmt::format("not deleting '{}': its value is {}, not {}", o.key_text, detail::scalar_text(*target),
                            detail::scalar_text(*o.value)),
                o.value->origin(), o.key.to_string(), fmt::format("write ~{} to delete it whatever its value", o.key_text));
        e.add_note(target->origin(), "the current value is set here");
        throw e;
      }
      cfg.erase_path(o.key);
      return;
    case OverrideKind::Append:
      if (!target) throw_unknown_key(cfg, o.key, o.key_origin, o.key_columns, "append to", {});
      append(*target, o, record);
      return;
  }
}

void apply_overrides(Node& cfg, std::span<const Override> overrides, const ApplyOptions& options) {
  for (const auto& o : overrides) apply_override(cfg, o, options);
}

}  // namespace rig
