// `rig sweep run|status|collect|resume|job`: multirun sweeps on a local pool or SLURM (docs/sweeps.md).
#include "sweep_cmd.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <iostream>
#include <memory>
#include <set>

#include "rig/error.hpp"
#include "rig/io_error.hpp"
#include "rig/io.hpp"
#include "rig/launcher.hpp"
#include "rig/multirun.hpp"
#include "rig/overrides.hpp"
#include "rig/plot.hpp"
#include "rig/sweep.hpp"
#include "rig/yaml.hpp"
#include "search_cmd.hpp"
#include "table.hpp"
#include "validate_jobs.hpp"

namespace rig_cli {

namespace {

namespace fs = std::filesystem;

bool is_sweep_setting(const std::string& arg) {
  std::string_view a = arg;
  while (a.starts_with('+') || a.starts_with('~')) a.remove_prefix(1);
  return a.starts_with("sweep.");
}

// The sources of every node of `n`.
void sources_of(const rig::Node& n, std::set<const rig::Source*>& out) {
  if (n.origin().source) out.insert(n.origin().source.get());
  if (n.is_map())
    for (const auto& e : n.entries()) sources_of(e.value, out);
  else if (n.is_list())
    for (const auto& x : n.elements()) sources_of(x, out);
}

// The launcher settings that are lines of the SLURM script: shell commands and #SBATCH lines.
constexpr std::string_view kShellSettings[] = {"slurm.setup", "slurm.sbatch_lines"};

struct ShellLine {
  std::string path;  // sweep.slurm.setup[0]
  const rig::Node* node;
  bool from_config;  // written in the composed config's sweep section
};

std::vector<ShellLine> shell_lines(const rig::Node& settings, const MultirunRequest& r) {
  std::set<const rig::Source*> config_sources;
  if (r.section_from_config) sources_of(r.section, config_sources);
  std::vector<ShellLine> out;
  for (std::string_view key : kShellSettings) {
    const rig::Node* n = settings.find_path(std::string(key));
    if (!n) continue;
    auto add = [&](const rig::Node& line, std::string path) {
      out.push_back({std::move(path), &line, config_sources.count(line.origin().source.get()) > 0});
    };
    if (n->is_list()) {
      for (size_t i = 0; i < n->size(); ++i) add((*n)[i], fmt::format("sweep.{}[{}]", key, i));
    } else if (!n->is_null()) {
      add(*n, fmt::format("sweep.{}", key));
    }
  }
  return out;
}

std::string shell_text(const rig::Node& n) {
  return n.is_string() ? n.str() : rig::dump_json(n, -1);
}

// A composed config may come from anywhere a config group does (a copied experiment, a package's configs): it must
// not run commands on the cluster by itself.
void refuse_config_shell(const std::vector<ShellLine>& lines, const MultirunRequest& r) {
  if (r.allow_config_shell) return;
  std::vector<rig::Error> errors;
  for (const auto& l : lines) {
    if (!l.from_config) continue;
    errors.push_back(rig::UsageError(
        "rig.sweep.config_shell",
        fmt::format("{} puts a line into the SLURM script, but comes from the composed config's sweep: section",
                    l.path),
        l.node->origin(), l.path,
        "shell lines come from the command line (sweep.slurm.setup=[...]) or a file given with --launcher-file; "
        "to accept the config's, pass --allow-config-shell (--dry-run shows them)"));
  }
  if (errors.size() == 1) throw errors.front();
  if (!errors.empty()) throw rig::ErrorList(std::move(errors));
}

// The sweep section with the launcher file merged over it and the `sweep.*` overrides applied.
rig::Node sweep_settings(const MultirunRequest& r, std::vector<std::string>& job_overrides,
                         std::vector<int>& job_argv) {
  rig::Node doc = rig::Node::map();
  doc.set("sweep", r.section.is_null() ? rig::Node::map() : r.section);
  if (!r.launcher_file.is_null()) {
    if (!r.launcher_file.is_map())
      throw rig::UsageError("rig.sweep.section", "a launcher file holds a map of sweep settings",
                            r.launcher_file.origin(), {}, "e.g. {launcher: slurm, slurm: {setup: [module load cuda]}}");
    rig::Node merged = doc["sweep"];
    rig::merge_with_history(merged, r.launcher_file);
    doc.set("sweep", merged);
  }
  std::vector<rig::Override> settings;
  for (size_t i = 0; i < r.overrides.size(); ++i) {
    int argv_index = r.first_argv_index < 0 ? -1 : r.first_argv_index + static_cast<int>(i);
    if (is_sweep_setting(r.overrides[i])) {
      rig::Override o = rig::parse_override(r.overrides[i], argv_index);
      if (o.kind == rig::OverrideKind::Set && !doc.find_path(o.key)) o.kind = rig::OverrideKind::ForceAdd;
      settings.push_back(std::move(o));
    } else {
      job_overrides.push_back(r.overrides[i]);
      job_argv.push_back(argv_index);
    }
  }
  rig::apply_overrides(doc, settings);
  return doc["sweep"];
}

// sweep.plot (default true): plots.html and an SVG per metric in the sweep directory once the sweep has ended.
void write_sweep_plots(const rig::SweepDir& dir, std::ostream& out) {
  if (!dir.settings().get_or<bool>("plot", true)) return;
  std::string objective = dir.settings().get_or<std::string>("search.objective", "");
  bool maximize = dir.settings().get_or<std::string>("search.direction", "min") == "max";
  rig::PlotOptions options;
  options.title = "sweep " + dir.path().string();
  rig::write_plots(rig::sweep_plot_runs(dir, objective, maximize), dir.path() / "plots.html", options);
  out << "plots: " << (dir.path() / "plots.html").string() << "\n";
}

// Succeeded, or stopped early by a search's pruner: what collect's and status's exit status count as done.
bool ended_as_meant(const rig::JobResult& r) {
  return r.state == rig::JobState::Succeeded || r.state == rig::JobState::Pruned;
}

int finish(const rig::SweepDir& dir, std::ostream& out, bool write_summary) {
  std::vector<rig::JobResult> results = dir.results(rig::slurm_job_states(dir));
  if (write_summary) {
    dir.write_summary(results);
    write_sweep_plots(dir, out);
  }
  out << rig::format_results_table(results);
  return std::all_of(results.begin(), results.end(), ended_as_meant) ? rig::kExitOk : rig::kExitFailure;
}

// Launches `jobs` with the sweep's launcher, then collects when everything ended.
int launch_and_report(const rig::SweepDir& dir, std::span<const size_t> jobs, const rig::Node& settings, bool wait,
                      std::ostream& out) {
  std::unique_ptr<rig::Launcher> launcher = rig::make_launcher(settings);
  rig::LaunchOptions options;
  options.wait = wait;
  options.progress = &out;
  rig::LaunchReport report = launcher->launch(dir, jobs, options);
  if (report.interrupted) {
    finish(dir, out, true);
    out << fmt::format("interrupted: the table lists what did not finish; continue with: rig sweep resume {}\n",
                       dir.path().string());
    return 130;
  }
  if (!report.finished) {
    out << fmt::format("sweep directory: {}\nfollow it with: rig sweep status {}\ncollect with:   rig sweep collect {}\n",
                       dir.path().string(), dir.path().string(), dir.path().string());
    return rig::kExitOk;
  }
  out << "sweep directory: " << dir.path().string() << "\n";
  return finish(dir, out, true);
}


struct CollectArgs {
  std::string dir, sort;
  bool desc = false, csv = false;
  size_t top = 0;
};

// A job's value for a --sort key: a final metric, job, status, duration, or a swept key's value.
std::optional<std::string> job_field(const rig::JobResult& r, const std::string& key) {
  if (const rig::Node* m = r.metrics.find(key)) return rig::metric_text(*m);
  if (key == "job") return std::to_string(r.index);
  if (key == "status") return std::string(rig::job_state_name(r.state));
  if (key == "duration") return fmt::format("{}", r.duration_s);
  for (const auto& s : r.swept) {
    std::string_view o = s;
    while (o.starts_with('+') || o.starts_with('~')) o.remove_prefix(1);
    if (o.starts_with(key) && o.size() > key.size() && o[key.size()] == '=') return std::string(o.substr(key.size() + 1));
  }
  return std::nullopt;
}

// `rig sweep collect DIR [--sort KEY [--desc]] [--top N] [--csv]`: summary.jsonl, the table (sorted, the best job
// marked), best.json. Exit 1 unless every job succeeded.
int collect(const CollectArgs& a, std::ostream& out) {
  rig::SweepDir dir = rig::SweepDir::open(a.dir);
  std::vector<rig::JobResult> results = dir.results(rig::slurm_job_states(dir));
  dir.write_summary(results);
  bool all_ok = std::all_of(results.begin(), results.end(), ended_as_meant);
  std::optional<size_t> best;
  std::vector<rig::JobResult> shown = results;
  if (!a.sort.empty()) {
    std::vector<std::optional<std::string>> keys;
    for (const auto& r : results) keys.push_back(job_field(r, a.sort));
    if (std::none_of(keys.begin(), keys.end(), [](const auto& k) { return k.has_value(); }))
      throw rig::UsageError("rig.sweep.sort_key", fmt::format("no job has '{}' to sort by", a.sort), {}, {},
                            "sort by a final metric (a column of the table), job, status, duration or a swept key");
    shown.clear();
    for (size_t i : sorted_order(keys, a.desc)) {
      shown.push_back(results[i]);
      if (!best && keys[i] && results[i].state == rig::JobState::Succeeded) best = results[i].index;
    }
  }
  if (a.top > 0 && shown.size() > a.top) shown.resize(a.top);
  if (best) {
    const rig::JobResult& b = results[*best];
    rig::Node n = rig::Node::map();
    n.set("job", rig::Node(b.index));
    n.set("name", rig::Node(b.name));
    n.set("run_dir", rig::Node(dir.run_dir(b.index).string()));
    rig::Node o = rig::Node::list();
    for (const auto& s : dir.plan().jobs[b.index].overrides) o.push_back(rig::Node(s));
    n.set("overrides", o);
    n.set("sort", rig::Node(a.sort));
    n.set("direction", rig::Node(a.desc ? "max" : "min"));
    n.set("metrics", b.metrics);
    std::string text;
    try {
      text = rig::dump_json(n);
    } catch (const rig::Error&) {
      n.set("metrics", rig::Node());
      text = rig::dump_json(n);
    }
    rig::write_file_atomic(dir.path() / "best.json", text + "\n");
  }
  if (a.csv) {
    Table t;
    t.header = {"job", "name", "overrides", "status", "exit_code", "duration_s"};
    std::vector<std::string> columns = rig::metric_columns(results);
    t.header.insert(t.header.end(), columns.begin(), columns.end());
    for (const auto& r : shown) {
      std::string over;
      for (const auto& s : r.swept) over += (over.empty() ? "" : " ") + s;
      std::vector<std::string> row{std::to_string(r.index), r.name, over, std::string(rig::job_state_name(r.state)),
                                   std::to_string(r.exit_code), fmt::format("{:.3f}", r.duration_s)};
      for (const auto& c : columns) {
        const rig::Node* v = r.metrics.find(c);
        row.push_back(v ? rig::metric_text(*v) : "");
      }
      t.rows.push_back(std::move(row));
    }
    out << t.csv();
  } else {
    out << rig::format_results_table(shown, best);
    if (best) out << "best.json: " << (dir.path() / "best.json").string() << "\n";
  }
  return all_ok ? rig::kExitOk : rig::kExitFailure;
}

}  // namespace

int handle(const std::function<int()>& verb) {
  try {
    return verb();
  } catch (const rig::Error& e) {
    std::cerr << rig::format(e, {.color = rig::use_color(2)});
    return e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    rig::IoError io = rig::io_error(e);
    std::cerr << rig::format(io, {.color = rig::use_color(2)});
    return io.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "rig: internal error: " << e.what() << "\n";
    return rig::kExitFailure;
  }
}

int run_multirun(const MultirunRequest& r, std::ostream& out) {
  std::vector<std::string> job_overrides;
  std::vector<int> job_argv;
  rig::Node settings = sweep_settings(r, job_overrides, job_argv);
  std::vector<std::string> command = r.command;
  if (command.empty()) command = settings.get_or<std::vector<std::string>>("command", {});
  // Fail fast (sweep.validate, default true): every job checked by the recipe before anything is launched.
  JobCheck check_jobs = [&](const rig::SweepPlan& plan) {
    if (!settings.get_or<bool>("validate", true)) return;
    std::vector<std::string> checker = r.validate_command;
    if (checker.empty() && is_recipe_command(command)) checker = command;
    if (!checker.empty()) validate_jobs(checker, plan, job_overrides, job_argv);
  };
  if (is_search(settings)) {
    if (command.empty())
      throw rig::UsageError("rig.usage.no_command", "the search has no command to run", {}, {},
                            "rig sweep run --search tpe ... -- PROGRAM [ARGS...] (or sweep.command in the config)");
    std::string name = r.name.empty()
                           ? settings.get_or<std::string>("name", fs::path(command[0]).filename().string())
                           : r.name;
    rig::Node space = rig::Node::list();
    for (const auto& o : job_overrides) space.push_back(rig::Node(o));
    rig::Node with_space = settings;
    rig::Node search = with_space["search"];
    search.set("space", space);  // the override texts, for a resume
    with_space.set("search", search);
    return run_search(r, with_space, job_overrides, job_argv.empty() ? -1 : job_argv.front(), command, name,
                      check_jobs, out);
  }

  rig::SweepSpec spec;
  spec.overrides = job_overrides;
  spec.first_argv_index = job_argv.empty() ? -1 : job_argv.front();
  spec.section = settings;
  spec.seed = settings.get_or<uint64_t>("seed", 0);
  rig::SweepPlan plan = rig::expand_sweep(spec);

  if (command.empty())
    throw rig::UsageError("rig.usage.no_command", "the sweep has no command to run", {}, {},
                          "rig sweep run OVERRIDES... -- PROGRAM [ARGS...] (or sweep.command in the config)");
  std::string name = r.name.empty() ? settings.get_or<std::string>("name", fs::path(command[0]).filename().string())
                                    : r.name;
  std::string launcher = settings.get_or<std::string>("launcher", "local");
  std::vector<ShellLine> shell = shell_lines(settings, r);
  check_jobs(plan);

  if (r.dry_run) {  // lists the shell lines whatever their source, so they can be read before they run
    out << fmt::format("{} jobs, launcher {}, directory {}/{}/<timestamp>\n", plan.jobs.size(), launcher,
                       r.root.string(), name);
    for (const auto& job : plan.jobs) {
      std::string line = fmt::format("{:>4}  {}", job.index, job.name);
      for (const auto& a : command) line += " " + a;
      for (const auto& o : job.overrides) line += " " + o;
      out << line << "\n";
    }
    for (const auto& l : shell)
      out << fmt::format("shell line {}: {}  ({}{})\n", l.path, shell_text(*l.node), l.node->origin().to_string(),
                         l.from_config && !r.allow_config_shell
                             ? "; from the composed config: refused without --allow-config-shell"
                             : "");
    return rig::kExitOk;
  }
  refuse_config_shell(shell, r);
  rig::make_launcher(settings);  // a bad launcher setting fails before anything is written
  rig::SweepDir dir = rig::SweepDir::create(r.root, name, std::move(plan), command, settings);
  out << fmt::format("sweep of {} jobs in {} (launcher {})\n", dir.size(), dir.path().string(), launcher);
  std::vector<size_t> all(dir.size());
  for (size_t j = 0; j < all.size(); ++j) all[j] = j;
  return launch_and_report(dir, all, settings, r.wait, out);
}

void add_sweep_commands(CLI::App& app, int& argc, char** argv, bool names_only) {
  // `rig sweep run ... -- PROGRAM ARGS...`: the command is taken out of argv here, before CLI11 sees it.
  auto command = std::make_shared<std::vector<std::string>>();
  if (argc > 2 && std::string_view(argv[1]) == "sweep" && std::string_view(argv[2]) == "run")
    for (int i = 3; i < argc; ++i)
      if (std::string_view(argv[i]) == "--") {
        command->assign(argv + i + 1, argv + argc);
        argc = i;
        break;
      }
  auto* sweep = app.add_subcommand("sweep", "Multirun sweeps: run, status, collect, resume (docs/sweeps.md)");
  if (names_only) return;
  sweep->require_subcommand(1);

  struct RunArgs {
    std::vector<std::string> args;
    std::string config, name, root = "multirun", launcher, launcher_file;
    bool dry_run = false, wait = false;
    // hyperparameter search: each becomes a sweep.search.* setting
    std::string search, objective, direction, prune;
    int64_t trials = 0, parallel = 0, seed = -1;
  };
  auto run_args = std::make_shared<RunArgs>();
  auto* run = sweep->add_subcommand("run", "Expand the sweep and launch its jobs");
  run->add_option("args", run_args->args, "OVERRIDES... (sweeps: a=1,2 range() choice() zip(...)) -- PROGRAM ARGS...");
  run->add_option("--config", run_args->config, "A config file whose `sweep:` section holds axes and settings");
  run->add_option("--name", run_args->name, "multirun/<name>/: default the program's name or sweep.name");
  run->add_option("--root", run_args->root, "Where sweep directories go (default multirun)");
  run->add_option("--launcher", run_args->launcher, "local or slurm (same as sweep.launcher=...)");
  run->add_flag("--dry-run", run_args->dry_run, "Print the jobs without running them");
  run->add_flag("--wait", run_args->wait, "slurm: wait for every task to finish, then collect");
  run->add_option("--launcher-file", run_args->launcher_file,
                  "A YAML map of sweep settings merged over the section (slurm.setup, slurm.sbatch_lines ...)");
  run->add_option("--search", run_args->search, "Hyperparameter search instead of a grid: random or tpe")
      ->check(CLI::IsMember({"random", "tpe"}));
  run->add_option("--trials", run_args->trials, "Search: the number of trials");
  run->add_option("--objective", run_args->objective, "Search: the metric (last value in metrics.jsonl) to optimise");
  run->add_option("--direction", run_args->direction, "Search: min (default) or max")
      ->check(CLI::IsMember({"min", "max"}));
  run->add_option("--seed", run_args->seed, "Search: the sampler's seed (default 0)");
  run->add_option("--parallel", run_args->parallel, "Search: trials proposed and run at a time (default 1)");
  run->add_option("--prune", run_args->prune, "Search: stop bad trials early by their intermediate metrics")
      ->check(CLI::IsMember({"none", "median", "asha"}));
  run->callback([run_args, command, argc, argv] {
    std::exit(handle([&] {
      MultirunRequest r;
      r.overrides = run_args->args;
      r.command = *command;
      for (int i = 1; i < argc && !r.overrides.empty(); ++i)
        if (r.overrides[0] == argv[i]) {
          r.first_argv_index = i;
          break;
        }
      if (!run_args->config.empty()) {
        rig::Node cfg = rig::load_file(run_args->config);
        if (const rig::Node* s = cfg.find("sweep")) r.section = *s;
      }
      if (!run_args->launcher.empty()) r.overrides.push_back("sweep.launcher=" + run_args->launcher);
      if (!run_args->launcher_file.empty()) r.launcher_file = rig::load_file(run_args->launcher_file);
      if (!run_args->search.empty()) r.overrides.push_back("sweep.search.algorithm=" + run_args->search);
      if (!run_args->objective.empty()) r.overrides.push_back("sweep.search.objective=" + run_args->objective);
      if (!run_args->direction.empty()) r.overrides.push_back("sweep.search.direction=" + run_args->direction);
      if (run_args->trials > 0) r.overrides.push_back(fmt::format("sweep.search.trials={}", run_args->trials));
      if (run_args->parallel > 0) r.overrides.push_back(fmt::format("sweep.search.parallel={}", run_args->parallel));
      if (run_args->seed >= 0) r.overrides.push_back(fmt::format("sweep.search.seed={}", run_args->seed));
      if (!run_args->prune.empty()) r.overrides.push_back("sweep.search.prune=" + run_args->prune);
      r.name = run_args->name;
      r.root = run_args->root;
      r.dry_run = run_args->dry_run;
      r.wait = run_args->wait;
      return run_multirun(r, std::cout);
    }));
  });

  auto dir_arg = std::make_shared<std::string>();
  auto* status = sweep->add_subcommand("status", "Show each job's state (asks SLURM about queued tasks)");
  status->add_option("dir", *dir_arg, "The sweep directory")->required();
  status->callback([dir_arg] {
    std::exit(handle([&] { finish(rig::SweepDir::open(*dir_arg), std::cout, false);
      return rig::kExitOk; }));
  });

  auto collect_args = std::make_shared<CollectArgs>();
  auto* collect_cmd = sweep->add_subcommand(
      "collect", "Write summary.jsonl and print the table (metrics as columns); exit 1 unless all succeeded");
  collect_cmd->add_option("dir", collect_args->dir, "The sweep directory")->required();
  collect_cmd->add_option("--sort", collect_args->sort,
                          "Sort by a final metric (or job, status, duration, a swept key); marks the best job and "
                          "writes best.json");
  collect_cmd->add_flag("--desc", collect_args->desc, "Sort descending (the best job is the largest)");
  collect_cmd->add_option("--top", collect_args->top, "Show only the first N rows");
  collect_cmd->add_flag("--csv", collect_args->csv, "Print CSV (a header row, one column per metric)");
  collect_cmd->callback([collect_args] { std::exit(handle([&] { return collect(*collect_args, std::cout); })); });

  struct ResumeArgs {
    std::string dir, launcher;
    bool wait = false;
  };
  auto resume_args = std::make_shared<ResumeArgs>();
  auto* resume = sweep->add_subcommand("resume", "Re-run only the jobs that did not succeed");
  resume->add_option("dir", resume_args->dir, "The sweep directory")->required();
  resume->add_option("--launcher", resume_args->launcher, "Run them with another launcher (local or slurm)");
  resume->add_flag("--wait", resume_args->wait, "slurm: wait for the tasks, then collect");
  resume->callback([resume_args] {
    std::exit(handle([&] {
      rig::SweepDir dir = rig::SweepDir::open(resume_args->dir);
      rig::Node settings = dir.settings();
      if (!resume_args->launcher.empty()) settings.set("launcher", rig::Node(resume_args->launcher));
      if (is_search(dir.settings())) return resume_search(dir, settings, std::cout);
      std::vector<size_t> jobs = rig::unfinished_jobs(dir, rig::slurm_job_states(dir));
      std::cout << fmt::format("resuming {} of {} jobs: {}\n", jobs.size(), dir.size(),
                               jobs.empty() ? "none" : rig::array_ranges(jobs));
      if (jobs.empty()) return finish(dir, std::cout, true);
      return launch_and_report(dir, jobs, settings, resume_args->wait, std::cout);
    }));
  });

  struct JobArgs {
    std::string dir;
    size_t index = 0;
  };
  auto job_args = std::make_shared<JobArgs>();
  auto* job = sweep->add_subcommand("job", "Run one job of a sweep here (what each SLURM array task runs)");
  job->add_option("dir", job_args->dir, "The sweep directory")->required();
  job->add_option("index", job_args->index, "The job's index")->required();
  job->callback([job_args] {
    std::exit(handle([&] { return rig::run_job_here(rig::SweepDir::open(job_args->dir), job_args->index); }));
  });
}

}  // namespace rig_cli
