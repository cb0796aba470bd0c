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
  rig::PruneOptions prune;
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
  std::string rule = s.get_or<std::string>("prune", "none");
  auto r = rig::prune_rule_from_name(rule);
  if (!r) setting_error(s["prune"], fmt::format("unknown pruner '{}'", rule), "--prune median or --prune asha");
  out.prune.rule = *r;
  rig::PruneOptions defaults;
  int64_t min_trials = s.get_or<int64_t>("prune_min_trials", static_cast<int64_t>(defaults.min_trials));
  if (min_trials < 1) setting_error(s["prune_min_trials"], "prune_min_trials must be at least 1", "e.g. 5");
  out.prune.min_trials = static_cast<size_t>(min_trials);
  out.prune.warmup_steps = s.get_or<double>("prune_warmup_steps", defaults.warmup_steps);
  out.prune.min_resource = s.get_or<double>("asha_min_resource", defaults.min_resource);
  if (!(out.prune.min_resource > 0))
    setting_error(s["asha_min_resource"], "asha_min_resource must be a positive step", "e.g. 1");
  out.prune.reduction_factor = s.get_or<double>("asha_reduction_factor", defaults.reduction_factor);
  if (!(out.prune.reduction_factor > 1))
    setting_error(s["asha_reduction_factor"], "asha_reduction_factor must be larger than 1", "e.g. 3");
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

// The objective's intermediate values: (step, value) of each metrics.jsonl record.
rig::Curve curve_of(const fs::path& run_dir, const std::string& key) {
  rig::MetricSeries s = rig::read_metric_series(run_dir);
  auto it = s.find(key);
  return it == s.end() ? rig::Curve{} : it->second;
}

// The pruner's record of a trial (kPrunedFile), or null when it was not pruned.
rig::Node pruned_record(const fs::path& run_dir) {
  std::error_code ec;
  fs::path file = run_dir / rig::kPrunedFile;
  if (!fs::is_regular_file(file, ec)) return {};
  try {
    return rig::load_json(rig::read_file(file), file.string());
  } catch (const rig::Error&) {
    return {};  // half-written: the decision is made again from the metrics
  }
}

// Records a pruning decision (before the job is stopped: it makes the job end as pruned). `stopped`: false when the
// trial had ended before the rule fired on its reports (it is then pruned all the same, so that the search stays the
// same whatever the timing of its jobs).
void write_pruned(const fs::path& run_dir, const Search& s, const rig::PruneDecision& d, bool stopped) {
  rig::Node n = rig::Node::map();
  n.set("rule", rig::Node(std::string(rig::prune_rule_name(s.prune.rule))));
  n.set("step", rig::Node(d.step));
  n.set("value", rig::Node(d.value));
  n.set(s.prune.rule == rig::PruneOptions::Rule::Median ? "median" : "rung_threshold", rig::Node(d.threshold));
  if (s.prune.rule == rig::PruneOptions::Rule::Asha) n.set("rung", rig::Node(d.rung));
  n.set("compared", rig::Node(d.compared));
  n.set("stopped", rig::Node(stopped));
  n.set("time", rig::Node(rig::unix_now()));
  rig::write_file_atomic(run_dir / rig::kPrunedFile, rig::dump_json(n, -1) + "\n", {.durable = false});
}

// What the search knows of a trial, read from its directory. A trial that ended is read once: the record is final.
struct Trial {
  std::vector<rig::Node> params;
  rig::JobState state = rig::JobState::Pending;  // its status file's, read through SweepDir::ended_state
  bool ended = false;
  std::optional<double> objective;  // the last value of the objective
  rig::Node pruned;                 // pruned.json, or null
  rig::Curve curve;                 // with a pruner: the objective's curve, up to the step it was pruned at
  std::string line;                 // its trials.jsonl line
};

void read_trial(const rig::SweepDir& dir, const Search& s, size_t j, Trial& t) {
  fs::path run_dir = dir.run_dir(j);
  auto st = dir.read_status(j);
  t.pruned = pruned_record(run_dir);
  t.state = st ? st->state : rig::JobState::Pending;
  t.ended = t.state == rig::JobState::Succeeded || t.state == rig::JobState::Failed || t.state == rig::JobState::Pruned;
  t.objective = objective_of(run_dir, s.objective);
  if (s.prune.rule != rig::PruneOptions::Rule::None) {
    t.curve = curve_of(run_dir, s.objective);
    if (!t.pruned.is_null()) {
      double at = t.pruned.get<double>("step");
      std::erase_if(t.curve, [at](const auto& x) { return x.first > at; });
    }
  }
  rig::Node n = rig::Node::map();
  n.set("trial", rig::Node(j));
  rig::Node p = rig::Node::map();
  for (size_t k = 0; k < s.space.params.size() && k < t.params.size(); ++k) p.set(s.space.params[k].key, t.params[k]);
  n.set("params", p);
  n.set("status", rig::Node(std::string(rig::job_state_name(t.state))));
  n.set(s.objective, t.objective ? rig::Node(*t.objective) : rig::Node());
  if (!t.pruned.is_null()) n.set("pruned", t.pruned);
  if (st && st->end > 0) n.set("duration_s", rig::Node(std::round((st->end - st->start) * 1000) / 1000));
  t.line = rig::dump_json(n, -1) + "\n";
}

// trials.jsonl: one line per trial (index, params, status, objective, the pruner's record); rewritten after every
// batch.
void write_trials(const rig::SweepDir& dir, const std::vector<Trial>& trials) {
  std::string text;
  for (const auto& t : trials) text += t.line;
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
  std::vector<Trial> trials(dir.size());
  for (size_t j = 0; j < dir.size(); ++j) {
    trials[j].params = params_of(s, dir.plan().jobs[j]);
    read_trial(dir, s, j, trials[j]);
  }
  std::optional<double> best;
  size_t best_trial = 0;
  // What a batch may use: the trials before it that ended. A pruned trial counts with the value it was pruned at (TPE
  // sees it among the bad ones) and its curve up to that step (for the pruner). Grown batch by batch.
  std::vector<rig::Observation> history;
  std::vector<rig::Curve> reference;
  size_t seen = 0;
  for (size_t start = 0; start < s.trials; start += s.parallel) {
    size_t end = std::min(s.trials, start + s.parallel);
    for (; seen < start; ++seen) {
      const Trial& t = trials[seen];
      if (t.state == rig::JobState::Pruned) history.push_back({t.params, t.pruned.get<double>("value")});
      else if (t.state == rig::JobState::Succeeded && t.objective) history.push_back({t.params, *t.objective});
      if (t.state == rig::JobState::Pruned || t.state == rig::JobState::Succeeded) reference.push_back(t.curve);
    }
    // The pruner: the first report at which the rule fires stops the trial.
    auto decide = [&](size_t i) { return rig::prune_point(s.prune, s.options.maximize, reference,
                                                          curve_of(dir.run_dir(i), s.objective)); };
    std::vector<size_t> launch;
    std::vector<rig::SweepJob> fresh;
    for (size_t i = start; i < end; ++i) {
      if (i < dir.size()) {  // proposed before (a resume): ended trials stay, in-flight ones run again
        if (trials[i].ended) continue;
        std::error_code ec;
        fs::path m = dir.run_dir(i) / "metrics.jsonl";
        if (fs::exists(m, ec)) fs::rename(m, dir.run_dir(i) / "metrics.jsonl.interrupted", ec);
        fs::remove(dir.run_dir(i) / rig::kPrunedFile, ec);  // asked to stop, not yet ended: the re-run is judged anew
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
      trials.emplace_back().params = std::move(p);
      launch.push_back(i);
    }
    if (!fresh.empty()) dir.add_jobs(std::move(fresh));
    if (!launch.empty()) {
      rig::LaunchOptions lo;
      lo.wait = true;
      lo.progress = &out;
      std::vector<bool> asked(end, false);  // asked to stop already
      if (s.prune.rule != rig::PruneOptions::Rule::None)
        lo.monitor = [&](std::span<const size_t> running) {
          std::vector<size_t> stop;
          for (size_t i : running) {
            if (asked[i]) continue;
            if (auto d = decide(i)) {
              write_pruned(dir.run_dir(i), s, *d, true);
              out << fmt::format("pruned trial {} at step {}: {} {:.6g} {} {:.6g} ({})\n", i, d->step, s.objective,
                                 d->value, s.options.maximize ? "<" : ">", d->threshold,
                                 s.prune.rule == rig::PruneOptions::Rule::Median ? "the median"
                                                                                 : fmt::format("rung {}", d->rung))
                  << std::flush;
              asked[i] = true;
              stop.push_back(i);
            }
          }
          return stop;
        };
      rig::LaunchReport report = launcher->launch(dir, launch, lo);
      for (size_t i : launch) {
        read_trial(dir, s, i, trials[i]);
        // A trial that ended before the pruner saw the step at which its rule fires is pruned all the same.
        if (s.prune.rule == rig::PruneOptions::Rule::None || report.interrupted ||
            trials[i].state != rig::JobState::Succeeded)
          continue;
        if (auto d = decide(i)) {
          write_pruned(dir.run_dir(i), s, *d, false);
          if (auto st = dir.read_status(i)) dir.write_status(*st);  // status.json says pruned too
          read_trial(dir, s, i, trials[i]);
        }
      }
      write_trials(dir, trials);
      if (report.interrupted) {
        out << fmt::format("interrupted: continue the search with: rig sweep resume {}\n", dir.path().string());
        return 130;
      }
    }
    for (size_t i = start; i < end; ++i) {
      const Trial& t = trials[i];
      if (t.state != rig::JobState::Succeeded || !t.objective) continue;
      if (!best || (s.options.maximize ? *t.objective > *best : *t.objective < *best)) best = t.objective, best_trial = i;
    }
  }
  write_trials(dir, trials);
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
  plan.section_origins = space.section_origins;
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
    out << fmt::format("search {} of {} trials ({} at a time), objective {} ({}), seed {}, pruner {}\n",
                       s.options.algorithm, s.trials, s.parallel, s.objective, s.options.maximize ? "max" : "min",
                       s.options.seed, rig::prune_rule_name(s.prune.rule));
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
