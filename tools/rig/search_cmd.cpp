// Hyperparameter search on top of sweep directories: `rig sweep run --search random|tpe ...`, `rig run RECIPE -m`
// with a `sweep.search` section, and `rig sweep resume DIR` of a search (docs/sweeps.md, "Hyperparameter search").
#include "search_cmd.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "rig/error.hpp"
#include "rig/io.hpp"
#include "rig/launcher.hpp"
#include "rig/multirun.hpp"
#include "rig/overrides.hpp"
#include "rig/runs.hpp"
#include "rig/search.hpp"
#include "rig/sweep.hpp"
#include "rig/yaml.hpp"

namespace rig_cli {

namespace {

namespace fs = std::filesystem;

struct Search {
  rig::SearchSpace space;
  rig::SearchOptions options;
  size_t trials = 0, parallel = 1;
  std::string objective;
};

[[noreturn]] void setting_error(const rig::Node& at, const std::string& message, const std::string& hint) {
  throw rig::UsageError("rig.search.setting", message, at.origin(), {}, hint);
}

// The search settings (sweep.search.*) checked, with the space from the job overrides and sweep.params.
Search read_search(const rig::Node& settings, const std::vector<std::string>& overrides, int first_argv_index) {
  const rig::Node& s = settings["search"];
  Search out;
  out.options.algorithm = s.get_or<std::string>("algorithm", "tpe");
  if (out.options.algorithm != "random" && out.options.algorithm != "tpe")
    setting_error(s.contains("algorithm") ? s["algorithm"] : s, fmt::format("unknown search '{}'", out.options.algorithm),
                  "--search random or --search tpe (sweep.search.algorithm)");
  const rig::Node* objective = s.find("objective");
  if (!objective || !objective->is_string() || objective->str().empty())
    setting_error(objective ? *objective : s, "the search has no objective",
                  "--objective KEY: a metric the job writes to metrics.jsonl (sweep.search.objective)");
  out.objective = objective->str();
  std::string direction = s.get_or<std::string>("direction", "min");
  if (direction != "min" && direction != "max")
    setting_error(s["direction"], fmt::format("direction '{}' is neither min nor max", direction), "--direction min|max");
  out.options.maximize = direction == "max";
  out.options.seed = s.get_or<uint64_t>("seed", 0);
  int64_t trials = s.get_or<int64_t>("trials", 0), parallel = s.get_or<int64_t>("parallel", 1);
  if (trials < 1 || trials > 1'000'000)
    setting_error(s.contains("trials") ? s["trials"] : s, fmt::format("trials must be 1 to 1000000, not {}", trials),
                  "--trials N");
  if (parallel < 1) setting_error(s["parallel"], "parallel must be at least 1", "--parallel P");
  out.trials = static_cast<size_t>(trials);
  out.parallel = static_cast<size_t>(parallel);
  const rig::Node* params = settings.find("params");
  out.space = rig::parse_search_space(overrides, first_argv_index, params ? *params : rig::Node());
  return out;
}

std::optional<double> objective_of(const fs::path& run_dir, const std::string& key) {
  rig::MetricSeries s = rig::read_metric_series(run_dir);
  auto it = s.find(key);
  if (it == s.end() || it->second.empty() || !std::isfinite(it->second.back().second)) return std::nullopt;
  return it->second.back().second;
}

// trials.jsonl: one line per trial (index, params, status, objective); rewritten after every batch.
void write_trials(const rig::SweepDir& dir, const Search& s, const std::vector<std::vector<rig::Node>>& params) {
  std::string text;
  for (size_t j = 0; j < dir.size(); ++j) {
    rig::Node n = rig::Node::map();
    n.set("trial", rig::Node(j));
    rig::Node p = rig::Node::map();
    for (size_t k = 0; k < s.space.params.size() && k < params[j].size(); ++k) p.set(s.space.params[k].key, params[j][k]);
    n.set("params", p);
    auto st = dir.read_status(j);
    n.set("status", rig::Node(std::string(rig::job_state_name(st ? st->state : rig::JobState::Pending))));
    auto obj = objective_of(dir.run_dir(j), s.objective);
    n.set(s.objective, obj ? rig::Node(*obj) : rig::Node());
    text += rig::dump_json(n, -1) + "\n";
  }
  rig::write_file_atomic(dir.path() / "trials.jsonl", text, {.durable = false});
}

// A trial's parameter values, read back from its overrides in sweep.yaml.
std::vector<rig::Node> params_of(const Search& s, const rig::SweepJob& job) {
  std::vector<rig::Node> out;
  for (const auto& p : s.space.params) {
    rig::Node v;
    for (const auto& o : job.swept)
      if (o.size() > p.key.size() && o.compare(0, p.key.size(), p.key) == 0 && o[p.key.size()] == '=')
        v = rig::parse_override(o).value.value_or(rig::Node());
    out.push_back(v);
  }
  return out;
}

// Runs (or continues) the search in `dir` until it has s.trials trials. Trials are proposed in batches of
// s.parallel: trial i of batch [b, b+P) sees the trials < b that finished, so the proposals do not depend on the
// order jobs end in, and a resumed search proposes what an uninterrupted one would.
int search_loop(rig::SweepDir& dir, const Search& s, const rig::Node& launcher_settings, std::ostream& out) {
  std::unique_ptr<rig::Launcher> launcher = rig::make_launcher(launcher_settings);
  size_t width = std::to_string(s.trials - 1).size();
  std::vector<std::vector<rig::Node>> params;
  for (const auto& job : dir.plan().jobs) params.push_back(params_of(s, job));
  std::optional<double> best;
  size_t best_trial = 0;
  for (size_t start = 0; start < s.trials; start += s.parallel) {
    size_t end = std::min(s.trials, start + s.parallel);
    std::vector<rig::Observation> history;
    for (size_t j = 0; j < start; ++j) {
      auto st = dir.read_status(j);
      if (!st || st->state != rig::JobState::Succeeded) continue;
      if (auto obj = objective_of(dir.run_dir(j), s.objective)) history.push_back({params[j], *obj});
    }
    std::vector<size_t> launch;
    std::vector<rig::SweepJob> fresh;
    for (size_t i = start; i < end; ++i) {
      if (i < dir.size()) {  // proposed before (a resume): finished trials stay, in-flight ones run again
        auto st = dir.read_status(i);
        if (st && (st->state == rig::JobState::Succeeded || st->state == rig::JobState::Failed)) continue;
        std::error_code ec;
        fs::path m = dir.run_dir(i) / "metrics.jsonl";
        if (fs::exists(m, ec)) fs::rename(m, dir.run_dir(i) / "metrics.jsonl.interrupted", ec);
        launch.push_back(i);
        continue;
      }
      std::vector<rig::Node> p = rig::propose(s.space, s.options, i, history);
      rig::SweepJob job;
      job.index = i;
      job.swept = rig::trial_swept(s.space, p);
      job.overrides = rig::trial_overrides(s.space, p);
      job.name = rig::job_dir_name(i, job.swept, width);
      fresh.push_back(std::move(job));
      params.push_back(std::move(p));
      launch.push_back(i);
    }
    if (!fresh.empty()) dir.add_jobs(std::move(fresh));
    if (!launch.empty()) {
      rig::LaunchReport report = launcher->launch(dir, launch, {.wait = true, .progress = &out, .runner = {}});
      write_trials(dir, s, params);
      if (report.interrupted) {
        out << fmt::format("interrupted: continue the search with: rig sweep resume {}\n", dir.path().string());
        return 130;
      }
    }
    for (size_t i = start; i < end; ++i) {
      auto st = dir.read_status(i);
      if (!st || st->state != rig::JobState::Succeeded) continue;
      auto obj = objective_of(dir.run_dir(i), s.objective);
      if (obj && (!best || (s.options.maximize ? *obj > *best : *obj < *best))) best = *obj, best_trial = i;
    }
  }
  write_trials(dir, s, params);
  std::vector<rig::JobResult> results = dir.results(rig::slurm_job_states(dir));
  dir.write_summary(results);
  if (best) {
    rig::Node n = rig::Node::map();
    n.set("job", rig::Node(best_trial));
    n.set("name", rig::Node(dir.plan().jobs[best_trial].name));
    n.set("run_dir", rig::Node(dir.run_dir(best_trial).string()));
    rig::Node o = rig::Node::list();
    for (const auto& x : dir.plan().jobs[best_trial].overrides) o.push_back(rig::Node(x));
    n.set("overrides", o);
    n.set("sort", rig::Node(s.objective));
    n.set("direction", rig::Node(s.options.maximize ? "max" : "min"));
    n.set("objective", rig::Node(*best));
    rig::write_file_atomic(dir.path() / "best.json", rig::dump_json(n) + "\n");
  }
  out << rig::format_results_table(results, best ? std::optional(best_trial) : std::nullopt);
  out << fmt::format("sweep directory: {}\n", dir.path().string());
  if (best) out << fmt::format("best: trial {} {} = {}\n", best_trial, s.objective, *best);
  return best ? rig::kExitOk : rig::kExitFailure;
}

// Trials that together give every parameter each of its choices and both ends of its interval (a float's upper
// end is open: its midpoint instead), so a key or value the program refuses is found before the search starts.
rig::SweepPlan probe_trials(const rig::SearchSpace& space) {
  std::vector<std::vector<rig::Node>> probes;
  size_t count = 1;
  for (const auto& p : space.params) {
    std::vector<rig::Node> v;
    if (p.kind == rig::SearchParam::Kind::Choice) v = p.choices;
    else if (p.kind == rig::SearchParam::Kind::Int)
      v = {rig::Node(static_cast<int64_t>(p.low)), rig::Node(static_cast<int64_t>(p.high))};
    else
      v = {rig::Node(p.low), rig::Node(p.log ? std::sqrt(p.low * p.high) : (p.low + p.high) / 2)};
    count = std::max(count, v.size());
    probes.push_back(std::move(v));
  }
  rig::SweepPlan plan;
  plan.fixed = space.fixed;
  for (size_t j = 0; j < count; ++j) {
    std::vector<rig::Node> values;
    for (const auto& v : probes) values.push_back(v[j % v.size()]);
    rig::SweepJob job;
    job.index = j;
    job.swept = rig::trial_swept(space, values);
    job.overrides = rig::trial_overrides(space, values);
    job.name = fmt::format("probe {}", fmt::join(job.swept, " "));
    plan.jobs.push_back(std::move(job));
  }
  return plan;
}

}  // namespace

bool is_search(const rig::Node& settings) { return settings.find("search") != nullptr; }

int run_search(const MultirunRequest& r, const rig::Node& settings, const std::vector<std::string>& job_overrides,
               int first_argv_index, const std::vector<std::string>& command, const std::string& name,
               const JobCheck& check, std::ostream& out) {
  Search s = read_search(settings, job_overrides, first_argv_index);
  check(probe_trials(s.space));
  if (r.dry_run) {
    out << fmt::format("search {} of {} trials ({} at a time), objective {} ({}), seed {}\n", s.options.algorithm,
                       s.trials, s.parallel, s.objective, s.options.maximize ? "max" : "min", s.options.seed);
    for (const auto& f : s.space.fixed) out << "  fixed " << f << "\n";
    for (const auto& p : s.space.params) {
      std::string what = p.kind == rig::SearchParam::Kind::Choice
                             ? fmt::format("choice of {}", p.choices.size())
                             : fmt::format("{}{} in [{}, {}{}", p.kind == rig::SearchParam::Kind::Int ? "int" : "float",
                                           p.log ? " (log)" : "", p.low, p.high,
                                           p.kind == rig::SearchParam::Kind::Int ? "]" : ")");
      out << fmt::format("  {} {}\n", p.key, what);
    }
    return rig::kExitOk;
  }
  rig::make_launcher(settings);
  rig::SweepPlan plan;
  plan.fixed = s.space.fixed;
  rig::SweepDir dir = rig::SweepDir::create(r.root, name, std::move(plan), command, settings);
  out << fmt::format("search of {} trials in {} (launcher {})\n", s.trials, dir.path().string(),
                     settings.get_or<std::string>("launcher", "local"));
  return search_loop(dir, s, settings, out);
}

int resume_search(rig::SweepDir& dir, const rig::Node& settings, std::ostream& out) {
  // The space is re-read from the settings and the fixed overrides and trials recorded in sweep.yaml.
  std::vector<std::string> overrides = dir.settings().get_or<std::vector<std::string>>("search.space", {});
  Search s = read_search(dir.settings(), overrides, -1);
  out << fmt::format("resuming the search: {} of {} trials proposed\n", dir.size(), s.trials);
  return search_loop(dir, s, settings, out);
}

}  // namespace rig_cli
