// tool_plugins.hpp for a dynamically linked rig (rig-plugin-host, or the one rig of a build that is not static):
// the plugins are loaded into this process.
#include "tool_plugins.hpp"

#include "rig/plugins.hpp"

namespace rig::tool {

void provide_plugins(const std::vector<std::filesystem::path>& plugins, char** /*original_argv*/) {
  std::vector<std::filesystem::path> libs = rig::plugin_path_libraries();  // RIG_PLUGIN_PATH's first
  libs.insert(libs.end(), plugins.begin(), plugins.end());
  if (!libs.empty()) rig::load_plugins(libs);
}

}  // namespace rig::tool
