#include "rig/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "rig/config.hpp"
#include "rig/limits.hpp"
#include "rig/interpolation.hpp"

namespace rig {

RecipeSchema& RecipeSchema::section(std::string path, std::string doc) {
  SchemaKey k;
  k.path = std::move(path);
  k.doc = std::move(doc);
  k.required = false;
  k.section = true;
  keys_.push_back(std::move(k));
  return *this;
}

namespace {

// The errors of one value's conversion: each error of a structured config (an ErrorList) keeps its own place; a
// plain error gets the value's key path and origin when it has none.
void add_conversion_errors(const Error& e, const std::string& path, const Origin& at, std::vector<Error>& errors) {
  if (const auto* list = dynamic_cast<const ErrorList*>(&e)) {
    for (const Error& inner : list->errors()) add_conversion_errors(inner, path, at, errors);
    return;
  }
  Error copy = e;
  errors.push_back(std::move(copy.with_key_path(path).with_origin(at)));
}

bool is_name_key(std::string_view key) { return key == "_component_" || key == "_target_"; }
bool is_reserved_key(std::string_view key) {
  return is_name_key(key) || key == "_args_" || key == "_partial_" || key == "_recursive_" || key == "_convert_";
}

const MapEntry* name_entry(const Node& n) {
  for (const auto& e : n.entries())
    if (is_name_key(e.key)) return &e;
  return nullptr;
}
bool is_component(const Node& n) { return n.is_map() && name_entry(n) != nullptr; }

bool flag(const Node& n, std::string_view key, bool fallback) {
  const Node* f = n.find(key);
  return f && f->is_bool() ? f->bool_value() : fallback;
}

KeyPath child(const KeyPath& p, std::string key) {
  KeyPath c = p;
  c.push_key(std::move(key));
  return c;
}

std::vector<std::string> param_names(const ComponentDef& d) {
  std::vector<std::string> out;
  for (const auto& p : d.params) out.emplace_back(p.name);
  return out;
}

void check_value(const Node& v, const ParamDef& p, bool recursive, const KeyPath& path, std::vector<Error>& errors) {
  if (v.is_missing()) return;  // reported once, as rig.value.missing
  if (p.object) {
    if (v.is_null() || !recursive) return;
    if (p.nesting == Nesting::List || p.nesting == Nesting::Map) {
      bool map = p.nesting == Nesting::Map;
      if (map ? !v.is_map() : !v.is_list()) {
        errors.emplace_back("rig.type.mismatch",
                            fmt::format("expected a {} of component configs for {}, got {}", map ? "map" : "list",
                                        p.type_name(), kind_name(v.kind())),
                            v.origin(), path.to_string());
        return;
      }
      size_t i = 0;
      for (const auto& e : v.elements()) {
        KeyPath at = path;
        at.push_index(i++);
        if (!e.is_null()) check_component(e, p.interface, at, errors);
      }
      for (const auto& e : v.entries())
        if (!e.value.is_null()) check_component(e.value, p.interface, child(path, e.key), errors);
      return;
    }
    check_component(v, p.interface, path, errors);
    return;
  }
  if (recursive && is_component(v)) {
    check_component(v, p.interface, path, errors);
    return;
  }
  if (!p.check) return;
  try {
    KeyPath at = path;
    p.check(v, at);
  } catch (const Error& e) {
    add_conversion_errors(e, path.to_string(), v.origin(), errors);
  }
}

}  // namespace

void check_component(const Node& node, TypeKey interface, const KeyPath& path, std::vector<Error>& errors) {
  if (!node.is_map()) {
    errors.emplace_back("rig.type.mismatch",
                        fmt::format("expected a component config (a map with `_component_`), got {}",
                                    kind_name(node.kind())),
                        node.origin(), path.to_string());
    return;
  }
  const MapEntry* named = name_entry(node);
  if (!named) {
    errors.emplace_back("rig.component.missing_name", "no `_component_` key: cannot tell which component to build",
                        node.origin(), path.to_string(), "add `_component_: <name>` (rig components lists them)");
    return;
  }
  KeyPath name_path = child(path, named->key);
  if (!named->value.is_string()) {
    errors.emplace_back("rig.type.mismatch",
                        fmt::format("`{}` must be a component name, got {}", named->key, kind_name(named->value.kind())),
                        named->value.origin(), name_path.to_string());
    return;
  }
  const ComponentDef* def = nullptr;
  try {
    def = registry().find(named->value.str());
  } catch (const Error& e) {
    errors.push_back(e);
    return;
  }
  if (!def) {
    errors.emplace_back("rig.component.unknown", fmt::format("unknown component '{}'", named->value.str()),
                        named->value.origin(), name_path.to_string(),
                        did_you_mean(canonical_name(named->value.str()), registry().names(interface)));
    return;
  }
  if (interface && !def->interface(interface) && def->product != interface) {
    std::string is;
    for (const auto& i : def->interfaces) is += (is.empty() ? "" : ", ") + i.name();
    std::vector<std::string> fitting = registry().names(interface);
    errors.emplace_back("rig.component.wrong_interface",
                        fmt::format("component '{}' is registered as {}, which does not fit here", def->name(), is),
                        named->value.origin(), name_path.to_string(),
                        fitting.empty() ? std::string()
                                        : fmt::format("components that fit: {}", fmt::join(fitting, ", ")));
    return;
  }
  bool recursive = flag(node, "_recursive_", true);
  bool partial = flag(node, "_partial_", false);
  std::vector<bool> given(def->params.size(), false);
  if (const Node* args = node.find("_args_"); args && args->is_list()) {
    for (size_t i = 0; i < args->size(); ++i) {
      KeyPath at = child(path, "_args_");
      at.push_index(i);
      if (i >= def->params.size()) {
        errors.emplace_back("rig.args.too_many",
                            fmt::format("{} takes {} parameters; `_args_` gives {}", def->name(), def->params.size(),
                                        args->size()),
                            (*args)[i].origin(), at.to_string());
        break;
      }
      given[i] = true;
      check_value((*args)[i], def->params[i], recursive, at, errors);
    }
  }
  for (const auto& e : node.entries()) {
    if (is_reserved_key(e.key)) continue;
    KeyPath at = child(path, e.key);
    const ParamDef* p = def->param(e.key);
    if (!p) {
      std::string hint = did_you_mean(e.key, param_names(*def));
      errors.emplace_back("rig.args.unknown_keyword",
                          fmt::format("unknown keyword argument '{}' for {}", e.key, def->name()), e.key_origin,
                          at.to_string(),
                          hint.empty() ? fmt::format("it takes: {}", fmt::join(param_names(*def), ", ")) : hint);
      continue;
    }
    given[static_cast<size_t>(p - def->params.data())] = true;
    check_value(e.value, *p, recursive, at, errors);
  }
  if (partial) return;  // the call supplies what the config leaves out
  for (size_t i = 0; i < def->params.size(); ++i) {
    const ParamDef& p = def->params[i];
    if (!p.required || given[i]) continue;
    errors.emplace_back("rig.args.missing",
                        fmt::format("missing required argument '{}' ({}) for {}", p.name, p.type_name(), def->name()),
                        named->value.origin(), child(path, std::string(p.name)).to_string(),
                        fmt::format("add `{}: ...` to the config", p.name));
  }
}

namespace {

// Every interpolation resolved; failures reported one by one (each leaf on its own), their paths remembered so
// that nothing downstream reports them again.
Node resolve_reporting(const Node& config, std::vector<Error>& errors, std::set<std::string>& failed) {
  try {
    return resolve(config);
  } catch (const Error&) {
  }
  Node out = config;
  Config view(config);
  bool stop = false;
  auto walk = [&](auto& self, const Node& n, KeyPath& p) -> void {
    if (n.is_map()) {
      for (const auto& e : n.entries()) {
        p.push_key(e.key);
        self(self, e.value, p);
        p.pop();
      }
    } else if (n.is_list()) {
      for (size_t i = 0; i < n.size(); ++i) {
        p.push_index(i);
        self(self, n[i], p);
        p.pop();
      }
    } else if (n.is_interpolation()) {
      if (stop) return;
      try {
        out.set_path(p, view.at(p.to_string()).resolved());
      } catch (const Error& e) {
        // Past a limit (expansion, depth) the rest would only repeat the work the limit stopped.
        if (e.id().starts_with("rig.limit.")) stop = true;
        errors.push_back(e);
        failed.insert(p.to_string());
        out.set_path(p, Node::null(n.origin()));
      }
    }
  };
  KeyPath p;
  walk(walk, config, p);
  return out;
}

void report_missing(const Node& n, KeyPath& p, const std::set<std::string>& failed, std::vector<Error>& errors) {
  if (n.is_missing() && !failed.contains(p.to_string())) {
    errors.emplace_back("rig.value.missing", fmt::format("'{}' is MISSING (`\?\?\?`): it must be set", p.to_string()),
                        n.origin(), p.to_string(), fmt::format("set it in a config or on the command line: {}=...", p.to_string()));
    return;
  }
  if (n.is_map()) {
    for (const auto& e : n.entries()) {
      p.push_key(e.key);
      report_missing(e.value, p, failed, errors);
      p.pop();
    }
  } else if (n.is_list()) {
    for (size_t i = 0; i < n.size(); ++i) {
      p.push_index(i);
      report_missing(n[i], p, failed, errors);
      p.pop();
    }
  }
}

// `prefix` is `path` or one of its ancestors.
bool covers(const std::string& prefix, const std::string& path) {
  return path == prefix ||
         (path.size() > prefix.size() && path.starts_with(prefix) && (path[prefix.size()] == '.' || path[prefix.size()] == '['));
}

void collect_interpolations(const Node& n, std::vector<std::string>& out) {
  if (n.is_map()) {
    for (const auto& e : n.entries()) collect_interpolations(e.value, out);
  } else if (n.is_list()) {
    for (const auto& e : n.elements()) collect_interpolations(e, out);
  } else if (n.is_interpolation()) {
    out.push_back(n.str());
  }
}

bool referenced(const std::string& path, const std::string& key, const std::vector<std::string>& interpolations) {
  for (const auto& text : interpolations)
    if (text.find("${" + path) != std::string::npos || text.find("." + key) != std::string::npos ||
        text.find(":" + path) != std::string::npos)
      return true;
  return false;
}

struct UnreadScan {
  std::vector<std::string> read;  // schema paths, component paths, provided keys
  std::vector<std::string> interpolations;
  std::vector<Error>* warnings;

  void scan(const Node& n, KeyPath& p) {
    for (const auto& e : n.entries()) {
      p.push_key(e.key);
      std::string s = p.to_string();
      bool is_read = std::any_of(read.begin(), read.end(), [&](const std::string& r) { return covers(r, s); });
      bool ancestor = std::any_of(read.begin(), read.end(), [&](const std::string& r) { return covers(s, r); });
      if (!is_read && ancestor && e.value.is_map()) {
        scan(e.value, p);
      } else if (!is_read && !ancestor && !referenced(s, e.key, interpolations)) {
        std::vector<std::string> siblings;
        for (const auto& r : read) siblings.push_back(r);
        warnings->emplace_back("rig.validate.unread_key",
                               fmt::format("'{}' is not read by this recipe (no schema key, component or "
                                           "interpolation uses it)", s),
                               e.key_origin, s, did_you_mean(s, siblings));
      }
      p.pop();
    }
  }
};

void check_schema(const RecipeSchema& schema, const Node& resolved, std::vector<std::string>& checked,
                  std::vector<Error>& errors) {
  for (const auto& k : schema.keys()) {
    KeyPath path = KeyPath::parse(k.path);
    const Node* n = resolved.find_path(path);
    if (!n) {
      if (!k.required) continue;
      KeyPath parent = path;
      parent.pop();
      const Node* p = resolved.find_path(parent);
      std::vector<std::string> siblings = p && p->is_map() ? p->keys() : std::vector<std::string>{};
      std::string leaf = k.path.substr(k.path.find_last_of('.') == std::string::npos ? 0 : k.path.find_last_of('.') + 1);
      std::string hint = did_you_mean(leaf, siblings);
      errors.emplace_back("rig.validate.missing_key",
                          fmt::format("the recipe reads '{}' ({}), which is not in the config", k.path,
                                      k.type_name ? k.type_name() : "any"),
                          p ? p->origin() : resolved.origin(), k.path,
                          hint.empty() ? fmt::format("add `{}: ...` (is this config for another recipe?)", k.path)
                                       : hint);
      continue;
    }
    if (k.section || n->is_missing()) continue;
    if (k.interface) {
      check_component(*n, k.interface, path, errors);
      checked.push_back(k.path);
    } else if (k.check) {
      try {
        KeyPath at = path;
        k.check(*n, at);
      } catch (const Error& e) {
        add_conversion_errors(e, k.path, n->origin(), errors);
      }
    }
  }
}

// Components anywhere else in the tree: checked against the registry with no interface constraint.
void check_other_components(const Node& n, KeyPath& p, const std::vector<std::string>& checked,
                            std::vector<Error>& errors) {
  std::string s = p.to_string();
  for (const auto& c : checked)
    if (covers(c, s)) return;
  if (is_component(n)) {
    check_component(n, nullptr, p, errors);
    return;
  }
  if (n.is_map()) {
    for (const auto& e : n.entries()) {
      p.push_key(e.key);
      check_other_components(e.value, p, checked, errors);
      p.pop();
    }
  } else if (n.is_list()) {
    for (size_t i = 0; i < n.size(); ++i) {
      p.push_index(i);
      check_other_components(n[i], p, checked, errors);
      p.pop();
    }
  }
}

}  // namespace

ValidationReport validate_config(const Node& config, const ValidateOptions& options) {
  ValidationReport r;
  try {
    detail::check_depth(config, tree_limits().max_depth);  // the checks below recurse once per level
  } catch (const Error& e) {
    r.errors.push_back(e);
    return r;
  }
  std::set<std::string> failed;
  Node resolved = resolve_reporting(config, r.errors, failed);
  for (const Error& e : r.errors)
    if (e.id().starts_with("rig.limit.")) return r;  // what resolved is partial; checking it says nothing more
  try {
    detail::check_depth(resolved, tree_limits().max_depth);  // interpolations may have nested it deeper
  } catch (const Error& e) {
    r.errors.push_back(e);
    return r;
  }
  KeyPath root;
  report_missing(resolved, root, failed, r.errors);
  std::vector<std::string> checked;
  std::vector<Error> checks;
  if (options.schema) check_schema(*options.schema, resolved, checked, checks);
  check_other_components(resolved, root, checked, checks);
  for (auto& e : checks)
    if (!failed.contains(e.key_path())) r.errors.push_back(std::move(e));
  if (options.schema && resolved.is_map()) {
    UnreadScan scan{{}, {}, &r.warnings};
    for (const auto& k : options.schema->keys()) scan.read.push_back(k.path);
    for (const auto& k : options.provided_keys) scan.read.push_back(k);
    collect_interpolations(config, scan.interpolations);
    scan.scan(config, root);
  }
  return r;
}

std::string ValidationReport::format(const FormatOptions& options) const {
  std::string out;
  for (const auto& e : errors) out += rig::format(e, options);
  for (const auto& w : warnings) {
    std::string text = rig::format(w, options);
    if (auto at = text.find("error["); at != std::string::npos) text.replace(at, 5, "warning");
    out += text;
  }
  out += fmt::format("{} error{}, {} warning{}\n", errors.size(), errors.size() == 1 ? "" : "s", warnings.size(),
                     warnings.size() == 1 ? "" : "s");
  return out;
}

}  // namespace rig
