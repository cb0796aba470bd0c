// lora_finetune: load a base TransformerLM (full_finetune's model.pt), attach LoRA adapters to the Linear layers that
// match lora.targets, and train the adapters alone on your data (a JSONL file of prompt/response records, or text).
//
//   rig run lora_finetune base_checkpoint=outputs/full_finetune/<run>/model.pt dataset.path=my_data.jsonl
//   rig run lora_finetune dataset=text base_checkpoint=... "dataset.paths=[notes/*.txt]"
//
// The base weights are frozen and never modified: only the adapters train. Writes <run_dir>/adapters.pt (the
// adapters alone, keyed by layer name) and <run_dir>/model.pt (the base with the adapters merged into it, loadable by
// generate and full_finetune), checkpoints (base + adapters + optimizer), metrics.jsonl.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "rig/app.hpp"
#include "rig/instantiate.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/distributed.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/hf_recipes.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/lora.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/recipe.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

namespace lora_finetune {

namespace rt = rig::torch;
using Data = rt::Subset<rt::LMDataset>;

int recipe(const rig::Config& cfg) {
  if (cfg.contains("checkpoint_dir") && !cfg.get<std::string>("checkpoint_dir").empty()) return rt::hf::finetune_recipe(cfg, /*lora=*/true);  // --config hf
  rt::set_threads({cfg.get<int>("threads")});
  ::torch::manual_seed(cfg.get<uint64_t>("seed"));
  const std::filesystem::path run_dir = cfg.get<std::string>("run_dir");
  const int64_t steps = cfg.get<int64_t>("steps");
  const rt::Placement at = rt::placement(cfg);  // device, dtype, autocast: checked before anything is built

  auto tokenizer = rig::instantiate<std::shared_ptr<rt::Tokenizer>>(cfg["tokenizer"]);
  auto model = rig::instantiate<std::shared_ptr<rt::TransformerLM>>(cfg["model"],
                                                                     rig::kw("vocab_size", tokenizer->vocab_size()));
  rt::load_model(*model, cfg.get<std::string>("base_checkpoint"));
  auto lora = rig::instantiate<rt::LoRA>(cfg["lora"]);
  std::vector<std::string> adapted = lora.apply(*model);  // adapters on the matching layers; the rest frozen
  at.place(*model);  // before the optimizer is built: its state follows the parameters
  // Data parallelism (rig run --nproc N, srun): world size 1 is no group at all. Every rank starts from rank 0's
  // adapters, reads its slice of each global batch of loader.batch_size x world size, the adapters' gradients are
  // all-reduced, evaluation is shared out, and rank 0 alone writes.
  auto group = rt::ProcessGroup::from_environment(cfg.get<rt::DistributedOptions>("distributed"));
  group.broadcast_parameters(*model);
  auto dataset = rig::instantiate<std::shared_ptr<rt::LMDataset>>(cfg["dataset"], tokenizer);
  auto [train_set, validation_set] = rt::split<rt::LMDataset>(dataset, cfg.get<rt::SplitOptions>("split"));
  auto loader_options = cfg.get<rt::DataLoaderOptions>("loader");
  loader_options.batch_size *= group.world_size();
  rt::DataLoader loader(rt::shard_batches(std::shared_ptr<const Data>(train_set), group), loader_options);
  auto loss_fn = rig::instantiate<rt::CrossEntropyLoss>(cfg["loss"]);
  rt::MultiLogger logger = group.is_main() ? rt::make_loggers(cfg["loggers"]) : rt::MultiLogger();
  auto checkpointer = rig::instantiate<rt::Checkpointer>(cfg["checkpointer"]);
  auto optimizer =
      rig::instantiate<std::shared_ptr<::torch::optim::Optimizer>>(cfg["optimizer"], rt::LoRA::parameters(*model));
  auto scheduler = rig::instantiate<std::unique_ptr<rt::LRScheduler>>(cfg["lr_scheduler"], optimizer);
  auto evaluator = rig::instantiate<rt::Evaluator>(cfg["evaluator"]);
  rt::Profiler profiler = group.is_main() ? rig::instantiate<rt::Profiler>(cfg["profiler"]) : rt::Profiler();
  const double grad_clip = cfg.get<double>("grad_clip");
  if (group.is_main())
    std::printf("lora_finetune: %zu adapted layers, %lld trainable parameters of %lld, %lld training examples\n",
              adapted.size(), static_cast<long long>(rt::count_parameters(*model, true)),
              static_cast<long long>(rt::count_parameters(*model)), static_cast<long long>(train_set->size()));

  int64_t step = cfg.get<bool>("resume") ? checkpointer.resume_latest(*model, *optimizer, scheduler.get(), loader) : 0;

  model->train();
  profiler.start();
  rt::Metrics final_metrics;  // the last evaluation of the validation split
  while (step < steps) {
    rt::LMBatch batch = loader.next();
    optimizer->zero_grad();
    // The loss is the mean over the counted targets of the whole global batch, whichever rank holds them: each rank
    // weights its own mean by its share of the targets (ranks' examples differ in length).
    double counted = batch.targets.numel() > 0 ? (batch.targets != rt::kIgnoreIndex).sum().item<double>() : 0.0;
    const double total = group.sum(counted);
    double loss_sum = 0;
    if (counted > 0) {
      ::torch::Tensor loss = loss_fn(at.forward(*model, batch.inputs), at.input(batch.targets));
      loss_sum = loss.item<double>() * counted;
      (loss * (counted * group.world_size() / total)).backward();
    }  // else: no gradient, which averages as zeros
    group.average_gradients(rt::LoRA::parameters(*model), {&loss_sum, 1});  // the adapters' alone; with the loss
    double loss_value = total > 0 ? loss_sum * group.world_size() / total : 0.0;
    rt::clip_grad_norm(rt::LoRA::parameters(*model), grad_clip);
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
  rt::LoRA::save(*model, run_dir / "adapters.pt");
  if (!final_metrics.empty()) {
    if (!evaluator.due(step)) logger.log(step, final_metrics);  // else the loop just logged it
    for (const auto& [name, value] : final_metrics) std::printf("%s: %.4f\n", name.c_str(), value);
  }
  logger.flush();
  rt::LoRA::merge(*model);  // W += (alpha / rank) B A, adapters removed: a plain TransformerLM again
  rt::save_model(*model, run_dir / "model.pt");
  return 0;
}

rig::RecipeSchema schema() {
  return rt::training_schema()
      .key<std::string>("checkpoint_dir", "", "--config hf: a Hugging Face checkpoint directory (writes <run_dir>/hf)")
      .key<int64_t>("gradient_accumulation_steps", 1, "--config hf: micro-batches per optimizer step")
      .key<std::string>("base_checkpoint", "", "the base model: full_finetune's model.pt (or one of its checkpoints)")
      .key<double>("grad_clip", 1.0, "gradient clipping of the adapters: largest total L2 norm (<= 0: none)")
      .key<rt::DistributedOptions>("distributed", {}, "data parallelism: store tcp|file, store_path, timeout_s")
      .component<rt::Tokenizer>("tokenizer", "the base model's tokenizer (config group: byte, char, sentencepiece)")
      .component<rt::Model>("model", "--config hf: HFLlama; else the base model's shape; vocab_size comes from the tokenizer")
      .component<rt::LoRA>("lora", "rank, alpha, dropout and the Linear layers to adapt (glob patterns)")
      .component<rt::LMDataset>("dataset", "your data (config group: jsonl, text); the tokenizer is passed at the call site");
}

}  // namespace lora_finetune

RIG_RECIPE(lora_finetune::recipe, lora_finetune::schema());
