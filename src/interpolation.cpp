#include "rig/interpolation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>

#include "detail/environment_values.hpp"
#include "detail/resolution.hpp"

namespace rig {

// ---- the resolver registry --------------------------------------------------------------------------------------------

namespace {

using detail::ResolverEntry;

struct Cached {
  Node value;
  std::vector<std::string> taint;  // the environment variables it was computed from
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const ResolverEntry>, std::less<>> entries;
  std::map<std::string, Cached> cache;
  std::function<void(const std::string&)> warning_handler;

  Registry();
  void add(std::string name, ResolverEntry entry, ResolverOptions options);  // the caller holds the mutex
};

void Registry::add(std::string name, ResolverEntry entry, ResolverOptions options) {
  if (name.empty()) throw UsageError("rig.resolver.name", "a resolver needs a name");
  if (!options.replace && entries.count(name))
    throw UsageError("rig.resolver.exists", fmt::format("resolver '{}' is already registered", name), {}, {},
                     "pass ResolverOptions{.replace = true} to replace it");
  entry.use_cache = options.use_cache;
  entries[std::move(name)] = std::make_shared<const ResolverEntry>(std::move(entry));
}

// The built-ins are registered as every resolver is; they differ only in running inside the engine.
Registry::Registry() {
  for (const auto& b : detail::builtin_resolvers()) {
    ResolverEntry e;
    e.builtin = b.fn;
    add(b.name, std::move(e), {});
  }
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_resolver(std::string name, ResolverFunction fn, ResolverOptions options) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  ResolverEntry e;
  e.fn = std::move(fn);
  r.add(std::move(name), std::move(e), options);
}

bool has_resolver(std::string_view name) { return detail::find_resolver(name) != nullptr; }

bool clear_resolver(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.entries.find(name);
  if (it == r.entries.end()) return false;
  r.entries.erase(it);
  return true;
}

std::vector<std::string> resolver_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> out;
  for (const auto& [name, _] : r.entries) out.push_back(name);
  return out;
}

void clear_resolver_cache() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.cache.clear();
}

void set_warning_handler(std::function<void(const std::string&)> handler) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.warning_handler = std::move(handler);
}

namespace detail {

std::shared_ptr<const ResolverEntry> find_resolver(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.entries.find(name);
  return it == r.entries.end() ? nullptr : it->second;
}

bool cached_result(const std::string& key, Node& out, std::vector<std::string>& taint) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.cache.find(key);
  if (it == r.cache.end()) return false;
  out = it->second.value;
  taint = it->second.taint;
  return true;
}

void store_cached_result(const std::string& key, const Node& value, const std::vector<std::string>& taint) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.cache.emplace(key, Cached{value, taint});
}

void warn(const std::string& message) {
  std::function<void(const std::string&)> handler;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    handler = r.warning_handler;
  }
  if (handler)
    handler(message);
  else
    std::cerr << "rig: warning: " << message << "\n";
}

void throw_resolver_arity(std::string_view name, size_t min, size_t max, size_t got, const ResolverContext& context) {
  std::string wanted = min == max ? std::to_string(min) : fmt::format("{} to {}", min, max);
  throw InterpolationError("rig.interpolation.resolver_arity",
                           fmt::format("resolver '{}' takes {} argument{}, got {}", name, wanted,
                                       max == 1 ? "" : "s", got),
                           context.origin, context.key_path);
}

void rethrow_resolver_arg(std::string_view name, size_t index, const Node& arg, const Error& cause,
                          const ResolverContext& context) {
  throw InterpolationError("rig.interpolation.resolver_arg",
                           fmt::format("argument {} of resolver '{}': {}", index + 1, name, cause.message()),
                           arg.origin().known() ? arg.origin() : context.origin, context.key_path, cause.hint());
}

}  // namespace detail

// ---- whole trees --------------------------------------------------------------------------------------------------------

Node resolve(const Node& root) {
  detail::Resolution r(root);
  return r.tree_at(r.root_loc());
}

Node resolve_redacted(const Node& root) {
  detail::Resolution r(root, true);
  return r.redacted_tree_at(r.root_loc());
}

namespace {
// Whether any node of the tree came from the environment: a read-only walk, so that the common case (nothing to
// redact) returns the tree as it is without taking a reference to every node. Neighbouring nodes mostly share their
// source, so a source's name is read once per run of nodes from it (`clean`: the last source seen not to be one).
bool holds_environment_values(const Node& n, const Source*& clean) {
  if (const Source* s = n.origin().source.get(); s && s != clean) {
    if (detail::environment_variable_of(s)) return true;
    clean = s;
  }
  for (const auto& e : n.entries())
    if (holds_environment_values(e.value, clean)) return true;
  for (const auto& v : n.elements())
    if (holds_environment_values(v, clean)) return true;
  return false;
}

Node redact_environment_values(const Node& config) {
  if (auto variable = detail::environment_variable_of(config.origin().source.get()))
    return Node(fmt::format("<redacted:env {}>", *variable)).set_origin(config.origin());
  Node out = config;
  if (config.is_map()) {
    for (const auto& e : config.entries()) {
      Node r = redact_environment_values(e.value);
      if (!r.same_storage(e.value)) *out.find_mut(e.key) = std::move(r);
    }
  } else if (config.is_list()) {
    for (size_t i = 0; i < config.size(); ++i) {
      Node r = redact_environment_values(config[i]);
      if (!r.same_storage(config[i])) out.element(i) = std::move(r);
    }
  }
  return out;
}
}  // namespace

Node redact_environment_layer(const Node& config) {
  const Source* clean = nullptr;
  return holds_environment_values(config, clean) ? redact_environment_values(config) : config;
}

void resolve_in_place(Node& root) { root = resolve(root); }

namespace {
void collect_missing(const Node& n, KeyPath& path, std::vector<std::string>& out) {
  if (n.is_missing()) {
    out.push_back(path.to_string());
    return;
  }
  if (n.is_map()) {
    for (const auto& e : n.entries()) {
      path.push_key(e.key);
      collect_missing(e.value, path, out);
      path.pop();
    }
  } else if (n.is_list()) {
    auto elems = n.elements();
    for (size_t i = 0; i < elems.size(); ++i) {
      path.push_index(i);
      collect_missing(elems[i], path, out);
      path.pop();
    }
  }
}
}  // namespace

std::vector<std::string> missing_keys(const Node& root) {
  std::vector<std::string> out;
  KeyPath path;
  collect_missing(root, path, out);
  return out;
}

namespace {
std::atomic<size_t> g_max_chain{ResolveLimits{}.max_chain};
std::atomic<size_t> g_max_nesting{ResolveLimits{}.max_nesting};
std::atomic<size_t> g_max_resolver_depth{ResolveLimits{}.max_resolver_depth};
}  // namespace

void set_resolve_limits(const ResolveLimits& limits) {
  g_max_chain = limits.max_chain;
  g_max_nesting = limits.max_nesting;
  g_max_resolver_depth = limits.max_resolver_depth;
}

ResolveLimits resolve_limits() { return {g_max_chain.load(), g_max_nesting.load(), g_max_resolver_depth.load()}; }

void check_interpolation_syntax(std::string_view text, const Origin& origin) {
  if (text.find("${") == std::string_view::npos) return;
  try {
    (void)detail::interp::parse_value(text);
  } catch (const detail::interp::SyntaxError& e) {
    Node holder = Node(std::string(text)).set_origin(origin);
    if (e.id != "rig.interpolation.syntax")  // a limit (rig.limit.interpolation_nesting)
      throw LimitError(e.id, e.message, detail::origin_in(holder, e.offset));
    throw InterpolationError(e.id, "invalid interpolation: " + e.message, detail::origin_in(holder, e.offset));
  }
}

}  // namespace rig
