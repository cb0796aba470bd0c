// Interpolation benchmarks: load + resolve of the torchtune configs and of synthetic trees, and the
// pathological shapes of OmegaConf issue #622. bench/compare_interp.py runs OmegaConf on the same inputs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "rig/interpolation.hpp"
#include "rig/yaml.hpp"

namespace {

void BM_SyntheticLoadResolve(benchmark::State& state) {
  std::string text = rig::bench::synthetic_yaml(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  for (auto _ : state) {
    rig::Node cfg = rig::load_yaml(text);
    benchmark::DoNotOptimize(rig::resolve(cfg));
  }
  state.SetLabel("leaves=" + std::to_string(state.range(0)) + " interpolations=" + std::to_string(state.range(1)));
}
BENCHMARK(BM_SyntheticLoadResolve)->Args({10000, 1000})->Args({100000, 10000})->Unit(benchmark::kMillisecond);

void BM_SyntheticLoadOnly(benchmark::State& state) {
  std::string text = rig::bench::synthetic_yaml(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  for (auto _ : state) benchmark::DoNotOptimize(rig::load_yaml(text));
}
BENCHMARK(BM_SyntheticLoadOnly)->Args({10000, 1000})->Args({100000, 10000})->Unit(benchmark::kMillisecond);

void BM_SyntheticResolveOnly(benchmark::State& state) {
  rig::Node cfg = rig::load_yaml(rig::bench::synthetic_yaml(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1))));
  for (auto _ : state) benchmark::DoNotOptimize(rig::resolve(cfg));
}
BENCHMARK(BM_SyntheticResolveOnly)->Args({10000, 1000})->Args({100000, 10000})->Unit(benchmark::kMillisecond);

// Per-config median of load + resolve over every torchtune recipe config.
void BM_TorchtuneMedian(benchmark::State& state) {
  std::vector<std::string> texts;
  std::filesystem::path dir = std::filesystem::path(RIG_SHARED_DIR) / "corpus/torchtune/recipes/configs";
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.path().extension() == ".yaml") texts.push_back(rig::read_file(e.path()));
  if (texts.empty()) {
    state.SkipWithError("../shared/corpus/torchtune is absent");
    return;
  }
  std::vector<double> medians, resolve_medians;
  for (auto _ : state) {
    medians.clear();
    resolve_medians.clear();
    for (const auto& t : texts) {
      std::vector<double> resolve_runs;
      try {
        rig::Node cfg = rig::load_yaml(t);
        for (int r = 0; r < 5; ++r) {
          auto start = std::chrono::steady_clock::now();
          benchmark::DoNotOptimize(rig::resolve(cfg));
          resolve_runs.push_back(
              std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        }
        std::sort(resolve_runs.begin(), resolve_runs.end());
        resolve_medians.push_back(resolve_runs[2]);
      } catch (const rig::Error&) {
      }
      std::vector<double> runs;
      for (int r = 0; r < 5; ++r) {
        auto start = std::chrono::steady_clock::now();
        try {
          benchmark::DoNotOptimize(rig::resolve(rig::load_yaml(t)));
        } catch (const rig::Error&) {
        }
        runs.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
      }
      std::sort(runs.begin(), runs.end());
      medians.push_back(runs[2]);
    }
  }
  std::sort(medians.begin(), medians.end());
  state.counters["configs"] = static_cast<double>(texts.size());
  state.counters["median_us"] = medians[medians.size() / 2];
  std::sort(resolve_medians.begin(), resolve_medians.end());
  if (!resolve_medians.empty()) state.counters["resolve_median_us"] = resolve_medians[resolve_medians.size() / 2];
}
BENCHMARK(BM_TorchtuneMedian)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_PathologicalLongKey(benchmark::State& state) {
  std::string key(static_cast<size_t>(state.range(0)), 'k');
  std::string text = "? " + key + "\n: 1\n";  // explicit: YAML limits implicit keys to 1,024 characters
  for (int i = 0; i < 100; ++i) text += "r" + std::to_string(i) + ": ${" + key + "}\n";
  rig::Node cfg = rig::load_yaml(text);
  for (auto _ : state) benchmark::DoNotOptimize(rig::resolve(cfg));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_PathologicalLongKey)->Range(1 << 10, 1 << 16)->Complexity()->Unit(benchmark::kMicrosecond);

void BM_PathologicalChain(benchmark::State& state) {
  std::string text;
  for (int64_t i = 0; i < state.range(0); ++i) text += "k" + std::to_string(i) + ": ${k" + std::to_string(i + 1) + "}\n";
  text += "k" + std::to_string(state.range(0)) + ": end\n";
  rig::Node cfg = rig::load_yaml(text);
  for (auto _ : state) benchmark::DoNotOptimize(rig::resolve(cfg));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_PathologicalChain)->RangeMultiplier(2)->Range(64, 512)->Complexity()->Unit(benchmark::kMicrosecond);

}  // namespace

// `bench_interp --emit-synthetic LEAVES INTERPOLATIONS` prints the synthetic YAML, so that compare_interp.py can time
// OmegaConf on exactly the same text.
int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--emit-synthetic") {
    std::fputs(rig::bench::synthetic_yaml(std::stoul(argv[2]), std::stoul(argv[3])).c_str(), stdout);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
