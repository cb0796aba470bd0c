// rig/torch/checkpoint.hpp — saving and resuming training.
//
//   rig::torch::Checkpointer ckpt({.dir = "run/checkpoints", .every_n_steps = 200, .keep_last = 2});
//   int64_t step = resume ? ckpt.resume_latest(*model, opt, &sched, loader) : 0;   // the loader's position too
//   ...
//   if (ckpt.due(step)) ckpt.save_step(step, *model, opt, &sched, loader);
//
// (or by hand: ckpt.latest(), ckpt.load(path, ...) and ckpt.save(step, ..., {{"epoch", e}, {"batch", b}})).
//
// A checkpoint holds the model's parameters and buffers, the optimizer's state, the scheduler's step, LibTorch's
// CPU random generator state, the step and any integers the caller adds (data loader position). It is written to
// `step_<N>.pt.tmp` and renamed into place, so a run killed at any moment leaves only complete checkpoints; the
// oldest beyond keep_last are deleted after each save. Loading restores everything bit for bit. Checkpoints and
// save_model files record the model's dtype ("fp32", "bf16", "fp16"; saved_dtype reads it); loading puts every tensor
// in the receiving model's own dtype and device, so a bf16 file loads into an fp32 model and the other way round.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "rig/torch/train.hpp"
#include "rig/constraints.hpp"

namespace rig::torch {

struct CheckpointerOptions {
  std::string dir = "checkpoints";
  int64_t every_n_steps = 500;  // 0: only when asked
  int64_t keep_last = 2;        // 0: keep all
  static constexpr auto checks = rig::checks(rig::require("dir", rig::non_empty()), rig::require("every_n_steps", rig::non_negative()),
                                                  rig::require("keep_last", rig::non_negative(), "rig.torch.checkpoint.option"));
};

struct Resumed {
  int64_t step = 0;
  std::map<std::string, int64_t> extra;
};

class Checkpointer {
 public:
  explicit Checkpointer(CheckpointerOptions options = {});
  bool due(int64_t step) const { return options_.every_n_steps > 0 && step % options_.every_n_steps == 0; }

  std::filesystem::path save(int64_t step, ::torch::nn::Module& model, ::torch::optim::Optimizer& optimizer,
                             const LRScheduler* scheduler = nullptr,
                             const std::map<std::string, int64_t>& extra = {}) const;
  // Every complete checkpoint in dir, oldest first.
  std::vector<std::filesystem::path> list() const;
  std::optional<std::filesystem::path> latest() const;
  // Throws rig::IoError rig.io.read when the file is missing or not a checkpoint.
  Resumed load(const std::filesystem::path& path, ::torch::nn::Module& model, ::torch::optim::Optimizer& optimizer,
               LRScheduler* scheduler = nullptr) const;

  // A training loop's two calls, with the data loader's position (DataLoader::state) kept in the checkpoint:
  // resume_latest continues from the latest checkpoint in dir, when there is one, and returns its step (0: none, a
  // fresh start); save_step writes one at `step`. Every recipe resumes this way (`resume: true`; check_resume below
  // makes "none" an error before the run starts).
  template <class Loader>
  int64_t resume_latest(::torch::nn::Module& model, ::torch::optim::Optimizer& optimizer, LRScheduler* scheduler,
                        Loader& loader) const {
    auto last = latest();
    if (!last) return 0;
    Resumed r = load(*last, model, optimizer, scheduler);
    loader.restore({r.extra["epoch"], r.extra["batch"]});
    std::printf("resumed from %s (step %lld)\n", last->c_str(), static_cast<long long>(r.step));
    return r.step;
  }
  template <class Loader>
  std::filesystem::path save_step(int64_t step, ::torch::nn::Module& model, ::torch::optim::Optimizer& optimizer,
                                  const LRScheduler* scheduler, const Loader& loader) const {
    auto at = loader.state();
    return save(step, model, optimizer, scheduler, {{"epoch", at.epoch}, {"batch", at.batch}});
  }

  const CheckpointerOptions& options() const { return options_; }

 private:
  CheckpointerOptions options_;
};

// Just the model's parameters and buffers (for evaluation or generation), in the same format as LibTorch's
// torch::save(module); load_model reads the "model" part of a Checkpointer file too.
void save_model(::torch::nn::Module& model, const std::filesystem::path& path);
void load_model(::torch::nn::Module& model, const std::filesystem::path& path);

// The recipes' check (RecipeSchema::check) that `resume: true` has something to continue from: a complete checkpoint
// in `checkpointer.dir`. --validate reports it (rig.torch.checkpoint.resume, at `resume`), and so does the run
// before it starts, rather than training from scratch where the user asked to continue.
void check_resume(const rig::Node& resolved, std::vector<rig::Error>& errors);

// The dtype a checkpoint or model file was saved in: "fp32", "bf16" or "fp16" ("fp32" for a file from before dtypes
// were recorded). Throws rig.io.read like load_model.
std::string saved_dtype(const std::filesystem::path& path);

}  // namespace rig::torch
