// Parse and apply 1,000 overrides to a 100k-node config (goal: < 5 ms). bench/compare_overrides.py times the same
// overrides with OmegaConf.update as the anchor; docs/performance.md has both.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "bench_util.hpp"
#include "rig/overrides.hpp"

namespace {

// The CLI's case: the config was just loaded, so nothing else shares it and every write is in place.
void BM_ParseAndApply1000Overrides100kNodes(benchmark::State& state) {
  const auto args = rig::bench::override_args();
  size_t nodes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    rig::Node cfg = rig::bench::big_config();
    nodes = cfg.node_count();
    state.ResumeTiming();
    std::vector<rig::Override> parsed;
    parsed.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) parsed.push_back(rig::parse_override(args[i], static_cast<int>(i + 1)));
    rig::apply_overrides(cfg, parsed);
    benchmark::DoNotOptimize(cfg);
    state.PauseTiming();
    // Freeing the tree is not part of applying overrides, and neither is what malloc defers from it: without the
    // trim, consolidating the 100k freed nodes' chunks falls on the next iteration's first allocations (a fresh
    // process has nothing to consolidate).
    cfg = rig::Node();
    ::malloc_trim(0);
    state.ResumeTiming();
  }
  state.counters["nodes"] = static_cast<double>(nodes);
}
BENCHMARK(BM_ParseAndApply1000Overrides100kNodes)->Unit(benchmark::kMillisecond);

// Worst case: the config is a copy sharing structure with another, and the overrides touch every one of its 1,111
// maps, so copy-on-write copies each of them once (in effect the whole tree).
void BM_ParseAndApply1000OverridesToASharedCopy(benchmark::State& state) {
  const rig::Node base = rig::bench::big_config();
  const auto args = rig::bench::override_args();
  for (auto _ : state) {
    rig::Node cfg = base;
    std::vector<rig::Override> parsed;
    parsed.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) parsed.push_back(rig::parse_override(args[i], static_cast<int>(i + 1)));
    rig::apply_overrides(cfg, parsed);
    benchmark::DoNotOptimize(cfg);
  }
}
BENCHMARK(BM_ParseAndApply1000OverridesToASharedCopy)->Unit(benchmark::kMillisecond);

void BM_Parse1000Overrides(benchmark::State& state) {
  const auto args = rig::bench::override_args();
  for (auto _ : state)
    for (size_t i = 0; i < args.size(); ++i) benchmark::DoNotOptimize(rig::parse_override(args[i], 1));
}
BENCHMARK(BM_Parse1000Overrides)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
