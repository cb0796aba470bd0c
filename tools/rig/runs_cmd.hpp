// `rig runs`, `rig diff` and `rig plot`: looking at run directories (docs/sweeps.md, "Looking at runs").
#pragma once

#include <CLI/CLI.hpp>

namespace rig_cli {

// Adds the verbs to `app`; each runs from its CLI11 callback and exits the process.
void add_runs_commands(CLI::App& app);
void add_plot_command(CLI::App& app);  // tools/rig/plot_cmd.cpp

}  // namespace rig_cli
