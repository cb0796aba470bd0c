// Fail fast: every job of a sweep composed and validated before any job is launched (docs/sweeps.md, "Fail fast").
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rig/sweep.hpp"

namespace rig_cli {

// Runs argv to completion with its stdout captured (stderr passes through); the exit status (128+N when killed by
// signal N) and the output. rig.run.exec when it cannot be started.
std::pair<int, std::string> capture(const std::vector<std::string>& argv);

// True when command[0] is a rig recipe binary (a manifest in rig's manifest dirs names it), so its --validate-jobs
// can check a sweep's jobs.
bool is_recipe_command(const std::vector<std::string>& command);

// Checks every job of `plan` in ONE run of `recipe_command` (the recipe binary and its arguments) with
// `--validate-jobs FILE`: each job's config composed and validated as its run would compose it. The recipe prints each
// invalid job's located errors (jobs with the same errors once, as a group). Each job override is located at the argv
// position of the command-line override it was expanded from (`overrides[i]` was argv[argv_index[i]]), or else where
// the config's sweep: section wrote its value (plan.section_origins).
// Throws rig.sweep.invalid_jobs when a job is invalid, or the recipe could not check them.
void validate_jobs(const std::vector<std::string>& recipe_command, const rig::SweepPlan& plan,
                   const std::vector<std::string>& overrides, const std::vector<int>& argv_index);

}  // namespace rig_cli
