// Parse and apply 1,000 overrides to a 100k-node config (goal: < 5 ms). bench/compare_overrides.py times the same
// overrides with OmegaConf.update as the anchor; docs/performance.md has both.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "rig/overrides.hpp"

namespace {

// 100 sections x 10 groups x 100 leaves = 100k leaves (+1,100 maps).
rig::Node big_config() {
  rig::Node root = rig::Node::map();
  for (int s = 0; s < 100; ++s) {
    rig::Node section = rig::Node::map();
    for (int g = 0; g < 10; ++g) {
      rig::Node group = rig::Node::map();
      for (int k = 0; k < 100; ++k) group.set("key_" + std::to_string(k), k);
      section.set("group_" + std::to_string(g), std::move(group));
    }
    root.set("section_" + std::to_string(s), std::move(section));
  }
  return root;
}

// A mix of forms: ints, floats, strings, quoted strings, lists, dict merges, adds and deletes, spread over the tree.
std::vector<std::string> override_args() {
  std::vector<std::string> out;
  for (int i = 0; i < 1000; ++i) {
    // Each override touches its own leaf: section i/10, group i%10, a key spread over the group.
    std::string path = "section_" + std::to_string(i / 10) + ".group_" + std::to_string(i % 10) + ".key_" +
                       std::to_string((i * 13) % 100);
    switch (i % 8) {
      case 0: out.push_back(path + "=" + std::to_string(i)); break;
      case 1: out.push_back(path + "=3.5e-4"); break;
      case 2: out.push_back(path + "=adamw"); break;
      case 3: out.push_back(path + "='quoted, with comma'"); break;
      case 4: out.push_back(path + "=[1, 2, [3, 4]]"); break;
      case 5: out.push_back("+" + path + "_new={a: 1, b: [x, y]}"); break;
      case 6: out.push_back("++" + path + "=${other.key}"); break;
      case 7: out.push_back("~" + path); break;
    }
  }
  return out;
}

// The CLI's case: the config was just loaded, so nothing else shares it and every write is in place.
void BM_ParseAndApply1000Overrides100kNodes(benchmark::State& state) {
  const auto args = override_args();
  size_t nodes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    rig::Node cfg = big_config();
    nodes = cfg.node_count();
    state.ResumeTiming();
    std::vector<rig::Override> parsed;
    parsed.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) parsed.push_back(rig::parse_override(args[i], static_cast<int>(i + 1)));
    rig::apply_overrides(cfg, parsed);
    benchmark::DoNotOptimize(cfg);
    state.PauseTiming();
    cfg = rig::Node();  // freeing the tree is not part of applying overrides
    state.ResumeTiming();
  }
  state.counters["nodes"] = static_cast<double>(nodes);
}
BENCHMARK(BM_ParseAndApply1000Overrides100kNodes)->Unit(benchmark::kMillisecond);

// Worst case: the config is a copy sharing structure with another, and the overrides touch every one of its 1,111
// maps, so copy-on-write copies each of them once (in effect the whole tree).
void BM_ParseAndApply1000OverridesToASharedCopy(benchmark::State& state) {
  const rig::Node base = big_config();
  const auto args = override_args();
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
  const auto args = override_args();
  for (auto _ : state)
    for (size_t i = 0; i < args.size(); ++i) benchmark::DoNotOptimize(rig::parse_override(args[i], 1));
}
BENCHMARK(BM_Parse1000Overrides)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
