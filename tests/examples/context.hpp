// What the documentation's examples use without declaring it: every public header of rig, and a few names of the
// reader's own program (a config `cfg`, a component `my::AdamW`, ...). tests/examples/compile_examples.py
// precompiles it and compiles each example after it.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "rig/app.hpp"
#include "rig/compose.hpp"
#include "rig/config.hpp"
#include "rig/console.hpp"
#include "rig/convert.hpp"
#include "rig/distributed_env.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/interpolation.hpp"
#include "rig/io.hpp"
#include "rig/io_error.hpp"
#include "rig/launcher.hpp"
#include "rig/limits.hpp"
#include "rig/multirun.hpp"
#include "rig/node.hpp"
#include "rig/origin.hpp"
#include "rig/overrides.hpp"
#include "rig/plot.hpp"
#include "rig/reflect.hpp"
#include "rig/registry.hpp"
#include "rig/runs.hpp"
#include "rig/search.hpp"
#include "rig/sources.hpp"
#include "rig/spec.hpp"
#include "rig/sweep.hpp"
#include "rig/type_name.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"

#include <gtest/gtest.h>

#include "rig/testing.hpp"

// The reader's program (declared only: the examples are compiled, not run).
extern rig::Node cfg, other, defaults, defaults_node, settings;
extern std::string text;
extern int argc;
extern char** argv;
extern std::vector<rig::Override> overrides, parsed_overrides;
extern rig::SweepDir dir;
int64_t vocab_size_of(const std::string& tokenizer_path);
int64_t vocab_of(const std::string& tokenizer_path);
int64_t features_of(const rig::Node& task);
void write_checkpoint();
void run(const std::vector<std::string>& overrides);
int train(const rig::Config& cfg);
rig::RecipeSchema schema();
rig::RecipeSchema train_schema();
// Interfaces the examples register components as.
struct Greeter { virtual ~Greeter() = default; };
struct Optimizer { virtual ~Optimizer() = default; };
struct Tokenizer { virtual ~Tokenizer() = default; };
struct Dataset { virtual ~Dataset() = default; };
using Params = std::vector<double>;
extern Params params;
namespace my {
struct AdamW : Optimizer {
  struct Options {
    double lr = 1e-3;
    double weight_decay = 0.01;
  };
  explicit AdamW(Options) {}
};
struct CosineSchedule {
  int64_t warmup_steps = 0;
  double min_ratio = 0.1;
};
std::unique_ptr<Tokenizer> make_tokenizer(std::string path, int max_len);
inline double cosine(int64_t warmup_steps, int64_t total_steps) {
  return static_cast<double>(warmup_steps) / static_cast<double>(total_steps);
}
}  // namespace my
using my::CosineSchedule;
struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  bool amsgrad = false;
};
extern AdamOptions opts;
