// The `rig` command-line tool. Each verb is a function below; CLI11 parses the flags.
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "rig/app.hpp"
#include "rig/compose.hpp"
#include "rig/error.hpp"
#include "rig/interpolation.hpp"
#include "rig/overrides.hpp"
#include "rig/plugins.hpp"
#include "rig/sources.hpp"
#include "rig/yaml.hpp"
#include "process_memory.hpp"
#include "verbs.hpp"
#include "sweep_cmd.hpp"
#include "runs_cmd.hpp"
#include "tool_plugins.hpp"

namespace {

struct PrintArgs {
  std::vector<std::string> configs;  // --config FILE, repeatable
  std::vector<std::string> args;     // FILE... then OVERRIDES...
  bool json = false;
  bool show_origin = false;
  bool resolve = false;  // interpolations resolved
  bool show_env = false;  // values from environment variables shown, not redacted
  std::string history;   // --history KEY
  // composition (docs/composition.md)
  std::vector<std::string> config_dirs;  // --config-dir DIR, repeatable
  bool defaults_tree = false;
  bool keep_hydra = false;  // compose Hydra's namespace (the hydra group and node) like any other
  bool allow_outside_links = false;  // SearchPath::allow_links_outside
};

// The first config names a composition when a search path is configured, when it is a name (no extension), when
// the defaults tree is asked for, or when the file has a `defaults` list. A file that is loaded to find out is kept
// in `loaded`, so that it is read once. A path that exists but is not a regular file (a FIFO, a device, a directory)
// is refused here, before anything reads it.
bool composes(const std::string& first, const rig::SearchPath& sp, bool defaults_tree, std::optional<rig::Node>& loaded) {
  if (defaults_tree || !sp.empty()) return true;
  if (!(first.ends_with(".yaml") || first.ends_with(".yml") || first.ends_with(".json"))) {
    std::error_code ec;
    auto st = std::filesystem::status(first, ec);
    if (!ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st)) (void)rig::read_file(first);
    return true;
  }
  rig::Node file = rig::load_file(first);
  if (file.is_map() && file.contains("defaults")) return true;
  loaded = std::move(file);
  return false;
}

// The sources of `rig print`: files (the first one composed with its defaults list, if it has one), the environment,
// then the overrides, each with its real argv index. Returns false when it printed the defaults tree instead.
bool print_sources(const PrintArgs& a, int argc, char** argv, rig::ConfigSources& sources) {
  std::vector<std::string> files = a.configs;
  size_t i = 0;
  for (; i < a.args.size() && !rig::looks_like_override(a.args[i]); ++i) files.push_back(a.args[i]);
  if (files.empty())
    throw rig::UsageError("rig.usage.no_config", "no config file given", {}, {},
                          "rig print FILE... [OVERRIDES...] (or --config FILE, or --config-dir DIR NAME)");
  // Before the overrides are parsed: they are part of what the prepared heap holds (1,000 of them take ~0.5 MB).
  rig_cli::prepare_heap_for_input(rig_cli::input_bytes(files));
  std::vector<rig::Override> overrides;
  overrides.reserve(a.args.size() - i);
  int argv_pos = 1;
  for (; i < a.args.size(); ++i) {
    while (argv_pos < argc && a.args[i] != argv[argv_pos]) ++argv_pos;
    overrides.push_back(rig::parse_override(a.args[i], argv_pos < argc ? argv_pos++ : -1));
  }
  rig::SearchPath sp = rig::SearchPath::standard({a.config_dirs.begin(), a.config_dirs.end()});
  sp.allow_links_outside(a.allow_outside_links);
  size_t first_file = 0;
  std::optional<rig::Node> loaded;
  if (composes(files.front(), sp, a.defaults_tree, loaded)) {
    rig::ComposeOptions options{sp, std::move(overrides), /*apply_value_overrides=*/false, a.keep_hydra};
    for (int k = 1; k < argc; ++k)  // the name's argv position, for an unknown name's location
      if (a.configs.empty() && argv[k] == files.front()) {
        options.name_origin = rig::Origin{rig::Source::make("<cli>", files.front()), 1, 1, k};
        break;
      }
    rig::Composition c = rig::compose(files.front(), options);
    if (a.defaults_tree) {
      std::cout << rig::format_defaults_tree(c.tree);
      return false;
    }
    sources.defaults(std::move(c.config));
    overrides = std::move(c.value_overrides);
    first_file = 1;
  }
  for (size_t f = first_file; f < files.size(); ++f) {
    if (f == 0 && loaded) sources.file(files[f], std::move(*loaded));  // not read twice
    else sources.file(files[f]);
  }
  sources.environment().overrides(std::move(overrides));
  return true;
}

// `--history KEY`: each value the key had, oldest first, and who set it.
void print_history(const rig::Node& cfg, const std::string& key, bool show_env) {
  const rig::Node& node = cfg.at_path(key);
  std::vector<rig::Node> values = rig::value_history(node);
  if (!show_env)
    for (auto& v : values) v = rig::redact_environment_layer(v);
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
  rig::Node cfg = std::move(sources).build();
  if (!a.history.empty()) {
    print_history(cfg, a.history, a.show_env);
    return rig::kExitOk;
  }
  // Printed configs end up in logs: values from the environment are redacted unless asked for.
  rig::Node shown = a.resolve ? (a.show_env ? rig::resolve(cfg) : rig::resolve_redacted(cfg))
                              : (a.show_env ? cfg : rig::redact_environment_layer(cfg));
  if (a.json)
    rig::dump_json(shown, std::cout);
  else
    std::cout << rig::dump_yaml(shown, {.show_origin = a.show_origin});
  return rig_cli::finish_command(rig::kExitOk);  // a large input's trees are not torn down
}

}  // namespace

// Verbs that pass their arguments through untouched (run, validate) or must start fast (__complete).
int raw_verb(std::string_view verb, int argc, char** argv) {
  std::vector<std::string> rest(argv + 2, argv + argc);
  return rig_cli::handle([&] {
    if (verb == "__complete") return rig::tool::complete(rest);
    if (verb == "schema") return rig::tool::schema(rest);
    return rig::tool::run(rest, verb == "validate");
  });
}

// rig's own --plugin PATH (repeatable; components, describe, schema --component, ls) and RIG_PLUGIN_PATH: provided
// to this command (tool_plugins.hpp) and taken out of argv. run, validate and schema RECIPE pass --plugin on to the
// recipe, which loads it itself; __complete loads none.
void load_tool_plugins(int& argc, char** argv) {
  std::string_view verb = argc >= 2 ? argv[1] : "";
  if (verb == "run" || verb == "validate" || (verb == "schema" && argc >= 3 && argv[2] != std::string_view("--component")))
    return;
  auto plugin_option = [&](int i) {  // --plugin PATH or --plugin=PATH at argv[i]
    std::string_view a = argv[i];
    return (a == "--plugin" && i + 1 < argc) || a.starts_with("--plugin=");
  };
  bool given = false;
  for (int i = 1; i < argc && !given; ++i) given = plugin_option(i);
  const bool wanted = verb != "__complete" && (given || rig::plugin_path_set());
  if (!given && !wanted) return;  // most commands: nothing to take out, nothing to load
  std::vector<char*> original(argv, argv + argc + 1);  // the host is given the arguments as they came
  std::vector<std::filesystem::path> libs;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (!plugin_option(i)) argv[out++] = argv[i];
    else if (std::string_view a = argv[i]; a == "--plugin") libs.emplace_back(argv[++i]);
    else libs.emplace_back(a.substr(9));
  }
  argc = out;
  argv[argc] = nullptr;
  if (wanted) rig::tool::provide_plugins(libs, original.data());
}

// What `rig --version` prints.
std::string version_line() { return "rig " + std::string(rig::version()); }

// `rig --help` or `rig -h` and nothing else.
bool top_level_help(int argc, char** argv) {
  return argc == 2 && (argv[1] == std::string_view("--help") || argv[1] == std::string_view("-h"));
}

// The tool's command line; `only`: set up that verb alone (nullopt when the arguments do not parse that way).
std::optional<int> cli(int argc, char** argv, std::string_view only) {
  auto wanted = [&](std::string_view verb) { return only.empty() || only == verb; };
  // `rig --help` shows each verb's name and description only: setting up their options is most of a start-up's work.
  const bool names_only = only.empty() && top_level_help(argc, argv);
  CLI::App app{"rig: typed, located, composable configuration for C++"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line());

  PrintArgs print_args;
  CLI::App* print_cmd = nullptr;
  if (wanted("print")) {
    print_cmd = app.add_subcommand("print", "Load a config and print it as YAML (or JSON)");
    if (!names_only) {
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
      print_cmd->add_flag("--allow-outside-links", print_args.allow_outside_links,
                          "Follow symbolic links in config directories that lead outside the search path (refused by "
                          "default: rig.compose.outside_search_path)");
      print_cmd->add_flag("--keep-hydra", print_args.keep_hydra,
                          "Compose Hydra's namespace too: the `hydra` group and the top-level `hydra:` node (left out by "
                          "default, as Hydra leaves them out of the job config; docs/composition.md)");
      print_cmd->footer(rig::precedence_help());
      print_cmd->add_flag("--json", print_args.json, "Print JSON instead of YAML");
      print_cmd->add_flag("--show-origin", print_args.show_origin, "Show where each value was written (file:line:col)");
      print_cmd->add_flag("--resolve", print_args.resolve,
                          "Resolve ${...} interpolations (an unreferenced MISSING value stays as it is); with "
                          "--show-origin, also show which interpolations carried each value");
      print_cmd->add_flag("--show-env", print_args.show_env,
                          "Show values that came from environment variables (RIG_* and, with --resolve, ${oc.env:...} and anything "
                          "computed from one), redacted by default");
    }
  }
  if (wanted("sweep")) rig_cli::add_sweep_commands(app, argc, argv, names_only);  // `rig sweep ...` (tools/rig/sweep_cmd.cpp)
  if (wanted("runs") || wanted("diff")) rig_cli::add_runs_commands(app, names_only);  // `rig runs`, `rig diff` (runs_cmd.cpp)
  if (wanted("plot")) rig_cli::add_plot_command(app, names_only);                    // `rig plot` (tools/rig/plot_cmd.cpp)

  // ---- recipes and components: tools/rig/recipes.cpp, components.cpp, completion.cpp -------------------
  app.footer(
      "Recipes are found through their manifests (rig_add_recipe): RIG_RECIPE_PATH, <prefix>/share/rig/recipes and "
      "the build tree.\nrun and validate pass everything after RECIPE to the recipe: rig run RECIPE --help.\n"
      "Exit codes: 0 success, 1 failure, 2 config or usage error. Colour on a TTY unless NO_COLOR is set.");
  std::string ls_recipe;
  CLI::App* ls_cmd = nullptr;
  if (wanted("ls")) {
    ls_cmd = app.add_subcommand("ls", "List recipes and their configs (or one recipe in detail)");
    if (!names_only) ls_cmd->add_option("recipe", ls_recipe, "A recipe to show in detail");
  }
  if (only.empty()) {  // listed in help; main() handles them before CLI11
    app.add_subcommand("run", "Run a recipe: rig run RECIPE [--config NAME|PATH] [OVERRIDES...]");
    app.add_subcommand("validate", "Validate a recipe's config without running it: rig validate RECIPE --config X");
    app.add_subcommand("schema", "JSON Schema of a recipe's config for editors: rig schema RECIPE [--config X] | "
                                 "rig schema --component NAME");
  }
  std::string cp_what, cp_dest;
  bool cp_project = false;
  CLI::App* cp_cmd = nullptr;
  if (wanted("cp")) {
    cp_cmd = app.add_subcommand("cp", "Copy a recipe's source, a config, or (--project) a standalone CMake project");
    if (!names_only) {
      cp_cmd->add_option("what", cp_what, "RECIPE, or a config: RECIPE/NAME or NAME")->required();
      cp_cmd->add_option("dest", cp_dest, "Destination file or directory")->required();
      cp_cmd->add_flag("--project", cp_project,
                       "Write DEST/CMakeLists.txt (find_package(rig)), the recipe's sources and configs: builds as is");
    }
  }
  std::string describe_name;
  CLI::App* describe_cmd = nullptr;
  if (wanted("describe")) {
    describe_cmd = app.add_subcommand("describe", "Describe a component: interfaces, parameters, defaults, docs");
    if (!names_only) describe_cmd->add_option("component", describe_name, "Component name (either spelling, or an alias)")->required();
  }
  std::string comp_interface, comp_pattern;
  CLI::App* components_cmd = nullptr;
  if (wanted("components")) {
    components_cmd = app.add_subcommand("components", "List the components registered in the recipes");
    if (!names_only) {
      components_cmd->add_option("--interface", comp_interface, "Only those registered as this interface (or template)");
      components_cmd->add_option("pattern", comp_pattern, "Only names containing this text");
    }
  }
  std::string compat_rows = "Task", compat_cols = "Model";
  CLI::App* compat_cmd = nullptr;
  if (wanted("compat")) {
    compat_cmd = app.add_subcommand(
        "compat", "Which components fit together: ROWS<B> x COLS<B> from the registered types (● / ○)");
    if (!names_only) {
      compat_cmd->add_option("--rows", compat_rows, "Row interface or interface template")->capture_default_str();
      compat_cmd->add_option("--cols", compat_cols, "Column interface or interface template")->capture_default_str();
    }
  }
  std::string shell;
  CLI::App* completion_cmd = nullptr;
  if (wanted("completion")) {
    completion_cmd = app.add_subcommand("completion", "Print a shell completion script");
    if (!names_only) completion_cmd->add_option("shell", shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  }

  if (names_only) {
    // What parsing would print (CLI11 names the program after argv[0]), without the exception CLI11 reports help
    // with: unwinding through this large binary costs a cold process more than the help text itself.
    app.name(argv[0]);
    std::cout << app.help();
    return rig::kExitOk;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    bool version = dynamic_cast<const CLI::CallForVersion*>(&e) != nullptr;  // the same from any app
    if (!only.empty() && !version) return std::nullopt;  // again with every verb: help and errors in full
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Usage errors in rig's diagnostic format, like every other error.
    std::string verb = argc >= 2 ? argv[1] : "";
    rig::UsageError usage("rig.usage.arguments", e.what(), {}, {},
                          verb.empty() || verb.starts_with('-') ? "see rig --help"
                                                                : fmt::format("see rig {} --help", verb));
    std::cerr << rig::format(usage, {.color = rig::use_color(2)});
    return rig::kExitConfigError;
  }

  return rig_cli::handle([&] {
    if (print_cmd && *print_cmd) return print(print_args, argc, argv);
    if (ls_cmd && *ls_cmd) return rig::tool::ls(ls_recipe);
    if (cp_cmd && *cp_cmd) return rig::tool::cp(cp_what, cp_dest, cp_project);
    if (describe_cmd && *describe_cmd) return rig::tool::describe(describe_name);
    if (components_cmd && *components_cmd) return rig::tool::components(comp_interface, comp_pattern);
    if (compat_cmd && *compat_cmd) return rig::tool::compat(compat_rows, compat_cols);
    if (completion_cmd && *completion_cmd) return rig::tool::completion_script(shell);
    return rig::kExitOk;
  });
}

int main(int argc, char** argv) {
  if (int rc = rig_cli::handle([&] {
        load_tool_plugins(argc, argv);
        return rig::kExitOk;
      });
      rc != rig::kExitOk)
    return rc;
  if (argc == 2 && argv[1] == std::string_view("--version")) {  // as CLI11 prints it, without its exception
    std::cout << version_line() << std::endl;
    return rig::kExitOk;
  }
  if (argc >= 2) {
    std::string_view verb = argv[1];
    if (verb == "__complete" || verb == "run" || verb == "validate" || verb == "schema")
      return raw_verb(verb, argc, argv);
  }
  // Setting up every verb's options costs allocations at each start; a verb named first gets only its own. Anything
  // else (help, --version, an unknown verb, a verb whose arguments do not parse) is parsed again with all of them, so
  // that help and errors are CLI11's as always.
  std::string_view first = argc >= 2 ? argv[1] : "";
  if (!first.empty() && (first[0] != '-' || first == "--version"))
    if (std::optional<int> rc = cli(argc, argv, first)) return *rc;
  return *cli(argc, argv, "");
}
