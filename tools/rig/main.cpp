// The `rig` command-line tool. Each verb is a function below; CLI11 parses the flags.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "rig/compose.hpp"
#include "rig/error.hpp"
#include "rig/yaml.hpp"

namespace {

struct PrintArgs {
  std::string file;
  bool json = false;
  bool show_origin = false;
  // composition (issue 5)
  std::vector<std::string> config_dirs;
  std::vector<std::string> overrides;
  bool defaults_tree = false;
  int argc = 0;
  char** argv = nullptr;
};

// argv index of the first override, for error locations (overrides are consecutive positionals after the config).
int first_override_index(const PrintArgs& a) {
  if (a.overrides.empty()) return a.argc;
  for (int i = a.argc - 1; i >= 1; --i)
    if (a.argv[i] == a.overrides.front() && i + static_cast<int>(a.overrides.size()) <= a.argc) return i;
  return a.argc - static_cast<int>(a.overrides.size());
}

// A file printed as is unless something asks for composition or it has a defaults list.
bool wants_composition(const PrintArgs& a, const rig::SearchPath& sp) {
  if (!a.overrides.empty() || a.defaults_tree || !sp.empty()) return true;
  return !(a.file.ends_with(".yaml") || a.file.ends_with(".yml") || a.file.ends_with(".json"));
}

int print(const PrintArgs& a) {
  std::vector<std::filesystem::path> dirs(a.config_dirs.begin(), a.config_dirs.end());
  rig::SearchPath sp = rig::SearchPath::standard(dirs);
  rig::Node cfg;
  bool compose = wants_composition(a, sp);
  if (!compose) {
    cfg = rig::load_file(a.file);
    compose = cfg.is_map() && cfg.contains("defaults");  // a Hydra-style primary config
  }
  if (compose) {
    rig::ComposeOptions opts{sp, a.overrides, first_override_index(a)};
    rig::Composition c = rig::compose(a.file, opts);
    if (a.defaults_tree) {
      std::cout << rig::format_defaults_tree(c.tree);
      return rig::kExitOk;
    }
    cfg = std::move(c.config);
  }
  if (a.json)
    std::cout << rig::dump_json(cfg);
  else
    std::cout << rig::dump_yaml(cfg, {.show_origin = a.show_origin});
  return rig::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rig: typed, located, composable configuration for C++"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rig 0.1.0");

  PrintArgs print_args;
  auto* print_cmd = app.add_subcommand("print", "Load a config and print it as YAML (or JSON)");
  print_cmd->add_option("config", print_args.file,
                        "Config file (.yaml, .yml or .json), or a config name on the search path")
      ->required();
  print_cmd->add_option("overrides", print_args.overrides,
                        "Overrides: group=option, +group=option, ~group, key=value, key+=[x]");
  print_cmd->add_option("--config-dir", print_args.config_dirs,
                        "Directory searched for configs and groups (repeatable; before RIG_CONFIG_PATH)")
      ->allow_extra_args(false);
  print_cmd->add_flag("--defaults-tree", print_args.defaults_tree,
                      "Print the defaults tree (which file made each part, with the choices) instead of the config");
  print_cmd->add_flag("--json", print_args.json, "Print JSON instead of YAML");
  print_cmd->add_flag("--show-origin", print_args.show_origin, "Show where each value was written (file:line:col)");

  print_args.argc = argc;
  print_args.argv = argv;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? rig::kExitOk : rig::kExitConfigError;
  }

  try {
    if (*print_cmd) return print(print_args);
  } catch (const rig::Error& e) {
    std::cerr << rig::format(e, {.color = rig::use_color(2)});
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "rig: internal error: " << e.what() << "\n";
    return rig::kExitFailure;
  }
  return rig::kExitOk;
}
