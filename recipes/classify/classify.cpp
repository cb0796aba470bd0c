// classify: image / tabular classification. The whole recipe is classify_recipe() below, top to bottom: task, model,
// data loader, loss, loggers, checkpointer, optimizer, schedule, evaluator; loop; log; checkpoint; evaluate. Each is
// built from the config through the registry (rig::instantiate), so `optimizer._component_=rig.torch.SGD` swaps it.
//
//   rig run classify --config fashion_mnist_mlp                       # ~0.88 test accuracy
//   rig run classify --config fashion_mnist_mlp model=convnet steps=600
//   rig run classify --config fashion_mnist_mlp task=csv task.path=my.csv task.label_column=species
//   rig run classify --config fashion_mnist_mlp resume=true checkpointer.dir=outputs/classify/<run>/checkpoints
//   rig run predict checkpoint=outputs/classify/<run> input=new.csv     # the trained model on new rows
//
// Writes <run_dir>/model.pt and inference.yaml (what predict needs: the task's config and preprocessing, the class
// names, the model's config), checkpoints, metrics.jsonl.
// Tasks and models are config groups (configs/classify/task, configs/classify/model); the hook
// task_sets_model_sizes fits the model's input and output sizes to the task (classify.hpp).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "classify.hpp"
#include "rig/app.hpp"
#include "rig/instantiate.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/distributed.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/recipe.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;

namespace {

using Examples = std::shared_ptr<const rt::Subset<rt::TensorDataset>>;

// The task's training data, split into training and validation examples.
std::pair<Examples, Examples> split_off_validation(std::shared_ptr<const rt::TensorDataset> data, const rt::SplitOptions& options) {
  auto [train, validation] = rt::split(std::move(data), options);
  return {train, validation};
}

// Validation metrics, then the test split's (named test_*) when the task has one; every rank of `group` calls it and
// evaluates its share of the batches. `evaluated`: the validation metrics of the model as it is, when the loop has
// just computed them (not computed twice); empty: evaluate the validation split here.
rt::Metrics final_scores(const rt::Evaluator& evaluator, rt::Model& model, const Examples& validation,
                         rt::Metrics evaluated, const std::shared_ptr<const rt::TensorDataset>& test,
                         const rt::ProcessGroup& group) {
  rt::Metrics scores = evaluated.empty() ? evaluator.evaluate(model, validation, group) : std::move(evaluated);
  if (test)
    for (const auto& [name, value] : evaluator.evaluate(model, test, group))
      scores.emplace_back("test_" + (name.starts_with("val_") ? name.substr(4) : name), value);
  return scores;
}

// The scores, the headline (test accuracy when there is a test split, else validation accuracy) and the loop's speed.
void report(const rt::Metrics& scores, int64_t steps_run, double train_seconds) {
  double headline = 0;
  std::printf("scores:");
  for (const auto& [name, value] : scores) {
    std::printf(" %s=%.4f", name.c_str(), value);
    if (name == "accuracy" || name == "test_accuracy") headline = value;  // test_accuracy comes last
  }
  std::printf("\naccuracy: %.4f\n", headline);
  std::printf("train_seconds: %.2f (%lld steps, %.3f ms/step)\n", train_seconds, static_cast<long long>(steps_run),
              steps_run > 0 ? 1000 * train_seconds / static_cast<double>(steps_run) : 0.0);
}

int classify_recipe(const rig::Config& cfg) {
  rt::set_threads({.num_threads = cfg.get<int>("threads")});
  ::torch::manual_seed(cfg.get<uint64_t>("seed"));
  const fs::path run_dir = cfg.get<std::string>("run_dir");
  const auto steps = cfg.get<int64_t>("steps");
  const rt::Placement at = rt::placement(cfg);  // device, dtype, autocast: checked before anything is built

  auto task = rig::instantiate<std::shared_ptr<classify::AnyTask>>(cfg["task"].resolved());
  auto model = rig::instantiate<std::shared_ptr<rt::Model>>(cfg["model"].resolved());
  at.place(*model);  // before the optimizer is built: its state follows the parameters
  // Data parallelism (rig run --nproc N, srun): world size 1 is no group at all. Every rank starts from rank 0's
  // weights, reads its slice of each global batch of loader.batch_size x world size, evaluates its share of the
  // validation batches (the sums all-reduced), and rank 0 alone writes.
  auto group = rt::ProcessGroup::from_environment(cfg.get<rt::DistributedOptions>("distributed"));
  group.broadcast_parameters(*model);
  auto [train_set, validation_set] = split_off_validation(task->train(), cfg.get<rt::SplitOptions>("split"));
  auto loader_options = cfg.get<rt::DataLoaderOptions>("loader");
  loader_options.batch_size *= group.world_size();
  rt::DataLoader loader(rt::shard_batches(train_set, group), loader_options);
  auto loss_fn = rig::instantiate<rt::CrossEntropyLoss>(cfg["loss"]);
  rt::MultiLogger logger = group.is_main() ? rt::make_loggers(cfg["loggers"]) : rt::MultiLogger();
  auto checkpointer = rig::instantiate<rt::Checkpointer>(cfg["checkpointer"]);
  auto optimizer = rig::instantiate<std::shared_ptr<::torch::optim::Optimizer>>(cfg["optimizer"], model->parameters());
  auto scheduler = rig::instantiate<std::unique_ptr<rt::LRScheduler>>(cfg["lr_scheduler"], optimizer);
  auto evaluator = rig::instantiate<rt::Evaluator>(cfg["evaluator"]);
  rt::Profiler profiler = group.is_main() ? rig::instantiate<rt::Profiler>(cfg["profiler"]) : rt::Profiler();
  const auto grad_clip = cfg.get<double>("grad_clip");
  int64_t step = cfg.get<bool>("resume") ? checkpointer.resume_latest(*model, *optimizer, scheduler.get(), loader) : 0;

  model->train();
  const int64_t first_step = step;
  const auto start = std::chrono::steady_clock::now();
  profiler.start();
  rt::Metrics last_validation;  // the loop's latest evaluation of the validation split
  while (step < steps) {
    rt::ClassBatch batch = loader.next();
    ::torch::Tensor logits = at.forward(*model, batch.inputs);
    ::torch::Tensor loss = loss_fn(logits, at.input(batch.labels));
    optimizer->zero_grad();
    loss.backward();
    // The gradients are complete here: the one place to combine or inspect them before the update.
    double loss_value = loss.item<double>();
    group.average_gradients(model->parameters(), {&loss_value, 1});  // with the loss: one all-reduce
    if (grad_clip > 0) rt::clip_grad_norm(model->parameters(), grad_clip);
    optimizer->step();
    scheduler->step();
    ++step;

    logger.log(step, {{"loss", loss_value}, {"lr", scheduler->lr()}});
    if (group.is_main() && checkpointer.due(step)) checkpointer.save_step(step, *model, *optimizer, scheduler.get(), loader);
    if (evaluator.due(step)) {  // every rank: the batches are shared out
      last_validation = evaluator.evaluate(*model, validation_set, group);
      logger.log(step, last_validation);
    }
    profiler.step();
  }
  profiler.stop();
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The loop's evaluation at a due last step is the final one's validation part; else the validation split is
  // evaluated now (a last step that was not due, or a resumed run with no step left to run).
  rt::Metrics scores = final_scores(evaluator, *model, validation_set,
                                    evaluator.due(step) ? std::move(last_validation) : rt::Metrics{}, task->test(), group);
  if (!group.is_main()) return 0;

  logger.log(step, scores);
  logger.flush();
  rt::save_model(*model, run_dir / "model.pt");
  classify::save_inference(run_dir / "inference.yaml", *task, cfg["task"].resolved(), cfg["model"].resolved());
  report(scores, step - first_step, train_seconds);
  return 0;
}

rig::RecipeSchema schema() {
  return rt::training_schema()
      .component<classify::AnyTask>("task", "what to learn (group task: fashion_mnist, csv, synthetic)")
      .component<rt::Model>("model", "the classifier (group model: mlp, convnet); sizes set by the task")
      .key<double>("grad_clip", 0.0, "max total gradient L2 norm; 0: no clipping")
      .key<rt::DistributedOptions>("distributed", {}, "data parallelism: store tcp|file, store_path, timeout_s");
}

}  // namespace

RIG_RECIPE(classify_recipe, schema(), rig::RecipeHooks{{"task_sets_model_sizes", classify::task_sets_model_sizes}});
