// The `rig` command-line tool. Each verb is a function below; CLI11 parses the flags.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/yaml.hpp"

namespace {

struct PrintArgs {
  std::string file;
  bool json = false;
  bool show_origin = false;
};

int print(const PrintArgs& a) {
  rig::Node cfg = rig::load_file(a.file);
  if (a.json)
    std::cout << rig::dump_json(cfg);
  else
    std::cout << rig::dump_yaml(cfg, {.show_origin = a.show_origin});
  return rig::kExitOk;
}

// ---- components: over whatever is registered in this binary (recipes link theirs in) ----------------------------

struct ComponentsArgs {
  std::string interface, pattern;
};

int components(const ComponentsArgs& a) {
  std::string text = rig::list_components(a.interface, a.pattern);
  if (rig::registry().size() == 0) std::cerr << "rig: no components are registered in this binary\n";
  std::cout << text;
  return rig::kExitOk;
}

int describe(const std::string& name) {
  const rig::ComponentDef* d = rig::registry().find(name);
  if (!d)
    throw rig::UsageError("rig.component.unknown", "unknown component '" + name + "'", {}, {},
                          rig::did_you_mean(rig::canonical_name(name), rig::registry().names()));
  std::cout << rig::describe(*d);
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

  ComponentsArgs components_args;
  auto* components_cmd = app.add_subcommand("components", "List the registered components");
  components_cmd->add_option("--interface", components_args.interface, "Only those registered as this C++ type");
  components_cmd->add_option("pattern", components_args.pattern, "A substring or glob (`*`, `?`) of the name");
  std::string describe_name;
  auto* describe_cmd = app.add_subcommand("describe", "Describe a registered component: parameters, defaults, docs");
  describe_cmd->add_option("name", describe_name, "Component name (a.b.C or a::b::C)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? rig::kExitOk : rig::kExitConfigError;
  }

  try {
    if (*print_cmd) return print(print_args);
    if (*components_cmd) return components(components_args);
    if (*describe_cmd) return describe(describe_name);
  } catch (const rig::Error& e) {
    std::cerr << rig::format(e, {.color = rig::use_color(2)});
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "rig: internal error: " << e.what() << "\n";
    return rig::kExitFailure;
  }
  return rig::kExitOk;
}
