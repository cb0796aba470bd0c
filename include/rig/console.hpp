// rig/console.hpp — a run's console output, kept in its run directory (stdout.log).
//
//   {
//     rig::TeeStdout tee("outputs/run/stdout.log");  // from here on, stdout goes to the terminal and to the file
//     ...                                          // printf, std::cout, fwrite(stdout): all of it
//   }                                              // flushed, the file complete, fd 1 restored
//
// The recipe runtime (rig/app.hpp) does this for every run it makes a directory for (not for a sweep job, whose
// launcher already writes stdout.log, nor for the other ranks of a data-parallel run). A pipe takes file descriptor 1
// and a thread copies what arrives to the original stdout, unchanged, and to the file, where a line redrawn with
// carriage returns (a progress bar) is kept as its last drawing and terminal escape sequences are left out.
#pragma once

#include <filesystem>
#include <thread>

namespace rig {

class TeeStdout {
 public:
  // Throws rig.io.write (IoError) when the file cannot be created.
  explicit TeeStdout(const std::filesystem::path& path);
  ~TeeStdout();
  TeeStdout(const TeeStdout&) = delete;
  TeeStdout& operator=(const TeeStdout&) = delete;

 private:
  int saved_ = -1;  // the original stdout
  int file_ = -1;
  int read_end_ = -1;
  std::thread copier_;
};

// The file descriptor of the process's console output: the original stdout while a TeeStdout is active, else 1.
// What a progress bar asks whether it writes to a terminal, and how wide that is.
int console_fd();

}  // namespace rig
