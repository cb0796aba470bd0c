#include "manifests.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "detail/recipe_manifest.hpp"
#include "rig/error.hpp"
#include "rig/plugins.hpp"
#include "rig/registry.hpp"
#include "rig/yaml.hpp"

namespace rig::tool {

namespace fs = std::filesystem;

namespace {

template <class T>
const T* named(const detail::Named<T>& list, std::string_view name) {
  for (const auto& [n, v] : list)
    if (n == name) return &v;
  return nullptr;
}

}  // namespace

std::vector<std::string> Recipe::primary_configs() const {
  std::vector<std::string> out;
  for (auto& c : m.configs)
    if (c.find('/') == std::string::npos) out.push_back(c);
  return out;
}

std::vector<std::string> Recipe::groups() const {
  std::vector<std::string> out;
  for (const auto& [g, _] : m.groups) out.push_back(g);
  return out;
}

std::vector<std::string> Recipe::options(std::string_view group) const {
  const auto* o = named(m.groups, group);
  return o ? *o : std::vector<std::string>{};
}

std::vector<std::string> Recipe::config_keys(std::string_view config) const {
  const auto* k = named(m.config_keys, config);
  return k ? *k : std::vector<std::string>{};
}

std::string Recipe::default_config() const {
  auto configs = primary_configs();
  if (std::find(configs.begin(), configs.end(), name()) != configs.end() || configs.empty()) return name();
  return configs.front();
}

std::vector<std::pair<std::string, std::string>> Recipe::config_components(std::string_view config) const {
  const auto* c = named(m.config_components, config);
  return c ? *c : std::vector<std::pair<std::string, std::string>>{};
}

fs::path Recipe::config_dir() const { return m.config_dirs.empty() ? fs::path() : fs::path(m.config_dirs.front()); }

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

std::vector<Recipe> load_recipes(bool components, const detail::ComponentFilter& filter) {
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
      Recipe r{f, detail::load_manifest(f, components, filter)};
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

namespace {

// all_components, moving the recipes' components (kMove) or copying them.
template <bool kMove, class Recipes>
std::vector<Component> merge_components(Recipes& recipes) {
  std::map<std::string, Component> by_name;
  for (auto& r : recipes)
    for (auto& c : r.m.components) {
      auto [it, fresh] = by_name.try_emplace(c.name);
      if (fresh) {
        if constexpr (kMove) static_cast<detail::ManifestComponent&>(it->second) = std::move(c);
        else static_cast<detail::ManifestComponent&>(it->second) = c;
      }
      it->second.recipes.push_back(r.name());
    }
  // Components this process registered itself: those of plugins (--plugin, RIG_PLUGIN_PATH).
  Node own = detail::registry_dump();
  for (const auto& c : own.elements()) {
    detail::ManifestComponent mc = detail::component_from(c);
    auto [it, fresh] = by_name.try_emplace(mc.name);
    if (fresh) static_cast<detail::ManifestComponent&>(it->second) = std::move(mc);
    it->second.own = registry().find(it->first);
  }
  std::vector<Component> out;
  for (auto& [_, c] : by_name) out.push_back(std::move(c));
  return out;
}

}  // namespace

std::vector<Component> all_components(const std::vector<Recipe>& recipes) { return merge_components<false>(recipes); }
std::vector<Component> all_components(std::vector<Recipe>&& recipes) { return merge_components<true>(recipes); }

std::string plugin_of(const Component& c) { return c.own ? library_of(c.own) : std::string(); }

ComponentNames::ComponentNames(std::vector<std::string> names) : names_(std::move(names)) {
  for (const auto& n : names_) canonical_.push_back(canonical_name(n));
}

bool ComponentNames::match(const detail::ManifestComponent& c) const {
  if (match_name(c)) return true;
  for (const auto& n : names_)
    for (const auto& a : c.aliases)
      if (a == n) return true;
  return false;
}

bool ComponentNames::match_name(const detail::ManifestComponent& c) const {
  std::string name = canonical_name(c.name);
  return std::find(canonical_.begin(), canonical_.end(), name) != canonical_.end();
}

bool component_has_name(const detail::ManifestComponent& c, std::string_view name) {
  return ComponentNames({std::string(name)}).match(c);
}

detail::ComponentDetail names_only(const detail::ManifestComponent&) { return detail::ComponentDetail::Name; }
detail::ComponentDetail without_params(const detail::ManifestComponent&) { return detail::ComponentDetail::NoParams; }

std::vector<Component> named_components(
    const ComponentNames& names, const std::function<std::vector<Recipe>(const detail::ComponentFilter&)>& load) {
  // all_components keeps the first copy of a name (a recipe's, else this process's). Copies of one name differ only
  // if the recipes were built from different sources; then the copy matched through an alias may not be the first.
  // So when a copy of a name matched through an alias was left out, every copy of that name is read again.
  std::set<std::string, std::less<>> every_copy;
  std::set<std::string, std::less<>> left_out;  // the names of the copies left out
  detail::ComponentFilter filter = [&](const detail::ManifestComponent& c) {
    if (names.match(c) || every_copy.contains(c.name)) return detail::ComponentDetail::Full;
    left_out.insert(c.name);
    return detail::ComponentDetail::Skip;
  };
  std::vector<Component> out = all_components(load(filter));
  for (const auto& c : out)
    if (names.match(c) && !names.match_name(c) && left_out.contains(c.name)) every_copy.insert(c.name);
  if (!every_copy.empty()) out = all_components(load(filter));
  std::erase_if(out, [&](const Component& c) { return !names.match(c); });
  return out;
}

Style Style::for_stdout() {
  Style s;
  if (use_color(1)) s = Style{"\033[1m", "\033[2m", "\033[32m", "\033[0m"};
  return s;
}

}  // namespace rig::tool
