// rig/torch/profiler.hpp — LibTorch's autograd profiler on a schedule of training steps.
//
//   auto profiler = rig::instantiate<rig::torch::Profiler>(cfg["profiler"]);   // off unless enabled: true
//   profiler.start();                       // before the first step
//   for (int64_t i = 0; i < steps; ++i) {
//     train_step();                         // forward, backward, optimizer step
//     profiler.step();                      // after each step
//   }
//   profiler.stop();                        // writes what an unfinished schedule recorded
//
// The schedule is torch.profiler.schedule's first cycle: `wait` steps unprofiled, `warmup` steps profiled and
// discarded (the profiler's own start-up cost), `active` steps recorded. When the active steps end, `dir` gets
// trace.json (Chrome trace format: chrome://tracing, https://ui.perfetto.dev) and summary.txt (per op: calls, self and
// total CPU time, sorted by self time); each active step is a `ProfilerStep#N` range in the trace. Off (enabled:
// false, the default) every call is one branch. The profiler is LibTorch's legacy CPU profiler (this LibTorch is
// built without Kineto); it records the ops of the thread that calls start(), on the CPU.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rig/constraints.hpp"

namespace rig::torch {

struct ProfilerOptions {
  bool enabled = false;
  std::string dir = "profile";  // trace.json and summary.txt; the configs set ${run_dir}/profile
  int64_t wait = 1;             // steps before profiling starts
  int64_t warmup = 1;           // steps profiled and thrown away
  int64_t active = 3;           // steps recorded
  int64_t row_limit = 30;       // rows of summary.txt (0: every op)
  static constexpr auto checks =
      rig::checks(rig::require("dir", rig::non_empty()), rig::require("wait", rig::non_negative()),
                  rig::require("warmup", rig::non_negative()), rig::require("active", rig::positive()),
                  rig::require("row_limit", rig::non_negative()));
};

class Profiler {
 public:
  explicit Profiler(ProfilerOptions options = {});
  ~Profiler();
  Profiler(Profiler&&) noexcept;
  Profiler& operator=(Profiler&&) noexcept;

  bool enabled() const { return options_.enabled; }
  void start();  // the first step begins
  void step();   // a step ended (the next begins)
  void stop();   // the loop ended: writes the trace when active steps were recorded and not yet written
  // Where the files go, once written (empty before).
  const std::string& trace_path() const { return trace_path_; }

 private:
  struct State;
  void enter_phase();
  ProfilerOptions options_;
  int64_t steps_ = 0;
  std::unique_ptr<State> state_;
  std::string trace_path_;
};

}  // namespace rig::torch
