// `instantiate` from arbitrary configs against a small registry: any bytes are loaded as YAML and the root (and each
// top-level value) is built as a Model, a Optimizer, a value type and a partial. rig builds the object or throws a
// rig::Error that names where. Never a crash, a hang or another exception; only registered components are reached.
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
#include "rig/validate.hpp"
#include "rig/yaml.hpp"

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

namespace {

void expect_located(const rig::Error& e) {
  if (e.id().empty()) __builtin_trap();
  (void)rig::format(e);
}

template <class F>
void attempt(F&& f) {
  try {
    f();
  } catch (const rig::Error& e) {
    expect_located(e);
  }
}

void build_all(const rig::Node& n) {
  attempt([&] { (void)rig::instantiate<std::shared_ptr<fz::Model>>(n); });
  attempt([&] { (void)rig::instantiate<std::unique_ptr<fz::Optimizer>>(n); });
  attempt([&] { (void)rig::instantiate<fz::Schedule>(n); });
  attempt([&] {
    auto make = rig::instantiate<std::function<std::unique_ptr<fz::Optimizer>(double)>>(n);
    if (make) (void)make(0.5);
  });
  attempt([&] { (void)rig::with_defaults(n); });
  std::vector<rig::Error> errors;
  attempt([&] { rig::check_component(n, nullptr, {}, errors); });
  for (const auto& e : errors) expect_located(e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool once = [] {
    rig::record_operative_config(false);  // a process-long list would only grow
    return true;
  }();
  (void)once;
  rig::Node root;
  try {
    root = rig::load_yaml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  } catch (const rig::Error& e) {
    expect_located(e);
    return 0;
  }
  build_all(root);
  if (root.is_map())
    for (const auto& entry : root.entries()) build_all(entry.value);
  attempt([&] {
    rig::ValidationReport r = rig::validate_config(root);
    (void)r.format();
  });
  return 0;
}
