// Hyperparameter search verbs' logic (tools/rig/search_cmd.cpp), called from sweep_cmd.cpp.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "rig/multirun.hpp"
#include "sweep_cmd.hpp"

namespace rig_cli {

// Checks jobs before anything is launched (validate_jobs.hpp); throws for an invalid one.
using JobCheck = std::function<void(const rig::SweepPlan&)>;

// True when the sweep settings have a `search` section.
bool is_search(const rig::Node& settings);

// A new search: settings.search (algorithm, trials, objective, direction, seed, parallel, space: the override texts
// the space was read from), its space from `job_overrides` and settings.params. Before anything is launched, `check`
// is given probe trials that together take every choice and both ends of every interval.
int run_search(const MultirunRequest& r, const rig::Node& settings, const std::vector<std::string>& job_overrides,
               int first_argv_index, const std::vector<std::string>& command, const std::string& name,
               const JobCheck& check, std::ostream& out);

// `rig sweep resume DIR` of a search: continues to its number of trials; `settings` may name another launcher.
int resume_search(rig::SweepDir& dir, const rig::Node& settings, std::ostream& out);

}  // namespace rig_cli
