// rig/testing.hpp — GoogleTest helpers for projects that ship configs: test them all in CI.
//
//   TEST(Configs, AllValid) {
//     rig::testing::expect_valid_configs({"recipes/train/configs"}, train_schema());
//   }
//
// Every top-level config of each directory (not the group options below it) is composed with its defaults list,
// resolved and checked with rig::validate_config against the registry of the test binary (link the components) and
// `schema`: one failure per invalid config, listing all of its problems. Warnings (keys nobody reads) fail too unless
// `allow_warnings` is set. Include this header only from test code (it needs <gtest/gtest.h>).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "rig/compose.hpp"
#include "rig/validate.hpp"

namespace rig::testing {

struct ExpectValidOptions {
  bool allow_warnings = false;
  std::vector<Override> overrides;  // applied to every config (e.g. a required `???` the CI run fills)
  std::vector<std::string> configs;  // only these primary configs (empty: every one in the directories)
};

// The number of configs checked (a test may assert that it is not zero).
inline size_t expect_valid_configs(const std::vector<std::filesystem::path>& config_dirs,
                                   const RecipeSchema& schema = {}, const ExpectValidOptions& options = {}) {
  size_t checked = 0;
  for (const auto& dir : config_dirs) {
    if (!std::filesystem::is_directory(dir)) {
      ADD_FAILURE() << "rig::testing::expect_valid_configs: no config directory " << dir;
      continue;
    }
    SearchPath sp;
    sp.add(dir, "expect_valid_configs");
    for (const auto& name : sp.options("")) {
      if (!options.configs.empty() && std::find(options.configs.begin(), options.configs.end(), name) == options.configs.end())
        continue;
      ++checked;
      try {
        Composition c = compose(name, ComposeOptions{sp, options.overrides, true});
        ValidationReport r = validate_config(c.config, {.schema = schema.empty() ? nullptr : &schema});
        if (!r.ok() || (!options.allow_warnings && !r.warnings.empty()))
          ADD_FAILURE() << "config '" << name << "' in " << dir.string() << " is not valid:\n" << r.format();
      } catch (const Error& e) {
        ADD_FAILURE() << "config '" << name << "' in " << dir.string() << " does not compose:\n" << format(e);
      }
    }
  }
  return checked;
}

}  // namespace rig::testing
