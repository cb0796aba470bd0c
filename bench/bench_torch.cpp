// rig::torch measurements (docs/performance.md, "LibTorch components"):
//  - per-step time of the classify recipe's loop against a hand-written LibTorch loop doing the same work
//    (Fashion-MNIST, MLP 784-256-128-10, batch 128, AdamW, cosine schedule, shuffled batches, loss read every step);
//  - the per-step cost of the profiler when off and of the TensorBoard logger logging every step, as a percentage of
//    the fashion_mnist_mlp training step they ride on, measured interleaved in one loop (BM_StepOverheads);
//  - TransformerLM training steps/s at a documented size on Debian's license texts (byte tokens).
// Data loading is outside every timed region (the recipe runs as its own process and reports its loop's time).
// Threads: OMP_NUM_THREADS (default: every core).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "rig/torch/data.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/tensorboard.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

namespace rt = rig::torch;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kSteps = 300;

// Runs the classify recipe binary as shipped (loggers on, checkpointer idle, no evaluation in the loop) for kSteps
// steps and returns the seconds per step of its training loop, which it prints (data loading and start-up excluded).
double classify_recipe_seconds_per_step() {
  auto dir = std::filesystem::temp_directory_path() / "rig_bench_classify";
  std::filesystem::remove_all(dir);
  std::string cmd = std::string(CLASSIFY_BINARY) + " --config fashion_mnist_mlp steps=" + std::to_string(kSteps) +
                    " task.test=false evaluator.every_n_steps=0 +evaluator.max_batches=1 checkpointer.every_n_steps=0"
                    " loggers.0.every_n_steps=1000000 --output-dir " + dir.string();
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  char line[512];
  double seconds = -1;
  while (std::fgets(line, sizeof line, p)) {
    double s = 0;
    if (std::sscanf(line, "train_seconds: %lf", &s) == 1) seconds = s;
  }
  if (pclose(p) != 0 || seconds < 0) throw std::runtime_error("classify failed: " + cmd);
  std::filesystem::remove_all(dir);
  return seconds / kSteps;
}

// The classify recipe as shipped, per training step.
void BM_ClassifyRecipeStep(benchmark::State& state) {
  for (auto _ : state) state.SetIterationTime(classify_recipe_seconds_per_step());
}

// The same work written directly against LibTorch.
void BM_HandwrittenLibTorchStep(benchmark::State& state) {
  rt::set_threads();
  rt::FashionMNIST data;  // rig's reader, for the same tensors; not timed
  auto [train_idx, val_idx] = rt::split_indices(data.size(), {.validation_ratio = 0.1, .seed = 0});
  ::torch::Tensor train_index = ::torch::tensor(train_idx, ::torch::kLong);
  ::torch::Tensor x_all = data.inputs().index_select(0, train_index), y_all = data.labels().index_select(0, train_index);
  for (auto _ : state) {
    ::torch::manual_seed(0);
    ::torch::nn::Sequential model(::torch::nn::Flatten(), ::torch::nn::Linear(784, 256), ::torch::nn::ReLU(),
                                  ::torch::nn::Linear(256, 128), ::torch::nn::ReLU(), ::torch::nn::Linear(128, 10));
    ::torch::optim::AdamW opt(model->parameters(), ::torch::optim::AdamWOptions(2e-3).weight_decay(1e-4));
    const int64_t batch = 128, per_epoch = x_all.size(0) / batch;
    ::torch::Tensor order;
    auto start = Clock::now();
    for (int64_t step = 0; step < kSteps; ++step) {
      if (step % per_epoch == 0) order = ::torch::randperm(x_all.size(0), ::torch::kLong);
      ::torch::Tensor idx = order.narrow(0, (step % per_epoch) * batch, batch);
      ::torch::Tensor x = x_all.index_select(0, idx), y = y_all.index_select(0, idx);
      ::torch::Tensor loss = ::torch::nn::functional::cross_entropy(model->forward(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      double progress = step < 50 ? (step + 2.0) / 51.0 : 0.05 + 0.95 * 0.5 * (1 + std::cos(M_PI * (step - 49.0) / (kSteps - 50.0)));
      static_cast<::torch::optim::AdamWOptions&>(opt.param_groups()[0].options()).lr(2e-3 * progress);
      benchmark::DoNotOptimize(loss.item<double>());
    }
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count() / kSteps);
  }
}

// What the recipe does per step beyond the hand-written loop, without LibTorch's compute: the loader's index
// bookkeeping (cursor, permutation lookup), logging loss and lr to the console (plain mode) and a JSONL file, the
// schedule update, and the checkpoint / evaluation checks.
void BM_RecipeBookkeepingPerStep(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / "rig_bench_bookkeeping";
  std::filesystem::create_directories(dir);
  std::FILE* devnull = std::fopen("/dev/null", "w");
  rt::MultiLogger logger;
  logger.add(std::make_shared<rt::ConsoleLogger>(rt::ConsoleLoggerOptions{.total_steps = 1000, .every_n_steps = 100},
                                                 devnull));
  logger.add(std::make_shared<rt::JSONLLogger>(rt::JSONLLoggerOptions{(dir / "m.jsonl").string()}));
  ::torch::Tensor w = ::torch::zeros({1}, ::torch::requires_grad());
  rt::AdamW opt({w});
  rt::CosineWithWarmup sched(opt, {.warmup_steps = 50, .total_steps = 1'000'000});
  rt::Evaluator evaluator({.every_n_steps = 500});
  std::vector<int64_t> order = rt::shuffled_indices(54'000, 0, 0);
  int64_t step = 0;
  for (auto _ : state) {
    std::vector<int64_t> ids;  // DataLoader::batch's index gathering
    ids.reserve(128);
    int64_t begin = (step % 421) * 128;
    for (int64_t i = begin; i < begin + 128; ++i) ids.push_back(order[static_cast<size_t>(i)]);
    benchmark::DoNotOptimize(ids.data());
    sched.step();
    ++step;
    logger.log(step, {{"loss", 0.5}, {"lr", sched.lr()}});
    benchmark::DoNotOptimize(evaluator.due(step));
  }
  logger.flush();
  std::fclose(devnull);
  std::filesystem::remove_all(dir);
}

// The fashion_mnist_mlp step (MLP 784-256-128-10, AdamW, batch 128, loss read) is the anchor; in the same warm loop,
// each step also times what the classify recipe adds for the profiler when it is off (start once, step() every step,
// as the recipe calls it) and for a TensorBoardLogger logging loss and lr at every step (the recipe's every-step
// logging; its buffered file flushed every flush_secs as configured). Counters: each one's mean time per step and
// its share of the anchor step, in percent.
void BM_StepOverheads(benchmark::State& state) {
  rt::set_threads();
  ::torch::manual_seed(0);
  rt::MLP model({.in_features = 784, .hidden = {256, 128}, .out_features = 10});
  rt::AdamW opt(model.parameters(), {.lr = 2e-3});
  rt::CrossEntropyLoss loss_fn;
  ::torch::Tensor x = ::torch::rand({128, 784}), y = ::torch::randint(0, 10, {128}, ::torch::kLong);
  auto dir = std::filesystem::temp_directory_path() / "rig_bench_overheads";
  std::filesystem::remove_all(dir);
  rt::Profiler profiler(rt::ProfilerOptions{.enabled = false, .dir = (dir / "profile").string()});
  rt::TensorBoardLogger tensorboard(rt::TensorBoardLoggerOptions{.log_dir = (dir / "tensorboard").string()});
  double step_s = 0, profiler_s = 0, tensorboard_s = 0;
  int64_t step = 0;
  profiler.start();
  for (auto _ : state) {
    auto t0 = Clock::now();
    ::torch::Tensor loss = loss_fn(model.forward(x), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
    const double loss_value = loss.item<double>();
    auto t1 = Clock::now();
    profiler.step();
    auto t2 = Clock::now();
    tensorboard.log(++step, {{"loss", loss_value}, {"lr", 2e-3}});
    auto t3 = Clock::now();
    step_s += std::chrono::duration<double>(t1 - t0).count();
    profiler_s += std::chrono::duration<double>(t2 - t1).count();
    tensorboard_s += std::chrono::duration<double>(t3 - t2).count();
  }
  profiler.stop();
  tensorboard.flush();
  const double n = static_cast<double>(state.iterations());
  state.counters["step_ms"] = 1e3 * step_s / n;
  state.counters["profiler_off_us"] = 1e6 * profiler_s / n;
  state.counters["profiler_off_pct"] = 100 * profiler_s / step_s;
  state.counters["tensorboard_us"] = 1e6 * tensorboard_s / n;
  state.counters["tensorboard_pct"] = 100 * tensorboard_s / step_s;
  std::filesystem::remove_all(dir);
}

// TransformerLM: d_model 128, 4 layers, 4 heads, context 128, batch 16, byte vocabulary (257): 0.86 M parameters.
void BM_TransformerLMTrainStep(benchmark::State& state) {
  rt::set_threads();
  ::torch::manual_seed(0);
  auto tokenizer = std::make_shared<rt::ByteTokenizer>();
  auto corpus = std::make_shared<const rt::TextCorpus>(rt::TextCorpusOptions{.context = 128}, tokenizer);
  rt::TransformerLM lm({.vocab_size = 257, .context = 128, .d_model = 128, .n_layers = 4, .n_heads = 4});
  rt::AdamW opt(lm.parameters(), {.lr = 1e-3});
  rt::DataLoader loader(corpus, {.batch_size = 16, .seed = 0});
  rt::CrossEntropyLoss loss_fn;
  for (auto _ : state) {
    rt::LMBatch b = loader.next();
    ::torch::Tensor loss = loss_fn(lm.forward(b.inputs), b.targets);
    opt.zero_grad();
    loss.backward();
    opt.step();
    benchmark::DoNotOptimize(loss.item<double>());
  }
  state.counters["params"] = static_cast<double>(rt::count_parameters(lm));
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * 16 * 128), benchmark::Counter::kIsRate);
}

}  // namespace

// Interleaved, so that a noisy neighbour hurts both sides alike.
BENCHMARK(BM_HandwrittenLibTorchStep)->UseManualTime()->Iterations(1)->Repetitions(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClassifyRecipeStep)->UseManualTime()->Iterations(1)->Repetitions(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RecipeBookkeepingPerStep)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StepOverheads)->MinWarmUpTime(1)->MinTime(5)->Repetitions(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TransformerLMTrainStep)->MinTime(5)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  rt::prefer_passive_openmp(argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
}
