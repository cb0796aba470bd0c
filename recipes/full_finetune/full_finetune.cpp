// full_finetune: train a TransformerLM on a text corpus, from scratch or continuing from a checkpoint.
//
//   rig run full_finetune                                   # configs/full_finetune/full_finetune.yaml
//   rig run full_finetune tokenizer=char steps=1000 model.d_model=128
//   rig run full_finetune resume=true checkpointer.dir=outputs/full_finetune/<run>/checkpoints
//   rig run full_finetune init_from=outputs/full_finetune/<run>/model.pt    # continue training a model
//
// Everything is built from the config through the registry (rig::instantiate); what the program owns is passed at the
// call site: the tokenizer to the dataset, the vocabulary size to the model, the parameters to the optimizer, the
// optimizer to the schedule. Writes <run_dir>/model.pt (the final weights), checkpoints, metrics.jsonl.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "rig/app.hpp"
#include "rig/instantiate.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/hf_recipes.hpp"
#include "rig/torch/distributed.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/recipe.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

namespace full_finetune {

namespace rt = rig::torch;
using Data = rt::Subset<rt::LMDataset>;

int recipe(const rig::Config& cfg) {
  if (cfg.contains("checkpoint_dir") && !cfg.get<std::string>("checkpoint_dir").empty()) return rt::hf::finetune_recipe(cfg, /*lora=*/false);  // --config hf
  rt::set_threads({cfg.get<int>("threads")});
  ::torch::manual_seed(cfg.get<uint64_t>("seed"));
  const std::filesystem::path run_dir = cfg.get<std::string>("run_dir");
  const int64_t steps = cfg.get<int64_t>("steps");
  const rt::Placement at = rt::placement(cfg);  // device, dtype, autocast: checked before anything is built

  auto tokenizer = rig::instantiate<std::shared_ptr<rt::Tokenizer>>(cfg["tokenizer"]);
  auto model = rig::instantiate<std::shared_ptr<rt::TransformerLM>>(cfg["model"],
                                                                     rig::kw("vocab_size", tokenizer->vocab_size()));
  if (auto init = cfg.get<std::string>("init_from"); !init.empty()) rt::load_model(*model, init);
  at.place(*model);  // before the optimizer is built: its state follows the parameters
  auto dataset = rig::instantiate<std::shared_ptr<rt::LMDataset>>(cfg["dataset"], tokenizer);
  // Data parallelism (rig run --nproc N, srun): world size 1 is no group at all. Every rank starts from rank 0's
  // weights, reads its slice of each global batch of loader.batch_size x world size, evaluates its share of the
  // validation batches (the sums all-reduced), and rank 0 alone writes.
  auto group = rt::ProcessGroup::from_environment(cfg.get<rt::DistributedOptions>("distributed"));
  group.broadcast_parameters(*model);
  auto [train_set, validation_set] = rt::split<rt::LMDataset>(dataset, cfg.get<rt::SplitOptions>("split"));
  auto loader_options = cfg.get<rt::DataLoaderOptions>("loader");
  loader_options.batch_size *= group.world_size();
  rt::DataLoader loader(rt::shard_batches(std::shared_ptr<const Data>(train_set), group), loader_options);
  auto loss_fn = rig::instantiate<rt::CrossEntropyLoss>(cfg["loss"]);
  rt::MultiLogger logger = group.is_main() ? rt::make_loggers(cfg["loggers"]) : rt::MultiLogger();
  auto checkpointer = rig::instantiate<rt::Checkpointer>(cfg["checkpointer"]);
  auto optimizer = rig::instantiate<std::shared_ptr<::torch::optim::Optimizer>>(cfg["optimizer"], model->parameters());
  auto scheduler = rig::instantiate<std::unique_ptr<rt::LRScheduler>>(cfg["lr_scheduler"], optimizer);
  auto evaluator = rig::instantiate<rt::Evaluator>(cfg["evaluator"]);
  rt::Profiler profiler = group.is_main() ? rig::instantiate<rt::Profiler>(cfg["profiler"]) : rt::Profiler();
  const double grad_clip = cfg.get<double>("grad_clip");
  std::printf("full_finetune: %lld parameters, vocabulary %lld, %lld training windows\n",
              static_cast<long long>(rt::count_parameters(*model)), static_cast<long long>(tokenizer->vocab_size()),
              static_cast<long long>(train_set->size()));

  int64_t step = cfg.get<bool>("resume") ? checkpointer.resume_latest(*model, *optimizer, scheduler.get(), loader) : 0;

  model->train();
  profiler.start();
  rt::Metrics final_metrics;  // the last evaluation of the validation split
  while (step < steps) {
    rt::LMBatch batch = loader.next();
    ::torch::Tensor loss = loss_fn(at.forward(*model, batch.inputs), at.input(batch.targets));
    optimizer->zero_grad();
    loss.backward();
    // The gradients are ready: this is where data-parallel training averages them across processes.
    double loss_value = loss.item<double>();
    group.average_gradients(model->parameters(), {&loss_value, 1});  // with the loss: one all-reduce
    rt::clip_grad_norm(model->parameters(), grad_clip);
    optimizer->step();
    scheduler->step();
    ++step;

    logger.log(step, {{"loss", loss_value}, {"lr", scheduler->lr()}});
    if (group.is_main() && checkpointer.due(step)) checkpointer.save_step(step, *model, *optimizer, scheduler.get(), loader);
    if (evaluator.due(step) && validation_set->size() > 0) {  // every rank: the batches are shared out
      final_metrics = evaluator.evaluate<Data>(*model, validation_set, group);
      logger.log(step, final_metrics);
    }
    profiler.step();
  }
  profiler.stop();

  // The loop's evaluation at the last step is the final one; evaluated again only when the last step was not due.
  if ((!evaluator.due(step) || final_metrics.empty()) && validation_set->size() > 0)
    final_metrics = evaluator.evaluate<Data>(*model, validation_set, group);
  if (!group.is_main()) return 0;
  rt::save_model(*model, run_dir / "model.pt");
  if (!final_metrics.empty()) {
    if (!evaluator.due(step)) logger.log(step, final_metrics);  // else the loop just logged it
    for (const auto& [name, value] : final_metrics) std::printf("%s: %.4f\n", name.c_str(), value);
  }
  logger.flush();
  return 0;
}

rig::RecipeSchema schema() {
  return rt::training_schema()
      .key<std::string>("checkpoint_dir", "", "--config hf: a Hugging Face checkpoint directory (writes <run_dir>/hf)")
      .key<int64_t>("gradient_accumulation_steps", 1, "--config hf: micro-batches per optimizer step")
      .key<std::string>("init_from", "", "a model (model.pt, or a checkpoint) to start from instead of random weights")
      .key<double>("grad_clip", 1.0, "gradient clipping: largest total L2 norm (<= 0: none)")
      .key<rt::DistributedOptions>("distributed", {}, "data parallelism: store tcp|file, store_path, timeout_s")
      .component<rt::Tokenizer>("tokenizer", "text to token ids (config group: byte, char, sentencepiece)")
      .component<rt::Model>("model", "--config hf: HFLlama; else the language model; vocab_size comes from the tokenizer")
      .component<rt::LMDataset>("dataset", "the training text; the tokenizer is passed at the call site");
}

}  // namespace full_finetune

RIG_RECIPE(full_finetune::recipe, full_finetune::schema());
