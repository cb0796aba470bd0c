// rig/io.hpp — files rig writes: never half-written.
//
//   rig::write_file_atomic("outputs/run/config.yaml", rig::dump_yaml(cfg));
//
// The text goes to a temporary file in the same directory, is flushed to disk, then renamed over the target, so a
// reader (or a crash, or SIGKILL) sees either the old complete file or the new complete file, never a mix.
#pragma once

#include <filesystem>
#include <string_view>

namespace rig {

struct WriteOptions {
  // Flush the file and the rename to disk before returning (survives a power cut). false keeps the atomicity for
  // readers and crashes of the writer, and skips the two fsyncs (~20 ms on a busy VM): for small, frequently
  // rewritten files such as a sweep job's status.json.
  bool durable = true;
};

// Throws IoError (rig.io.write) naming the path and the system's reason.
void write_file_atomic(const std::filesystem::path& path, std::string_view contents, const WriteOptions& options = {});

}  // namespace rig
