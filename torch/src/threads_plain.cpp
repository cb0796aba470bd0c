// Thread-count defaults and the OpenMP wait policy. No LibTorch here: this TU skips the torch PCH.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "rig/app.hpp"
#include "rig/torch/threads.hpp"

namespace rig::torch {

int resolve_threads(const ThreadOptions& options) {
  if (options.num_threads > 0) return options.num_threads;
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0) return static_cast<int>(n);
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void prefer_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);  // only returns on failure: then run on with the active policy
}

void retain_freed_memory(char** /*argv*/) {
  constexpr int kMmapThreshold = 32 << 20, kTrimThreshold = 64 << 20;
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

// Every recipe linking rig::torch (RIG_RECIPE) switches OpenMP to the passive wait policy before anything else, and
// keeps freed memory for the next step.
namespace {
[[maybe_unused]] const ::rig::detail::RecipeStartupRegistrar passive_openmp{&prefer_passive_openmp};
[[maybe_unused]] const ::rig::detail::RecipeStartupRegistrar retained_memory{&retain_freed_memory};
}  // namespace

}  // namespace rig::torch
