// Loading, dumping and merging trees (issue: foundation). Run through bench/run-all for the side-by-side ratios.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "bench_util.hpp"
#include "detail/fyaml.hpp"
#include "rig/yaml.hpp"

namespace {

const std::string kTorchtuneConfig =
    std::string(RIG_SHARED_DIR) + "/corpus/torchtune/recipes/configs/llama3_1/8B_lora_single_device.yaml";

void set_bytes(benchmark::State& state, size_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_LoadTorchtuneConfig(benchmark::State& state) {
  if (!std::filesystem::exists(kTorchtuneConfig)) {
    state.SkipWithError("../shared/corpus is absent");
    return;
  }
  std::string text = rig::read_file(kTorchtuneConfig);
  for (auto _ : state) benchmark::DoNotOptimize(rig::load_yaml(text, "8B_lora_single_device.yaml"));
  set_bytes(state, text.size());
}
BENCHMARK(BM_LoadTorchtuneConfig)->Unit(benchmark::kMicrosecond);

// The floor: libfyaml's event parser alone over the same text, building nothing (what any rig load must pay).
size_t parse_events_only(std::string_view text) {
  rig::detail::fy::Parser parser(text, false);
  size_t n = 0;
  while (auto ev = parser.next()) n += ev.view().text.size() + 1;
  return n;
}

void BM_EventsOnlyTorchtuneConfig(benchmark::State& state) {
  if (!std::filesystem::exists(kTorchtuneConfig)) {
    state.SkipWithError("../shared/corpus is absent");
    return;
  }
  std::string text = rig::read_file(kTorchtuneConfig);
  for (auto _ : state) benchmark::DoNotOptimize(parse_events_only(text));
  set_bytes(state, text.size());
}
BENCHMARK(BM_EventsOnlyTorchtuneConfig)->Unit(benchmark::kMicrosecond);

void BM_EventsOnlyGenerated20MB(benchmark::State& state) {
  std::string text = rig::bench::large_config_yaml(20u << 20);
  for (auto _ : state) benchmark::DoNotOptimize(parse_events_only(text));
  set_bytes(state, text.size());
}
BENCHMARK(BM_EventsOnlyGenerated20MB)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_LoadGenerated20MB(benchmark::State& state) {
  std::string text = rig::bench::large_config_yaml(20u << 20);
  size_t nodes = rig::load_yaml(text).node_count();
  for (auto _ : state) benchmark::DoNotOptimize(rig::load_yaml(text, "generated.yaml"));
  set_bytes(state, text.size());
  state.counters["nodes"] = static_cast<double>(nodes);
}
// Wall time: the parse runs on a second thread, whose CPU time the main thread does not see.
BENCHMARK(BM_LoadGenerated20MB)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// ns per node for a 1k and a 100k flat map: the ratio shows whether any path is worse than linear.
void BM_LoadFlatMap(benchmark::State& state) {
  auto keys = static_cast<size_t>(state.range(0));
  std::string text = rig::bench::flat_map_yaml(keys);
  for (auto _ : state) benchmark::DoNotOptimize(rig::load_yaml(text, "flat.yaml"));
  // Seconds per node, printed with an SI prefix (630n = 630 ns).
  state.counters["per_node"] = benchmark::Counter(static_cast<double>(keys + 1),
                                                  benchmark::Counter::kIsIterationInvariantRate |
                                                      benchmark::Counter::kInvert);
}
BENCHMARK(BM_LoadFlatMap)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_LoadDepth200(benchmark::State& state) {
  std::string text = rig::bench::deep_yaml(200);
  for (auto _ : state) benchmark::DoNotOptimize(rig::load_yaml(text, "deep.yaml"));
  set_bytes(state, text.size());
}
BENCHMARK(BM_LoadDepth200)->Unit(benchmark::kMicrosecond);

void BM_DumpYaml20MB(benchmark::State& state) {
  rig::Node tree = rig::load_yaml(rig::bench::large_config_yaml(20u << 20));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = rig::dump_yaml(tree);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  set_bytes(state, bytes);
}
BENCHMARK(BM_DumpYaml20MB)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_DumpJson20MB(benchmark::State& state) {
  rig::Node tree = rig::load_yaml(rig::bench::large_config_yaml(20u << 20));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = rig::dump_json(tree);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  set_bytes(state, bytes);
}
BENCHMARK(BM_DumpJson20MB)->Unit(benchmark::kMillisecond)->Iterations(3);

// Two trees of ~100k nodes each (1,000 groups x 99 leaves), half of the leaf keys shared.
void BM_Merge100k(benchmark::State& state) {
  rig::Node a = rig::load_yaml(rig::bench::grouped_yaml(1000, 99, 1));
  rig::Node b = rig::load_yaml(rig::bench::grouped_yaml(1000, 99, 7));
  for (auto _ : state) {
    rig::Node target = a;  // O(1): shares a's storage; the merge unshares only what it writes
    target.merge(b);
    benchmark::DoNotOptimize(target);
  }
  state.counters["nodes_a"] = static_cast<double>(a.node_count());
  state.counters["nodes_b"] = static_cast<double>(b.node_count());
}
BENCHMARK(BM_Merge100k)->Unit(benchmark::kMillisecond);

// The same merge with every node of the target copied first (what a deep-copying merge costs at least).
void BM_DeepCopy100k(benchmark::State& state) {
  rig::Node a = rig::load_yaml(rig::bench::grouped_yaml(1000, 99, 1));
  std::string text = rig::dump_yaml(a);
  for (auto _ : state) benchmark::DoNotOptimize(rig::load_yaml(text));
}
BENCHMARK(BM_DeepCopy100k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
