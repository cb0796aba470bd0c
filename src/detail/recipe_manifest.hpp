// The JSON manifest rig_add_recipe writes for each recipe, read by the `rig` tool (ls, run, cp, describe,
// components, compat, completion) without loading the recipe binary.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "rig/app.hpp"
#include "rig/node.hpp"

namespace rig::detail {

// Every registered component: names, doc, interfaces, product, file:line, parameters (type, default, doc).
Node registry_dump();

// The config names under `dir` ("train", "model/mlp"), sorted.
std::vector<std::string> config_names_in(const std::filesystem::path& dir);

// name, description, binary, sources, config_dirs, configs, config_keys (per top-level config), schema keys, and
// the registry dump. `installed`: the config dirs of the installed recipe only.
Node recipe_manifest(const RecipeInfo& info, const RecipeSchema& schema, bool installed);

}  // namespace rig::detail
