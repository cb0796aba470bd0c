// `rig run` beyond exec'ing the recipe: `--multirun` (a sweep of the recipe) and `--nproc N` (N local ranks of one
// data-parallel run). docs/sweeps.md.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace rig::tool {

// rig's own flags of `rig run`, taken out of its arguments (anywhere before or after RECIPE); the rest is the
// recipe's. --dry-run, --wait, --launcher, --sweep-root, --launcher-file and --allow-config-shell need --multirun
// (rig.usage.multirun_flag). Recipe options may come before RECIPE too, with their values. Without `launch_flags`
// (rig validate) every option is the recipe's.
struct LaunchArgs {
  std::string recipe;
  std::vector<std::string> recipe_args;  // everything else, in order
  std::vector<int> argv_index;           // argv index of each recipe_args entry (for error locations)
  bool multirun = false, dry_run = false, wait = false;
  int nproc = 1;
  std::string launcher, root;
  std::string launcher_file;        // --launcher-file FILE: sweep settings, shell lines included
  bool allow_config_shell = false;  // --allow-config-shell: shell lines from the composed config's sweep section
};
LaunchArgs split_launch_args(const std::vector<std::string>& args, bool launch_flags = true);

// rig run's own flags: those that take a value, then the switches (split_launch_args and completion).
inline const std::vector<std::string> kLaunchValueFlags = {"--nproc", "--launcher", "--sweep-root", "--launcher-file"};
inline const std::vector<std::string> kLaunchSwitches = {"--multirun", "-m", "--dry-run", "--wait",
                                                         "--allow-config-shell"};
// Whether the argument after `arg` is its value: a flag of rig run's own (with `launch_flags`) or a recipe option
// written apart (`--plugin X`, `--config NAME`).
bool value_follows(std::string_view arg, bool launch_flags);

// The recipe's sweep: its --config arguments stay in the command, overrides (and sweeps) are expanded; the
// config's `sweep:` section (read with the recipe's --print-config) adds axes and launcher settings.
int run_recipe_multirun(const LaunchArgs& args, const std::string& binary, std::ostream& out);

// N processes of the recipe on this machine with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (a free
// port); rank 0's output streams here, the others' go to <run dir>/rank-N.log. The first rank to fail stops the
// others. Returns the worst exit status of the ranks that ended on their own.
int run_recipe_nproc(const LaunchArgs& args, const std::string& binary);

}  // namespace rig::tool
