// Recipe manifests (written by rig_add_recipe) as the `rig` tool reads them: no recipe binary is loaded.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "detail/recipe_index.hpp"

namespace rig::detail {
struct ComponentDef;
}

namespace rig::tool {

// A recipe as its manifest describes it (read from the manifest's index when it has a current one).
struct Recipe {
  std::filesystem::path manifest;
  detail::Manifest m;

  const std::string& name() const { return m.name; }
  const std::string& description() const { return m.description; }
  const std::string& binary() const { return m.binary; }
  const std::vector<std::string>& configs() const { return m.configs; }
  std::vector<std::string> primary_configs() const;  // configs outside groups: what --config NAME takes
  std::vector<std::string> groups() const;
  std::vector<std::string> options(std::string_view group) const;
  std::vector<std::string> config_keys(std::string_view config) const;
  // The config completion and schemas default to: the one named after the recipe, else its first config.
  std::string default_config() const;
  // path -> component name of each component in `config` as composed.
  std::vector<std::pair<std::string, std::string>> config_components(std::string_view config) const;
  std::filesystem::path config_dir() const;
};

// A component of the recipes (or of a plugin this process loaded), with where it comes from.
struct Component : detail::ManifestComponent {
  std::vector<std::string> recipes;           // the recipes that register it
  const detail::ComponentDef* own = nullptr;  // its registration in this process (a plugin's, or the tool's), if any
};

// The library that registered `component` in this process (a plugin), or "".
std::string plugin_of(const Component& component);

// Where manifests are looked for, in order: RIG_RECIPE_PATH (':'-separated), the install prefix of this rig binary
// (<bin>/../share/rig/recipes), and the build tree this rig was built in.
std::vector<std::filesystem::path> manifest_dirs();

// Every recipe found; the first of one name wins. Without `components`, their components may be left out; with a
// `filter`, what it declines of each component may be.
std::vector<Recipe> load_recipes(bool components = true, const detail::ComponentFilter& filter = {});

// The names a component may be asked for by: in either spelling ("greet.Plain", "greet::Plain") or as an alias.
class ComponentNames {
 public:
  explicit ComponentNames(std::vector<std::string> names);
  // Whether one of the names names `component` (its name and aliases decide); by its name alone (not an alias).
  bool match(const detail::ManifestComponent& component) const;
  bool match_name(const detail::ManifestComponent& component) const;

 private:
  std::vector<std::string> names_, canonical_;
};

// Whether `name` names the component, in either spelling ("greet.Plain", "greet::Plain") or as an alias.
bool component_has_name(const detail::ManifestComponent& component, std::string_view name);

// Filters for load_recipes: every component by its name and aliases alone; all of each but its parameters.
detail::ComponentDetail names_only(const detail::ManifestComponent&);
detail::ComponentDetail without_params(const detail::ManifestComponent&);

// The recipe called `name`, or UsageError rig.recipe.unknown with did-you-mean and the list of recipes.
Recipe find_recipe(const std::vector<Recipe>& recipes, const std::string& name);

// Every component of every manifest (one entry per name), sorted by name; from recipes about to go, the components
// are moved instead of copied.
std::vector<Component> all_components(const std::vector<Recipe>& recipes);
std::vector<Component> all_components(std::vector<Recipe>&& recipes);

// The entries of all_components(load(empty filter)) that `names` match, each as that has it (the same fields, the same
// recipes), read without the other components: `load` reads the recipes with the filter it is given.
std::vector<Component> named_components(
    const ComponentNames& names, const std::function<std::vector<Recipe>(const detail::ComponentFilter&)>& load);

// Terminal styling for stdout: empty strings when stdout is not a TTY or NO_COLOR is set.
struct Style {
  const char *bold = "", *dim = "", *green = "", *reset = "";
  static Style for_stdout();
};

}  // namespace rig::tool
