// rig ls / run / validate / cp: recipes from their manifests.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "launch.hpp"
#include "manifests.hpp"
#include "rig/app.hpp"
#include "rig/error.hpp"
#include "rig/io.hpp"
#include "rig/registry.hpp"
#include "rig/schema.hpp"
#include "rig/yaml.hpp"
#include "table.hpp"
#include "verbs.hpp"

namespace rig::tool {

namespace fs = std::filesystem;
using rig_cli::join;

namespace {

bool is_config_path(const std::string& s) {
  return s.ends_with(".yaml") || s.ends_with(".yml") || s.ends_with(".json");
}

void check_config_name(const Recipe& r, const std::string& name) {
  if (is_config_path(name)) return;
  auto configs = r.primary_configs();
  if (std::find(configs.begin(), configs.end(), name) != configs.end()) return;
  std::string hint = did_you_mean(name, configs);
  throw UsageError("rig.run.unknown_config", fmt::format("recipe '{}' has no config '{}'", r.name(), name), {}, {},
                   (hint.empty() ? "" : hint + "; ") + fmt::format("configs of {}: {}", r.name(), join(configs)));
}

}  // namespace

int ls(const std::string& name) {
  auto recipes = load_recipes(/*components=*/false);
  Style s = Style::for_stdout();
  if (name.empty()) {
    if (recipes.empty()) {
      std::cout << "no recipes found; searched:\n";
      for (const auto& d : manifest_dirs()) std::cout << "  " << d.string() << "\n";
      return kExitOk;
    }
    size_t w = 6;
    for (const auto& r : recipes) w = std::max(w, r.name().size());
    std::cout << fmt::format("{}{:<{}}  {}{}\n", s.bold, "RECIPE", w, "CONFIGS", s.reset);
    for (const auto& r : recipes)
      std::cout << fmt::format("{}{:<{}}{}  {}{}\n", s.green, r.name(), w, s.reset, join(r.primary_configs()),
                               r.description().empty() ? "" : fmt::format("  {}— {}{}", s.dim, r.description(), s.reset));
    return kExitOk;
  }
  Recipe r = find_recipe(recipes, name);
  std::cout << fmt::format("{}{}{} — {}\n", s.bold, r.name(), s.reset, r.description());
  std::cout << fmt::format("  binary:   {}\n  manifest: {}\n  configs:  {}\n", r.binary(), r.manifest.string(),
                           join(r.primary_configs()));
  for (const auto& g : r.groups()) std::cout << fmt::format("  {}/: {}\n", g, join(r.options(g)));
  if (!r.m.keys.empty()) {
    std::cout << "  keys:\n";
    for (const auto& k : r.m.keys) std::cout << fmt::format("    {:<20} {:<14} {}\n", k.path, k.type, k.doc);
  }
  return kExitOk;
}

namespace {

// The recipe RECIPE names (options may come before it), with the configs its --config options name checked.
Recipe named_recipe(const std::vector<Recipe>& recipes, const LaunchArgs& a, std::string_view verb) {
  if (a.recipe.empty())
    throw UsageError("rig.usage.no_recipe", "no recipe given", {}, {}, fmt::format("rig {} RECIPE ...", verb));
  Recipe r = find_recipe(recipes, a.recipe);
  for (const auto& [flag, value] : recipe_flag_values(a.recipe_args))
    if (flag->completion == RecipeFlag::Completion::ConfigName) check_config_name(r, value);
  return r;
}

// Replaces this process with the recipe (its exit status is rig run's); when that fails, says why and exits 1.
[[noreturn]] void exec_recipe(const Recipe& r, std::vector<std::string> argv_strings) {
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execv(argv[0], argv.data());
  std::cerr << format(IoError("rig.run.exec", fmt::format("cannot run '{}': {}", r.binary(), std::strerror(errno)),
                              {}, {}, "rebuild or reinstall the recipe; its manifest is " + r.manifest.string()),
                      {.color = use_color(2)});
  std::exit(kExitFailure);
}

}  // namespace

int run(const std::vector<std::string>& args, bool validate) {
  std::string verb = validate ? "validate" : "run";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << fmt::format(
        "Usage: rig {} RECIPE [--config NAME|PATH]... [OVERRIDES...] [RECIPE OPTIONS]\n\n"
        "{} the recipe's binary (found through its manifest; rig ls lists them){}.\n"
        "Every option after RECIPE is the recipe's own: `rig {} RECIPE --help` shows them.\n{}",
        verb, validate ? "Validates the config of" : "Runs", validate ? " with --validate: nothing is run" : "", verb,
        validate ? ""
                 : "\nrig's own options (before or after RECIPE):\n"
                   "  --multirun, -m       a sweep: a=1,2 b=range(0,3) zip(...) (docs/sweeps.md)\n"
                   "    --dry-run          list the jobs, run nothing\n"
                   "    --launcher NAME    local or slurm (sweep.launcher=...); --wait: slurm, wait and collect\n"
                   "    --sweep-root DIR   where sweep directories go (default multirun)\n"
                   "    --launcher-file F  sweep settings from F (its slurm.setup / sbatch_lines shell lines included)\n"
                   "    --allow-config-shell  accept shell lines from the composed config's sweep: section\n"
                   "  --nproc N            N local processes of one data-parallel run (docs/torch.md)\n");
    return args.empty() ? kExitConfigError : kExitOk;
  }
  LaunchArgs launch = split_launch_args(args, !validate);
  Recipe r = named_recipe(load_recipes(/*components=*/false), launch, verb);
  const auto& rest = launch.recipe_args;
  if (launch.multirun) return run_recipe_multirun(launch, r.binary(), std::cout);
  if (launch.nproc > 1) return run_recipe_nproc(launch, r.binary());
  std::vector<std::string> argv_strings{r.binary()};
  argv_strings.insert(argv_strings.end(), rest.begin(), rest.end());
  if (validate) argv_strings.emplace_back("--validate");
  exec_recipe(r, std::move(argv_strings));
}


int schema(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "Usage: rig schema RECIPE [--config NAME|PATH]... [OVERRIDES...]\n"
                 "       rig schema --component NAME\n\n"
                 "Prints a JSON Schema (draft 2020-12) of the recipe's whole config as composed (without --config: its\n"
                 "default config, else its first), or of one registered component's config. For editors: VS Code's YAML\n"
                 "extension reads `# yaml-language-server: $schema=FILE` on a config's first line (docs/schema.md).\n";
    return args.empty() ? kExitConfigError : kExitOk;
  }
  bool component = args[0] == "--component" || args[0].starts_with("--component=");
  auto recipes = load_recipes(/*components=*/component, names_only);
  if (component) {
    std::string name = args[0] == "--component" ? (args.size() > 1 ? args[1] : "") : args[0].substr(12);
    if (name.empty())
      throw UsageError("rig.usage.missing_value", "--component needs a value", {}, {}, "rig schema --component NAME");
    if (const detail::ComponentDef* d = registry().find(name)) {  // a plugin's, loaded into this process
      std::cout << dump_json(component_json_schema(*d)) << "\n";
      return kExitOk;
    }
    std::vector<std::string> names;
    for (const auto& c : all_components(recipes)) {
      names.push_back(c.name);
      if (!component_has_name(c, name) || c.recipes.empty()) continue;
      // Any recipe that registers it has the same registered record: its binary renders the schema.
      Recipe r = find_recipe(recipes, c.recipes.front());
      exec_recipe(r, {r.binary(), "--schema-component", name});
    }
    std::string hint = did_you_mean(canonical_name(name), names);
    throw Error("rig.component.unknown", fmt::format("unknown component '{}'", name), {}, {},
                     hint.empty() ? "rig components lists them" : hint);
  }
  LaunchArgs a = split_launch_args(args, false);
  Recipe r = named_recipe(recipes, a, "schema");
  std::vector<std::string> argv{r.binary()};
  argv.insert(argv.end(), a.recipe_args.begin(), a.recipe_args.end());
  argv.emplace_back("--schema");
  exec_recipe(r, std::move(argv));
}

namespace {

void copy_new(const fs::path& from, const fs::path& to) {
  if (fs::exists(to))
    throw UsageError("rig.cp.exists", fmt::format("'{}' exists; rig cp never overwrites", to.string()));
  fs::create_directories(to.parent_path().empty() ? fs::path(".") : to.parent_path());
  fs::copy_file(from, to);
}

std::string cmake_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '$') out += '\\';
    out += c;
  }
  return out + "\"";
}

int copy_project(const Recipe& r, const fs::path& dest) {
  if (fs::exists(dest) && !fs::is_empty(dest))
    throw UsageError("rig.cp.exists", fmt::format("'{}' exists and is not empty", dest.string()));
  std::vector<std::string> sources, configs;
  for (const auto& s : r.m.sources) {
    copy_new(s, dest / fs::path(s).filename());
    sources.push_back(fs::path(s).filename().string());
  }
  fs::path cdir = r.config_dir();
  for (const auto& c : r.configs()) {
    for (std::string ext : {".yaml", ".yml", ".json"}) {
      fs::path f = cdir / (c + ext);
      if (!fs::exists(f)) continue;
      copy_new(f, dest / "configs" / (c + ext));
      configs.push_back("configs/" + c + ext);
    }
  }
  // The libraries it links (rig_add_recipe LINK): rig's own (rig::torch) come from find_package(rig) as components.
  std::vector<std::string> links = r.m.links, components;
  for (const auto& l : links)
    if (l.starts_with("rig::") && l != "rig::rig") components.push_back(l.substr(5));
  std::string cm = fmt::format(
      "# A standalone rig recipe project, written by `rig cp {0} --project`.\n"
      "#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<rig's install prefix> && cmake --build build\n"
      "#   ./build/{0} --help\n"
      "cmake_minimum_required(VERSION 3.25)\n"
      "project({0}_recipe LANGUAGES CXX)\n"
      "set(CMAKE_CXX_STANDARD 20)\n"
      "set(CMAKE_CXX_STANDARD_REQUIRED ON)\n"
      "find_package(rig REQUIRED{4})\n\n"
      "rig_add_recipe({0}\n  SOURCES {1}\n  CONFIGS {2}\n  CONFIG_DIR configs\n  DESCRIPTION {3}{5})\n",
      r.name(), join(sources, " "), join(configs, "\n          "), cmake_quote(r.description()),
      components.empty() ? "" : " COMPONENTS " + join(components, " "),
      links.empty() ? "" : "\n  LINK " + join(links, " "));
  write_file_atomic(dest / "CMakeLists.txt", cm);
  std::cout << fmt::format("wrote {} (CMakeLists.txt, {} source{}, {} config{})\n", dest.string(), sources.size(),
                           sources.size() == 1 ? "" : "s", configs.size(), configs.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

int cp(const std::string& what, const std::string& dest, bool project) {
  auto recipes = load_recipes(/*components=*/false);
  for (const auto& r : recipes) {
    if (r.name() != what) continue;
    if (project) return copy_project(r, dest);
    const auto& sources = r.m.sources;
    fs::path d = dest;
    bool into_dir = sources.size() > 1 || fs::is_directory(d) || dest.ends_with('/');
    for (const auto& s : sources) copy_new(s, into_dir ? d / fs::path(s).filename() : d);
    std::cout << fmt::format("copied {} source file{} of {} to {}\n", sources.size(), sources.size() == 1 ? "" : "s",
                             what, dest);
    return kExitOk;
  }
  if (project) find_recipe(recipes, what);  // throws: --project needs a recipe
  // A config: RECIPE/NAME, or NAME when one recipe has it.
  std::vector<std::pair<Recipe, std::string>> found;
  std::vector<std::string> all;
  for (const auto& r : recipes)
    for (const auto& c : r.configs()) {
      all.push_back(r.name() + "/" + c);
      if (what == r.name() + "/" + c || what == c) found.emplace_back(r, c);
    }
  if (found.empty()) {
    std::string hint = did_you_mean(what, all);
    throw UsageError("rig.cp.unknown", fmt::format("'{}' is neither a recipe nor a config", what), {}, {},
                     hint.empty() ? "rig ls lists recipes and their configs" : hint);
  }
  if (found.size() > 1) {
    std::vector<std::string> names;
    for (auto& [r, c] : found) names.push_back(r.name() + "/" + c);
    throw UsageError("rig.cp.ambiguous", fmt::format("config '{}' exists in several recipes", what), {}, {},
                     "say which: " + join(names));
  }
  auto& [r, c] = found.front();
  for (std::string ext : {".yaml", ".yml", ".json"}) {
    fs::path f = r.config_dir() / (c + ext);
    if (!fs::exists(f)) continue;
    fs::path to = fs::is_directory(dest) ? fs::path(dest) / f.filename() : fs::path(dest);
    copy_new(f, to);
    std::cout << fmt::format("copied {} to {}\n", f.string(), to.string());
    return kExitOk;
  }
  throw IoError("rig.cp.missing", fmt::format("the file of config '{}' is gone from {}", c, r.config_dir().string()));
}

}  // namespace rig::tool
