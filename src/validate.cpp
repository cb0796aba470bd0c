#include "rig/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "detail/unread_keys.hpp"
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

}  // namespace

namespace detail {

std::vector<Error> check_erased(const Node& node, const Request& req, const KeyPath& path) {
  Session s;
  s.dry = true;
  s.root = path;
  BuiltProduct unused;
  try {
    make_erased(node, req, s, nullptr, 0, nullptr, unused);
  } catch (const Failed&) {
  }
  return std::move(s.errors);
}

std::vector<Error> check_erased(const Node& node, const Request& req) { return check_erased(node, req, {}); }

}  // namespace detail

void check_component(const Node& node, TypeKey interface, const KeyPath& path, std::vector<Error>& errors,
                     std::string (*interface_name)()) {
  detail::Request req{interface, interface_name, detail::ReturnForm::Check, {}, false, true};
  for (auto& e : detail::check_erased(node, req, path)) errors.push_back(std::move(e));
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

// `prefix` is `path` or one of its ancestors ("" is the root's path).
bool covers(const std::string& prefix, const std::string& path) {
  return prefix.empty() || path == prefix ||
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
  const std::vector<std::string>& read;
  std::vector<std::string> interpolations;
  std::vector<detail::UnreadKey> found;

  void scan(const Node& n, KeyPath& p) {
    for (const auto& e : n.entries()) {
      p.push_key(e.key);
      std::string s = p.to_string();
      bool is_read = std::any_of(read.begin(), read.end(), [&](const std::string& r) { return covers(r, s); });
      bool ancestor = std::any_of(read.begin(), read.end(), [&](const std::string& r) { return covers(s, r); });
      if (!is_read && ancestor && e.value.is_map())
        scan(e.value, p);
      else if (!is_read && !ancestor && !referenced(s, e.key, interpolations))
        found.push_back({s, e.key_origin});
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
      check_component(*n, k.interface, path, errors, k.type_name);
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
  if (detail::is_component_node(n)) {
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
  for (const auto& e : r.errors) failed.insert(e.key_path());  // a value reported above is not checked again
  std::vector<std::string> checked;
  std::vector<Error> checks;
  if (options.schema) {
    check_schema(*options.schema, resolved, checked, checks);
    for (RecipeSchema::Check fn : options.schema->checks()) fn(resolved, checks);
  }
  check_other_components(resolved, root, checked, checks);
  for (auto& e : checks)
    if (!failed.contains(e.key_path())) r.errors.push_back(std::move(e));
  if (options.schema && resolved.is_map()) {
    std::vector<std::string> read;
    for (const auto& k : options.schema->keys()) read.push_back(k.path);
    read.insert(read.end(), options.provided_keys.begin(), options.provided_keys.end());
    for (const auto& u : detail::unread_keys(config, read))
      r.warnings.emplace_back("rig.validate.unread_key",
                              fmt::format("'{}' is not read by this recipe (no schema key, component or "
                                          "interpolation uses it)",
                                          u.path),
                              u.origin, u.path, did_you_mean(u.path, read));
  }
  return r;
}

std::vector<detail::UnreadKey> detail::unread_keys(const Node& config, const std::vector<std::string>& read) {
  if (!config.is_map()) return {};
  UnreadScan scan{read, {}, {}};
  collect_interpolations(config, scan.interpolations);
  KeyPath root;
  scan.scan(config, root);
  return std::move(scan.found);
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
