// rig::instantiate and registry lookup costs. Goals: lookup < 100 ns; instantiate overhead beyond the
// constructor < 2 µs for a 5-argument component. The 10,000-component measurements live in registry10k/.
#include <benchmark/benchmark.h>

#include "rig/instantiate.hpp"
#include "rig/yaml.hpp"

namespace bench {

struct Base {
  virtual ~Base() = default;
  virtual int id() const = 0;
};

// Five arguments, listed with their types (form 3).
struct Five : Base {
  Five(int a, double b, std::string c, bool d, std::vector<int> e)
      : a(a), b(b), c(std::move(c)), d(d), e(std::move(e)) {}
  int id() const override { return a; }
  int a;
  double b;
  std::string c;
  bool d;
  std::vector<int> e;
};

// The same five as a reflected options struct (form 1).
struct FiveOpts : Base {
  struct Options {
    int a = 0;
    double b = 0;
    std::string c;
    bool d = false;
    std::vector<int> e;
  };
  explicit FiveOpts(Options o) : o(std::move(o)) {}
  int id() const override { return o.a; }
  Options o;
};

}  // namespace bench

RIG_COMPONENT(bench::Five, rig::interfaces<bench::Base>,
              rig::params<int, double, std::string, bool, std::vector<int>>("a", "b", "c", rig::arg("d") = false,
                                                                           rig::arg("e") = std::vector<int>{}));
RIG_COMPONENT(bench::FiveOpts, rig::interfaces<bench::Base>);

namespace {

constexpr const char* kFive = "_component_: bench.Five\na: 1\nb: 2.5\nc: hello\nd: true\ne: [1, 2, 3]\n";
constexpr const char* kFiveOpts = "_component_: bench.FiveOpts\na: 1\nb: 2.5\nc: hello\nd: true\ne: [1, 2, 3]\n";

// The baseline: what hand-written code does with the same node — read five typed values, call the constructor.
void BM_HandWritten(benchmark::State& state) {
  rig::Node cfg = rig::load_yaml(kFive);
  for (auto _ : state) {
    auto p = std::make_unique<bench::Five>(cfg["a"].as<int>(), cfg["b"].as<double>(), cfg["c"].as<std::string>(),
                                           cfg["d"].as<bool>(), cfg["e"].as<std::vector<int>>());
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_HandWritten);

void instantiate_loop(benchmark::State& state, const char* text, bool record) {
  rig::Node cfg = rig::load_yaml(text);
  rig::record_operative_config(record);
  size_t n = 0;
  for (auto _ : state) {
    auto p = rig::instantiate<std::unique_ptr<bench::Base>>(cfg);
    benchmark::DoNotOptimize(p);
    if (record && ++n % 1024 == 0) rig::clear_operative_config();  // amortised: keeps the record list short
  }
  rig::record_operative_config(true);
}

void BM_Instantiate5Args(benchmark::State& state) { instantiate_loop(state, kFive, false); }
BENCHMARK(BM_Instantiate5Args);
void BM_Instantiate5ArgsOptionsStruct(benchmark::State& state) { instantiate_loop(state, kFiveOpts, false); }
BENCHMARK(BM_Instantiate5ArgsOptionsStruct);
void BM_Instantiate5ArgsRecordingOperative(benchmark::State& state) { instantiate_loop(state, kFive, true); }
BENCHMARK(BM_Instantiate5ArgsRecordingOperative);

void BM_Lookup(benchmark::State& state) {
  const char* names[] = {"bench.Five", "bench.FiveOpts"};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(rig::registry().find(names[i++ & 1]));
}
BENCHMARK(BM_Lookup);

void BM_LookupCppSpelling(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(rig::registry().find("bench::Five"));
}
BENCHMARK(BM_LookupCppSpelling);

}  // namespace

BENCHMARK_MAIN();
