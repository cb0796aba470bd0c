// rig/torch/threads.hpp — how many CPU threads LibTorch uses.
//
// LibTorch as packaged in Debian defaults to one intra-op thread. rig's recipes call set_threads() first:
//
//   rig::torch::set_threads({.num_threads = 0});   // 0: $OMP_NUM_THREADS if set, else every core
//
// An explicit num_threads (a config value) wins over OMP_NUM_THREADS.
#pragma once

namespace rig::torch {

struct ThreadOptions {
  int num_threads = 0;  // 0: OMP_NUM_THREADS when set, otherwise all cores
};

// The thread count `options` asks for, after applying the defaults above (always >= 1).
int resolve_threads(const ThreadOptions& options);

// Sets LibTorch's intra-op thread count to resolve_threads(options) and returns it.
int set_threads(const ThreadOptions& options = {});

}  // namespace rig::torch
