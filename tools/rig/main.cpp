// The `rig` command-line tool. Each verb is a function below; CLI11 parses the flags.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "rig/error.hpp"
#include "rig/interpolation.hpp"
#include "rig/yaml.hpp"

namespace {

struct PrintArgs {
  std::string file;
  bool json = false;
  bool show_origin = false;
  bool resolve = false;  // interpolations resolved (issue 3)
};

int print(const PrintArgs& a) {
  rig::Node cfg = rig::load_file(a.file);
  if (a.resolve) rig::resolve_in_place(cfg);
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
  print_cmd->add_option("file", print_args.file, "Config file (.yaml, .yml or .json)")->required();
  print_cmd->add_flag("--json", print_args.json, "Print JSON instead of YAML");
  print_cmd->add_flag("--show-origin", print_args.show_origin, "Show where each value was written (file:line:col)");
  print_cmd->add_flag("--resolve", print_args.resolve,
                      "Resolve ${...} interpolations (an unreferenced MISSING value stays as it is); with --show-origin, also show "
                      "which interpolations carried each value");

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
