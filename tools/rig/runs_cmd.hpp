// `rig runs`, `rig diff` and `rig plot`: looking at run directories (docs/sweeps.md, "Looking at runs").
#pragma once

#include <CLI/CLI.hpp>

namespace rig_cli {

// Adds the verbs to `app`; each runs from its CLI11 callback and exits the process.
// names_only: the subcommands with their descriptions and nothing else, all that the top-level help shows.
void add_runs_commands(CLI::App& app, bool names_only);
void add_plot_command(CLI::App& app, bool names_only);  // tools/rig/plot_cmd.cpp

}  // namespace rig_cli
