// The `rig` command-line tool. Each verb is a function below; CLI11 parses the flags.
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "rig/error.hpp"
#include "rig/interpolation.hpp"
#include "rig/overrides.hpp"
#include "rig/sources.hpp"
#include "rig/yaml.hpp"

namespace {

struct PrintArgs {
  std::vector<std::string> configs;  // --config FILE, repeatable
  std::vector<std::string> args;     // FILE... then OVERRIDES...
  bool json = false;
  bool show_origin = false;
  bool resolve = false;  // interpolations resolved
  std::string history;   // --history KEY
};

// An argument is an override when it starts with + or ~ or contains '='; everything after the first override is one.
bool looks_like_override(const std::string& arg) {
  return arg.starts_with('+') || arg.starts_with('~') || arg.find('=') != std::string::npos;
}

// The sources of `rig print`: files, the environment, then the overrides, each with its real argv index.
rig::ConfigSources print_sources(const PrintArgs& a, int argc, char** argv) {
  rig::ConfigSources sources;
  for (const auto& f : a.configs) sources.file(f);
  size_t i = 0;
  for (; i < a.args.size() && !looks_like_override(a.args[i]); ++i) sources.file(a.args[i]);
  if (a.configs.empty() && i == 0)
    throw rig::UsageError("rig.usage.no_config", "no config file given", {}, {},
                          "rig print FILE... [OVERRIDES...] (or --config FILE)");
  std::vector<rig::Override> overrides;
  int argv_pos = 1;
  for (; i < a.args.size(); ++i) {
    while (argv_pos < argc && a.args[i] != argv[argv_pos]) ++argv_pos;
    overrides.push_back(rig::parse_override(a.args[i], argv_pos < argc ? argv_pos++ : -1));
  }
  sources.environment().overrides(std::move(overrides));
  return sources;
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
  rig::Node cfg = print_sources(a, argc, argv).build();
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
  print_cmd->footer(rig::precedence_help());
  print_cmd->add_flag("--json", print_args.json, "Print JSON instead of YAML");
  print_cmd->add_flag("--show-origin", print_args.show_origin, "Show where each value was written (file:line:col)");
  print_cmd->add_flag("--resolve", print_args.resolve,
                      "Resolve ${...} interpolations (an unreferenced MISSING value stays as it is); with "
                      "--show-origin, also show which interpolations carried each value");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? rig::kExitOk : rig::kExitConfigError;
  }

  try {
    if (*print_cmd) return print(print_args, argc, argv);
  } catch (const rig::Error& e) {
    std::cerr << rig::format(e, {.color = rig::use_color(2)});
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "rig: internal error: " << e.what() << "\n";
    return rig::kExitFailure;
  }
  return rig::kExitOk;
}
