// rig/torch/threads.hpp — how many CPU threads LibTorch uses.
//
// LibTorch as packaged in Debian defaults to one intra-op thread. rig's recipes call set_threads() first:
//
//   rig::torch::set_threads({.num_threads = 0});   // 0: $OMP_NUM_THREADS if set, else every core
//
// An explicit num_threads (a config value) wins over OMP_NUM_THREADS.
#pragma once

#include "rig/constraints.hpp"

namespace rig::torch {

struct ThreadOptions {
  int num_threads = 0;  // 0: OMP_NUM_THREADS when set, otherwise all cores
  static constexpr auto checks = rig::checks(rig::require("num_threads", rig::non_negative()));
};

// The thread count `options` asks for, after applying the defaults above (always >= 1).
int resolve_threads(const ThreadOptions& options);

// Sets LibTorch's intra-op thread count to resolve_threads(options) and returns it.
int set_threads(const ThreadOptions& options = {});

// Re-executes the running program (argv as given) with OMP_WAIT_POLICY=PASSIVE unless that variable is set; returns
// only when it is already set or exec fails. Why: libgomp's workers spin between parallel regions, and when the cores
// are shared (CI running tests in parallel, other jobs) a training step becomes ~15x slower (measured on 2 cores:
// 150 ms instead of 9.5 ms). libgomp reads the variable when it loads, hence the exec. Every recipe that links
// rig::torch calls it first thing (RIG_RECIPE's run_recipe, through a RecipeStartupRegistrar); call it first thing in
// a main of your own.
void prefer_passive_openmp(char** argv);

// Keeps freed memory in the process for reuse instead of handing it back to the kernel after every step: malloc
// serves blocks below 32 MiB from its heap (glibc's own adaptive mmap threshold stops at that size) and releases the
// heap's top only when more than 64 MiB is free there. Why: a training step frees and reallocates the same tensors
// (activations, gradients, the optimizer's temporaries; hundreds of KiB each), and when glibc returns them between
// steps, every step page-faults them in again, zero-filled by the kernel. Measured on the 2-core VM with
// python3-torch's own loop, which falls into it: ~300 page faults and +7 ms on a 4 ms step (docs/performance.md).
// Every recipe that links rig::torch calls it first thing (through a RecipeStartupRegistrar, like the wait policy);
// the environment's MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ win when set.
void retain_freed_memory(char** argv = nullptr);

}  // namespace rig::torch
