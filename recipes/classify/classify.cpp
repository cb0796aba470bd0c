// classify: image / tabular classification. The whole recipe is classify() below, top to bottom: model, dataset,
// data loader, loss, logger, checkpointer, optimizer; loop; log; checkpoint; evaluate.
//
//   rig run classify --config fashion_mnist_mlp                       # ~0.88 test accuracy
//   rig run classify --config fashion_mnist_mlp model=convnet steps=600
//   rig run classify --config fashion_mnist_mlp task=csv task.path=my.csv task.label_column=species
//
// Tasks and models are config groups (configs/classify/task, configs/classify/model); the hook
// task_sets_model_sizes fits the model's input and output sizes to the task (classify.hpp).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "classify.hpp"
#include "rig/instantiate.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/distributed.hpp"
#include "rig/torch/logger.hpp"
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

rt::MultiLogger make_logger(const rig::Config& cfg, const fs::path& run_dir) {
  rt::MultiLogger logger;
  logger.add(std::make_shared<rt::ConsoleLogger>(rt::ConsoleLoggerOptions{
      .total_steps = cfg.get<int64_t>("steps"),
      .every_n_steps = cfg.get_or<int64_t>("logging.every_n_steps", 100),
      .progress_bar = cfg.get_or<bool>("logging.progress_bar", true)}));
  if (cfg.get_or<bool>("logging.jsonl", true))
    logger.add(std::make_shared<rt::JSONLLogger>(rt::JSONLLoggerOptions{(run_dir / "metrics.jsonl").string()}));
  if (cfg.get_or<bool>("logging.csv", false))
    logger.add(std::make_shared<rt::CSVLogger>(rt::CSVLoggerOptions{(run_dir / "metrics.csv").string()}));
  return logger;
}

// Continues from the latest checkpoint in `dir` (an earlier run's checkpoints); returns the step reached.
template <class Loader>
int64_t resume(const std::string& dir, rt::Model& model, rt::AdamW& optimizer, rt::LRScheduler& scheduler,
               Loader& loader) {
  if (dir.empty()) return 0;
  rt::Checkpointer earlier({.dir = dir, .every_n_steps = 0});
  auto last = earlier.latest();
  if (!last) throw rig::Error("rig.classify.resume", "no checkpoint in '" + dir + "'", {}, "resume_from");
  rt::Resumed r = earlier.load(*last, model, optimizer, &scheduler);
  loader.restore({r.extra["epoch"], r.extra["batch"]});
  std::printf("resumed from %s (step %lld)\n", last->c_str(), static_cast<long long>(r.step));
  return r.step;
}

// Validation metrics, then the test split's (named test_*) when the task has one.
rt::Metrics final_scores(const rt::Evaluator& evaluator, rt::Model& model, const Examples& validation,
                         const std::shared_ptr<const rt::TensorDataset>& test) {
  rt::Metrics scores = evaluator.evaluate(model, validation);
  if (test)
    for (const auto& [name, value] : evaluator.evaluate(model, test))
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
  rt::set_threads({.num_threads = cfg.get_or<int>("threads", 0)});
  ::torch::manual_seed(cfg.get_or<uint64_t>("seed", 0));
  const fs::path run_dir = cfg.get<std::string>("run_dir");
  const auto steps = cfg.get<int64_t>("steps");

  auto task = rig::instantiate<std::shared_ptr<classify::AnyTask>>(cfg["task"].resolved());
  auto model = rig::instantiate<std::shared_ptr<rt::Model>>(cfg["model"].resolved());
  // Data parallelism (rig run --nproc N, srun): world size 1 is no group at all. Every rank starts from rank 0's
  // weights, reads its slice of each global batch of loader.batch_size x world size, and rank 0 alone writes.
  auto group = rt::ProcessGroup::from_environment(cfg.get_or<rt::DistributedOptions>("distributed", {}));
  group.broadcast_parameters(*model);
  auto [train_set, validation_set] = split_off_validation(task->train(), cfg.get_or<rt::SplitOptions>("split", {}));
  auto loader_options = cfg.get_or<rt::DataLoaderOptions>("loader", {});
  loader_options.batch_size *= group.world_size();
  rt::DataLoader loader(rt::shard_batches(train_set, group), loader_options);
  rt::CrossEntropyLoss loss_fn;
  rt::MultiLogger logger = group.is_main() ? make_logger(cfg, run_dir) : rt::MultiLogger();
  rt::Checkpointer checkpointer(cfg.get<rt::CheckpointerOptions>("checkpointer"));
  rt::AdamW optimizer(model->parameters(), cfg.get_or<rt::AdamWOptions>("optimizer", {}));
  rt::CosineWithWarmup scheduler(optimizer, cfg.get_or<rt::CosineWithWarmupOptions>("scheduler", {}));
  rt::Evaluator evaluator(cfg.get_or<rt::EvaluatorOptions>("evaluator", {}));
  const auto grad_clip = cfg.get_or<double>("grad_clip", 0.0);
  int64_t step = resume(cfg.get_or<std::string>("resume_from", ""), *model, optimizer, scheduler, loader);

  model->train();
  const int64_t first_step = step;
  const auto start = std::chrono::steady_clock::now();
  while (step < steps) {
    rt::ClassBatch batch = loader.next();
    ::torch::Tensor logits = model->forward(batch.inputs);
    ::torch::Tensor loss = loss_fn(logits, batch.labels);
    optimizer.zero_grad();
    loss.backward();
    // The gradients are complete here: the one place to combine or inspect them before the update.
    double loss_value = loss.item<double>();
    group.average_gradients(model->parameters(), {&loss_value, 1});  // with the loss: one all-reduce
    if (grad_clip > 0) rt::clip_grad_norm(model->parameters(), grad_clip);
    optimizer.step();
    scheduler.step();
    ++step;

    logger.log(step, {{"loss", loss_value}, {"lr", scheduler.lr()}});
    if (group.is_main() && checkpointer.due(step)) {
      auto at = loader.state();
      checkpointer.save(step, *model, optimizer, &scheduler, {{"epoch", at.epoch}, {"batch", at.batch}});
    }
    if (group.is_main() && evaluator.due(step)) logger.log(step, evaluator.evaluate(*model, validation_set));
  }
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!group.is_main()) return 0;

  rt::Metrics scores = final_scores(evaluator, *model, validation_set, task->test());
  logger.log(step, scores);
  logger.flush();
  rt::save_model(*model, run_dir / "model.pt");
  report(scores, step - first_step, train_seconds);
  return 0;
}

rig::RecipeSchema schema() {
  rig::RecipeSchema s;
  s.component<classify::AnyTask>("task", "what to learn (group task: fashion_mnist, csv, synthetic)")
      .component<rt::Model>("model", "the classifier (group model: mlp, convnet); sizes set by the task")
      .key<int64_t>("steps", "training steps")
      .key<uint64_t>("seed", 0, "LibTorch's seed: initial weights, dropout")
      .key<int>("threads", 0, "LibTorch threads; 0: OMP_NUM_THREADS, else every core")
      .key<std::string>("resume_from", "", "an earlier run's checkpoints directory: continue from its latest")
      .key<double>("grad_clip", 0.0, "max total gradient L2 norm; 0: no clipping")
      .key<rt::SplitOptions>("split", {}, "train/validation split of the task's training data")
      .key<rt::DataLoaderOptions>("loader", {}, "batching and shuffling of the training split")
      .key<rt::AdamWOptions>("optimizer", {}, "AdamW")
      .key<rt::CosineWithWarmupOptions>("scheduler", {}, "learning-rate schedule")
      .key<rt::EvaluatorOptions>("evaluator", {}, "validation every N steps")
      .key<rt::DistributedOptions>("distributed", {}, "data parallelism: store tcp|file, store_path, timeout_s")
      .key<rt::CheckpointerOptions>("checkpointer", "checkpoints: directory, every N steps, how many to keep")
      .key<int64_t>("logging.every_n_steps", 100, "console: a line every N steps (no TTY)")
      .key<bool>("logging.progress_bar", true, "console: a progress bar on a TTY")
      .key<bool>("logging.jsonl", true, "write run_dir/metrics.jsonl")
      .key<bool>("logging.csv", false, "write run_dir/metrics.csv");
  return s;
}

}  // namespace

RIG_TORCH_RECIPE(classify_recipe, schema(), rig::RecipeHooks{{"task_sets_model_sizes", classify::task_sets_model_sizes}});
