// The `rig` command-line tool. Each verb is a function below; CLI11 parses the flags.
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "rig/compose.hpp"
#include "rig/error.hpp"
#include "rig/interpolation.hpp"
#include "rig/overrides.hpp"
#include "rig/registry.hpp"
#include "rig/sources.hpp"
#include "rig/yaml.hpp"
#include "sweep_cmd.hpp"

namespace {

struct PrintArgs {
  std::vector<std::string> configs;  // --config FILE, repeatable
  std::vector<std::string> args;     // FILE... then OVERRIDES...
  bool json = false;
  bool show_origin = false;
  bool resolve = false;  // interpolations resolved
  std::string history;   // --history KEY
  // composition (docs/composition.md)
  std::vector<std::string> config_dirs;  // --config-dir DIR, repeatable
  bool defaults_tree = false;
};

// An argument is an override when it starts with + or ~ or contains '='; everything after the first override is one.
bool looks_like_override(const std::string& arg) {
  return arg.starts_with('+') || arg.starts_with('~') || arg.find('=') != std::string::npos;
}

// The first config names a composition when a search path is configured, when it is a name (no extension), when
// the defaults tree is asked for, or when the file has a `defaults` list.
bool composes(const std::string& first, const rig::SearchPath& sp, bool defaults_tree) {
  if (defaults_tree || !sp.empty()) return true;
  if (!(first.ends_with(".yaml") || first.ends_with(".yml") || first.ends_with(".json"))) return true;
  rig::Node file = rig::load_file(first);
  return file.is_map() && file.contains("defaults");
}

// The sources of `rig print`: files (the first one composed with its defaults list, if it has one), the environment,
// then the overrides, each with its real argv index. Returns false when it printed the defaults tree instead.
bool print_sources(const PrintArgs& a, int argc, char** argv, rig::ConfigSources& sources) {
  std::vector<std::string> files = a.configs;
  size_t i = 0;
  for (; i < a.args.size() && !looks_like_override(a.args[i]); ++i) files.push_back(a.args[i]);
  if (files.empty())
    throw rig::UsageError("rig.usage.no_config", "no config file given", {}, {},
                          "rig print FILE... [OVERRIDES...] (or --config FILE, or --config-dir DIR NAME)");
  std::vector<rig::Override> overrides;
  int argv_pos = 1;
  for (; i < a.args.size(); ++i) {
    while (argv_pos < argc && a.args[i] != argv[argv_pos]) ++argv_pos;
    overrides.push_back(rig::parse_override(a.args[i], argv_pos < argc ? argv_pos++ : -1));
  }
  rig::SearchPath sp = rig::SearchPath::standard({a.config_dirs.begin(), a.config_dirs.end()});
  size_t first_file = 0;
  if (composes(files.front(), sp, a.defaults_tree)) {
    rig::ComposeOptions options{sp, std::move(overrides), /*apply_value_overrides=*/false};
    rig::Composition c = rig::compose(files.front(), options);
    if (a.defaults_tree) {
      std::cout << rig::format_defaults_tree(c.tree);
      return false;
    }
    sources.defaults(std::move(c.config));
    overrides = std::move(c.value_overrides);
    first_file = 1;
  }
  for (size_t f = first_file; f < files.size(); ++f) sources.file(files[f]);
  sources.environment().overrides(std::move(overrides));
  return true;
}

// `--history KEY`: each value the key had, oldest first, and who set it.
void print_history(const rig::Node& cfg, const std::string& key) {
  const rig::Node& node = cfg.at_path(key);
  std::vector<rig::Node> values = rig::value_history(node);
  std::cout << key << "\n";
  size_t n = 1;
  for (const auto& v : values) {
    std::string shown;
    try {
      shown = rig::dump_json(v, -1);
    } catch (const rig::Error&) {
      shown = rig::dump_yaml(v);
      while (!shown.empty() && shown.back() == '\n') shown.pop_back();
    }
    std::cout << fmt::format("  {}. {:<20} {}{}\n", n, shown, rig::setter_name(v.origin()),
                             n == values.size() ? "  (current)" : "");
    ++n;
  }
}

int print(const PrintArgs& a, int argc, char** argv) {
  rig::ConfigSources sources;
  if (!print_sources(a, argc, argv, sources)) return rig::kExitOk;
  rig::Node cfg = sources.build();
  if (!a.history.empty()) {
    print_history(cfg, a.history);
    return rig::kExitOk;
  }
  if (a.resolve) rig::resolve_in_place(cfg);
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
  print_cmd->add_option("args", print_args.args,
                        "FILE... (.yaml, .yml or .json; a later file wins) then OVERRIDES... (key=value, +key=value, "
                        "++key=value, ~key, key:=value, key+=[x]; see docs/overrides.md)");
  print_cmd->add_option("--config", print_args.configs, "Config file; repeatable, a later file wins")
      ->allow_extra_args(false);
  print_cmd->add_option("--history", print_args.history, "Show each value KEY had and who set it");
  print_cmd->add_option("--config-dir", print_args.config_dirs,
                        "Search DIR for config names and groups (repeatable; before RIG_CONFIG_PATH): the first "
                        "config is then a name, composed with its defaults list (docs/composition.md)")
      ->allow_extra_args(false);
  print_cmd->add_flag("--defaults-tree", print_args.defaults_tree,
                      "Print the defaults tree (which file made each part, with the choices) instead of the config");
  print_cmd->footer(rig::precedence_help());
  print_cmd->add_flag("--json", print_args.json, "Print JSON instead of YAML");
  print_cmd->add_flag("--show-origin", print_args.show_origin, "Show where each value was written (file:line:col)");
  print_cmd->add_flag("--resolve", print_args.resolve,
                      "Resolve ${...} interpolations (an unreferenced MISSING value stays as it is); with "
                      "--show-origin, also show which interpolations carried each value");
  rig_cli::add_sweep_commands(app, argc, argv);  // `rig sweep ...` (tools/rig/sweep_cmd.cpp)

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
    if (*print_cmd) return print(print_args, argc, argv);
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
