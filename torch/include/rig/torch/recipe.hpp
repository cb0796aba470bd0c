// rig/torch/recipe.hpp — the config keys every training recipe reads, declared once.
//
//   rig::RecipeSchema schema() {
//     return rig::torch::training_schema()                       // steps, seed, threads, resume, split, loader,
//         .component<rig::torch::TransformerLM>("model", "...");  // loss, optimizer, lr_scheduler, evaluator,
//   }                                                             // checkpointer, loggers
//
// The recipes build each of them with rig::instantiate from the config (configs/<recipe>/<recipe>.yaml holds the
// `_component_`s), so `optimizer._component_=rig.torch.SGD` or `optimizer:={_component_: rig.torch.SGD, lr: 0.1}`
// swaps the optimizer of any of them. `device`, `dtype` and `autocast` place the model and the batches
// (rig/torch/device.hpp); `profiler` profiles a few steps (rig/torch/profiler.hpp). Resuming is one convention: `resume: true` continues from the latest checkpoint
// in checkpointer.dir (Checkpointer::resume_latest).
#pragma once

#include <torch/torch.h>

#include "rig/torch/checkpoint.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/train.hpp"
#include "rig/validate.hpp"

namespace rig::torch {

inline rig::RecipeSchema training_schema() {
  rig::RecipeSchema s;
  s.key<int64_t>("steps", "optimizer steps in total (a resumed run continues up to it)")
      .key<uint64_t>("seed", 0, "LibTorch's generator (initial weights, dropout)")
      .key<int>("threads", 0, "LibTorch's CPU threads (0: OMP_NUM_THREADS, else every core)")
      .key<bool>("resume", false, "continue from the last checkpoint in checkpointer.dir (an error when it holds none)")
      .key<SplitOptions>("split", {}, "train/validation split of the training examples")
      .key<DataLoaderOptions>("loader", {}, "batching (per rank) and seeded shuffling of the training split")
      .component<CrossEntropyLoss>("loss", "the loss")
      .component<::torch::optim::Optimizer>("optimizer", "the parameters to train are passed at the call site")
      .component<LRScheduler>("lr_scheduler", "the optimizer is passed at the call site")
      .component<Evaluator>("evaluator", "metrics on the validation split every N steps")
      .component<Checkpointer>("checkpointer", "atomic checkpoints every N steps, keep-last-N")
      .component<Profiler>("profiler", "LibTorch's profiler on a step schedule (enabled: false by default)")
      .section("loggers", "a list of rig.torch.MetricLogger components (ConsoleLogger, JSONLLogger, CSVLogger, "
                          "TensorBoardLogger)")
      .check(&check_resume)
      .check(&check_placement);
  placement_keys(s);
  return s;
}

}  // namespace rig::torch
