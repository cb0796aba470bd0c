// rig/plugins.hpp — components from shared libraries loaded at start-up, so a recipe uses a user's components
// without being rebuilt.
//
//   rig run RECIPE --plugin ./libmy_components.so [--plugin ...] ...   (a recipe flag: the recipe loads it)
//   RIG_PLUGIN_PATH=/opt/rig-plugins:/x/libfoo.so rig run RECIPE ...  (':'-separated libraries or directories of *.so)
//
// A plugin is a shared library whose RIG_COMPONENT registrations run as it is loaded. Build one with
// rig_add_plugin(NAME SOURCES...) (cmake/RigComponents.cmake): a MODULE library compiled against rig's headers that
// does not link librig — rig's code is the host's: recipes (rig_add_recipe) and the rig tool link all of librig and
// export it. A component name registered twice, by two plugins or a plugin and the host, is rig.component.duplicate
// naming both libraries. `rig components`, `describe`, `schema` and `validate` see what plugins register.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rig {

// Loads each library (dlopen, RTLD_NOW | RTLD_GLOBAL; once each) and then checks the registry's names.
// Throws IoError rig.plugin.load when a library cannot be loaded (the loader's reason), rig.component.duplicate.
void load_plugins(const std::vector<std::filesystem::path>& libraries);

// Whether RIG_PLUGIN_PATH is set and not empty: a program can tell that plugins are asked for without reading the
// directories it names.
bool plugin_path_set();

// The libraries RIG_PLUGIN_PATH names (a directory stands for the *.so files in it, sorted); IoError
// rig.plugin.path for an entry that does not exist.
std::vector<std::filesystem::path> plugin_path_libraries();

// Every library loaded so far, in order.
std::vector<std::filesystem::path> loaded_plugins();

// The shared object (or executable) whose code or data holds `address`: "" when unknown.
std::string library_of(const void* address);

}  // namespace rig
