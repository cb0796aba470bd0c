// rig/schema.hpp — a JSON Schema (draft 2020-12) of a recipe's whole config, for editors and validators.
//
//   rig schema RECIPE [--config NAME] > recipe.schema.json     (the recipe binary: RECIPE --schema)
//   # yaml-language-server: $schema=recipe.schema.json         (first line of a config: VS Code's YAML extension)
//
// Every key of the composed config is a property with its type, default (the config's value) and description (the
// recipe's doc for it, else where it was written). A component key (`_component_`) is a oneOf over every registered
// component fitting its interface (the recipe's RecipeSchema::component<I> for it, else the interfaces of the
// component the config chose), each with its parameters' types, defaults, docs and value constraints; a config that
// only overrides some arguments of the chosen component (no `_component_`, as a file under a defaults list does)
// validates against that component's parameters. `???` marks a required key. Any value may also be an
// interpolation (`${...}`). Maps are closed: an unknown key fails validation.
#pragma once

#include <string_view>

#include "rig/node.hpp"
#include "rig/registry.hpp"
#include "rig/validate.hpp"

namespace rig {

// The schema of `config` (composed, unresolved) for a recipe that reads `schema` (may be nullptr).
Node recipe_json_schema(const Node& config, const RecipeSchema* schema = nullptr, std::string_view title = {});

// The schema of one registered component's config (its parameters, oneOf over the implementations of any nested
// component parameter), as the recipe schema's component entries are.
Node component_json_schema(const detail::ComponentDef& def);

}  // namespace rig
