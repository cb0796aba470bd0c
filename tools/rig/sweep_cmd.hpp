// `rig sweep ...` verbs and the multirun entry point `rig run --multirun` calls.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "rig/node.hpp"

namespace rig_cli {

// One multirun: expand, create the sweep directory, launch (or just list the jobs with dry_run).
struct MultirunRequest {
  std::string name;                        // multirun/<name>/...: the recipe's name
  std::vector<std::string> command;        // the program each job runs, before its overrides
  // The recipe (and its arguments) whose --validate-jobs checks every job before anything is launched; empty: the
  // command itself when it is a rig recipe (a manifest names it), else only the overrides' grammar is checked.
  std::vector<std::string> validate_command;
  std::vector<std::string> overrides;      // command-line overrides; `sweep.*` ones configure the sweep itself
  int first_argv_index = -1;               // argv index of overrides[0]
  rig::Node section;                       // the config's `sweep:` section (null when none)
  // Shell lines (sweep.slurm.setup, sweep.slurm.sbatch_lines) come only from sources the user names for them: the
  // command line and the launcher file. From a composed section they are rig.sweep.config_shell unless allowed.
  bool section_from_config = false;        // `section` was composed (rig run --multirun), not a file given
  bool allow_config_shell = false;         // --allow-config-shell
  rig::Node launcher_file;                 // --launcher-file: settings merged over the section (null when none)
  std::filesystem::path root = "multirun";
  bool dry_run = false;
  bool wait = false;                       // slurm: wait for the array to finish
};

// Runs one verb and returns its exit status: a rig::Error is printed as a located diagnostic (its exit code, 2 for
// config errors), any other exception as "rig: internal error: ..." (1). Every verb of the `rig` tool goes through it.
int handle(const std::function<int()>& verb);

// Returns the process exit status: 0 when every job succeeded (or was submitted), 1 when a job failed, 2 for a
// usage error (thrown as rig::Error), 130 when interrupted.
int run_multirun(const MultirunRequest& request, std::ostream& out);

// Adds `rig sweep run|status|collect|resume|job` to `app`; each runs from its CLI11 callback and exits the process.
// For `rig sweep run ... -- PROGRAM ARGS...` it takes the command after `--` out of argv (argc shrinks).
// names_only: the subcommand with its description and nothing else, all that the top-level help shows.
void add_sweep_commands(CLI::App& app, int& argc, char** argv, bool names_only);

}  // namespace rig_cli
