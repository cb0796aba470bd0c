#include "detail/recipe_manifest.hpp"

#include <algorithm>
#include <set>

#include "rig/compose.hpp"
#include "rig/yaml.hpp"

namespace rig::detail {

namespace fs = std::filesystem;

std::string fmt_location(const char* file, uint32_t line);

Node registry_dump() {
  Node out = Node::list();
  for (const detail::ComponentDef* d : registry().components()) {
    Node c = Node::map();
    c.set("name", Node(d->name()));
    c.set("cpp_name", Node(std::string(d->cpp_name)));
    Node aliases = Node::list();
    for (auto a : d->aliases) aliases.push_back(Node(std::string(a)));
    c.set("aliases", aliases);
    c.set("doc", Node(std::string(d->doc)));
    Node ifaces = Node::list();
    for (const auto& i : d->interfaces) ifaces.push_back(Node(i.name()));
    c.set("interfaces", ifaces);
    c.set("product", Node(d->product_name ? d->product_name() : std::string()));
    c.set("file", Node(fmt_location(d->file, d->line)));
    Node params = Node::list();
    for (size_t i = 0; i < d->params.size(); ++i) {
      const detail::ParamDef& p = d->params[i];
      Node pn = Node::map();
      pn.set("name", Node(std::string(p.name)));
      pn.set("type", Node(p.type_name()));
      pn.set("required", Node(p.required));
      if (!p.required) {
        try {
          pn.set("default", d->default_value(i));
        } catch (const Error&) {
        }
      }
      if (p.nesting != detail::Nesting::None || p.interface != p.type) pn.set("interface", Node(p.interface_name ? p.interface_name() : ""));
      pn.set("doc", Node(std::string(p.doc)));
      params.push_back(pn);
    }
    c.set("params", params);
    out.push_back(c);
  }
  return out;
}

std::string fmt_location(const char* file, uint32_t line) { return std::string(file) + ":" + std::to_string(line); }

std::vector<std::string> config_names_in(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {};
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    const fs::path& p = it->path();
    std::string ext = p.extension().string();
    if (!it->is_regular_file() || (ext != ".yaml" && ext != ".yml" && ext != ".json")) continue;
    fs::path rel = fs::relative(p, dir);
    rel.replace_extension();
    names.insert(rel.generic_string());
  }
  return {names.begin(), names.end()};
}

namespace {

// path -> component name of every `_component_` / `_target_` in a config (completion offers all its parameters).
void collect_components(const Node& n, const std::string& prefix, Node& out) {
  for (const auto& e : n.entries()) {
    std::string path = prefix.empty() ? e.key : prefix + "." + e.key;
    if (!e.value.is_map()) continue;
    for (const char* key : {"_component_", "_target_"})
      if (const Node* name = e.value.find(key); name && name->is_string() && !name->is_interpolation()) {
        out.set(path, Node(name->str()));
        break;
      }
    collect_components(e.value, path, out);
  }
}

void flatten_keys(const Node& n, const std::string& prefix, Node& out) {
  for (const auto& e : n.entries()) {
    std::string path = prefix.empty() ? e.key : prefix + "." + e.key;
    out.push_back(Node(path));
    if (e.value.is_map()) flatten_keys(e.value, path, out);
  }
}

}  // namespace

Node recipe_manifest(const RecipeInfo& info, const RecipeSchema& schema, bool installed) {
  Node m = Node::map();
  m.set("name", Node(info.name));
  m.set("description", Node(info.description));
  std::error_code ec;
  m.set("binary", Node(fs::canonical("/proc/self/exe", ec).string()));
  m.set("rig_manifest_version", Node(1));
  Node sources = Node::list();
  for (const auto& s : info.sources) sources.push_back(Node(s));
  m.set("sources", sources);
  Node links = Node::list();
  for (const auto& l : info.links) links.push_back(Node(l));
  m.set("links", links);
  Node dirs = Node::list();
  std::vector<fs::path> used;
  for (const auto& d : info.config_dirs) {
    if (!fs::is_directory(d, ec)) continue;
    used.push_back(d);
    dirs.push_back(Node(fs::absolute(d).string()));
    (void)installed;  // config_dirs lists the installed copy first: the first existing dir is the one in use
    break;
  }
  m.set("config_dirs", dirs);
  Node configs = Node::list();
  Node groups = Node::map();
  Node config_keys = Node::map();
  Node config_components = Node::map();
  SearchPath sp;
  for (const auto& d : used) sp.add(d, "recipe");
  for (const auto& d : used) {
    for (const auto& name : config_names_in(d)) {
      configs.push_back(Node(name));
      auto slash = name.rfind('/');
      if (slash != std::string::npos) {
        std::string group = name.substr(0, slash);
        if (!groups.contains(group)) groups.set(group, Node::list());
        groups.find_mut(group)->push_back(Node(name.substr(slash + 1)));
        continue;
      }
      Node keys = Node::list();
      Node comps = Node::map();
      try {
        Node composed = compose(name, ComposeOptions{sp, {}, true}).config;
        flatten_keys(composed, "", keys);
        collect_components(composed, "", comps);
      } catch (const Error&) {
      }
      config_keys.set(name, keys);
      config_components.set(name, comps);
    }
  }
  m.set("configs", configs);
  m.set("groups", groups);
  m.set("config_keys", config_keys);
  m.set("config_components", config_components);
  Node keys = Node::list();
  for (const auto& k : schema.keys()) {
    Node kn = Node::map();
    kn.set("path", Node(k.path));
    kn.set("type", Node(k.section ? std::string("section") : k.type_name ? k.type_name() : std::string("any")));
    kn.set("required", Node(k.required));
    if (k.has_default) kn.set("default", k.default_value);
    kn.set("doc", Node(k.doc));
    keys.push_back(kn);
  }
  m.set("keys", keys);
  m.set("components", registry_dump());
  return m;
}

}  // namespace rig::detail
