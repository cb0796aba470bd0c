#include "detail/component_node.hpp"

#include <fmt/format.h>

#include <cctype>

#include "rig/registry.hpp"

namespace rig::detail {

namespace {

constexpr std::string_view kReserved[] = {"_component_", "_target_", "_recursive_", "_partial_", "_args_",
                                          "_convert_"};

// config_spec's `target: "module:Name"`: a single colon between two names (C++'s `::` does not count).
bool is_module_target(const Node& v) {
  if (!v.is_string() || v.is_interpolation()) return false;
  const std::string& s = v.str();
  size_t c = s.find(':');
  return c != std::string::npos && c > 0 && c + 1 < s.size() && s[c + 1] != ':' && s.find(':', c + 1) == std::string::npos;
}

std::string registered_as(std::string_view interface, TypeKey key) {
  auto names = registry().names(key);
  if (names.empty()) return fmt::format("nothing is registered as {}", interface);
  std::string list;
  size_t shown = 0;
  for (const auto& n : names) {
    if (shown++ == 20) {
      list += fmt::format(", ... ({} more)", names.size() - 20);
      break;
    }
    list += (list.empty() ? "" : ", ") + n;
  }
  return fmt::format("registered as {}: {}", interface, list);
}

std::string param_names(const detail::ComponentDef& d) {
  std::string s;
  for (const auto& p : d.params) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

int param_index(const detail::ComponentDef& d, std::string_view name) {
  for (size_t i = 0; i < d.params.size(); ++i)
    if (d.params[i].name == name) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> param_list(const detail::ComponentDef& d) {
  std::vector<std::string> out;
  for (const auto& p : d.params) out.emplace_back(p.name);
  return out;
}

// An interface known by its key alone: its name from a component registered as it.
std::string interface_display(TypeKey interface) {
  if (!interface) return "component";
  for (const detail::ComponentDef* d : registry().components(interface))
    for (const auto& i : d->interfaces)
      if (i.type == interface) return i.name();
  return "component";
}

bool is_convert_mode(const Node& v) {
  if (!v.is_string() || v.is_interpolation()) return false;
  std::string lower;
  for (char ch : v.str()) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (auto m : kConvertModes)
    if (lower == m) return true;
  return false;
}

}  // namespace

bool is_reserved_key(std::string_view key) {
  for (auto r : kReserved)
    if (r == key) return true;
  return false;
}

const MapEntry* component_name_entry(const Node& n) {
  if (!n.is_map()) return nullptr;
  const MapEntry* target = nullptr;
  for (const auto& e : n.entries()) {
    if (e.key == kNameKeys[0] || e.key == kNameKeys[1]) return &e;
    if (e.key == kNameKeys[2] && is_module_target(e.value)) target = &e;
  }
  return target;
}

bool is_component_node(const Node& n) { return component_name_entry(n) != nullptr; }

bool component_flag(const Node& n, std::string_view key, bool fallback) {
  const Node* v = n.find(key);
  return v && v->is_bool() ? v->bool_value() : fallback;
}

void fail(Session& s, Error e) {
  s.errors.push_back(std::move(e));
  throw Failed{};
}

std::string child_path(const KeyPath& path, std::string_view key) {
  KeyPath p = path;
  p.push_key(std::string(key));
  return p.to_string();
}

LookedUp look_up(const Node& node, const Request& req, Session& s, const KeyPath& path) {
  std::string wanted = req.interface_name ? req.interface_name() : interface_display(req.interface);
  if (!node.is_map())
    fail(s, TypeError("rig.type.mismatch",
                      fmt::format("expected a component config for {} (a map with `_component_`), got {}", wanted,
                                  kind_name(node.kind())),
                      node.origin(), path.to_string()));
  const MapEntry* named = component_name_entry(node);
  if (!named)
    fail(s, Error("rig.component.missing_name",
                  fmt::format("no `_component_` key: cannot tell which {} to build", wanted), node.origin(),
                  path.to_string(), "add `_component_: <name>`; " + registered_as(wanted, req.interface)));
  std::string name_path = child_path(path, named->key);
  if (named->key != kNameKeys[2])
    for (const auto& e : node.entries())
      if (&e != named && (e.key == kNameKeys[0] || e.key == kNameKeys[1])) {
        Error two("rig.component.two_names",
                  fmt::format("both `{}` and `{}` name a component here: a node names one", named->key, e.key),
                  e.key_origin.known() ? e.key_origin : e.value.origin(), child_path(path, e.key),
                  fmt::format("keep one of them (`{}` is rig's spelling, `_target_` Hydra's)", kNameKeys[0]));
        two.add_note(named->key_origin.known() ? named->key_origin : named->value.origin(),
                     fmt::format("`{}` is here", named->key));
        fail(s, std::move(two));
      }
  if (!named->value.is_string() || named->value.is_interpolation())
    fail(s, TypeError("rig.type.mismatch",
                      fmt::format("`{}` must be a component name, got {}", named->key, kind_name(named->value.kind())),
                      named->value.origin(), name_path));
  if (const Node* convert = node.find("_convert_"); convert && !is_convert_mode(*convert))
    fail(s, Error("rig.component.convert",
                  fmt::format("`_convert_` must be one of none, partial, object, all (Hydra's modes), got {}",
                              convert->is_scalar() ? "'" + scalar_text(*convert) + "'" : std::string(kind_name(convert->kind()))),
                  convert->origin(), child_path(path, "_convert_"),
                  "rig converts every argument to its parameter's C++ type whatever the mode; remove `_convert_` or "
                  "use one of Hydra's modes"));
  const std::string& name = named->value.str();
  const detail::ComponentDef* def = nullptr;
  try {
    def = registry().find(name);
  } catch (const Error& e) {
    fail(s, e);  // rig.component.duplicate
  }
  if (!def) {
    Error e("rig.component.unknown", fmt::format("unknown component '{}'", name), named->value.origin(), name_path,
            did_you_mean(canonical_name(name), registry().names()));
    e.add_note({}, registered_as(wanted, req.interface));
    fail(s, std::move(e));
  }
  // The product type itself is always an interface: instantiate<Sgd> works for a component registered as Optimizer.
  static constexpr detail::InterfaceDef kProduct{nullptr, nullptr, +[](void* p) { return p; }};
  const detail::InterfaceDef* iface = req.interface ? def->interface(req.interface) : &kProduct;
  if (!iface && def->product == req.interface) iface = &kProduct;
  if (!iface) {
    std::string is;
    for (const auto& i : def->interfaces) is += (is.empty() ? "" : ", ") + i.name();
    Error e("rig.component.wrong_interface",
            fmt::format("component '{}' is registered as {}, not as {}", def->name(), is, wanted),
            named->value.origin(), name_path);
    e.add_note({}, registered_as(wanted, req.interface));
    fail(s, std::move(e));
  }
  if (req.unknown_call) return {def, named, iface};
  if (req.form == ReturnForm::Value && (def->product != req.interface || def->product_kind != detail::ProductKind::Object))
    fail(s, Error("rig.component.by_value",
                  fmt::format("component '{}' makes {}, which cannot be returned by value as {}", def->name(),
                              def->product_type(), wanted),
                  named->value.origin(), name_path, fmt::format("ask for std::unique_ptr<{0}> or std::shared_ptr<{0}>", wanted)));
  if (req.form == ReturnForm::Unique && def->product_kind == detail::ProductKind::SharedPtr)
    fail(s, Error("rig.component.by_value",
                  fmt::format("component '{}' returns a std::shared_ptr; it cannot be handed out as a unique_ptr",
                              def->name()),
                  named->value.origin(), name_path, fmt::format("ask for std::shared_ptr<{}>", wanted)));
  if (req.form != ReturnForm::Check && !req.partial_call && component_flag(node, "_partial_", false))
    fail(s, Error("rig.component.partial",
                  fmt::format("this config is a partial (`_partial_: true`): ask for std::function<...> instead of {}",
                              wanted),
                  node.find("_partial_")->origin(), child_path(path, "_partial_")));
  return {def, named, iface};
}

void bind(Call& c, const Node& node, const Request& req, const MapEntry& named) {
  const detail::ComponentDef& d = c.def;
  Session& s = c.session;
  const size_t n = d.params.size();
  c.sources.assign(n, ArgSource{});
  std::string owner = d.name();

  size_t next = 0;
  auto positional = [&](ArgSource src, const Origin& at) {
    if (next >= n) {
      s.errors.emplace_back("rig.args.too_many",
                            fmt::format("too many positional arguments for {}: it takes {} ({})", owner, n,
                                        param_names(d)),
                            at, c.path.to_string());
      return;
    }
    c.sources[next++] = src;
  };
  if (const Node* args = node.find("_args_")) {
    if (!args->is_list())
      s.errors.emplace_back("rig.type.mismatch", fmt::format("`_args_` must be a list, got {}", kind_name(args->kind())),
                            args->origin(), child_path(c.path, "_args_"));
    for (const auto& e : args->elements()) positional(ArgSource{nullptr, &e}, e.origin());
  }
  for (const auto& a : req.args)
    if (a.name.empty()) positional(ArgSource{&a, nullptr}, named.value.origin());

  for (const auto& e : node.entries()) {
    if (is_reserved_key(e.key) || &e == &named) continue;
    int p = param_index(d, e.key);
    if (p < 0) {
      s.errors.push_back(unknown_keyword(e, c.path, owner, param_list(d)));
      continue;
    }
    if (c.sources[p].node || c.sources[p].arg) {
      const Origin& at = e.key_origin.known() ? e.key_origin : e.value.origin();
      s.errors.emplace_back("rig.args.duplicate",
                            fmt::format("parameter '{}' of {} is given positionally and by key", e.key, owner), at,
                            child_path(c.path, e.key));
      continue;
    }
    c.sources[p].node = &e.value;
  }
  for (const auto& a : req.args) {
    if (a.name.empty()) continue;
    int p = param_index(d, a.name);
    if (p < 0) {
      std::string hint = did_you_mean(a.name, param_list(d));
      s.errors.emplace_back("rig.args.unknown_keyword",
                            fmt::format("unknown keyword argument '{}' for {} (passed to instantiate)", a.name, owner),
                            named.value.origin(), c.path.to_string(),
                            hint.empty() ? "it takes: " + param_names(d) : hint);
      continue;
    }
    if (c.sources[p].arg && c.sources[p].arg->name.empty()) {
      s.errors.emplace_back("rig.args.duplicate",
                            fmt::format("parameter '{}' of {} is given positionally and by keyword", a.name, owner),
                            named.value.origin(), child_path(c.path, a.name));
      continue;
    }
    c.sources[p] = ArgSource{&a, nullptr};  // a call-site keyword overrides the config's value
  }
  // A partial validated without its call (unknown_call): the call supplies what the config leaves out.
  if (req.unknown_call && component_flag(node, "_partial_", false)) return;
  for (size_t i = 0; i < n; ++i) {
    if (!d.params[i].required || c.sources[i].node || c.sources[i].arg) continue;
    s.errors.emplace_back("rig.args.missing",
                          fmt::format("missing required argument '{}' ({}) for {}", d.params[i].name,
                                      d.params[i].type_name(), owner),
                          node.origin(), child_path(c.path, d.params[i].name),
                          fmt::format("add `{}: ...` to the config, or pass it to instantiate", d.params[i].name));
  }
}

namespace {

// A nested component of parameter `param`, checked as from_node<P> would build it.
void check_nested(Call& c, const detail::ParamDef& p, size_t param, const Node& n) {
  if (n.is_null() && p.nested_form != ReturnForm::Value) return;  // an empty smart pointer or std::function
  Request req{p.interface, p.interface_name, p.nested_form, {p.deferred, p.deferred_count}, p.nested_form == ReturnForm::Check};
  BuiltProduct unused;
  make_erased(n, req, c.session, &c, param, nullptr, unused);
}

// What from_node<P> reports for config value `n` of parameter `param` (at c.path).
void check_node(Call& c, const detail::ParamDef& p, size_t param, const Node& n) {
  switch (p.nesting) {
    case detail::Nesting::One:
      if (n.is_null()) return;
      if (!c.recursive) c.not_recursive(n, p.type_name());
      check_nested(c, p, param, n);
      return;
    case detail::Nesting::List:
    case detail::Nesting::Map: {
      if (!c.recursive) c.not_recursive(n, p.type_name());
      bool map = p.nesting == detail::Nesting::Map;
      if (map ? !n.is_map() : !n.is_list())
        throw TypeError("rig.type.mismatch",
                        fmt::format("expected a {} of component configs for {}, got {}", map ? "map" : "list",
                                    p.type_name(), kind_name(n.kind())),
                        n.origin(), c.path.to_string());
      bool failed = false;
      auto one = [&](const Node& value) {
        try {
          check_nested(c, p, param, value);
        } catch (const Error& e) {
          c.fail(e);
          failed = true;
        } catch (const Failed&) {
          failed = true;
        }
        c.path.pop();
      };
      if (map) {
        for (const auto& e : n.entries()) {
          c.path.push_key(e.key);
          one(e.value);
        }
      } else {
        size_t i = 0;
        for (const auto& e : n.elements()) {
          c.path.push_index(i++);
          one(e);
        }
      }
      if (failed) throw Failed{};
      return;
    }
    case detail::Nesting::None:
      if (p.value_component && c.recursive && is_component_node(n)) {
        check_nested(c, p, param, n);
        return;
      }
      if (!p.check) c.not_convertible(n, p.type_name());
      p.check(n, c.path);
      return;
  }
}

void check_value(Call& c, size_t i, const Node& n) {
  c.path.push_key(std::string(c.def.params[i].name));
  try {
    check_node(c, c.def.params[i], i, n);
  } catch (const Error& e) {
    c.fail(e);
  } catch (const Failed&) {
  }
  c.path.pop();
}

}  // namespace

void check_arguments(Call& c, const MapEntry& named) {
  for (size_t i = 0; i < c.def.params.size(); ++i) {
    const detail::ParamDef& p = c.def.params[i];
    const ArgSource& s = c.sources[i];
    if (s.arg) {
      if (s.arg->type == p.type) continue;  // take<P> moves it in (a partial's deferred one: its type is all it checks)
      if (s.arg->type == type_key<Node>() && s.arg->value)
        check_value(c, i, *static_cast<const Node*>(s.arg->value));
      else
        c.arg_type_error(i, p.type_name());
    } else if (s.node) {
      check_value(c, i, *s.node);
    }
  }
  check_declared(c, named);
}

void check_declared(Call& c, const MapEntry& named) {
  const detail::ComponentDef& d = c.def;
  if (d.constraints.empty()) return;
  Node values = Node::map();
  for (size_t i = 0; i < d.params.size(); ++i) {
    const ArgSource& s = c.sources[i];
    Node v;
    if (s.node) {
      v = *s.node;
    } else if (s.arg) {
      if (!s.arg->value) continue;  // a partial's deferred argument: checked when it is called
      if (s.arg->type == type_key<Node>())
        v = *static_cast<const Node*>(s.arg->value);
      else if (s.arg->to_node)
        v = s.arg->to_node(s.arg->value).set_origin(named.value.origin());
      else
        continue;
    } else if (d.params[i].required) {
      continue;  // reported as rig.args.missing
    } else {
      v = d.default_value(i);
      v.set_origin(named.value.origin());
    }
    values.set(std::string(d.params[i].name), std::move(v));
  }
  std::vector<Error> found;
  check_constraints(d.constraints, values, d.name(), c.path, found);
  for (auto& e : found) {
    bool reported = false;  // the value's conversion failed already
    for (const auto& r : c.session.errors) reported = reported || r.key_path() == e.key_path();
    if (!reported) c.session.errors.push_back(std::move(e));
  }
}

}  // namespace rig::detail
