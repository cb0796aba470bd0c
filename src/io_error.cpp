#include "rig/io_error.hpp"

#include <fmt/format.h>

namespace rig {

IoError io_error(const std::filesystem::filesystem_error& e) {
  std::string path = e.path1().string();
  std::string message = path.empty() ? fmt::format("file system error: {}", e.code().message())
                                     : fmt::format("cannot use '{}': {}", path, e.code().message());
  if (!e.path2().empty()) message += fmt::format(" (with '{}')", e.path2().string());
  return IoError("rig.io.filesystem", std::move(message), Origin{Source::make(path.empty() ? "<filesystem>" : path)},
                 {}, "check that the path exists, is a directory where one is needed, and is writable");
}

}  // namespace rig
