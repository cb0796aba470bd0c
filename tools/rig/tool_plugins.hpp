// Plugins for the tool's own verbs (components, describe, schema --component, ls, ...): --plugin PATH and
// RIG_PLUGIN_PATH. Recipes load theirs themselves: run, validate and schema RECIPE pass --plugin on.
//
// The tool is built twice from the same objects (tools/rig/CMakeLists.txt):
//   rig              linked statically: no dynamic loader and no relocations, so a command starts in about half the
//                    time a dynamically linked program needs (docs/performance.md, "Cold process"). It cannot host
//                    a plugin: a plugin brings the shared libstdc++ and takes rig's code from its host's exports.
//   rig-plugin-host  linked dynamically and exporting librig (rig_host_plugins): it loads plugins.
// `rig` hands a command that asks for plugins to rig-plugin-host, which runs it with the same arguments. A build
// that cannot link statically (sanitizers, fuzzing, RIG_STATIC_TOOL=OFF) has one dynamic `rig` that loads them.
#pragma once

#include <filesystem>
#include <vector>

namespace rig::tool {

// Makes the libraries `plugins` (--plugin arguments, in order) and RIG_PLUGIN_PATH names available to this command:
// loads them (a dynamic rig), or runs the same command in rig-plugin-host with `original_argv` (the static rig:
// returns only by throwing rig.plugin.host when that cannot be started).
void provide_plugins(const std::vector<std::filesystem::path>& plugins, char** original_argv);

}  // namespace rig::tool
