#include "rig/interpolation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>

#include "detail/resolution.hpp"

namespace rig {

// ---- the resolver registry --------------------------------------------------------------------------------------------

namespace {

using detail::Builtin;
using detail::ResolverEntry;

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const ResolverEntry>, std::less<>> entries;
  std::map<std::string, Node> cache;
  std::function<void(const std::string&)> warning_handler;

  Registry() {
    auto builtin = [&](std::string name, Builtin b) {
      auto e = std::make_shared<ResolverEntry>();
      e->builtin = b;
      entries[std::move(name)] = std::move(e);
    };
    builtin("oc.env", Builtin::Env);
    builtin("env", Builtin::Env);
    builtin("oc.select", Builtin::Select);
    builtin("oc.decode", Builtin::Decode);
    builtin("oc.create", Builtin::Create);
    builtin("oc.dict.keys", Builtin::DictKeys);
    builtin("oc.dict.values", Builtin::DictValues);
    builtin("oc.deprecated", Builtin::Deprecated);
    builtin("now", Builtin::Now);
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_resolver(std::string name, ResolverFunction fn, ResolverOptions options) {
  if (name.empty()) throw UsageError("rig.resolver.name", "a resolver needs a name");
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (!options.replace && r.entries.count(name))
    throw UsageError("rig.resolver.exists", fmt::format("resolver '{}' is already registered", name), {}, {},
                     "pass ResolverOptions{.replace = true} to replace it");
  auto e = std::make_shared<ResolverEntry>();
  e->fn = std::move(fn);
  e->use_cache = options.use_cache;
  r.entries[std::move(name)] = std::move(e);
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

bool cached_result(const std::string& key, Node& out) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.cache.find(key);
  if (it == r.cache.end()) return false;
  out = it->second;
  return true;
}

void store_cached_result(const std::string& key, const Node& value) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.cache.emplace(key, value);
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
