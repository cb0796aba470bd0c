// Parse and apply 1,000 overrides to a 100k-node config (goal: < 5 ms). bench/compare_overrides.py times the same
// overrides with OmegaConf.update as the anchor; docs/performance.md has both.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "bench_util.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"

namespace {

// Minor page faults of the process so far. A fault costs 10-20 us on the shared VM, so the faults in the timed
// region are reported beside the time: they are a count, independent of the machine's load.
long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

// Parses and applies the 1,000 overrides to a config that `make_config` builds fresh for each iteration (untimed).
template <class MakeConfig>
void parse_and_apply_to_fresh_configs(benchmark::State& state, MakeConfig make_config) {
  const auto args = rig::bench::override_args();
  size_t nodes = 0;
  long faults = 0, iterations = 0;
  for (auto _ : state) {
    state.PauseTiming();
    rig::Node cfg = make_config();
    nodes = cfg.node_count();
    long faults_before = minor_faults();
    state.ResumeTiming();
    std::vector<rig::Override> parsed;
    parsed.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) parsed.push_back(rig::parse_override(args[i], static_cast<int>(i + 1)));
    rig::apply_overrides(cfg, parsed);
    benchmark::DoNotOptimize(cfg);
    state.PauseTiming();
    faults += minor_faults() - faults_before;
    ++iterations;
    // Freeing the tree is not part of applying overrides, and neither is what malloc defers from it: without the
    // trim, consolidating the 100k freed nodes' chunks falls on the next iteration's first allocations (a fresh
    // process has nothing to consolidate).
    cfg = rig::Node();
    ::malloc_trim(0);
    state.ResumeTiming();
  }
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["page_faults"] = iterations ? static_cast<double>(faults) / static_cast<double>(iterations) : 0;
}

// The CLI's case: the config was just made, so nothing else shares it and every write is in place.
void BM_ParseAndApply1000Overrides100kNodes(benchmark::State& state) {
  parse_and_apply_to_fresh_configs(state, [] { return rig::bench::big_config(); });
}
BENCHMARK(BM_ParseAndApply1000Overrides100kNodes)->Unit(benchmark::kMillisecond);

// The same config loaded from its YAML text, as `rig print FILE OVERRIDES...` loads it: the tree's maps come from the
// loader (arena nodes, entries stored at their exact size), not from Node::set.
void BM_ParseAndApply1000OverridesToALoadedConfig(benchmark::State& state) {
  const std::string text = rig::dump_yaml(rig::bench::big_config());
  parse_and_apply_to_fresh_configs(state, [&] { return rig::load_yaml(text, "config100k.yaml"); });
}
BENCHMARK(BM_ParseAndApply1000OverridesToALoadedConfig)->Unit(benchmark::kMillisecond);

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
