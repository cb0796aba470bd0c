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
#include <vector>

#include "rig/node.hpp"

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

}  // namespace rig
