// bench_llama: rig's side of bench/compare_llama.py (a ~100M-parameter Llama-shaped checkpoint, same work in Python).
//
//   bench_llama load DIR                    load the (sharded) checkpoint: seconds
//   bench_llama lora DIR STEPS BATCH SEQ    LoRA (q/k/v/o, rank 8) training steps on random tokens: tokens/s
//   bench_llama generate DIR PROMPT NEW     greedy generation with the KV cache: new tokens/s
//
// Prints one JSON object: {"seconds": ..., "tokens_per_s": ..., "peak_rss_mb": ..., "baseline_rss_mb": ...}. Peak
// RSS is getrusage's ru_maxrss of this process (one mode per process, so each number is that mode's own peak); the
// baseline is the process's RSS before the checkpoint is touched (LibTorch loaded and initialised, no model), so
// peak - baseline is what the model and the work cost.
// Environment: BENCH_THREADS sets LibTorch's intra-op threads; BENCH_PROFILE=DIR writes LibTorch's profiler op table
// of the timed lora/generate work to DIR/summary.txt (and DIR/trace.json).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "rig/torch/hf.hpp"
#include "rig/torch/lora.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/train.hpp"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double rss_mb() {  // VmRSS of /proc/self/status, in MiB
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// The timed work under LibTorch's profiler when BENCH_PROFILE names a directory (one active step per call).
rig::torch::Profiler profiler(int64_t active) {
  const char* dir = std::getenv("BENCH_PROFILE");
  return rig::torch::Profiler({.enabled = dir && *dir, .dir = dir ? dir : "", .wait = 0, .warmup = 0,
                               .active = active, .row_limit = 0});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_llama load|lora|generate DIR ...\n");
    return 2;
  }
  std::string mode = argv[1], dir = argv[2];
  if (const char* threads = std::getenv("BENCH_THREADS")) torch::set_num_threads(std::stoi(threads));
  torch::manual_seed(0);
  const double baseline = rss_mb();
  double t0 = now();
  auto model = rig::torch::hf::load(dir);
  double load_s = now() - t0;
  if (mode == "load") {
    std::printf("{\"seconds\": %.4f, \"peak_rss_mb\": %.1f, \"baseline_rss_mb\": %.1f}\n", load_s, peak_rss_mb(),
                baseline);
    return 0;
  }
  if (mode == "lora" && argc == 6) {
    const int64_t steps = std::stoll(argv[3]), B = std::stoll(argv[4]), T = std::stoll(argv[5]);
    rig::torch::LoRA lora({.rank = 8, .alpha = 16, .targets = {"*.q_proj", "*.k_proj", "*.v_proj", "*.o_proj"}});
    lora.apply(*model);
    torch::optim::AdamW opt(rig::torch::LoRA::parameters(*model), torch::optim::AdamWOptions(1e-4));
    torch::Tensor tokens = torch::randint(0, model->config().vocab_size, {B, T + 1}, torch::kLong);
    torch::Tensor inputs = tokens.narrow(1, 0, T), targets = tokens.narrow(1, 1, T);
    model->train();
    auto step = [&] {
      opt.zero_grad();
      torch::Tensor logits = model->forward(inputs);
      torch::Tensor loss = torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape(-1));
      loss.backward();
      opt.step();
    };
    step();  // warm-up
    auto prof = profiler(steps);
    double t = now();
    prof.start();
    for (int64_t i = 0; i < steps; ++i) step(), prof.step();
    double s = now() - t;
    prof.stop();
    std::printf("{\"seconds\": %.4f, \"tokens_per_s\": %.1f, \"peak_rss_mb\": %.1f, \"baseline_rss_mb\": %.1f}\n", s,
                static_cast<double>(steps * B * T) / s, peak_rss_mb(), baseline);
    return 0;
  }
  if (mode == "generate" && argc == 5) {
    const int64_t prompt_len = std::stoll(argv[3]), n = std::stoll(argv[4]);
    std::vector<int64_t> prompt;
    for (int64_t i = 0; i < prompt_len; ++i) prompt.push_back((i * 7919) % model->config().vocab_size);
    rig::torch::generate(*model, prompt, {.max_new_tokens = 4});  // warm-up
    auto prof = profiler(1);
    double t = now();
    prof.start();
    auto out = rig::torch::generate(*model, prompt, {.max_new_tokens = n});
    prof.step();
    double s = now() - t;
    prof.stop();
    std::printf("{\"seconds\": %.4f, \"tokens_per_s\": %.1f, \"peak_rss_mb\": %.1f, \"baseline_rss_mb\": %.1f}\n", s,
                static_cast<double>(out.size()) / s, peak_rss_mb(), baseline);
    return 0;
  }
  std::fprintf(stderr, "bench_llama: bad command line\n");
  return 2;
}
