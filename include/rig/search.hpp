// rig/search.hpp — hyperparameter search spaces and samplers: random search and TPE.
//
//   rig::SearchSpace space = rig::parse_search_space({"x=interval(-1,1)", "lr=tag(log, interval(1e-5,1e-1))",
//                                                     "n=int(interval(1,8))", "opt=choice(adam,sgd)", "epochs=3"});
//   std::vector<rig::Observation> history;                     // finished trials: values and objective
//   rig::SearchOptions options;                                // tpe, seed 0
//   std::vector<rig::Node> p = rig::propose(space, options, history.size(), history);
//   rig::trial_overrides(space, p);   // {"epochs=3", "x=0.12", "lr=0.00031", "n=4", "opt=sgd"}
//
// Spaces use the override grammar (Hydra's Optuna sweeper reads the same): interval(a,b) is a float in [a,b);
// tag(log, interval(a,b)) samples log-uniformly (a > 0); int(interval(a,b)) is an integer in [a,b]; choice(...),
// a,b,c and range(...) are categorical. Anything that is not a sweep is a fixed override given to every trial.
//
// TPE follows Bergstra, Bardenet, Bengio and Kégl, "Algorithms for Hyper-Parameter Optimization" (NIPS 2011), §4:
// the observations are split at the γ-quantile of the objective into good and bad; each parameter gets two
// Parzen estimators l(x) (good) and g(x) (bad) — for numbers a mixture of truncated Gaussians, one per observation,
// with the prior as one more component, each σ the larger distance to its neighbours (clipped); for categories
// smoothed counts — and the candidate among `candidates` draws from l with the largest l(x)/g(x) (which maximises
// expected improvement) is proposed. Parameters are independent (the paper's tree has no conditional nodes here).
//
// Determinism: a proposal depends only on (seed, index) and the history passed in. The search driver passes the
// trials finished before the proposal's batch began, so a seeded search proposes the same trials however its jobs
// interleave, and after a resume.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rig/node.hpp"
#include "rig/sweep.hpp"

namespace rig {

struct SearchParam {
  enum class Kind : uint8_t { Float, Int, Choice };
  std::string key;  // as written, with any +/++ prefix
  Kind kind = Kind::Float;
  double low = 0, high = 0;  // Float: [low, high); Int: [low, high]
  bool log = false;          // tag(log, ...)
  std::vector<Node> choices;
};

struct SearchSpace {
  std::vector<std::string> fixed;  // overrides every trial gets, first
  std::vector<SearchParam> params;
  SectionOrigins section_origins;  // where sweep.params wrote the keys the command line does not set
};

// Throws the grammar's ParseErrors (located in argv) and rig.search.space (a glob, a log interval with low <= 0, an
// empty interval, a space with no parameter). `section_params` is a `sweep.params` map (key: grammar text or a YAML
// list), read first; a command-line override of the same key replaces it.
SearchSpace parse_search_space(const std::vector<std::string>& overrides, int first_argv_index = -1,
                               const Node& section_params = Node());

struct SearchOptions {
  std::string algorithm = "tpe";  // random | tpe
  uint64_t seed = 0;
  bool maximize = false;
  size_t startup_trials = 10;  // TPE: random proposals until this many observations
  double gamma = 0.25;         // TPE: the fraction of observations that are "good"
  size_t candidates = 24;      // TPE: draws from l(x) scored by l/g
};

struct Observation {
  std::vector<Node> values;  // one per SearchSpace::params
  double objective = 0;
};

// The parameter values of trial `index`. `history`: the finished trials the proposal may use (ignored by random).
std::vector<Node> propose(const SearchSpace& space, const SearchOptions& options, size_t index,
                          const std::vector<Observation>& history);

// The overrides of a trial: the fixed ones, then key=value for each parameter (value as override text).
std::vector<std::string> trial_overrides(const SearchSpace& space, const std::vector<Node>& values);
// Only the parameters' key=value.
std::vector<std::string> trial_swept(const SearchSpace& space, const std::vector<Node>& values);

// ---- early stopping ---------------------------------------------------------------------------------------------
//
// A pruner stops a trial whose intermediate values (the objective's metrics.jsonl records, x = `step`) are bad, judged
// against reference trials that ended before the trial's batch began (those that succeeded, and those pruned, each cut
// at the step it was pruned at) — so, like the proposals, the decision does not depend on the order jobs end in.
//   median  the median stopping rule (Golovin et al., "Google Vizier", KDD 2017; Optuna's MedianPruner): at step s the
//           trial is stopped when its best value up to s is worse than the median of the reference trials' values at
//           s (each one's last report at a step <= s, if it got as far as s), once at least `min_trials` of them
//           have one and s >= warmup.
//   asha    asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning",
//           MLSys 2020), stopping rather than promoting (as Optuna's SuccessiveHalvingPruner): rung k is step
//           min_resource·η^k; a trial reaching a rung (its first report at a step >= the rung's) continues only when
//           its value there is among the best max(1, ⌊n/η⌋) of the n values at that rung (the references' and its own).
struct PruneOptions {
  enum class Rule : uint8_t { None, Median, Asha };
  Rule rule = Rule::None;
  size_t min_trials = 5;         // median: reference values needed at a step
  double warmup_steps = 0;       // median: no stopping at steps below this
  double min_resource = 1;       // asha: the first rung's step
  double reduction_factor = 3;   // asha: η (> 1)
};

// "median", "asha"; rule_from_name returns nullopt for another name ("none" is Rule::None).
std::string_view prune_rule_name(PruneOptions::Rule rule);
std::optional<PruneOptions::Rule> prune_rule_from_name(std::string_view name);

using Curve = std::vector<std::pair<double, double>>;  // (step, value), in the order reported

// Where the rule stops a trial: the first of its reports at which it fires.
struct PruneDecision {
  double step = 0;
  double value = 0;      // median: the trial's best value up to `step`; asha: its value at the rung
  double threshold = 0;  // median: the references' median at `step`; asha: the worst value that continues
  size_t compared = 0;   // how many reference values were compared
  size_t rung = 0;       // asha
};

// The first report of `trial` at which `options.rule` fires against `reference` (curves already cut where they were
// pruned); nullopt when it never does. `maximize`: larger values are better.
std::optional<PruneDecision> prune_point(const PruneOptions& options, bool maximize, const std::vector<Curve>& reference,
                                         const Curve& trial);

}  // namespace rig
