#include "rig/app.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "detail/read_log.hpp"
#include "detail/recipe_index.hpp"
#include "detail/recipe_manifest.hpp"
#include "detail/unread_keys.hpp"
#include "rig/compose.hpp"
#include "rig/console.hpp"
#include "rig/distributed_env.hpp"
#include "rig/error.hpp"
#include "rig/interpolation.hpp"
#include "rig/instantiate.hpp"
#include "rig/io.hpp"
#include "rig/io_error.hpp"
#include "rig/overrides.hpp"
#include "rig/plot.hpp"
#include "rig/runs.hpp"
#include "rig/plugins.hpp"
#include "rig/schema.hpp"
#include "rig/sources.hpp"
#include "rig/sweep.hpp"
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
  bool with_defaults = false;  // --print-config --with-defaults: the code's defaults of keys the config leaves out
  bool schema = false;         // --schema: a JSON Schema of the whole config (rig/schema.hpp)
  std::optional<std::string> schema_component;  // --schema-component NAME: one component's
  std::vector<fs::path> plugins;                 // --plugin PATH.so (repeatable; rig/plugins.hpp)
  std::optional<fs::path> output_dir;
  std::optional<fs::path> validate_jobs;  // --validate-jobs FILE: every job of a sweep, in one pass
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
  else if (n == "--validate-jobs") a.validate_jobs = std::move(value);
  else if (n == "--output-dir") {
    if (value.empty())
      throw IoError("rig.io.empty_path", "--output-dir is empty: no directory to write the run into", {}, {},
                    "--output-dir DIR");
    a.output_dir = std::move(value);
  }
  else if (n == "--help") a.help = true;
  else if (n == "--rig-manifest") a.manifest = std::move(value);
  else if (n == "--rig-installed") a.installed = true;
  else if (n == "--with-defaults") a.with_defaults = true;
  else if (n == "--schema") a.schema = true;
  else if (n == "--schema-component") a.schema_component = std::move(value);
  else if (n == "--plugin") a.plugins.emplace_back(std::move(value));
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
// An installed recipe (<prefix>/libexec/rig/NAME, rig_add_recipe's install layout; <prefix>/bin/NAME for one
// installed by hand) uses its installed configs and sources.
RecipeInfo effective_info(const char* argv0) {
  RecipeInfo info = detail::recipe_info();
  if (info.name.empty()) info.name = fs::path(argv0).filename().string();
  std::error_code ec;
  fs::path dir = fs::canonical("/proc/self/exe", ec).parent_path();
  if (ec) return info;
  fs::path prefix;
  for (fs::path p : {dir.parent_path(), dir.parent_path().parent_path()})
    if (fs::is_directory(p / "share/rig/configs" / info.name, ec) || fs::is_directory(p / "share/rig/sources" / info.name, ec)) {
      prefix = p;
      break;
    }
  if (prefix.empty()) return info;
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
  out.config = std::move(sources).build();
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
  std::optional<std::vector<std::string>> unread;  // keys of the config the recipe never read (once it has run)

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
    n.set("pid", Node(static_cast<int64_t>(getpid())));  // `rig runs` tells a killed run from a running one
    n.set("rig_version", Node(std::string(version())));
    n.set("git_commit", commit.empty() ? Node() : Node(commit));
    Node libs = Node::list();
    for (const auto& p : loaded_plugins()) libs.push_back(Node(p.string()));
    n.set("plugins", libs);
    if (unread) {
      Node keys = Node::list();
      for (const auto& k : *unread) keys.push_back(Node(k));
      n.set("unread_keys", keys);
    }
    return dump_json(n);
  }
};

bool schema_declares(const RecipeSchema& schema, std::string_view key) {
  for (const auto& k : schema.keys())
    if (k.path == key) return true;
  return false;
}

// The recipe's own configs (top-level names in its config dirs; groups' options are not configs of their own).
std::vector<std::string> recipe_configs(const RecipeInfo& info) {
  SearchPath sp;
  for (const auto& d : info.config_dirs)
    if (fs::is_directory(d)) sp.add(d);
  return sp.options("");
}

// `rig run RECIPE` without --config, for a recipe that has configs but none named after itself (its default):
// which config to choose, rather than the first key the empty config lacks.
void require_config_choice(const RecipeInfo& info, const RecipeArgs& a) {
  if (!a.configs.empty() || SearchPath::standard(a.config_dirs).find(info.name)) return;
  auto configs = recipe_configs(info);
  if (configs.empty()) return;
  throw UsageError("rig.run.no_config",
                   fmt::format("recipe '{}' has no default config: choose one with --config NAME", info.name), {}, {},
                   fmt::format("configs of {}: {}", info.name, fmt::join(configs, ", ")));
}

// The config as composed plus every default the code gives a key the config leaves out: each component's
// registered defaults (rig::with_defaults) and the recipe schema's key defaults.
Node with_code_defaults(const Node& composed, const RecipeSchema& schema) {
  Node out = with_defaults(composed);
  Origin at{Source::make("<recipe schema default>"), 0, 0, -1};
  for (const auto& k : schema.keys())
    if (k.has_default && !out.find_path(k.path)) out.set_path(k.path, Node(k.default_value).set_origin(at));
  return out;
}

// The operative config of a run (operative.yaml): every component the recipe instantiated, with the arguments it
// was built with and each default it used filled in, keyed by where it is in the config (matched by origin).
Node operative_by_key(const Node& config) {
  std::vector<std::pair<std::string, const Node*>> maps;
  auto walk = [&](auto& self, const Node& n, const std::string& path) -> void {
    if (!n.is_map()) return;
    if (!path.empty()) maps.emplace_back(path, &n);
    for (const auto& e : n.entries()) self(self, e.value, path.empty() ? e.key : path + "." + e.key);
  };
  walk(walk, config, "");
  Node out = Node::map();
  size_t unnamed = 0;
  Node ops = operative_config();
  for (const auto& op : ops.elements()) {
    std::string key;
    for (const auto& [path, n] : maps)
      if (n->origin().source == op.origin().source && n->origin().line == op.origin().line &&
          n->origin().column == op.origin().column && op.origin().line != 0) {
        key = path;
        break;
      }
    if (key.empty()) key = fmt::format("<instantiated {}>", ++unnamed);
    std::string unique = key;
    for (int i = 2; out.contains(unique); ++i) unique = fmt::format("{} ({})", key, i);
    out.set(unique, op);
  }
  return out;
}

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
      const detail::ComponentDef* def = component_of(n);
      if (def) {
        comps += fmt::format("  {} ({})\n", path.empty() ? "<root>" : path, def->name());
        for (size_t i = 0; i < def->params.size(); ++i) {
          const detail::ParamDef& p = def->params[i];
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

// Takes the runtime's own keys out of a composed config and returns `plot`. The `sweep:` section configures
// `rig run --multirun` (docs/sweeps.md); the recipe never reads it. `plot: true|false` asks the runtime for
// plots.html in the run directory at the end (docs/recipes.md); a recipe whose schema declares its own `plot` keeps it.
bool take_runtime_keys(Node& cfg, const RecipeSchema& schema) {
  if (const Node* sweep = cfg.find("sweep"); sweep && sweep->is_map()) cfg.erase("sweep");
  bool plot = false;
  if (const Node* p = cfg.find("plot"); p && p->is_bool() && !schema_declares(schema, "plot")) {
    plot = p->bool_value();
    cfg.erase("plot");
  }
  return plot;
}

// --validate: the checks of rig/validate.hpp on the config the recipe would run with.
ValidationReport validate_for_run(Node cfg, const RecipeInfo& info, const RecipeArgs& a, const RecipeSchema& schema) {
  provide_run_dir(cfg, a.output_dir ? *a.output_dir : fs::path("outputs") / info.name / "<run>");
  return validate_config(cfg, {.schema = schema.empty() ? nullptr : &schema});
}

// --validate-jobs FILE: composes and validates every job of a sweep in this one process, before any job runs.
// FILE (written by rig's sweep launcher, docs/sweeps.md "Fail fast") is JSON:
//   {"jobs": [{"job": 0, "name": "0_lr=0.1", "overrides": [{"text": "lr=0.1", "argv": 5}, ...]}, ...]}
// where `argv` is the position in rig's command line the override was expanded from (-1: the sweep: section), and an
// override from the sweep: section has "file", "line" and "column": where the section wrote its value, at which its
// errors are reported (with that line of the file under them). Each job's overrides come after the command line's
// own. Jobs with the same errors are reported once, as a group, on
// stderr (with the first job's diagnostics); stdout gets one JSON line {"jobs": N, "invalid": [job, ...]}. Exit 2
// when a job is invalid.
int validate_sweep_jobs(const RecipeInfo& info, const RecipeArgs& a, const RecipeSchema& schema,
                        const RecipeHooks& hooks, const fs::path& file) {
  Node doc = load_json(read_file(file), file.string());
  const Node* jobs = doc.find("jobs");
  if (!jobs || !jobs->is_list())
    throw UsageError("rig.usage.bad_value", fmt::format("{} has no \"jobs\" list", file.string()), doc.origin(), {},
                     "--validate-jobs takes the file rig's sweep launcher writes");
  struct Group {
    std::string signature, text;
    std::vector<std::string> jobs;
  };
  std::vector<Group> groups;
  Node invalid = Node::list();
  FormatOptions style{.color = use_color(2)};
  std::map<std::string, std::shared_ptr<const Source>> section_files;  // read once each, for the caret lines
  auto written_in = [&](const Node& o) {
    std::string name = o.get<std::string>("file");
    auto& source = section_files[name];
    if (!source) {
      std::string text;
      try {
        text = read_file(name);
      } catch (const Error&) {  // gone or unreadable: located without the line
      }
      source = Source::make(name, std::move(text));
    }
    return Origin{source, o.get<uint32_t>("line"), o.get<uint32_t>("column")};
  };
  for (const Node& job : jobs->elements()) {
    RecipeArgs ja = a;
    std::vector<Error> errors;
    try {
      for (const Node& o : job["overrides"].elements()) {
        int argv = o.get_or<int>("argv", -1);
        // The override as written: str(), not get<>, since its ${...} belong to the job's config, not to this file.
        auto source = Source::make(argv >= 0 ? "<cli>" : "<sweep: section>", o["text"].str());
        Override parsed = parse_override(source, argv);
        ja.overrides.push_back(o.contains("file") ? written_at(std::move(parsed), written_in(o)) : std::move(parsed));
      }
      Composed c = compose_config(info, ja, hooks);
      take_runtime_keys(c.config, schema);
      errors = validate_for_run(std::move(c.config), info, ja, schema).errors;
    } catch (const ErrorList& e) {
      errors = e.errors();
    } catch (const Error& e) {
      errors = {e};
    }
    if (errors.empty()) continue;
    // The same errors (ids, places, keys) in several jobs are one problem: shown once, with the first job's values.
    std::string signature;
    for (const auto& e : errors) signature += e.id() + " " + e.origin().to_string() + " " + e.key_path() + "\n";
    std::string label = fmt::format("{} ({})", job.get<size_t>("job"), job.get_or<std::string>("name", ""));
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.signature == signature; });
    if (g == groups.end()) {
      std::string text;
      for (const auto& e : errors) text += format(e, style);
      groups.push_back({signature, text, {label}});
    } else {
      g->jobs.push_back(label);
    }
    invalid.push_back(job["job"]);
  }
  for (const auto& g : groups) {
    std::cerr << fmt::format("{} of {} jobs {} invalid: job {}\n", g.jobs.size(), jobs->size(),
                             g.jobs.size() == 1 ? "is" : "are", fmt::join(g.jobs, ", job "));
    std::cerr << g.text;
  }
  Node result = Node::map();
  result.set("jobs", Node(jobs->size()));
  result.set("invalid", invalid);
  std::cout << dump_json(result, -1) << "\n";
  return invalid.size() == 0 ? kExitOk : kExitConfigError;
}

// `body`'s exit status; an escaping rig::Error is printed as a located diagnostic (its exit code), any other
// exception as "<recipe>: error: ..." (exit 1).
int exit_status_of(const RecipeInfo& info, const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << format(e, {.color = use_color(2)});
    return e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    IoError io = io_error(e);
    std::cerr << format(io, {.color = use_color(2)});
    return io.exit_code();
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

// The schema's checks across keys (RecipeSchema::check), as --validate runs them: 0, or the exit status of the
// errors, printed. A config that does not resolve is left to the recipe's own reads.
int run_schema_checks(const Node& cfg, const RecipeSchema& schema) {
  if (schema.checks().empty()) return 0;
  Node resolved;
  try {
    resolved = resolve(cfg);
  } catch (const Error&) {
    return 0;
  }
  std::vector<Error> errors;
  for (RecipeSchema::Check fn : schema.checks()) fn(resolved, errors);
  for (const Error& e : errors) std::cerr << format(e, {.color = use_color(2)});
  return errors.empty() ? 0 : errors.front().exit_code();
}

// The recipe function's exit status; its errors are printed.
// `read`, when given, receives the key paths the recipe read (detail/read_log.hpp).
int run_recipe_function(const RecipeInfo& info, Node cfg, const RecipeSchema& schema, const RecipeFunction& recipe,
                        std::vector<std::string>* read = nullptr) {
  fill_schema_defaults(cfg, schema);
  if (int status = run_schema_checks(cfg, schema)) return status;
  std::optional<detail::ReadLog> log;
  if (read) log.emplace(cfg);
  int status = exit_status_of(info, [&] { return recipe(Config(std::move(cfg))); });
  if (read) *read = log->paths();
  return status;
}

// ---- a run killed by SIGINT/SIGTERM still records its exit status ---------------------------------------------------

// run.json as it reads when the run is killed by the signal, prepared beforehand: the handler only fills in the end
// time and writes it (open/write/fsync/rename: async-signal-safe), then dies of the signal as it would have.
struct KilledRecord {
  int signal = 0;
  std::string json;
  size_t end_time_at = std::string::npos;  // offset of the end time's placeholder in json
  std::string path, tmp_path;
};
constexpr std::string_view kEndTimePlaceholder = "0000-00-00T00:00:00.000Z";
KilledRecord g_killed[2];
struct sigaction g_previous[2];

void put_digits(char* at, long long v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
}

// UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" from the clock, without the C library's (non-reentrant) time formatting.
void format_utc(char* out) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  long long secs = ts.tv_sec, days = secs / 86400, rem = secs % 86400;
  // Howard Hinnant's civil_from_days.
  long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  put_digits(out, y, 4);
  put_digits(out + 5, m, 2);
  put_digits(out + 8, d, 2);
  put_digits(out + 11, rem / 3600, 2);
  put_digits(out + 14, rem % 3600 / 60, 2);
  put_digits(out + 17, rem % 60, 2);
  put_digits(out + 20, ts.tv_nsec / 1000000, 3);
}

void on_kill_signal(int sig) {
  for (auto& k : g_killed) {
    if (k.signal != sig || k.json.empty()) continue;
    if (k.end_time_at != std::string::npos) format_utc(k.json.data() + k.end_time_at);
    int fd = ::open(k.tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      size_t done = 0;
      while (done < k.json.size()) {
        ssize_t n = ::write(fd, k.json.data() + done, k.json.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      ::fsync(fd);
      ::close(fd);
      if (done == k.json.size()) ::rename(k.tmp_path.c_str(), k.path.c_str());
    }
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// While alive: SIGINT/SIGTERM write run.json with exit status 128+signal, then end the process as before.
class RecordKills {
 public:
  explicit RecordKills(const std::function<std::string(int status, std::string_view end_time)>& render,
                       const fs::path& run_json) {
    const int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; ++i) {
      KilledRecord& k = g_killed[i];
      k.signal = sigs[i];
      k.json = render(128 + sigs[i], kEndTimePlaceholder);
      k.end_time_at = k.json.find(kEndTimePlaceholder);
      k.path = run_json.string();
      k.tmp_path = run_json.string() + fmt::format(".killed.{}", ::getpid());
      struct sigaction sa {};
      sa.sa_handler = on_kill_signal;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sigs[i], &sa, &g_previous[i]);
    }
  }
  ~RecordKills() {
    const int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; ++i) {
      ::sigaction(sigs[i], &g_previous[i], nullptr);
      g_killed[i].json.clear();
    }
  }
  RecordKills(const RecordKills&) = delete;
  RecordKills& operator=(const RecordKills&) = delete;
};

// rig's own files of a run directory; a run that failed on its config before writing anything else leaves none.
bool holds_only_rig_files(const fs::path& dir) {
  static const std::set<std::string> ours = {"config.yaml", "resolved.yaml", "overrides.txt", "run.json",
                                                "origins.json", "operative.yaml", "stdout.log"};
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it.depth() == 0 && ours.count(it->path().filename().string())) continue;
    if (it->is_directory(ec) && fs::is_empty(it->path(), ec)) continue;
    if (it->is_regular_file(ec) && it->file_size(ec) == 0) continue;
    if (it->is_directory(ec)) continue;  // its contents are looked at next
    return false;
  }
  return !ec;
}

// RIG_RUN_DIR: set by a sweep launcher for each job (rig/multirun.hpp).
std::optional<fs::path> sweep_run_dir() {
  const char* dir = std::getenv("RIG_RUN_DIR");
  if (!dir || !*dir) return std::nullopt;
  return fs::path(dir);
}

int run(const RecipeInfo& info, const RecipeArgs& a, Node cfg, const RecipeSchema& schema, const RecipeFunction& recipe,
        int argc, char** argv, bool plot) {
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
  // A directory rig made for this run, removed again when the run fails on its config before writing anything.
  bool made_here = !a.output_dir && !sweep_run_dir();
  provide_run_dir(cfg, rec.run_dir);
  std::string overrides;
  for (const auto& o : a.override_texts) overrides += o + "\n";
  write_file_atomic(rec.run_dir / "config.yaml", dump_yaml(redact_environment_layer(cfg)));
  write_file_atomic(rec.run_dir / "overrides.txt", overrides);
  write_file_atomic(rec.run_dir / "origins.json", dump_json(origin_map(cfg)));  // for `rig diff`
  write_file_atomic(rec.run_dir / "run.json", rec.json());
  std::cerr << fmt::format("[{}] run directory: {}\n", info.name, rec.run_dir.string());
  auto finish = [&](int status) {
    if (status == kExitConfigError && made_here && holds_only_rig_files(rec.run_dir)) {
      std::error_code ec;
      fs::remove_all(rec.run_dir, ec);
      if (!ec) {
        std::cerr << fmt::format("[{}] the config failed: run directory {} removed\n", info.name,
                                 rec.run_dir.string());
        return status;
      }
    }
    rec.status = status;
    rec.end = utc_now();
    write_file_atomic(rec.run_dir / "run.json", rec.json());
    return status;
  };
  try {
    write_file_atomic(rec.run_dir / "resolved.yaml", dump_yaml(resolve_redacted(cfg)));
  } catch (const Error& e) {
    std::cerr << format(e, {.color = use_color(2)});
    return finish(e.exit_code());
  }
  // The recipe's console output, also in stdout.log (a sweep job's launcher writes that file itself).
  std::optional<TeeStdout> tee;
  if (!sweep_run_dir()) tee.emplace(rec.run_dir / "stdout.log");
  RecordKills kills(
      [&](int status, std::string_view end) {
        RunRecord killed = rec;
        killed.status = status;
        killed.end = std::string(end);
        return killed.json();
      },
      rec.run_dir / "run.json");
  clear_operative_config();
  std::vector<std::string> read = ValidateOptions{}.provided_keys;
  std::vector<std::string> recipe_read;
  int status = run_recipe_function(info, cfg, schema, recipe, &recipe_read);
  read.insert(read.end(), recipe_read.begin(), recipe_read.end());
  rec.unread.emplace();
  for (const auto& u : detail::unread_keys(cfg, read)) rec.unread->push_back(u.path);
  try {
    write_file_atomic(rec.run_dir / "operative.yaml", dump_yaml(operative_by_key(cfg)));
  } catch (const Error& e) {
    std::cerr << format(e, {.color = use_color(2)});
  }
  if (plot) {
    try {
      std::vector<PlotRun> runs{{rec.run_dir.filename().string(), read_metric_series(rec.run_dir), false}};
      PlotOptions options;
      options.title = info.name + " " + rec.run_dir.string();
      write_plots(runs, rec.run_dir / "plots.html", options);
    } catch (const Error& e) {
      std::cerr << format(e, {.color = use_color(2)});
    }
  }
  tee.reset();
  return finish(status);
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
      {"--with-defaults", "", "with --print-config: also every default the code gives a key the config leaves out"},
      {"--schema", "", "print a JSON Schema (draft 2020-12) of the whole config, for editors (docs/schema.md)"},
      {"--schema-component", "NAME", "print the JSON Schema of one registered component's config"},
      {"--plugin", "PATH", "load a shared library of components first (repeatable; also RIG_PLUGIN_PATH)"},
      {"--validate", "", "check the whole config (registry, types, ???, the keys this recipe reads); run nothing"},
      {"--output-dir", "DIR", "the run directory (default outputs/<recipe>/<YYYY-MM-DD_HH-MM-SS>)", C::Directory},
      {"--help", "", "this text", C::None, "-h"},
      {"--rig-manifest", "FILE", "write the recipe's manifest (rig_add_recipe's build step) and exit", C::None, {},
       true},
      {"--rig-installed", "", "with --rig-manifest: describe the installed recipe", C::None, {}, true},
      {"--validate-jobs", "FILE", "validate every job of a sweep (the file `rig run -m` writes) and run nothing",
       C::None, {}, true},
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

int run_recipe(int argc, char** argv, const RecipeFunction& recipe, const RecipeSchema& schema,
               const RecipeHooks& hooks) {
  for (auto step : detail::startup_steps()) step(argv);
  RecipeInfo info = effective_info(argc > 0 ? argv[0] : "recipe");
  return exit_status_of(info, [&]() -> int {
    RecipeArgs a = parse_args(argc, argv);
    for (const auto& d : info.config_dirs)
      if (fs::is_directory(d)) register_config_dir(d);
    if (a.manifest) {
      detail::write_manifest(*a.manifest, detail::recipe_manifest(info, schema, a.installed));  // and its index
      return kExitOk;
    }
    // Plugins first: every later step (help, schema, validation, the run) sees their components.
    std::vector<fs::path> plugins = plugin_path_libraries();
    plugins.insert(plugins.end(), a.plugins.begin(), a.plugins.end());
    if (!plugins.empty()) load_plugins(plugins);
    if (a.help) {
      print_help(info, schema, hooks, a);
      return kExitOk;
    }
    if (a.schema_component) {
      const detail::ComponentDef* def = registry().find(*a.schema_component);
      if (!def)
        throw Error("rig.component.unknown", fmt::format("unknown component '{}'", *a.schema_component), {}, {},
                         did_you_mean(canonical_name(*a.schema_component), registry().names()));
      std::cout << dump_json(component_json_schema(*def)) << "\n";
      return kExitOk;
    }
    if (a.schema) {
      // Without --config: the recipe's default config, else its first config (the schema is of one config).
      RecipeArgs sa = a;
      if (sa.configs.empty() && !SearchPath::standard(a.config_dirs).find(info.name))
        if (auto configs = recipe_configs(info); !configs.empty()) sa.configs.push_back(configs.front());
      Composed c = compose_config(info, sa, hooks);
      std::string title = info.name + (c.config_names.empty() ? "" : " --config " + c.config_names.front());
      std::cout << dump_json(recipe_json_schema(c.config, schema.empty() ? nullptr : &schema, title)) << "\n";
      return kExitOk;
    }
    require_config_choice(info, a);
    if (a.validate_jobs) return validate_sweep_jobs(info, a, schema, hooks, *a.validate_jobs);
    Composed c = compose_config(info, a, hooks);
    if (a.print_config) {
      Node cfg = a.with_defaults ? with_code_defaults(c.config, schema) : c.config;
      if (a.resolve)
        cfg = a.show_env ? resolve(cfg) : resolve_redacted(cfg);
      else if (!a.show_env)
        cfg = redact_environment_layer(cfg);
      std::cout << dump_yaml(cfg, {.show_origin = a.show_origin});
      return kExitOk;
    }
    bool plot = take_runtime_keys(c.config, schema);
    if (a.validate) {
      ValidationReport r = validate_for_run(c.config, info, a, schema);
      std::cerr << r.format({.color = use_color(2)});
      if (r.ok()) std::cout << fmt::format("{}: config is valid\n", info.name);
      return r.ok() ? kExitOk : kExitConfigError;
    }
    return run(info, a, std::move(c.config), schema, recipe, argc, argv, plot);
  });
}

}  // namespace rig
