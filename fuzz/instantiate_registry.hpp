// The small registry fuzz_instantiate builds from, shared with the property test of validate against instantiate
// (tests/component_node_test.cpp): every parameter form (an options struct, a constructor, nested components, a
// partial, lists and maps of values, an aggregate value type). Include it in ONE translation unit of a binary.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "rig/instantiate.hpp"

namespace fz {

enum class Act { relu, gelu, tanh };

struct Optimizer {
  virtual ~Optimizer() = default;
};
struct Model {
  virtual ~Model() = default;
};
struct Tokenizer {
  virtual ~Tokenizer() = default;
};

// Form 1: an Options aggregate with one field of many converted types.
struct Adam : Optimizer {
  struct Options {
    rig::Finite<double> lr = 1e-3;
    std::pair<double, double> betas{0.9, 0.999};
    int8_t tiny = 0;
    uint32_t steps = 10;
    std::chrono::milliseconds every{100};
    std::optional<std::string> name;
  };
  explicit Adam(Options) {}
};

// Form 3: an ordinary constructor with a nested component.
struct Bpe : Tokenizer {
  Bpe(std::string path, int vocab) : path(std::move(path)), vocab(vocab) {}
  std::string path;
  int vocab;
};

struct Mlp : Model {
  Mlp(std::vector<int64_t> dims, Act act, std::shared_ptr<Tokenizer> tok, std::map<std::string, double> scales)
      : dims(std::move(dims)), act(act), tok(std::move(tok)), scales(std::move(scales)) {}
  std::vector<int64_t> dims;
  Act act;
  std::shared_ptr<Tokenizer> tok;
  std::map<std::string, double> scales;
};

// Takes a partial: it builds optimizers itself.
struct Trainer : Model {
  Trainer(std::function<std::unique_ptr<Optimizer>(double)> make_opt, std::shared_ptr<Model> inner)
      : make_opt(std::move(make_opt)), inner(std::move(inner)) {}
  std::function<std::unique_ptr<Optimizer>(double)> make_opt;
  std::shared_ptr<Model> inner;
};

struct Sgd : Optimizer {
  Sgd(double lr, int steps) : lr(lr), steps(steps) {}
  double lr;
  int steps;
};

// Form 2: an aggregate value type.
struct Schedule {
  int warmup = 1;
  std::array<int, 2> steps{1, 2};
  std::tuple<int, std::string> tag{1, "x"};
};

}  // namespace fz

RIG_COMPONENT(fz::Adam, rig::interfaces<fz::Optimizer>);
RIG_COMPONENT(fz::Sgd, rig::interfaces<fz::Optimizer>, rig::params<double, int>("lr", rig::arg("steps") = 1));
RIG_COMPONENT(fz::Bpe, rig::interfaces<fz::Tokenizer>, rig::params<std::string, int>("path", rig::arg("vocab") = 8));
RIG_COMPONENT(fz::Mlp, rig::interfaces<fz::Model>,
              rig::params<std::vector<int64_t>, fz::Act, std::shared_ptr<fz::Tokenizer>, std::map<std::string, double>>(
                  "dims", rig::arg("act") = fz::Act::relu, rig::arg("tok") = std::shared_ptr<fz::Tokenizer>(),
                  rig::arg("scales") = std::map<std::string, double>{}),
              rig::aliases("mlp"));
RIG_COMPONENT(fz::Trainer, rig::interfaces<fz::Model>,
              rig::params<std::function<std::unique_ptr<fz::Optimizer>(double)>, std::shared_ptr<fz::Model>>(
                  "make_opt", rig::arg("inner") = std::shared_ptr<fz::Model>()));
RIG_COMPONENT(fz::Schedule);

