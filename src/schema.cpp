#include "rig/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace rig {

namespace {

constexpr std::string_view kDraft = "https://json-schema.org/draft/2020-12/schema";
constexpr std::string_view kRefPrefix = "#/$defs/";
constexpr std::string_view kReservedKeys[] = {"_component_", "_target_", "_recursive_", "_partial_", "_args_"};

bool reserved(std::string_view key) {
  return std::find(std::begin(kReservedKeys), std::end(kReservedKeys), key) != std::end(kReservedKeys);
}

Node strings(std::initializer_list<std::string_view> items) {
  Node l = Node::list();
  for (auto s : items) l.push_back(Node(s));
  return l;
}

// What a value may be instead of its type: an interpolation (resolved later) or `???` (to be given).
Node placeholder() {
  Node s = Node::map();
  s.set("type", "string");
  s.set("pattern", "^\\?\\?\\?$|\\$\\{");
  return s;
}

Node or_placeholder(const Node& s) {
  if (s.is_map() && s.size() == 0) return s;  // {} accepts anything already
  Node any = Node::list();
  any.push_back(s);
  any.push_back(placeholder());
  Node out = Node::map();
  out.set("anyOf", any);
  return out;
}

// The root's $defs: one entry per interface, the oneOf of the config bodies of the components implementing it.
struct Defs {
  Node node = Node::map();
  std::set<std::string> done;
};

void define_interface(const std::string& name, Defs& defs);

// `schema` (the registry's, for one component) without $schema / $defs; the interfaces its $defs name are defined
// in `defs` instead (as config bodies).
Node hoist_defs(const Node& schema, Defs& defs) {
  Node out = Node::map();
  for (const auto& e : schema.entries()) {
    if (e.key == "$schema") continue;
    if (e.key == "$defs") {
      for (const auto& d : e.value.entries()) define_interface(d.key, defs);
      continue;
    }
    out.set(e.key, e.value);
  }
  return out;
}

// A registered component's body as a config file may write it: every parameter may be an interpolation or `???`,
// and parameters the registry requires may be left to the recipe (it passes them at instantiate), so none is
// required by the schema; the description says which are.
Node config_body(const Node& body) {
  Node out = body;
  Node props = Node::map();
  std::vector<std::string> required;
  if (const Node* r = body.find("required"))
    for (const auto& e : r->elements()) required.push_back(e.str());
  if (const Node* p = body.find("properties"))
    for (const auto& e : p->entries()) {
      if (reserved(e.key)) {
        props.set(e.key, e.value);
        continue;
      }
      Node s = e.value;
      if (std::find(required.begin(), required.end(), e.key) != required.end()) {
        std::string doc = s.find("description") ? s.find("description")->str() + " " : "";
        s.set("description", doc + "(required: set here or passed by the recipe)");
      }
      props.set(e.key, or_placeholder(s));
    }
  out.set("properties", props);
  out.erase("required");
  return out;
}

void define_interface(const std::string& name, Defs& defs) {
  if (!defs.done.insert(name).second) return;  // claimed first: definitions may refer to each other
  Node options = Node::list();
  for (const detail::ComponentDef* d : registry().components())
    for (const auto& iface : d->interfaces)
      if (iface.name() == name) {
        options.push_back(config_body(hoist_defs(json_schema(*d), defs)));
        break;
      }
  Node def = Node::map();
  def.set("oneOf", options);
  defs.node.set(name, def);
}

// The JSON types a recipe key's C++ type converts from, found by asking its converter (SchemaKey::check).
Node key_type_schema(const SchemaKey& k) {
  if (!k.check) return Node::map();
  std::vector<std::string_view> kinds;
  auto accepts = [&](const Node& probe) {
    try {
      KeyPath p;
      k.check(probe, p);
      return true;
    } catch (const Error&) {
      return false;
    }
  };
  if (accepts(Node(true))) kinds.push_back("boolean");
  bool integer = accepts(Node(int64_t{1})), number = accepts(Node(1.5));
  if (number) kinds.push_back("number");
  else if (integer) kinds.push_back("integer");
  if (accepts(Node("x"))) kinds.push_back("string");
  if (accepts(Node::list())) kinds.push_back("array");
  if (accepts(Node::map())) kinds.push_back("object");
  if (accepts(Node())) kinds.push_back("null");
  Node s = Node::map();
  if (kinds.empty() || kinds.size() >= 6) return s;
  if (kinds.size() == 1) {
    s.set("type", Node(kinds[0]));
  } else {
    Node l = Node::list();
    for (auto t : kinds) l.push_back(Node(t));
    s.set("type", l);
  }
  return s;
}

Node kind_schema(const Node& n) {
  Node s = Node::map();
  switch (n.kind()) {
    case Kind::Bool: s.set("type", "boolean"); break;
    case Kind::Int: s.set("type", "integer"); break;
    case Kind::Float: s.set("type", "number"); break;
    case Kind::String:
      if (!n.is_interpolation()) s.set("type", "string");
      break;
    case Kind::List: s.set("type", "array"); break;
    case Kind::Map: s.set("type", "object"); break;
    default: break;
  }
  return s;
}

std::string written_at(const Node& n) {
  const Origin& o = n.origin();
  if (o.source_name().empty() || o.line == 0) return {};
  return fmt::format("{}:{}", o.source_name(), o.line);
}

struct Builder {
  std::map<std::string, const SchemaKey*> keys;
  Defs defs;

  const SchemaKey* key(const std::string& path) const {
    auto it = keys.find(path);
    return it == keys.end() ? nullptr : it->second;
  }

  void describe(Node& s, const Node* value, const SchemaKey* k) {
    std::string doc = k ? k->doc : std::string();
    if (doc.empty() && value) {
      if (std::string at = written_at(*value); !at.empty()) doc = "set in " + at;
    }
    if (!doc.empty()) s.set("description", doc);
    if (value && !value->is_missing()) {
      s.set("default", *value);
    } else if (k && k->has_default) {
      s.set("default", k->default_value);
    }
  }

  // The interface a component key is asked for: the recipe's declaration, else what the chosen component is.
  std::vector<std::string> interfaces_at(const SchemaKey* k, const detail::ComponentDef* chosen) {
    if (k && k->interface && k->type_name) return {k->type_name()};
    std::vector<std::string> out;
    if (chosen)
      for (const auto& iface : chosen->interfaces) out.push_back(iface.name());
    return out;
  }

  Node component(const Node* value, const SchemaKey* k, const detail::ComponentDef* chosen) {
    Node options = Node::list();
    for (const auto& iface : interfaces_at(k, chosen)) {
      define_interface(iface, defs);
      Node ref = Node::map();
      ref.set("$ref", std::string(kRefPrefix) + iface);
      options.push_back(ref);
    }
    if (chosen) {
      // Arguments of the chosen component without naming it again (a config under a defaults list overriding some).
      Node partial = config_body(hoist_defs(json_schema(*chosen), defs));
      partial.erase("anyOf");
      Node names = Node::list();
      for (const char* n : {"_component_", "_target_"}) {
        Node r = Node::map();
        r.set("required", strings({n}));
        names.push_back(r);
      }
      Node named = Node::map();
      named.set("anyOf", names);
      Node unnamed = Node::map();
      unnamed.set("not", named);
      Node all = Node::list();
      all.push_back(unnamed);
      all.push_back(partial);
      Node p = Node::map();
      p.set("allOf", all);
      options.push_back(p);
    }
    Node s = Node::map();
    if (options.size() == 1) {
      s = options[0];
    } else {
      s.set("anyOf", options);
    }
    describe(s, value, k);
    return or_placeholder_keep(s);
  }

  // Placeholder alternative for a whole described schema, keeping description/default at the top.
  Node or_placeholder_keep(const Node& s) {
    Node inner = Node::map(), out = Node::map();
    for (const auto& e : s.entries()) {
      if (e.key == "description" || e.key == "default" || e.key == "title") out.set(e.key, e.value);
      else inner.set(e.key, e.value);
    }
    Node any = or_placeholder(inner);
    for (const auto& e : any.entries()) out.set(e.key, e.value);
    return out;
  }

  Node value(const Node& n, const std::string& path) {
    const SchemaKey* k = key(path);
    if (const detail::ComponentDef* d = component_of(n)) return component(&n, k, d);
    if (k && k->interface) return component(&n, k, nullptr);
    if (n.is_map() && !(k && k->section)) return map(n, path, k);
    Node s = n.is_missing() ? Node::map() : k && !k->section ? key_type_schema(*k) : kind_schema(n);
    if (n.is_interpolation()) s = Node::map();
    describe(s, &n, k);
    if (n.is_missing()) s.set("description", (s.find("description") ? s.find("description")->str() + "; " : "") +
                                                 std::string("required (??? in the config)"));
    return or_placeholder_keep(s);
  }

  Node map(const Node& n, const std::string& path, const SchemaKey* k) {
    Node props = Node::map();
    Node required = Node::list();
    for (const auto& e : n.entries()) {
      std::string p = path.empty() ? e.key : path + "." + e.key;
      props.set(e.key, value(e.value, p));
      if (e.value.is_missing()) required.push_back(Node(e.key));
    }
    // Keys the recipe reads that the config leaves out (their defaults are the recipe's).
    std::string prefix = path.empty() ? "" : path + ".";
    for (const auto& entry : keys) {
      const auto& p = entry.first;
      const auto* key = entry.second;  // a plain variable: clang 14 cannot capture a structured binding
      if (!p.starts_with(prefix)) continue;
      std::string rest = p.substr(prefix.size());
      if (rest.empty() || rest.find('.') != std::string::npos || props.contains(rest)) continue;
      Node s = key->interface ? component(nullptr, key, nullptr) : or_placeholder_keep([&] {
        Node t = key_type_schema(*key);
        describe(t, nullptr, key);
        return t;
      }());
      props.set(rest, s);
      if (key->required && !key->has_default && !key->section) required.push_back(Node(rest));
    }
    Node s = Node::map();
    s.set("type", "object");
    describe(s, nullptr, k);
    s.set("properties", props);
    if (required.size()) s.set("required", required);
    s.set("additionalProperties", false);
    return s;
  }
};

}  // namespace

Node recipe_json_schema(const Node& config, const RecipeSchema* schema, std::string_view title) {
  Builder b;
  if (schema)
    for (const auto& k : schema->keys()) b.keys[k.path] = &k;
  Node root = config.is_map() ? config : Node::map();
  Node body = b.map(root, "", nullptr);
  // Keys a config file may hold besides its values: its defaults list, and what the runtime provides.
  Node props = body["properties"];
  if (!props.contains("defaults")) {
    Node d = Node::map();
    d.set("type", "array");
    d.set("description", "the defaults list: config groups and other configs composed before this one");
    props.set("defaults", d);
  }
  for (const char* provided : {"run_dir", "output_dir"})
    if (!props.contains(provided)) {
      Node d = Node::map();
      d.set("type", "string");
      d.set("description", "provided by rig run: the run directory");
      props.set(provided, d);
    }
  body.set("properties", props);
  Node out = Node::map();
  out.set("$schema", Node(kDraft));
  if (!title.empty()) out.set("title", Node(title));
  for (const auto& e : body.entries()) out.set(e.key, e.value);
  if (b.defs.node.size()) out.set("$defs", b.defs.node);
  return out;
}

Node component_json_schema(const detail::ComponentDef& def) {
  Defs defs;
  Node body = config_body(hoist_defs(json_schema(def), defs));
  Node out = Node::map();
  out.set("$schema", Node(kDraft));
  for (const auto& e : body.entries()) out.set(e.key, e.value);
  if (defs.node.size()) out.set("$defs", defs.node);
  return out;
}

}  // namespace rig
