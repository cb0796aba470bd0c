// Composition: a tree of 200 group files (100 groups x 2 options) composed into a ~100k-node config with
// 1,000 command-line overrides (100 group selections, 900 value overrides). The whole of compose() is timed: reading
// and parsing the chosen files, the defaults tree, the merges and the overrides. Run through bench/run-all.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "detail/fyaml.hpp"
#include "rig/compose.hpp"
#include "rig/yaml.hpp"

namespace {

namespace fs = std::filesystem;

// `groups` groups of two options each; every option holds `sections` maps of `leaves` leaves, so the composed config
// has about groups * sections * (leaves + 1) nodes.
struct Tree {
  fs::path dir;
  std::vector<std::string> overrides;
  size_t groups = 0;

  Tree(size_t groups_, size_t sections, size_t leaves) : groups(groups_) {
    dir = fs::temp_directory_path() / ("rig-bench-compose-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    std::string primary = "defaults:\n";
    for (size_t g = 0; g < groups; ++g) {
      primary += "  - g" + std::to_string(g) + ": a\n";
      for (const char* option : {"a", "b"}) {
        fs::create_directories(dir / ("g" + std::to_string(g)));
        std::ofstream out(dir / ("g" + std::to_string(g)) / (std::string(option) + ".yaml"));
        for (size_t s = 0; s < sections; ++s) {
          out << "s" << s << ":\n";
          for (size_t l = 0; l < leaves; ++l) out << "  k" << l << ": " << (l * 7 + s) << "\n";
        }
      }
    }
    primary += "  - _self_\nseed: 1\n";
    std::ofstream(dir / "train.yaml") << primary;
    for (size_t g = 0; g < groups; ++g) overrides.push_back("g" + std::to_string(g) + "=b");
    for (size_t i = 0; overrides.size() < 1000; ++i)
      overrides.push_back("g" + std::to_string(i % groups) + ".s" + std::to_string(i % sections) + ".k" +
                          std::to_string(i % leaves) + "=" + std::to_string(i));
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void BM_Compose(benchmark::State& state) {
  auto sections = static_cast<size_t>(state.range(0));
  Tree tree(100, sections, 19);
  rig::ComposeOptions options;
  options.search_path.add(tree.dir, "--config-dir");
  auto parse_all = [&] {
    options.overrides.clear();
    for (size_t i = 0; i < tree.overrides.size(); ++i)
      options.overrides.push_back(rig::parse_override(tree.overrides[i], static_cast<int>(i) + 1));
  };
  parse_all();
  size_t nodes = rig::compose("train", options).config.node_count();
  for (auto _ : state) {
    parse_all();  // parsing the 1,000 arguments is part of the work
    benchmark::DoNotOptimize(rig::compose("train", options));
  }
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["per_node"] = benchmark::Counter(static_cast<double>(nodes),
                                                  benchmark::Counter::kIsIterationInvariantRate |
                                                      benchmark::Counter::kInvert);
}
// 5 sections: ~10k nodes; 50 sections: ~100k nodes (the goal: < 50 ms); 200 sections: ~400k nodes. per_node shows
// linearity. Process CPU time includes the prefetching worker threads.
BENCHMARK(BM_Compose)->Arg(5)->Arg(50)->Arg(200)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// The floor under BM_Compose: reading and parsing the 100 files it merges, on one thread, nothing else.
void BM_ParseChosenFilesOnly(benchmark::State& state) {
  auto sections = static_cast<size_t>(state.range(0));
  Tree tree(100, sections, 19);
  for (auto _ : state)
    for (size_t g = 0; g < tree.groups; ++g)
      benchmark::DoNotOptimize(rig::load_file(tree.dir / ("g" + std::to_string(g)) / "b.yaml"));
}
BENCHMARK(BM_ParseChosenFilesOnly)->Arg(5)->Arg(50)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// The floor under any YAML-reading compose: libfyaml's event parser alone over the 100 chosen files, building nothing.
// Half of this CPU time (two cores) is the least wall time compose() can take with libfyaml as its parser.
void BM_EventsOnlyChosenFiles(benchmark::State& state) {
  auto sections = static_cast<size_t>(state.range(0));
  Tree tree(100, sections, 19);
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (size_t g = 0; g < tree.groups; ++g) {
    texts.push_back(rig::read_file(tree.dir / ("g" + std::to_string(g)) / "b.yaml"));
    bytes += texts.back().size();
  }
  for (auto _ : state)
    for (const std::string& text : texts) {
      rig::detail::fy::Parser parser(text, false);
      size_t n = 0;
      while (auto ev = parser.next()) n += ev.view().text.size() + 1;
      benchmark::DoNotOptimize(n);
    }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_EventsOnlyChosenFiles)->Arg(5)->Arg(50)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

}  // namespace
BENCHMARK_MAIN();
