// Sweeps: expansion cost, and expansion + dispatch overhead per job of a 1,000-job local sweep of a no-op
// program (goal < 5 ms per job). docs/performance.md has the numbers.
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <numeric>

#include "rig/launcher.hpp"
#include "rig/multirun.hpp"
#include "rig/sweep.hpp"

namespace {

rig::SweepSpec thousand_jobs() {
  rig::SweepSpec spec;
  spec.overrides = {"epochs=3", "a=range(0,10)", "lr=0.1,0.01,0.001,1e-4,1e-5,2e-5,3e-5,4e-5,5e-5,6e-5",
                    "zip(model=[mlp,convnet,resnet,vit,lstm,gru,rnn,tcn,mixer,s4], width=range(64,704,64))"};
  return spec;
}

void BM_ExpandThousandJobs(benchmark::State& state) {
  rig::SweepSpec spec = thousand_jobs();
  for (auto _ : state) {
    rig::SweepPlan plan = rig::expand_sweep(spec);
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ExpandThousandJobs)->Unit(benchmark::kMillisecond);

// The whole path of `rig sweep run`: expand, create the sweep directory (1,000 run directories, sweep.yaml), run
// every job (/bin/true) two at a time, write status files, collect summary.jsonl. Reported per job.
void BM_LocalSweepThousandNoOps(benchmark::State& state) {
  std::filesystem::path root = std::filesystem::temp_directory_path() / "rig-sweep-bench";
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    rig::SweepDir dir = rig::SweepDir::create(root, "noop", rig::expand_sweep(thousand_jobs()), {"true"}, {});
    std::vector<size_t> jobs(dir.size());
    std::iota(jobs.begin(), jobs.end(), size_t{0});
    rig::LocalLauncher launcher({.max_parallel = 2, .threads_per_job = 1});
    launcher.launch(dir, jobs, {});
    dir.write_summary(dir.results());
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(seconds);
    state.counters["ms_per_job"] = seconds * 1000 / static_cast<double>(jobs.size());
    std::filesystem::remove_all(root);
  }
}
BENCHMARK(BM_LocalSweepThousandNoOps)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

// For scale: the same 1,000 no-op processes spawned and reaped with no sweep machinery.
void BM_BareSpawnThousandNoOps(benchmark::State& state) {
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) benchmark::DoNotOptimize(std::system("true"));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(seconds);
    state.counters["ms_per_job"] = seconds;
  }
}
BENCHMARK(BM_BareSpawnThousandNoOps)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
