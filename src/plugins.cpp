#include "rig/plugins.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "rig/error.hpp"
#include "rig/registry.hpp"

namespace rig {

namespace fs = std::filesystem;

namespace {

std::mutex g_mutex;

std::vector<fs::path>& loaded() {
  static std::vector<fs::path> list;
  return list;
}

}  // namespace

void load_plugins(const std::vector<fs::path>& libraries) {
  {
    std::lock_guard lock(g_mutex);
    for (const auto& lib : libraries) {
      std::error_code ec;
      fs::path canonical = fs::weakly_canonical(lib, ec);
      if (ec) canonical = lib;
      if (std::find(loaded().begin(), loaded().end(), canonical) != loaded().end()) continue;
      if (!fs::exists(canonical, ec))
        throw UsageError("rig.plugin.load", fmt::format("plugin '{}' does not exist", lib.string()), {}, {},
                      "--plugin takes the path of a shared library (.so) of components");
      // A path with a slash: dlopen loads that file, never a library of the same name from the search path.
      std::string path = canonical.is_absolute() ? canonical.string() : "./" + canonical.string();
      if (!dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
        const char* why = dlerror();
        throw UsageError("rig.plugin.load", fmt::format("cannot load plugin '{}': {}", lib.string(), why ? why : "?"),
                      {}, {},
                      "build it with rig_add_plugin against the rig this program was built with (a plugin uses the "
                      "host's rig, it does not link librig)");
      }
      loaded().push_back(canonical);
    }
  }
  (void)registry().find("");  // indexes the names now: a duplicate is reported here, naming both libraries
}

namespace {
// RIG_PLUGIN_PATH's value, empty when it is not set.
std::string_view plugin_path() {
  const char* env = std::getenv("RIG_PLUGIN_PATH");
  return env ? env : "";
}
}  // namespace

bool plugin_path_set() { return !plugin_path().empty(); }

std::vector<fs::path> plugin_path_libraries() {
  std::vector<fs::path> out;
  std::string_view rest = plugin_path();
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string entry(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (entry.empty()) continue;
    std::error_code ec;
    if (fs::is_directory(entry, ec)) {
      std::vector<fs::path> in_dir;
      for (const auto& f : fs::directory_iterator(entry, ec))
        if (f.path().extension() == ".so") in_dir.push_back(f.path());
      std::sort(in_dir.begin(), in_dir.end());
      out.insert(out.end(), in_dir.begin(), in_dir.end());
    } else if (fs::exists(entry, ec)) {
      out.emplace_back(entry);
    } else {
      throw UsageError("rig.plugin.path", fmt::format("RIG_PLUGIN_PATH names '{}', which does not exist", entry), {},
                    {}, "RIG_PLUGIN_PATH is ':'-separated shared libraries (.so) or directories of them");
    }
  }
  return out;
}

std::vector<fs::path> loaded_plugins() {
  std::lock_guard lock(g_mutex);
  return loaded();
}

std::string library_of(const void* address) {
  Dl_info info{};
  if (!dladdr(address, &info) || !info.dli_fname) return {};
  return info.dli_fname;
}

}  // namespace rig
