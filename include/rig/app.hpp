// rig/app.hpp — a recipe is a small program; one line gives it rig's command line, run directories and checks.
//
//   int echo(const rig::Config& cfg) {                    // your program: read the config, do the work
//     fmt::print("{}\n", cfg.get<std::string>("message"));
//     return 0;                                            // the exit status (throwing: 1, or 2 for a rig::Error)
//   }
//   RIG_RECIPE(echo, rig::RecipeSchema().key<std::string>("message", "what to print"));
//
// (RIG_RECIPE is `int main(argc, argv) { return rig::run_recipe(argc, argv, echo, schema); }`). Build it with rig_add_recipe()
// (cmake/RigRecipe.cmake), which also gives it its name, description and bundled configs. The program then takes:
//
//   echo [--config NAME|PATH]... [OVERRIDES...]     compose, resolve, make a run directory, call echo(cfg)
//        --config-dir DIR                            search DIR first for config names and groups (repeatable)
//        --print-config [--resolve] [--show-origin]  print the composed config as YAML and exit (stdout: YAML only;
//                     [--show-env]                  resolved values from environment variables are redacted unless
//                                                   --show-env)
//        --print-config --with-defaults              also every default the code gives a key the config leaves out
//        --schema | --schema-component NAME          print a JSON Schema of the config, or of one component
//        --plugin PATH                               load a shared library of components first (repeatable)
//        --validate                                  check everything without running (rig/validate.hpp)
//        --validate-jobs FILE                        the same for every job of a sweep, in one pass (rig's own:
//                                                    `rig run -m` checks its jobs with it; docs/sweeps.md)
//        --output-dir DIR                            the run directory (default outputs/<recipe>/<date>_<time>)
//        --help                                      description, precedence, every config key with type/default/doc
//
// The first --config is composed with its defaults list (rig/compose.hpp); later ones are merged on top; with no
// --config the recipe's own name is composed when its config dirs have it. Overrides follow (rig/overrides.hpp).
//
// Run directory: created fresh for each run (a `_1`, `_2`... suffix when the name is taken; never reused), holding
//   config.yaml    the composed config, unresolved
//   resolved.yaml  resolved; values from environment variables shown as `<redacted:env VAR>`
//   overrides.txt  the overrides, one per line
//   run.json       argv, start and end time (UTC), exit status, host, rig version, git commit of the working dir
//   stdout.log     the recipe's console output (rig/console.hpp)
// all but stdout.log written atomically (rig::write_file_atomic). The recipe then sees every optional schema key: one the config
// lacks holds the schema's default (origin "<schema default>"), so recipes read schema keys with get<T>, never get_or. The config gets a root key `run_dir` (so `${run_dir}` works), an
// `output_dir: ???` is filled with it (torchtune's spelling), and `${hydra:runtime.output_dir}` resolves to it.
//
// Hooks (rig/sources.hpp, the highest source of kPrecedence): a third argument lists named functions that see the
// config composed from every other source and may set keys, e.g. a task setting its model's input size:
//
//   RIG_RECIPE(train, schema(), rig::RecipeHooks{{"task_sets_model_sizes", [](rig::HookContext& h) {
//     h.set("model.in_features", rig::Node(h.config().get<int64_t>("task.num_features")));
//   }}});
//
// They run on every composition (the run, --print-config, --validate); a value they set has origin "hook NAME".
//
// Exit codes (rig/error.hpp): 0 success; 1 the recipe failed (returned 1 or threw); 2 a config or usage error,
// including every --validate failure. A recipe's own non-zero return is passed through.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/config.hpp"
#include "rig/sources.hpp"
#include "rig/validate.hpp"

namespace rig {

using RecipeFunction = std::function<int(const Config&)>;

// What rig_add_recipe tells a recipe about itself (set before main by a generated source file). Empty fields are
// filled from argv[0].
struct RecipeInfo {
  std::string name;
  std::string description;
  std::vector<std::filesystem::path> config_dirs;  // bundled configs: installed location first, then the source tree
  std::vector<std::string> sources;                // the recipe's source files (rig cp)
  std::vector<std::string> links;                  // the libraries it links (rig_add_recipe LINK; rig cp --project)
};

// One option of a recipe's command line. recipe_flags() is the one table of them: the recipe's parser, its --help,
// `rig`'s shell completion and `rig run` (which passes them through to the recipe) all read it.
struct RecipeFlag {
  enum class Completion { None, ConfigName, Directory };
  std::string_view name;   // "--config"
  std::string_view value;  // the value's name in --help ("NAME|PATH"); empty: a switch that takes no value
  std::string_view help;
  Completion completion = Completion::None;  // what a shell completes as the value
  std::string_view alias = {};                // "-h"
  bool internal = false;  // for rig's own tools (rig_add_recipe, rig run -m), not people: not in --help or completion

  bool takes_value() const { return !value.empty(); }
};
const std::vector<RecipeFlag>& recipe_flags();

// The flag `arg` is (`--config`, `--config=NAME` and an alias all match), or nullptr.
const RecipeFlag* find_recipe_flag(std::string_view arg);

// The flags of `args` (a recipe's arguments) that take a value, each with its value (`--flag V` or `--flag=V`), in
// order. A flag missing its value at the end: UsageError rig.usage.missing_value.
std::vector<std::pair<const RecipeFlag*, std::string>> recipe_flag_values(const std::vector<std::string>& args);

// Named hooks, run in this order after every other config source.
using RecipeHooks = std::vector<std::pair<std::string, Hook>>;

// rig's version: the CMake project version (CMakeLists.txt), as `rig --version` and run.json report it.
std::string_view version();

int run_recipe(int argc, char** argv, const RecipeFunction& recipe, const RecipeSchema& schema = {},
               const RecipeHooks& hooks = {});

// The run directory for `recipe` under `root`: root/<recipe>/<YYYY-MM-DD_HH-MM-SS>[_N], created (and so reserved)
// by this call. Two processes never get the same directory.
std::filesystem::path make_run_dir(const std::filesystem::path& root, const std::string& recipe);

namespace detail {
// Called by the source file rig_add_recipe generates.
struct RecipeInfoRegistrar {
  explicit RecipeInfoRegistrar(RecipeInfo info);
};
const RecipeInfo& recipe_info();

// A step run_recipe takes first, before it reads its arguments. A component library that needs one registers it
// with a static RecipeStartupRegistrar, so every recipe linking it gets it through RIG_RECIPE (rig::torch: OpenMP's
// passive wait policy, which needs a re-exec before LibTorch does any work).
using RecipeStartup = void (*)(char** argv);
struct RecipeStartupRegistrar {
  explicit RecipeStartupRegistrar(RecipeStartup step);
};
}  // namespace detail

}  // namespace rig

// Defines main() for recipe function `fn`; optional further arguments: its rig::RecipeSchema, its rig::RecipeHooks.
#define RIG_RECIPE(fn, ...) \
  int main(int argc, char** argv) { return ::rig::run_recipe(argc, argv, fn __VA_OPT__(, ) __VA_ARGS__); }
