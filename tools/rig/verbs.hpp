// The `rig` tool's verbs beyond `print` (main.cpp dispatches). Each returns the exit status.
#pragma once

#include <string>
#include <vector>

namespace rig::tool {

int ls(const std::string& recipe);
// run / validate: the recipe binary, exec'ed with `args` (after a check of --config NAME against the manifest).
int run(const std::vector<std::string>& args, bool validate);
// rig schema RECIPE [--config NAME] [OVERRIDES...] | rig schema --component NAME: the recipe binary's --schema.
int schema(const std::vector<std::string>& args);
int cp(const std::string& what, const std::string& dest, bool project);
int describe(const std::string& component);
int components(const std::string& interface, const std::string& pattern);
int compat(const std::string& rows, const std::string& cols);
int completion_script(const std::string& shell);
// `rig __complete WORD... CURRENT`: candidates for CURRENT, one per line.
int complete(const std::vector<std::string>& words);

}  // namespace rig::tool
