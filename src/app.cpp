#include "rig/app.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>

#include "detail/recipe_manifest.hpp"
#include "rig/compose.hpp"
#include "rig/distributed_env.hpp"
#include "rig/error.hpp"
#include "rig/interpolation.hpp"
#include "rig/io.hpp"
#include "rig/overrides.hpp"
#include "rig/sources.hpp"
#include "rig/yaml.hpp"

#ifndef RIG_VERSION
#define RIG_VERSION "unknown"
#endif

namespace rig {

namespace detail {

namespace {
RecipeInfo& info_storage() {
  static RecipeInfo info;
  return info;
}
}  // namespace

RecipeInfoRegistrar::RecipeInfoRegistrar(RecipeInfo info) { info_storage() = std::move(info); }
const RecipeInfo& recipe_info() { return info_storage(); }

namespace {
std::vector<RecipeStartup>& startup_steps() {
  static std::vector<RecipeStartup> steps;
  return steps;
}
}  // namespace

RecipeStartupRegistrar::RecipeStartupRegistrar(RecipeStartup step) { startup_steps().push_back(step); }

}  // namespace detail

namespace {

namespace fs = std::filesystem;

struct RecipeArgs {
  std::vector<std::string> configs;
  std::vector<fs::path> config_dirs;
  std::vector<Override> overrides;
  std::vector<std::string> override_texts;
  bool help = false, print_config = false, resolve = false, show_origin = false, validate = false;
  bool show_env = false;  // --print-config --resolve shows environment values instead of redacting them
  std::optional<fs::path> output_dir;
  std::optional<fs::path> manifest;  // --rig-manifest FILE (rig_add_recipe's build step)
  bool installed = false;            // --rig-installed: the manifest describes the installed recipe
};

// The flag names and aliases, for did-you-mean.
std::vector<std::string> flag_names() {
  std::vector<std::string> out;
  for (const auto& f : recipe_flags())
    if (!f.internal) out.emplace_back(f.name);
  return out;
}

UsageError missing_value(const RecipeFlag& f) {
  return UsageError("rig.usage.missing_value", fmt::format("{} needs a value", f.name), {}, {},
                    fmt::format("{} {}", f.name, f.value));
}

// Records flag `f` (its value, when it takes one) in `a`.
void set_flag(RecipeArgs& a, const RecipeFlag& f, std::string value) {
  std::string_view n = f.name;
  if (n == "--config") a.configs.push_back(std::move(value));
  else if (n == "--config-dir") a.config_dirs.emplace_back(std::move(value));
  else if (n == "--print-config") a.print_config = true;
  else if (n == "--resolve") a.resolve = true;
  else if (n == "--show-origin") a.show_origin = true;
  else if (n == "--show-env") a.show_env = true;
  else if (n == "--validate") a.validate = true;
  else if (n == "--output-dir") a.output_dir = std::move(value);
  else if (n == "--help") a.help = true;
  else if (n == "--rig-manifest") a.manifest = std::move(value);
  else if (n == "--rig-installed") a.installed = true;
}

RecipeArgs parse_args(int argc, char** argv) {
  RecipeArgs a;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (const RecipeFlag* f = find_recipe_flag(arg)) {
      std::string value;
      if (f->takes_value()) {
        if (arg.size() > f->name.size() && arg[f->name.size()] == '=') value = arg.substr(f->name.size() + 1);
        else if (i + 1 >= argc) throw missing_value(*f);
        else value = argv[++i];
      }
      set_flag(a, *f, std::move(value));
    } else if (arg.starts_with("--") && !looks_like_override(arg)) {
      std::string hint = did_you_mean(arg, flag_names());
      throw UsageError("rig.usage.unknown_flag", fmt::format("unknown option '{}'", arg), {}, {},
                       hint.empty() ? "see --help" : hint);
    } else if (!looks_like_override(arg)) {
      throw UsageError("rig.usage.not_override", fmt::format("'{}' is neither an option nor an override", arg), {},
                       {}, fmt::format("overrides are key=value; to choose a config: --config {}", arg));
    } else {
      a.overrides.push_back(parse_override(arg, i));
      a.override_texts.emplace_back(arg);
    }
  }
  return a;
}

// The recipe's name and bundled config dirs (rig_add_recipe), with argv[0] as the fallback name.
// An installed recipe (<prefix>/bin/NAME) uses its installed configs and sources (rig_add_recipe's install layout).
RecipeInfo effective_info(const char* argv0) {
  RecipeInfo info = detail::recipe_info();
  if (info.name.empty()) info.name = fs::path(argv0).filename().string();
  std::error_code ec;
  fs::path prefix = fs::canonical("/proc/self/exe", ec).parent_path().parent_path();
  if (ec) return info;
  fs::path configs = prefix / "share/rig/configs" / info.name;
  if (fs::is_directory(configs, ec)) info.config_dirs.insert(info.config_dirs.begin(), configs);
  fs::path sources = prefix / "share/rig/sources" / info.name;
  if (fs::is_directory(sources, ec))
    for (auto& s : info.sources) s = (sources / fs::path(s).filename()).string();
  return info;
}

struct Composed {
  Node config;
  std::vector<std::string> config_names;  // as composed
};

Composed compose_config(const RecipeInfo& info, const RecipeArgs& a, const RecipeHooks& hooks) {
  SearchPath sp = SearchPath::standard(a.config_dirs);  // the recipe's bundled dirs are registered
  Composed out;
  out.config_names = a.configs;
  if (out.config_names.empty() && sp.find(info.name)) out.config_names.push_back(info.name);
  std::vector<Override> value_overrides = a.overrides;
  Node cfg = Node::map();
  if (!out.config_names.empty()) {
    Composition c = compose(out.config_names.front(), ComposeOptions{sp, a.overrides, false});
    cfg = std::move(c.config);
    value_overrides = std::move(c.value_overrides);
    for (size_t i = 1; i < out.config_names.size(); ++i)
      merge_with_history(cfg, compose(out.config_names[i], ComposeOptions{sp, {}, true}).config);
  }
  ConfigSources sources;
  sources.defaults(std::move(cfg)).environment().overrides(std::move(value_overrides));
  for (const auto& [name, hook] : hooks) sources.hook(name, hook);
  out.config = sources.build();
  return out;
}

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms);
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

// `git rev-parse HEAD` in the working directory; empty outside a repository or without git.
std::string git_commit() {
  FILE* p = popen("git rev-parse HEAD 2>/dev/null", "r");
  if (!p) return {};
  char buf[128] = {};
  std::string out;
  while (fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

struct RunRecord {
  std::vector<std::string> argv;
  std::string recipe, start, end, host, commit, cwd;
  std::optional<int> status;
  fs::path run_dir;

  std::string json() const {
    Node n = Node::map();
    n.set("recipe", Node(recipe));
    Node args = Node::list();
    for (const auto& a : argv) args.push_back(Node(a));
    n.set("argv", args);
    n.set("cwd", Node(cwd));
    n.set("run_dir", Node(run_dir.string()));
    n.set("start_time", Node(start));
    n.set("end_time", end.empty() ? Node() : Node(end));
    n.set("exit_status", status ? Node(*status) : Node());
    n.set("host", Node(host));
    n.set("rig_version", Node(std::string(version())));
    n.set("git_commit", commit.empty() ? Node() : Node(commit));
    return dump_json(n);
  }
};

void print_help(const RecipeInfo& info, const RecipeSchema& schema, const RecipeHooks& hooks, const RecipeArgs& a) {
  std::string out = fmt::format("{}{}\n\n", info.name, info.description.empty() ? "" : " — " + info.description);
  out += fmt::format("Usage: {} [--config NAME|PATH]... [OVERRIDES...] [OPTIONS]\n\n", info.name);
  out += "Options:\n";
  for (const auto& f : recipe_flags()) {
    if (f.internal) continue;
    std::string help(f.help);
    for (size_t at = 0; (at = help.find('\n', at)) != std::string::npos; at += 24) help.insert(at + 1, 23, ' ');
    out += fmt::format("  {:<20} {}\n", f.value.empty() ? std::string(f.name) : fmt::format("{} {}", f.name, f.value),
                       help);
  }
  out += "Overrides: key=value, +key=value, ++key=value, ~key, key:=value, key+=[x], group=option\n\n";
  out += precedence_help();
  if (!out.ends_with('\n')) out += '\n';
  out += "  (the configs --config composes, with their defaults lists, form layer 2)\n";
  if (!hooks.empty()) {
    std::vector<std::string> names;
    for (const auto& h : hooks) names.push_back(h.first);
    out += fmt::format("  hooks of this recipe: {}\n", fmt::join(names, ", "));
  }
  if (!schema.empty()) {
    out += "\nConfig keys this recipe reads:\n";
    for (const auto& k : schema.keys()) {
      std::string type = k.section ? "(section)" : k.type_name ? k.type_name() : "any";
      std::string def = k.has_default ? " = " + dump_json(k.default_value, -1) : k.required && !k.section ? " (required)" : "";
      out += fmt::format("  {:<24} {:<14}{}{}\n", k.path, type, def, k.doc.empty() ? "" : "  " + k.doc);
      if (k.interface) {
        auto names = registry().names(k.interface);
        if (!names.empty()) out += fmt::format("  {:<24} one of: {}\n", "", fmt::join(names, ", "));
      }
    }
  }
  // Components of the config as composed (with the options given), their parameters from the registry.
  try {
    Composed c = compose_config(info, a, hooks);
    std::string comps;
    auto walk = [&](auto& self, const Node& n, const std::string& path) -> void {
      if (!n.is_map()) return;
      const Node* name = n.find("_component_");
      if (!name) name = n.find("_target_");
      const ComponentDef* def = name && name->is_string() ? registry().find(name->str()) : nullptr;
      if (def) {
        comps += fmt::format("  {} ({})\n", path.empty() ? "<root>" : path, def->name());
        for (size_t i = 0; i < def->params.size(); ++i) {
          const ParamDef& p = def->params[i];
          std::string dv = p.required ? " (required)" : "";
          if (!p.required) {
            try {
              dv = " = " + dump_json(def->default_value(i), -1);
            } catch (const Error&) {
            }
          }
          comps += fmt::format("    {:<22} {:<14}{}{}\n", (path.empty() ? "" : path + ".") + std::string(p.name),
                               p.type_name(), dv, p.doc.empty() ? "" : "  " + std::string(p.doc));
        }
      }
      for (const auto& e : n.entries()) self(self, e.value, path.empty() ? e.key : path + "." + e.key);
    };
    walk(walk, c.config, "");
    if (!comps.empty()) out += "\nComponents in " + (c.config_names.empty() ? std::string("the config") : "config '" + c.config_names.front() + "'") + " (from the registry):\n" + comps;
  } catch (const Error&) {
  }
  SearchPath sp;
  for (const auto& d : info.config_dirs)
    if (fs::is_directory(d)) sp.add(d);
  if (auto names = sp.options(""); !names.empty())
    out += fmt::format("\nConfigs: {}\n", fmt::join(names, ", "));
  out += "\nExit codes: 0 success, 1 the recipe failed, 2 config or usage error.\n";
  std::cout << out;
}

// Fills the keys the runtime provides and registers ${hydra:runtime.output_dir}.
void provide_run_dir(Node& cfg, const fs::path& run_dir) {
  Origin at{Source::make("<rig run_dir>"), 0, 0, -1};
  if (!cfg.contains("run_dir")) cfg.set("run_dir", Node(run_dir.string()).set_origin(at));
  if (const Node* o = cfg.find("output_dir"); o && o->is_missing())
    cfg.set("output_dir", Node(run_dir.string()).set_origin(at));
  std::string dir = run_dir.string();
  register_resolver(
      "hydra",
      [dir](std::string key) -> std::string {
        if (key == "runtime.output_dir" || key == "run.dir") return dir;
        throw InterpolationError("rig.interpolation.hydra_key",
                                 fmt::format("${{hydra:{}}} is not provided (runtime.output_dir and run.dir are)", key));
      },
      ResolverOptions{.replace = true});
}

// `body`'s exit status; an escaping rig::Error is printed as a located diagnostic (its exit code), any other
// exception as "<recipe>: error: ..." (exit 1).
int exit_status_of(const RecipeInfo& info, const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << format(e, {.color = use_color(2)});
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << fmt::format("{}: error: {}\n", info.name, e.what());
    return kExitFailure;
  }
}

// The schema's default of each optional key the config lacks, so that the recipe reads every schema key with get():
// the default is written once, in the schema. A key below something that is not a map is left to the recipe's read.
void fill_schema_defaults(Node& cfg, const RecipeSchema& schema) {
  Origin at{Source::make("<schema default>"), 0, 0, -1};
  for (const auto& k : schema.keys()) {
    if (!k.has_default) continue;
    KeyPath path = KeyPath::parse(k.path);
    if (cfg.find_path(path)) continue;
    try {
      cfg.set_path(path, Node(k.default_value).set_origin(at));
    } catch (const Error&) {
    }
  }
}

// The recipe function's exit status; its errors are printed.
int run_recipe_function(const RecipeInfo& info, Node cfg, const RecipeSchema& schema, const RecipeFunction& recipe) {
  fill_schema_defaults(cfg, schema);
  return exit_status_of(info, [&] { return recipe(Config(std::move(cfg))); });
}

// RIG_RUN_DIR: set by a sweep launcher for each job (rig/multirun.hpp).
std::optional<fs::path> sweep_run_dir() {
  const char* dir = std::getenv("RIG_RUN_DIR");
  if (!dir || !*dir) return std::nullopt;
  return fs::path(dir);
}

int run(const RecipeInfo& info, const RecipeArgs& a, Node cfg, const RecipeSchema& schema, const RecipeFunction& recipe,
        int argc, char** argv) {
  RunRecord rec;
  rec.recipe = info.name;
  for (int i = 0; i < argc; ++i) rec.argv.emplace_back(argv[i]);
  rec.start = utc_now();
  rec.host = host_name();
  rec.commit = git_commit();
  rec.cwd = fs::current_path().string();
  // Rank 0 of a data-parallel job (or the only process) owns the run directory; the other ranks write nothing.
  if (!distributed_env().is_main()) {
    rec.run_dir = a.output_dir ? *a.output_dir : sweep_run_dir().value_or(fs::path("outputs") / info.name / "<rank 0 run directory>");
    provide_run_dir(cfg, rec.run_dir);
    return run_recipe_function(info, cfg, schema, recipe);
  }
  if (a.output_dir) {
    fs::create_directories(*a.output_dir);
    if (fs::exists(*a.output_dir / "run.json"))
      throw UsageError("rig.run.dir_used", fmt::format("'{}' already holds a run", a.output_dir->string()), {}, {},
                       "run directories are never reused: choose another --output-dir");
    rec.run_dir = *a.output_dir;
  } else if (auto job_dir = sweep_run_dir()) {
    rec.run_dir = *job_dir;  // a sweep job: its run directory is the sweep's (a resumed job runs there again)
    fs::create_directories(rec.run_dir);
  } else {
    rec.run_dir = make_run_dir("outputs", info.name);
  }
  provide_run_dir(cfg, rec.run_dir);
  std::string overrides;
  for (const auto& o : a.override_texts) overrides += o + "\n";
  write_file_atomic(rec.run_dir / "config.yaml", dump_yaml(cfg));
  write_file_atomic(rec.run_dir / "overrides.txt", overrides);
  write_file_atomic(rec.run_dir / "run.json", rec.json());
  std::cerr << fmt::format("[{}] run directory: {}\n", info.name, rec.run_dir.string());
  auto finish = [&](int status) {
    rec.status = status;
    rec.end = utc_now();
    write_file_atomic(rec.run_dir / "run.json", rec.json());
    return status;
  };
  try {
    write_file_atomic(rec.run_dir / "resolved.yaml", dump_yaml(redact_environment(resolve(cfg), cfg)));
  } catch (const Error& e) {
    std::cerr << format(e, {.color = use_color(2)});
    return finish(e.exit_code());
  }
  return finish(run_recipe_function(info, cfg, schema, recipe));
}

}  // namespace

const std::vector<RecipeFlag>& recipe_flags() {
  using C = RecipeFlag::Completion;
  static const std::vector<RecipeFlag> flags = {
      {"--config", "NAME|PATH", "config to compose (repeatable; a later one is merged on top)", C::ConfigName},
      {"--config-dir", "DIR", "search DIR first for config names and groups (repeatable)", C::Directory},
      {"--print-config", "", "print the composed config as YAML and exit"},
      {"--resolve", "", "with --print-config: resolve interpolations; values from environment variables are\n"
                        "redacted unless --show-env"},
      {"--show-env", "", "with --print-config --resolve: show values from environment variables"},
      {"--show-origin", "", "with --print-config: the file, line and column (or override) of every value"},
      {"--validate", "", "check the whole config (registry, types, ???, the keys this recipe reads); run nothing"},
      {"--output-dir", "DIR", "the run directory (default outputs/<recipe>/<YYYY-MM-DD_HH-MM-SS>)", C::Directory},
      {"--help", "", "this text", C::None, "-h"},
      {"--rig-manifest", "FILE", "write the recipe's manifest (rig_add_recipe's build step) and exit", C::None, {},
       true},
      {"--rig-installed", "", "with --rig-manifest: describe the installed recipe", C::None, {}, true},
  };
  return flags;
}

const RecipeFlag* find_recipe_flag(std::string_view arg) {
  for (const auto& f : recipe_flags()) {
    if (arg == f.name || (!f.alias.empty() && arg == f.alias)) return &f;
    if (f.takes_value() && arg.size() > f.name.size() && arg.starts_with(f.name) && arg[f.name.size()] == '=')
      return &f;
  }
  return nullptr;
}

std::vector<std::pair<const RecipeFlag*, std::string>> recipe_flag_values(const std::vector<std::string>& args) {
  std::vector<std::pair<const RecipeFlag*, std::string>> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const RecipeFlag* f = find_recipe_flag(args[i]);
    if (!f || !f->takes_value()) continue;
    if (args[i].size() > f->name.size()) out.emplace_back(f, args[i].substr(f->name.size() + 1));
    else if (i + 1 < args.size()) out.emplace_back(f, args[++i]);
    else throw missing_value(*f);
  }
  return out;
}

std::string_view version() { return RIG_VERSION; }

fs::path make_run_dir(const fs::path& root, const std::string& recipe) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d_%H-%M-%S", &tm);
  fs::path parent = root / recipe;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    throw IoError("rig.io.mkdir", fmt::format("cannot create '{}': {}", parent.string(), ec.message()));
  for (int n = 0; n < 100000; ++n) {
    fs::path candidate = parent / (n == 0 ? std::string(stamp) : fmt::format("{}_{}", stamp, n));
    if (fs::create_directory(candidate, ec)) return candidate;  // atomic: fails when another run took it
    if (ec)
      throw IoError("rig.io.mkdir", fmt::format("cannot create '{}': {}", candidate.string(), ec.message()));
  }
  throw IoError("rig.io.mkdir", fmt::format("no free run directory under '{}'", parent.string()));
}

namespace {

// "RIG_X" from a value set by the environment layer, "VAR" from `${oc.env:VAR}` / `${env:VAR,default}`.
std::optional<std::string> env_variable(const Node& n) {
  std::string_view src = n.origin().source_name();
  if (src.starts_with("env ")) return std::string(src.substr(4));
  if (!n.is_string()) return std::nullopt;
  for (std::string_view marker : {"${oc.env:", "${env:"}) {
    auto at = n.str().find(marker);
    if (at == std::string::npos) continue;
    std::string_view rest = std::string_view(n.str()).substr(at + marker.size());
    return std::string(rest.substr(0, rest.find_first_of(",}")));
  }
  return std::nullopt;
}

// A value that came from the environment, and the text it resolved to.
struct EnvValue {
  std::string variable;
  std::string text;
};

// Calls fn(resolved leaf, its unresolved counterpart or nullptr, path) for every scalar of the tree, and for every
// container that an interpolation produced (`x: ${oc.decode:${oc.env:JSON}}`): that one is redacted whole.
template <class F>
void for_each_leaf(const Node& resolved, const Node* unresolved, KeyPath& p, F&& fn) {
  if (unresolved && unresolved->is_interpolation()) {
    fn(resolved, unresolved, p);
  } else if (resolved.is_map()) {
    for (const auto& e : resolved.entries()) {
      p.push_key(e.key);
      const Node* u = unresolved && unresolved->is_map() ? unresolved->find(e.key) : nullptr;
      for_each_leaf(e.value, u, p, fn);
      p.pop();
    }
  } else if (resolved.is_list()) {
    for (size_t i = 0; i < resolved.size(); ++i) {
      p.push_index(i);
      const Node* u = unresolved && unresolved->is_list() && i < unresolved->size() ? &(*unresolved)[i] : nullptr;
      for_each_leaf(resolved[i], u, p, fn);
      p.pop();
    }
  } else {
    fn(resolved, unresolved, p);
  }
}

std::optional<std::string> direct_env_variable(const Node& resolved, const Node* unresolved) {
  if (auto var = env_variable(resolved)) return var;
  if (unresolved) return env_variable(*unresolved);
  return std::nullopt;
}

// The environment variable whose value `leaf` carries: set directly, or copied or spliced in by an interpolation
// (`b: ${a}`, `url: http://${a}@host`, where a came from the environment).
std::optional<std::string> carried_env_variable(const Node& leaf, const Node* unresolved,
                                                const std::vector<EnvValue>& env) {
  if (auto var = direct_env_variable(leaf, unresolved)) return var;
  if (!unresolved || !unresolved->is_interpolation() || !leaf.is_scalar()) return std::nullopt;
  std::string text = leaf.is_string() ? leaf.str() : detail::scalar_text(leaf);
  for (const auto& e : env) {
    if (e.text.empty()) continue;
    // Short values (`1`, `on`) only when copied whole: as substrings they would redact unrelated text.
    if (text == e.text || (e.text.size() >= 4 && text.find(e.text) != std::string::npos)) return e.variable;
  }
  return std::nullopt;
}

}  // namespace

Node redact_environment(const Node& resolved, const Node& unresolved) {
  std::vector<EnvValue> env;
  KeyPath p;
  for_each_leaf(resolved, &unresolved, p, [&](const Node& leaf, const Node* u, const KeyPath&) {
    if (auto var = direct_env_variable(leaf, u); var && leaf.is_scalar())
      env.push_back({*var, leaf.is_string() ? leaf.str() : detail::scalar_text(leaf)});
  });
  Node out = resolved;
  for_each_leaf(resolved, &unresolved, p, [&](const Node& leaf, const Node* u, const KeyPath& path) {
    if (auto var = carried_env_variable(leaf, u, env))
      out.set_path(path, Node(fmt::format("<redacted:env {}>", *var)).set_origin(leaf.origin()));
  });
  return out;
}

int run_recipe(int argc, char** argv, const RecipeFunction& recipe, const RecipeSchema& schema,
               const RecipeHooks& hooks) {
  for (auto step : detail::startup_steps()) step(argv);
  RecipeInfo info = effective_info(argc > 0 ? argv[0] : "recipe");
  return exit_status_of(info, [&]() -> int {
    RecipeArgs a = parse_args(argc, argv);
    for (const auto& d : info.config_dirs)
      if (fs::is_directory(d)) register_config_dir(d);
    if (a.manifest) {
      write_file_atomic(*a.manifest, dump_json(detail::recipe_manifest(info, schema, a.installed)));
      return kExitOk;
    }
    if (a.help) {
      print_help(info, schema, hooks, a);
      return kExitOk;
    }
    Composed c = compose_config(info, a, hooks);
    if (a.print_config) {
      Node cfg = c.config;
      if (a.resolve) cfg = a.show_env ? resolve(cfg) : redact_environment(resolve(cfg), cfg);
      std::cout << dump_yaml(cfg, {.show_origin = a.show_origin});
      return kExitOk;
    }
    // The `sweep:` section configures `rig run --multirun` (docs/sweeps.md); the recipe never reads it.
    if (const Node* sweep = c.config.find("sweep"); sweep && sweep->is_map()) c.config.erase("sweep");
    if (a.validate) {
      Node cfg = c.config;
      provide_run_dir(cfg, a.output_dir ? *a.output_dir : fs::path("outputs") / info.name / "<run>");
      ValidationReport r = validate_config(cfg, {.schema = schema.empty() ? nullptr : &schema});
      std::cerr << r.format({.color = use_color(2)});
      if (r.ok()) std::cout << fmt::format("{}: config is valid\n", info.name);
      return r.ok() ? kExitOk : kExitConfigError;
    }
    return run(info, a, std::move(c.config), schema, recipe, argc, argv);
  });
}

}  // namespace rig
