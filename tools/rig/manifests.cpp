#include "manifests.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "detail/recipe_manifest.hpp"
#include "rig/error.hpp"
#include "rig/plugins.hpp"
#include "rig/registry.hpp"
#include "rig/yaml.hpp"

namespace rig::tool {

namespace fs = std::filesystem;

std::vector<std::string> Recipe::strings(std::string_view key) const {
  std::vector<std::string> out;
  if (const Node* n = data.find(key))
    for (const auto& e : n->elements()) out.push_back(e.str());
  return out;
}

std::vector<std::string> Recipe::primary_configs() const {
  std::vector<std::string> out;
  for (auto& c : configs())
    if (c.find('/') == std::string::npos) out.push_back(c);
  return out;
}

std::vector<std::string> Recipe::groups() const {
  const Node* g = data.find("groups");
  return g ? g->keys() : std::vector<std::string>{};
}

std::vector<std::string> Recipe::options(std::string_view group) const {
  std::vector<std::string> out;
  if (const Node* g = data.find("groups"))
    if (const Node* o = g->find(group))
      for (const auto& e : o->elements()) out.push_back(e.str());
  return out;
}

std::vector<std::string> Recipe::config_keys(std::string_view config) const {
  std::vector<std::string> out;
  if (const Node* k = data.find("config_keys"))
    if (const Node* c = k->find(config))
      for (const auto& e : c->elements()) out.push_back(e.str());
  return out;
}

std::string Recipe::default_config() const {
  auto configs = primary_configs();
  if (std::find(configs.begin(), configs.end(), name()) != configs.end() || configs.empty()) return name();
  return configs.front();
}

std::vector<std::pair<std::string, std::string>> Recipe::config_components(std::string_view config) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (const Node* all = data.find("config_components"))
    if (const Node* c = all->find(config))
      for (const auto& e : c->entries())
        if (e.value.is_string()) out.emplace_back(e.key, e.value.str());
  return out;
}

fs::path Recipe::config_dir() const {
  auto dirs = strings("config_dirs");
  return dirs.empty() ? fs::path() : fs::path(dirs.front());
}

std::vector<fs::path> manifest_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("RIG_RECIPE_PATH")) {
    std::string_view s = env;
    while (!s.empty()) {
      auto colon = s.find(':');
      if (colon != 0) dirs.emplace_back(std::string(s.substr(0, colon)));
      if (colon == std::string_view::npos) break;
      s.remove_prefix(colon + 1);
    }
  }
  std::error_code ec;
  fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(exe.parent_path().parent_path() / "share/rig/recipes");
#ifdef RIG_BUILD_DIR
    fs::path build = fs::weakly_canonical(RIG_BUILD_DIR, ec);
    if (!ec && exe.string().starts_with(build.string() + "/")) dirs.emplace_back(RIG_BUILD_MANIFEST_DIR);
#endif
  }
  return dirs;
}

std::vector<Recipe> load_recipes() {
  std::vector<Recipe> out;
  std::map<std::string, bool> seen;
  for (const auto& dir : manifest_dirs()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      Recipe r{f, load_json(read_file(f), f.string())};
      if (seen.emplace(r.name(), true).second) out.push_back(std::move(r));
    }
  }
  std::sort(out.begin(), out.end(), [](const Recipe& a, const Recipe& b) { return a.name() < b.name(); });
  return out;
}

Recipe find_recipe(const std::vector<Recipe>& recipes, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& r : recipes) {
    if (r.name() == name) return r;
    names.push_back(r.name());
  }
  std::string hint = did_you_mean(name, names);
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  throw UsageError("rig.recipe.unknown", "unknown recipe '" + name + "'", {}, {},
                   (hint.empty() ? "" : hint + "; ") + (all.empty() ? "no recipes found (see rig ls --help)" : "recipes: " + all));
}

std::vector<Node> all_components(const std::vector<Recipe>& recipes) {
  std::map<std::string, Node> by_name;
  for (const auto& r : recipes)
    if (const Node* cs = r.data.find("components"))
      for (const auto& c : cs->elements()) {
        std::string n = c.get<std::string>("name");
        auto [it, fresh] = by_name.emplace(n, c);
        if (fresh) it->second.set("recipes", Node::list());
        it->second.find_mut("recipes")->push_back(Node(r.name()));
      }
  // Components this process registered itself: those of plugins (--plugin, RIG_PLUGIN_PATH).
  Node own = detail::registry_dump();
  for (const auto& c : own.elements()) {
    std::string n = c.get<std::string>("name");
    auto [it, fresh] = by_name.emplace(n, c);
    if (fresh) it->second.set("recipes", Node::list());
    if (const ComponentDef* d = registry().find(n)) it->second.set("plugin", Node(library_of(d)));
  }
  std::vector<Node> out;
  for (auto& [_, c] : by_name) out.push_back(std::move(c));
  return out;
}

bool component_has_name(const Node& c, std::string_view name) {
  std::string want = canonical_name(name);
  if (canonical_name(c.get<std::string>("name")) == want) return true;
  if (const Node* a = c.find("aliases"))
    for (const auto& e : a->elements())
      if (e.str() == name) return true;
  return false;
}

Style Style::for_stdout() {
  Style s;
  if (use_color(1)) s = Style{"\033[1m", "\033[2m", "\033[32m", "\033[0m"};
  return s;
}

}  // namespace rig::tool
