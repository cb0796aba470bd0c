// rig/io_error.hpp — a std::filesystem error as rig's IoError.
//
// The CLI and recipes report every filesystem error that escapes as rig.io.filesystem naming its path(s) and the
// system's reason, located at the path, with exit status 2 — never a raw "filesystem error" with status 1.
#pragma once

#include <filesystem>

#include "rig/error.hpp"

namespace rig {

IoError io_error(const std::filesystem::filesystem_error& e);

}  // namespace rig
