// Losses, optimizers, schedules, clipping, evaluation sums, threads.
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

#include "rig/torch/device.hpp"

namespace rig::torch {

}  // namespace rig::torch

// ---- tensors in configs (rig/torch/tensor_convert.hpp) ------------------------------------------------------------

namespace rig {
::torch::Tensor Convert<::torch::Tensor>::from(const Node& n, KeyPath& p) {
  throw TypeError("rig.type.mismatch", "a tensor cannot come from a config", n.origin(), p.to_string(),
                  "tensors (an optimizer's parameters) are passed by the program at the call site of rig::instantiate");
}
Node Convert<::torch::Tensor>::to(const ::torch::Tensor& t) {
  if (!t.defined()) return Node("<tensor undefined>");
  std::string dims;
  for (int64_t d : t.sizes()) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  std::string type = c10::toString(t.scalar_type());  // "Float"
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Node("<tensor " + type + " [" + dims + "]>");
}
}  // namespace rig

namespace rig::torch {

// ---- threads ------------------------------------------------------------------------------------------------------

int set_threads(const ThreadOptions& options) {
  int n = resolve_threads(options);
  ::torch::set_num_threads(n);
  return n;
}

// ---- losses -------------------------------------------------------------------------------------------------------

Tensor CrossEntropyLoss::operator()(const Tensor& logits, const Tensor& targets) const {
  return ::torch::nn::functional::cross_entropy(
      logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}),
      ::torch::nn::functional::CrossEntropyFuncOptions()
          .ignore_index(options_.ignore_index)
          .label_smoothing(options_.label_smoothing));
}

MSELoss::MSELoss(MSELossOptions options) : options_(std::move(options)) {
  if (options_.reduction != "mean" && options_.reduction != "sum")
    throw Error("rig.torch.loss.option", "MSELoss: reduction must be 'mean' or 'sum', got '" + options_.reduction + "'",
                {}, "reduction", did_you_mean(options_.reduction, {"mean", "sum"}));
}

Tensor MSELoss::operator()(const Tensor& prediction, const Tensor& target) const {
  Tensor sq = (prediction - target).pow(2);
  return options_.reduction == "sum" ? sq.sum() : sq.mean();
}

// ---- optimizers ---------------------------------------------------------------------------------------------------

namespace {
void check_lr(double lr) {
  if (!(lr >= 0)) throw Error("rig.torch.optim.option", "lr must be non-negative", {}, "lr");
}
std::vector<Tensor> need_parameters(std::vector<Tensor> params, const char* what) {
  if (params.empty())
    throw Error("rig.torch.optim.no_parameters", std::string(what) + " got no parameters to train", {}, "params",
                "the recipe passes them at the call site: rig::instantiate<...>(cfg[\"optimizer\"], model->parameters())");
  return params;
}
::torch::optim::Optimizer& need_optimizer(::torch::optim::Optimizer* optimizer) {
  if (!optimizer)
    throw Error("rig.torch.optim.no_optimizer", "a learning-rate schedule got no optimizer", {}, "optimizer",
                "the recipe passes it at the call site: rig::instantiate<...>(cfg[\"lr_scheduler\"], optimizer)");
  return *optimizer;
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions o)
    : ::torch::optim::SGD(need_parameters(std::move(params), "SGD"), (check_lr(o.lr), ::torch::optim::SGDOptions(o.lr)
                                                                  .momentum(o.momentum)
                                                                  .dampening(o.dampening)
                                                                  .weight_decay(o.weight_decay)
                                                                  .nesterov(o.nesterov))) {}

Adam::Adam(std::vector<Tensor> params, AdamOptions o)
    : ::torch::optim::Adam(need_parameters(std::move(params), "Adam"), (check_lr(o.lr), ::torch::optim::AdamOptions(o.lr)
                                                                   .betas({o.betas.first, o.betas.second})
                                                                   .eps(o.eps)
                                                                   .weight_decay(o.weight_decay)
                                                                   .amsgrad(o.amsgrad))) {}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions o)
    : ::torch::optim::AdamW(need_parameters(std::move(params), "AdamW"), (check_lr(o.lr), ::torch::optim::AdamWOptions(o.lr)
                                                                    .betas({o.betas.first, o.betas.second})
                                                                    .eps(o.eps)
                                                                    .weight_decay(o.weight_decay)
                                                                    .amsgrad(o.amsgrad))) {}

// ---- schedules ----------------------------------------------------------------------------------------------------

LRScheduler::LRScheduler(::torch::optim::Optimizer& optimizer) : optimizer_(optimizer) {
  for (auto& group : optimizer_.param_groups()) base_lrs_.push_back(group.options().get_lr());
}
LRScheduler::LRScheduler(std::shared_ptr<::torch::optim::Optimizer> optimizer)
    : LRScheduler(need_optimizer(optimizer.get())) {
  owner_ = std::move(optimizer);
}

void LRScheduler::step() {
  ++step_;
  apply();
}

void LRScheduler::set_step(int64_t step) {
  step_ = step;
  apply();
}

void LRScheduler::apply() {
  double f = factor(step_);
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size() && i < base_lrs_.size(); ++i) groups[i].options().set_lr(base_lrs_[i] * f);
}

double LRScheduler::lr() const { return optimizer_.param_groups().at(0).options().get_lr(); }

StepLR::StepLR(::torch::optim::Optimizer& optimizer, StepLROptions options)
    : LRScheduler(optimizer), options_(options) {
  if (options_.step_size <= 0) throw Error("rig.torch.sched.option", "StepLR: step_size must be positive", {}, "step_size");
}
StepLR::StepLR(std::shared_ptr<::torch::optim::Optimizer> optimizer, StepLROptions options)
    : StepLR(need_optimizer(optimizer.get()), options) {
  share(std::move(optimizer));
}

double StepLR::factor(int64_t step) const {
  return std::pow(options_.gamma, static_cast<double>(step / options_.step_size));
}

int64_t CosineWithWarmupOptions::warmup() const {
  if (warmup_steps > 0) return warmup_steps;
  auto derived = static_cast<int64_t>(std::ceil(warmup_ratio * static_cast<double>(total_steps)));
  return std::clamp<int64_t>(derived, 0, std::max<int64_t>(0, total_steps - 1));
}

CosineWithWarmup::CosineWithWarmup(::torch::optim::Optimizer& optimizer, CosineWithWarmupOptions options)
    : LRScheduler(optimizer), options_(options), warmup_(options.warmup()) {
  if (options_.warmup_steps < 0 || options_.total_steps <= options_.warmup_steps)
    throw Error("rig.torch.sched.option", "CosineWithWarmup: need 0 <= warmup_steps < total_steps", {},
                "total_steps");
  if (!(options_.warmup_ratio >= 0 && options_.warmup_ratio <= 1))
    throw Error("rig.torch.sched.option", "CosineWithWarmup: need 0 <= warmup_ratio <= 1", {}, "warmup_ratio");
  apply_initial();
}

CosineWithWarmup::CosineWithWarmup(std::shared_ptr<::torch::optim::Optimizer> optimizer,
                                   CosineWithWarmupOptions options)
    : CosineWithWarmup(need_optimizer(optimizer.get()), options) {
  share(std::move(optimizer));
}

double CosineWithWarmup::factor(int64_t step) const {
  if (step < warmup_) return static_cast<double>(step + 1) / static_cast<double>(warmup_ + 1);
  double progress = std::min(1.0, static_cast<double>(step - warmup_) / static_cast<double>(options_.total_steps - warmup_));
  return options_.min_ratio + (1 - options_.min_ratio) * 0.5 * (1 + std::cos(M_PI * progress));
}

// ---- clipping -----------------------------------------------------------------------------------------------------

double clip_grad_norm(const std::vector<Tensor>& parameters, double max_norm) {
  if (!(max_norm > 0) || std::isinf(max_norm)) {
    double sq = 0;
    for (const auto& p : parameters)
      if (p.grad().defined()) sq += p.grad().pow(2).sum().item<double>();
    return std::sqrt(sq);
  }
  return ::torch::nn::utils::clip_grad_norm_(parameters, max_norm);
}

// ---- evaluation ---------------------------------------------------------------------------------------------------

EvalSums eval_batch(Model& model, const ClassBatch& batch) {
  Tensor logits = model.forward(like_module(model, batch.inputs)).to(::torch::kFloat32);
  Tensor labels = like_module(model, batch.labels);
  double loss = ::torch::nn::functional::cross_entropy(
                    logits, labels, ::torch::nn::functional::CrossEntropyFuncOptions().reduction(::torch::kSum))
                    .item<double>();
  double correct = logits.argmax(1).eq(labels).sum().item<double>();
  return {loss, correct, static_cast<double>(labels.size(0))};
}

EvalSums eval_batch(Model& model, const LMBatch& batch) {
  Tensor logits = model.forward(like_module(model, batch.inputs)).to(::torch::kFloat32);
  Tensor flat_logits = logits.reshape({-1, logits.size(-1)}), flat_targets = like_module(model, batch.targets).reshape({-1});
  double loss = ::torch::nn::functional::cross_entropy(flat_logits, flat_targets,
                                                       ::torch::nn::functional::CrossEntropyFuncOptions()
                                                           .reduction(::torch::kSum)
                                                           .ignore_index(kIgnoreIndex))
                    .item<double>();
  Tensor counted = flat_targets.ne(kIgnoreIndex);
  double correct = flat_logits.argmax(1).eq(flat_targets).logical_and(counted).sum().item<double>();
  return {loss, correct, counted.sum().item<double>()};
}

EvalSums all_reduce_sums(const EvalSums& s, const ProcessGroup& group) {
  double v[3] = {s.loss_sum, s.correct, s.count};
  group.average(v);  // the mean over the ranks: times world_size, the sum
  double w = group.world_size();
  return {v[0] * w, v[1] * w, v[2] * w};
}

Metrics eval_metrics(const EvalSums& s, bool language_model) {
  double n = std::max(1.0, s.count), loss = s.loss_sum / n;
  if (language_model) return {{"val_loss", loss}, {"perplexity", std::exp(loss)}, {"token_accuracy", s.correct / n}};
  return {{"val_loss", loss}, {"accuracy", s.correct / n}};
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
namespace {
constexpr std::string_view kParamsDoc = "the tensors to train: passed by the recipe at the call site, not configured";
constexpr std::string_view kOptimizerDoc = "the optimizer: passed by the recipe at the call site, not configured";
const std::vector<::torch::Tensor> kNoParams;
}  // namespace
RIG_COMPONENT(rig::torch::CrossEntropyLoss, rig::options<rig::torch::CrossEntropyLossOptions>,
              rig::doc("Cross-entropy over the last dimension, skipping ignore_index targets"));
RIG_COMPONENT(rig::torch::MSELoss, rig::options<rig::torch::MSELossOptions>, rig::doc("Mean (or summed) squared error"));
// Optimizers and schedules take what the program owns (the parameters, the optimizer) as their first parameter, which
// the recipe passes at the call site, then their options struct's fields; its default (empty / null) keeps
// `--validate` quiet about it, and the constructor says what is missing when a recipe forgets it.
RIG_COMPONENT(rig::torch::SGD, rig::params<std::vector<::torch::Tensor>>(rig::arg("params", kParamsDoc) = kNoParams),
              rig::options<rig::torch::SGDOptions>, rig::name("rig.torch.SGD"), rig::interfaces<::torch::optim::Optimizer>,
              rig::doc("LibTorch's SGD; the parameters come from the recipe (call-site argument)"));
RIG_COMPONENT(rig::torch::Adam, rig::params<std::vector<::torch::Tensor>>(rig::arg("params", kParamsDoc) = kNoParams),
              rig::options<rig::torch::AdamOptions>, rig::name("rig.torch.Adam"), rig::interfaces<::torch::optim::Optimizer>,
              rig::doc("LibTorch's Adam; the parameters come from the recipe (call-site argument)"));
RIG_COMPONENT(rig::torch::AdamW, rig::params<std::vector<::torch::Tensor>>(rig::arg("params", kParamsDoc) = kNoParams),
              rig::options<rig::torch::AdamWOptions>, rig::name("rig.torch.AdamW"), rig::interfaces<::torch::optim::Optimizer>,
              rig::doc("LibTorch's AdamW (decoupled weight decay); the parameters come from the recipe"));
RIG_COMPONENT(rig::torch::ConstantLR, rig::params<std::shared_ptr<::torch::optim::Optimizer>>(rig::arg("optimizer", kOptimizerDoc) = nullptr),
              rig::name("rig.torch.ConstantLR"), rig::interfaces<rig::torch::LRScheduler>,
              rig::doc("The initial learning rate throughout"));
RIG_COMPONENT(rig::torch::StepLR, rig::params<std::shared_ptr<::torch::optim::Optimizer>>(rig::arg("optimizer", kOptimizerDoc) = nullptr),
              rig::options<rig::torch::StepLROptions>, rig::name("rig.torch.StepLR"), rig::interfaces<rig::torch::LRScheduler>,
              rig::doc("The rate times gamma every step_size steps"));
RIG_COMPONENT(rig::torch::CosineWithWarmup, rig::params<std::shared_ptr<::torch::optim::Optimizer>>(rig::arg("optimizer", kOptimizerDoc) = nullptr),
              rig::options<rig::torch::CosineWithWarmupOptions>, rig::name("rig.torch.CosineWithWarmup"),
              rig::interfaces<rig::torch::LRScheduler>,
              rig::doc("Linear warm-up, then cosine decay to min_ratio of the rate at total_steps"));
RIG_COMPONENT(rig::torch::Evaluator, rig::options<rig::torch::EvaluatorOptions>,
              rig::doc("Accuracy / perplexity on a validation set every N steps"));
RIG_COMPONENT(rig::torch::GradClipOptions, rig::doc("Gradient clipping by total L2 norm"));
RIG_COMPONENT(rig::torch::ThreadOptions, rig::doc("LibTorch's intra-op thread count"));
