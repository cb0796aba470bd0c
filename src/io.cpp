#include "rig/io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "rig/error.hpp"

namespace rig {

namespace {

[[noreturn]] void write_failed(const std::filesystem::path& path, std::string_view what, int err) {
  throw IoError("rig.io.write", fmt::format("cannot write '{}': {}: {}", path.string(), what, std::strerror(err)),
                Origin{Source::make(path.string())});
}

// A name no other writer in this or another process uses at the same time.
std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() /
         fmt::format(".{}.tmp.{}.{}", path.filename().string(), ::getpid(), counter.fetch_add(1));
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view contents, const WriteOptions& options) {
  std::filesystem::path tmp = temporary_beside(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) write_failed(path, "create", errno);
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      write_failed(path, "write", err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if ((options.durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    write_failed(path, "flush", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    write_failed(path, "rename", err);
  }
  if (!options.durable) return;
  // Make the rename itself durable.
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}


}  // namespace rig
