// rig/torch/recipe.hpp — RIG_RECIPE for LibTorch recipes.
//
//   int train(const rig::Config& cfg) { ... }
//   RIG_TORCH_RECIPE(train, schema(), hooks());   // same arguments as RIG_RECIPE (rig/app.hpp)
//
// It is RIG_RECIPE with one step first: prefer_passive_openmp(argv) (rig/torch/threads.hpp), which must run before
// anything else in main: with libgomp's default active wait a training step on shared cores is ~15x slower.
#pragma once

#include "rig/app.hpp"
#include "rig/torch/threads.hpp"

#define RIG_TORCH_RECIPE(fn, ...)                                                  \
  int main(int argc, char** argv) {                                                \
    ::rig::torch::prefer_passive_openmp(argv);                                     \
    return ::rig::run_recipe(argc, argv, fn __VA_OPT__(, ) __VA_ARGS__);           \
  }
