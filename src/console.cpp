// A run's stdout, copied to its stdout.log.
#include "rig/console.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "rig/error.hpp"

namespace rig {

namespace {

std::atomic<int> g_console_fd{1};

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// What a terminal would show of the bytes, line by line: '\r' starts the line again, escape sequences (ESC [ ... final
// byte) draw nothing. Complete lines go to the file; an unfinished one waits for its newline (or the end).
class LogLines {
 public:
  explicit LogLines(int fd) : fd_(fd) {}
  void feed(const char* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      char c = data[i];
      if (escape_) {
        if (escape_ == 1) escape_ = c == '[' ? 2 : 0;       // ESC [ starts a control sequence; ESC x: one character
        else if (c >= 0x40 && c <= 0x7e) escape_ = 0;       // its final byte
        continue;
      }
      if (c == '\033') escape_ = 1;
      else if (c == '\r') line_.clear();
      else if (c == '\n') line_ += '\n', flush_line();
      else line_ += c;
    }
  }
  void finish() {
    if (!line_.empty()) line_ += '\n', flush_line();
  }

 private:
  void flush_line() {
    write_all(fd_, line_.data(), line_.size());
    line_.clear();
  }
  int fd_;
  int escape_ = 0;
  std::string line_;
};

}  // namespace

int console_fd() { return g_console_fd.load(); }

TeeStdout::TeeStdout(const std::filesystem::path& path) {
  file_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (file_ < 0)
    throw IoError("rig.io.write", fmt::format("cannot create '{}': {}", path.string(), std::strerror(errno)));
  int fds[2];
  std::fflush(stdout);
  if (::pipe2(fds, O_CLOEXEC) != 0 || (saved_ = ::fcntl(1, F_DUPFD_CLOEXEC, 3)) < 0) {
    ::close(file_);
    throw IoError("rig.io.write", fmt::format("cannot capture stdout for '{}': {}", path.string(), std::strerror(errno)));
  }
  read_end_ = fds[0];
  if (::isatty(saved_)) std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);  // as a terminal's: line by line, not per 4 KiB
  ::dup2(fds[1], 1);
  ::close(fds[1]);
  g_console_fd = saved_;
  copier_ = std::thread([this] {
    LogLines lines(file_);
    char buf[65536];
    bool console_ok = true;
    for (;;) {
      ssize_t n = ::read(read_end_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (console_ok) console_ok = write_all(saved_, buf, static_cast<size_t>(n));  // a closed console: the file goes on
      lines.feed(buf, static_cast<size_t>(n));
    }
    lines.finish();
  });
}

TeeStdout::~TeeStdout() {
  std::fflush(stdout);
  std::cout.flush();
  ::dup2(saved_, 1);  // the pipe's last write end closes: the copier reads the rest, then the end
  copier_.join();
  g_console_fd = 1;
  ::close(read_end_);
  ::close(saved_);
  ::close(file_);
}

}  // namespace rig
