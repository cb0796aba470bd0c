// tool_plugins.hpp for the statically linked rig: the command runs again in rig-plugin-host, which loads plugins.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "rig/error.hpp"
#include "tool_plugins.hpp"

namespace rig::tool {

namespace fs = std::filesystem;

namespace {

// Where the plugin host is: beside this rig (a build tree) or where it is installed relative to it
// (RIG_PLUGIN_HOST_INSTALLED: bin/../libexec/rig-plugin-host). "" when neither exists.
fs::path plugin_host() {
  std::error_code ec;
  fs::path dir = fs::canonical("/proc/self/exe", ec).parent_path();
  if (ec) return {};
  for (const fs::path& candidate : {dir / RIG_PLUGIN_HOST_NAME, dir / RIG_PLUGIN_HOST_INSTALLED})
    if (fs::is_regular_file(candidate, ec)) return candidate;
  return {};
}

}  // namespace

void provide_plugins(const std::vector<fs::path>& /*plugins*/, char** original_argv) {
  fs::path host = plugin_host();
  std::string why = fmt::format("neither beside it nor at ../{}", RIG_PLUGIN_HOST_INSTALLED);
  if (!host.empty()) {
    std::cout.flush();
    execv(host.c_str(), original_argv);  // returns only on failure
    why = fmt::format("{}: {}", host.string(), std::strerror(errno));
  }
  throw UsageError("rig.plugin.host",
                   fmt::format("this rig cannot load plugins: it runs them in {}, {}", RIG_PLUGIN_HOST_NAME, why), {},
                   {}, fmt::format("reinstall rig (cmake --install puts both programs in place), or run {} directly",
                                   RIG_PLUGIN_HOST_NAME));
}

}  // namespace rig::tool
