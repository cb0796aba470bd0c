// SIGINT/SIGTERM as a flag, for code that waits on child processes (the local launcher, a SLURM array task).
#pragma once

#include <csignal>

namespace rig::detail {

inline volatile std::sig_atomic_t g_stop_signal = 0;
inline void on_stop_signal(int sig) { g_stop_signal = sig; }

// While alive, SIGINT and SIGTERM set a flag and interrupt waitpid (EINTR) instead of killing the process; the
// previous handlers come back afterwards.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  bool stopped() const { return g_stop_signal != 0; }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace rig::detail
