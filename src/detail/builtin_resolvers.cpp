// The built-in resolvers, one function each, registered by the resolver registry (interpolation.cpp) exactly as a
// user's resolver is. They run inside the engine (BuiltinCall): each reads its arguments, says which environment
// variables its result was computed from, and never quotes such a value in a diagnostic.
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>

#include "detail/environment_values.hpp"
#include "detail/python_text.hpp"
#include "detail/resolution.hpp"
#include "rig/error.hpp"
#include "rig/yaml.hpp"

namespace rig::detail {

namespace {

// ${oc.env:VAR} ${oc.env:VAR,default}: the variable's text; its result (and anything made from it) is tainted.
Value env(BuiltinCall& call) {
  call.arity(1, 2);
  const std::string& var = call.string_arg(0, "the variable name");
  Resolution& r = call.resolution();
  // The default, too, is what the environment chose: redacted like the variable's value.
  const Taint* taint = r.taint_of_variable(var);
  auto tainted = [&](Value v) {
    v.taint = r.join(v.taint, taint);
    return v;
  };
  if (const char* v = std::getenv(var.c_str())) {
    note_environment_value(var, v);
    return tainted(call.made(Node(std::string(v))));
  }
  if (call.args.size() == 2) {
    if (call.args[1].node.is_null()) return tainted(call.made(Node()));
    return tainted(call.made(Node(python_str(call.args[1].node))));
  }
  call.fail("rig.interpolation.env_not_found", fmt::format("environment variable '{}' is not set", call.shown(0)),
            call.here(), fmt::format("set it, or give a default: ${{{}:{},default}}", call.name, call.shown(0)));
}

// ${oc.select:key} ${oc.select:key,default}: the value at key, or the default when it is absent or ???.
Value select(BuiltinCall& call) {
  call.arity(1, 2);
  const std::string& key = call.string_arg(0, "the key");
  bool found = false;
  Value v = call.select_key(key, 0, false, &found);
  if (!found || v.node.is_missing()) {
    if (call.args.size() < 2) return call.made(Node());
    Value d = call.args[1];
    d.taint = call.resolution().join(d.taint, call.args[0].taint);
    return d;
  }
  return v;
}

// ${oc.decode:text}: the text read as a resolver argument (typed: 1 is an int, [..] a list, ${..} resolved).
Value decode(BuiltinCall& call) {
  call.arity(1, 1);
  if (call.args[0].node.is_null()) return call.made(Node());
  const std::string& text = call.string_arg(0, "the text to decode");
  return call.decode(text, call.args[0].taint);
}

// ${oc.create:x}: a map or list (or YAML text of one) made a node of the config, its interpolations resolved there.
Value create(BuiltinCall& call) {
  call.arity(1, 1);
  const Value& arg = call.args[0];
  Node obj = arg.node;
  const Taint* taint = nullptr;
  if (obj.is_string()) {
    try {
      obj = load_yaml(obj.str(), "<oc.create>");
    } catch (const Error& e) {
      if (!arg.taint) throw;
      call.fail(e.id(), fmt::format("oc.create cannot read {} as YAML", call.shown(0)), call.at_arg(0));
    }
  } else if (obj.is_container()) {
    obj = call.materialize(0, taint);
  }
  if (!obj.is_container())
    call.fail("rig.interpolation.resolver_arg",
              fmt::format("oc.create needs a map, a list or YAML text, got {}",
                          arg.taint ? call.shown(0) : describe_kind(arg.node)),
              call.at_arg(0));
  if (!obj.origin().known()) obj.set_origin(call.here());
  return call.created(std::move(obj), taint);
}

// The map selected by ${oc.dict.keys:key} / ${oc.dict.values:key}.
Value selected_map(BuiltinCall& call) {
  call.arity(1, 1);
  const std::string& key = call.string_arg(0, "the key of a map");
  bool found = false;
  Value d = call.select_key(key, 0, true, &found);
  if (!d.node.is_map())
    call.fail("rig.interpolation.resolver_arg",
              fmt::format("{} needs a map, but '{}' is {}", call.name, call.shown(0),
                          d.taint ? Resolution::shown_as(d.taint) : describe_kind(d.node)),
              call.at_arg(0));
  return d;
}

Value dict_keys(BuiltinCall& call) {
  Value d = selected_map(call);
  Node out = Node::list(call.here());
  for (const auto& entry : d.node.entries()) out.push_back(Node(entry.key).set_origin(entry.key_origin));
  return Value{std::move(out), nullptr, {}, d.taint};
}

Value dict_values(BuiltinCall& call) {
  Value d = selected_map(call);
  Node out = Node::list(call.here());
  const Taint* taint = d.taint;
  for (const auto& entry : d.node.entries())
    out.push_back(d.loc ? call.child_tree(d, entry.key, 0, taint) : entry.value);
  return Value{std::move(out), nullptr, {}, taint};
}

// ${oc.deprecated:new_key[,message]}: the value at new_key, with a warning naming both keys.
Value deprecated(BuiltinCall& call) {
  call.arity(1, 2);
  const std::string& key = call.string_arg(0, "the new key");
  std::string message = "'$OLD_KEY' is deprecated. Change your code and config to use '$NEW_KEY'";
  if (call.args.size() == 2) message = call.args[1].taint ? call.shown(1) : call.string_arg(1, "the message");
  bool found = false;
  Value v = call.select_key(key, 0, false, &found);
  if (!found)
    call.fail("rig.interpolation.key_not_found",
              fmt::format("in oc.deprecated at '{}': key '{}' not found", call.path(), call.shown(0)), call.at_arg(0));
  auto replace = [](std::string s, std::string_view from, const std::string& to) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
      s.replace(p, from.size(), to);
    return s;
  };
  std::string new_key = v.loc ? Resolution::path_of(v.loc) : call.shown(0);
  message = replace(replace(message, "$OLD_KEY", call.path()), "$NEW_KEY", new_key);
  warn(fmt::format("{}: {}", call.here().to_string(), message));
  return v;
}

// ${now:pattern}: the local time formatted by strftime (default %Y-%m-%d_%H-%M-%S), of any length.
Value now(BuiltinCall& call) {
  call.arity(0, 1);
  std::string pattern = call.args.empty() ? "%Y-%m-%d_%H-%M-%S" : call.string_arg(0, "the strftime pattern");
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  if (pattern.empty()) return call.made(Node(std::string()));
  // strftime returns 0 both when the buffer is too small and when the result is empty (`%p` in some locales):
  // a marker character makes the result never empty, so 0 always means "too small".
  pattern += '.';
  constexpr size_t kMax = size_t{1} << 20;
  for (size_t size = 256; size <= kMax; size *= 2) {
    std::string buf(size, '\0');
    if (size_t n = std::strftime(buf.data(), buf.size(), pattern.c_str(), &tm); n > 0) {
      buf.resize(n - 1);
      return call.made(Node(std::move(buf)));
    }
  }
  call.fail("rig.interpolation.resolver_arg", fmt::format("the time formatted by '{}' is longer than {} bytes",
                                                          call.shown(0), kMax), call.at_arg(0));
}

constexpr BuiltinDef kBuiltins[] = {
    {"oc.env", env},
    {"env", env},
    {"oc.select", select},
    {"oc.decode", decode},
    {"oc.create", create},
    {"oc.dict.keys", dict_keys},
    {"oc.dict.values", dict_values},
    {"oc.deprecated", deprecated},
    {"now", now},
};

}  // namespace

std::span<const BuiltinDef> builtin_resolvers() { return kBuiltins; }

}  // namespace rig::detail
