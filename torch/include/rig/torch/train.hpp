// rig/torch/train.hpp — losses, optimizers, learning-rate schedules, gradient clipping, evaluation.
//
//   rig::torch::CrossEntropyLoss loss_fn;
//   rig::torch::AdamW opt(model->parameters(), {.lr = 1e-3, .weight_decay = 0.01});   // LibTorch's AdamW
//   rig::torch::CosineWithWarmup sched(opt, {.warmup_ratio = 0.1, .total_steps = 1000});
//   loss.backward(); rig::torch::clip_grad_norm(model->parameters(), 1.0); opt.step(); sched.step();
//
// Optimizers are LibTorch's, constructed from aggregate options structs that mirror LibTorch's parameters.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "rig/torch/data.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/model.hpp"
#include "rig/constraints.hpp"

namespace rig::torch {

// ---- losses ---------------------------------------------------------------------------------------------------------
struct CrossEntropyLossOptions {
  double label_smoothing = 0.0;
  int64_t ignore_index = kIgnoreIndex;
  static constexpr auto checks = rig::checks(rig::require("label_smoothing", rig::range(0, 1)));
};
// logits [..., C] against int64 targets [...]: the mean over targets that are not ignore_index.
class CrossEntropyLoss {
 public:
  explicit CrossEntropyLoss(CrossEntropyLossOptions options = {}) : options_(options) {}
  Tensor operator()(const Tensor& logits, const Tensor& targets) const;

 private:
  CrossEntropyLossOptions options_;
};

struct MSELossOptions {
  std::string reduction = "mean";  // mean | sum
  static constexpr auto checks = rig::checks(rig::require("reduction", rig::one_of("mean|sum"), "rig.torch.loss.option"));
};
class MSELoss {
 public:
  explicit MSELoss(MSELossOptions options = {});
  Tensor operator()(const Tensor& prediction, const Tensor& target) const;

 private:
  MSELossOptions options_;
};

// ---- optimizers (LibTorch's) ----------------------------------------------------------------------------------------
struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  static constexpr auto checks = rig::checks(rig::require("lr", rig::non_negative(), "rig.torch.optim.option"), rig::require("lr", rig::finite()),
                                                  rig::require("momentum", rig::non_negative()), rig::require("dampening", rig::non_negative()),
                                                  rig::require("weight_decay", rig::non_negative()));
};
// The optimizers refuse an empty parameter list (rig.torch.optim.no_parameters): a recipe that forgot to pass them.
class SGD : public ::torch::optim::SGD {
 public:
  explicit SGD(std::vector<Tensor> params, SGDOptions options = {});
};

struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  static constexpr auto checks = rig::checks(rig::require("lr", rig::non_negative(), "rig.torch.optim.option"), rig::require("lr", rig::finite()),
                                                  rig::require("eps", rig::positive()), rig::require("weight_decay", rig::non_negative()));
};
class Adam : public ::torch::optim::Adam {
 public:
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {});
};

struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.01;
  bool amsgrad = false;
  static constexpr auto checks = rig::checks(rig::require("lr", rig::non_negative(), "rig.torch.optim.option"), rig::require("lr", rig::finite()),
                                                  rig::require("eps", rig::positive()), rig::require("weight_decay", rig::non_negative()));
};
class AdamW : public ::torch::optim::AdamW {
 public:
  explicit AdamW(std::vector<Tensor> params, AdamWOptions options = {});
};

// ---- learning-rate schedules ------------------------------------------------------------------------------------
// A schedule scales each parameter group's initial learning rate by factor(step). step() advances one optimizer
// step and writes the new rates; the state is just the step count (checkpointed by rig::torch::Checkpointer).
// Each schedule takes the optimizer by reference (the caller keeps it alive) or as a shared_ptr, which it then
// shares (null: rig.torch.optim.no_optimizer) — the form a config builds, with the optimizer passed at the call site.
class LRScheduler {
 public:
  explicit LRScheduler(::torch::optim::Optimizer& optimizer);
  explicit LRScheduler(std::shared_ptr<::torch::optim::Optimizer> optimizer);
  virtual ~LRScheduler() = default;
  virtual double factor(int64_t step) const = 0;
  void step();
  int64_t last_step() const { return step_; }
  void set_step(int64_t step);  // restores a checkpointed step and the rates that go with it
  double lr() const;            // the first group's current rate

 protected:
  void apply_initial() { apply(); }  // subclasses whose factor(0) != 1 call this at the end of their constructor
  void share(std::shared_ptr<::torch::optim::Optimizer> optimizer) { owner_ = std::move(optimizer); }

 private:
  void apply();
  std::shared_ptr<::torch::optim::Optimizer> owner_;  // set by the shared_ptr constructor
  ::torch::optim::Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t step_ = 0;
};

struct ConstantLROptions {};
class ConstantLR : public LRScheduler {
 public:
  explicit ConstantLR(::torch::optim::Optimizer& optimizer, ConstantLROptions = {}) : LRScheduler(optimizer) {}
  explicit ConstantLR(std::shared_ptr<::torch::optim::Optimizer> optimizer) : LRScheduler(std::move(optimizer)) {}
  double factor(int64_t) const override { return 1.0; }
};

struct StepLROptions {
  int64_t step_size = 1000;
  double gamma = 0.1;
  static constexpr auto checks = rig::checks(rig::require("step_size", rig::positive(), "rig.torch.sched.option"), rig::require("gamma", rig::finite()));
};
class StepLR : public LRScheduler {
 public:
  StepLR(::torch::optim::Optimizer& optimizer, StepLROptions options = {});
  StepLR(std::shared_ptr<::torch::optim::Optimizer> optimizer, StepLROptions options = {});
  double factor(int64_t step) const override;

 private:
  StepLROptions options_;
};

struct CosineWithWarmupOptions {
  // Linear warm-up from 1/(warmup+1) to 1 over `warmup` steps: warmup_steps when it is > 0, else (as Hugging Face's
  // Trainer) ceil(warmup_ratio * total_steps), at most total_steps - 1 — so a ratio fits any total_steps >= 1.
  int64_t warmup_steps = 0;
  double warmup_ratio = 0.0;
  int64_t total_steps = 1000;  // then cosine down to min_ratio at total_steps
  double min_ratio = 0.0;
  static constexpr auto checks = rig::checks(rig::require("warmup_steps", rig::non_negative(), "rig.torch.sched.option"),
                                                  rig::require("warmup_ratio", rig::range(0, 1), "rig.torch.sched.option"),
                                                  rig::require("total_steps", rig::positive(), "rig.torch.sched.option"),
                                                  rig::require_less("warmup_steps", "total_steps", "rig.torch.sched.option"),
                                                  rig::require("min_ratio", rig::range(0, 1)));
  // The warm-up's length in steps, as above.
  int64_t warmup() const;
};
class CosineWithWarmup : public LRScheduler {
 public:
  CosineWithWarmup(::torch::optim::Optimizer& optimizer, CosineWithWarmupOptions options = {});
  CosineWithWarmup(std::shared_ptr<::torch::optim::Optimizer> optimizer, CosineWithWarmupOptions options = {});
  double factor(int64_t step) const override;

 private:
  CosineWithWarmupOptions options_;
  int64_t warmup_;  // options_.warmup()
};

// ---- gradient clipping --------------------------------------------------------------------------------------------
struct GradClipOptions {
  double max_norm = 1.0;  // <= 0 or infinity: no clipping (the norm is still returned)
};
// Scales gradients so their total L2 norm is at most max_norm; returns the norm before clipping.
double clip_grad_norm(const std::vector<Tensor>& parameters, double max_norm);

// ---- evaluation ---------------------------------------------------------------------------------------------------
struct EvaluatorOptions {
  int64_t every_n_steps = 500;  // 0: only when asked
  int64_t batch_size = 512;
  int64_t max_batches = 0;      // 0: the whole dataset
  static constexpr auto checks = rig::checks(rig::require("every_n_steps", rig::non_negative()), rig::require("batch_size", rig::positive(), "rig.torch.data.batch_size"),
                                                  rig::require("max_batches", rig::non_negative()));
};
// Runs the model in eval mode without gradients over a dataset. ClassBatch datasets give accuracy and loss;
// LMBatch datasets give loss and perplexity (exp of the mean token loss).
class Evaluator {
 public:
  explicit Evaluator(EvaluatorOptions options = {}) : options_(options) {}
  bool due(int64_t step) const { return options_.every_n_steps > 0 && step % options_.every_n_steps == 0; }

  template <class Dataset>
  Metrics evaluate(Model& model, std::shared_ptr<const Dataset> dataset) const;

 private:
  EvaluatorOptions options_;
};

// Sums for one batch: loss summed over counted targets, correct predictions, counted targets.
struct EvalSums {
  double loss_sum = 0, correct = 0, count = 0;
};
EvalSums eval_batch(Model& model, const ClassBatch& batch);
EvalSums eval_batch(Model& model, const LMBatch& batch);
Metrics eval_metrics(const EvalSums& sums, bool language_model);

template <class Dataset>
Metrics Evaluator::evaluate(Model& model, std::shared_ptr<const Dataset> dataset) const {
  DataLoader<Dataset> loader(std::move(dataset), {.batch_size = options_.batch_size, .shuffle = false,
                                                   .drop_last = false});
  using Batch = typename DataLoader<Dataset>::Batch;
  ::torch::NoGradGuard no_grad;
  bool was_training = model.is_training();
  model.eval();
  EvalSums total;
  int64_t n = loader.batches_per_epoch();
  if (options_.max_batches > 0) n = std::min(n, options_.max_batches);
  for (int64_t i = 0; i < n; ++i) {
    EvalSums s = eval_batch(model, loader.batch(0, i));
    total.loss_sum += s.loss_sum, total.correct += s.correct, total.count += s.count;
  }
  model.train(was_training);
  return eval_metrics(total, std::is_same_v<Batch, LMBatch>);
}

}  // namespace rig::torch
