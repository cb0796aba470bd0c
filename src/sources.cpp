#include "rig/sources.hpp"

#include "detail/environment_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "rig/interpolation.hpp"
#include "rig/limits.hpp"
#include "detail/environment_values.hpp"
#include "rig/yaml.hpp"

extern char** environ;

namespace rig {

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::Defaults: return "defaults from code";
    case SourceKind::File: return "config files (--config FILE and FILE arguments; a later file wins)";
    case SourceKind::Environment: return "environment variables (RIG_OPTIMIZER__LR=0.1 sets optimizer.lr)";
    case SourceKind::CommandLine: return "command-line overrides (key=value, +key=value, ~key, ...; in order)";
    case SourceKind::Hook: return "hooks registered in code (in registration order)";
  }
  return "?";
}

std::string precedence_help() {
  std::string out = "Config sources, lowest to highest precedence:\n";
  int i = 1;
  for (SourceKind k : kPrecedence) out += fmt::format("  {}. {}\n", i++, source_kind_name(k));
  return out;
}

std::string setter_name(const Origin& origin) {
  if (!origin.known()) return "<unknown>";
  std::string_view name = origin.source->name;
  if (name == "<cli>" && origin.arg_index >= 0) return fmt::format("argv[{}]", origin.arg_index);
  if (detail::environment_variable_of(origin.source.get()) || name.starts_with("hook ") || name.starts_with("<"))
    return std::string(name);
  return origin.to_string();
}

// ---- hooks ------------------------------------------------------------------------------------------------------------

namespace {

void stamp_unknown_origins(Node& n, const Origin& origin) {
  if (!n.origin().known()) n.set_origin(origin);
  if (n.is_list())
    for (size_t i = 0; i < n.size(); ++i) stamp_unknown_origins(n.element(i), origin);
  if (n.is_map())
    for (const auto& key : n.keys()) stamp_unknown_origins(*n.find_mut(key), origin);
}

}  // namespace

void HookContext::set(std::string_view path, Node value) {
  Origin origin{Source::make("hook " + name_), 0, 0, -1};
  stamp_unknown_origins(value, origin);
  assign_with_history(config_, KeyPath::parse(path), std::move(value), /*must_exist=*/true, origin);
}

void HookContext::apply(std::string_view override_text) {
  apply_override(config_, parse_override(Source::make("hook " + name_, std::string(override_text))));
}

// ---- environment --------------------------------------------------------------------------------------------------

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RIG_OPTIMIZER__LR -> optimizer.lr, matching each segment against the keys that exist, case-insensitively.
KeyPath env_path(const Node& cfg, std::string_view rest, const Origin& at) {
  KeyPath path;
  const Node* n = &cfg;
  size_t start = 0;
  while (true) {
    size_t sep = rest.find("__", start);
    std::string_view seg = rest.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
    if (seg.empty())
      throw UsageError("rig.env.bad_name", fmt::format("environment variable '{}' has an empty path segment", at.source->name.substr(4)),
                       at, {}, "segments are separated by exactly two underscores: RIG_OPTIMIZER__LR");
    std::string key = lower(seg);
    if (n && n->is_map() && !n->contains(key)) {
      std::string match;
      size_t matches = 0;
      for (const auto& e : n->entries())
        if (lower(e.key) == key) match = e.key, ++matches;
      if (n->contains(seg)) match = std::string(seg), matches = 1;
      if (matches == 1) key = match;
    }
    path.push_key(key);
    const Node* next = nullptr;
    if (n) {
      KeyPath one;
      one.push_key(key);
      next = n->find_path(one);
    }
    n = next;
    if (sep == std::string_view::npos) break;
    start = sep + 2;
  }
  return path;
}

}  // namespace

void apply_environment(Node& cfg, const std::vector<std::pair<std::string, std::string>>& variables,
                       std::string_view prefix) {
  std::vector<const std::pair<std::string, std::string>*> mine;
  for (const auto& v : variables) {
    if (!v.first.starts_with(prefix) || v.first.size() == prefix.size()) continue;
    if (std::find(kReservedEnvironment.begin(), kReservedEnvironment.end(), v.first) != kReservedEnvironment.end())
      continue;
    mine.push_back(&v);
  }
  // Sorted, so the result does not depend on the order of the environment block.
  std::sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* v : mine) {
    detail::note_environment_value(v->first, v->second);  // never quoted by a diagnostic
    std::string text = v->first + "=" + v->second;
    auto source = Source::make(detail::environment_source_name(v->first), text);
    Origin at{source, 1, 1, -1};
    KeyPath path = env_path(cfg, std::string_view(v->first).substr(prefix.size()), at);
    Node value = parse_override_value(source, v->first.size() + 1);
    assign_with_history(cfg, path, std::move(value), /*must_exist=*/true, at);
  }
}

// ---- ConfigSources ------------------------------------------------------------------------------------------------

ConfigSources& ConfigSources::defaults(Node defaults) {
  stamp_unknown_origins(defaults, Origin{Source::make("<code>"), 0, 0, -1});
  defaults_ = std::move(defaults);
  has_defaults_ = true;
  return *this;
}

ConfigSources& ConfigSources::file(std::filesystem::path path) {
  files_.emplace_back(std::move(path), std::nullopt);
  return *this;
}

ConfigSources& ConfigSources::file(std::filesystem::path path, Node loaded) {
  files_.emplace_back(std::move(path), std::move(loaded));
  return *this;
}


ConfigSources& ConfigSources::environment(std::string prefix) {
  std::vector<std::pair<std::string, std::string>> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with(prefix)) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    vars.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return environment(std::move(vars), std::move(prefix));
}

ConfigSources& ConfigSources::environment(std::vector<std::pair<std::string, std::string>> variables,
                                          std::string prefix) {
  env_ = std::move(variables);
  env_prefix_ = std::move(prefix);
  return *this;
}

ConfigSources& ConfigSources::overrides(std::vector<Override> overrides) {
  for (auto& o : overrides) overrides_.push_back(std::move(o));
  return *this;
}

ConfigSources& ConfigSources::hook(std::string name, Hook hook) {
  hooks_.emplace_back(std::move(name), std::move(hook));
  return *this;
}

Node ConfigSources::build() const& { return ConfigSources(*this).build(); }

Node ConfigSources::build() && {
  Node cfg = Node::map();
  for (SourceKind kind : kPrecedence) {
    switch (kind) {
      case SourceKind::Defaults:
        if (has_defaults_) merge_with_history(cfg, std::exchange(defaults_, Node()));
        break;
      case SourceKind::File:
        for (auto& [path, loaded] : files_)
          merge_with_history(cfg, loaded ? *std::exchange(loaded, std::nullopt) : load_file(path));
        break;
      case SourceKind::Environment: apply_environment(cfg, env_, env_prefix_); break;
      case SourceKind::CommandLine: apply_overrides(cfg, overrides_); break;
      case SourceKind::Hook:
        for (const auto& [name, fn] : hooks_) {
          HookContext ctx(cfg, name);
          fn(ctx);
        }
        break;
    }
  }
  detail::check_depth(cfg, tree_limits().max_depth);  // environment variables and hooks build trees too
  return cfg;
}

}  // namespace rig
