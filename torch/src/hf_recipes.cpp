// The `hf` configs of generate, full_finetune and lora_finetune: a Hugging Face checkpoint directory in, generation.json
// or a fine-tuned checkpoint directory out.
#include "rig/torch/hf_recipes.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>

#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/io.hpp"
#include "rig/yaml.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/distributed.hpp"
#include "rig/torch/hf.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/lora.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

namespace rig::torch::hf {

namespace fs = std::filesystem;

namespace {
// `bytes` with each ill-formed UTF-8 sequence (a maximal subpart, as Unicode recommends) replaced by U+FFFD: a
// completion may stop inside a character, and generation.json holds text.
std::string valid_utf8(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    auto c = static_cast<unsigned char>(bytes[i]);
    size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    size_t ok = len ? 1 : 0;
    for (size_t k = 1; k < len && i + k < bytes.size(); ++k) {
      auto d = static_cast<unsigned char>(bytes[i + k]);
      unsigned char lo = 0x80, hi = 0xBF;
      if (k == 1 && c == 0xE0) lo = 0xA0;
      if (k == 1 && c == 0xED) hi = 0x9F;
      if (k == 1 && c == 0xF0) lo = 0x90;
      if (k == 1 && c == 0xF4) hi = 0x8F;
      if (d < lo || d > hi) break;
      ++ok;
    }
    if (len && ok == len) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      i += std::max<size_t>(ok, 1);
    }
  }
  return out;
}

// The Llama of cfg["model"] (rig.torch.HFLlama) with the checkpoint's weights converted, tensor by tensor, straight
// into the dtype `at` keeps them in: the top-level `dtype` without autocast (fp32 or bf16), fp32 with autocast. That
// key is the one source of the weights' dtype, so a `dtype` in the model section is refused rather than overridden.
// Built on the CPU; the caller places it (at.place) on its device.
std::shared_ptr<Llama> load_llama(const Config& cfg, const Placement& at) {
  if (const Node* own = cfg["model"].node().find("dtype"))
    throw Error("rig.torch.dtype", "model.dtype: the Llama's weights take the top-level `dtype` key, not a model key",
                own->origin(), "model.dtype", "remove model.dtype and set dtype=fp32 or dtype=bf16 (top level)");
  const ::torch::Dtype weights = at.storage_dtype();
  if (weights != ::torch::kFloat32 && weights != ::torch::kBFloat16)
    throw Error("rig.torch.dtype",
                "dtype '" + dtype_name(weights) + "' without autocast: the Llama keeps its weights in fp32 or bf16",
                cfg["dtype"].node().origin(), "dtype",
                "dtype=bf16, or autocast=true (fp32 weights, the forward pass in " + dtype_name(at.dtype) + ")");
  return rig::instantiate<std::shared_ptr<Llama>>(cfg["model"], rig::kw("dtype", dtype_name(weights)));
}
}  // namespace

int generate_recipe(const Config& cfg) {
  set_threads({cfg.get_or<int>("threads", 0)});
  const fs::path run_dir = cfg.get<std::string>("run_dir");
  const fs::path dir = cfg.get<std::string>("checkpoint_dir");
  const Placement at = placement(cfg);  // device, dtype, autocast: checked before anything is loaded
  CheckpointInfo info = read_config(dir);
  auto tokenizer = rig::instantiate<std::shared_ptr<Tokenizer>>(cfg["tokenizer"]);
  auto model = load_llama(cfg, at);
  at.place(*model);

  const std::string prompt = cfg.get<std::string>("prompt");
  std::vector<int64_t> prompt_ids = tokenizer->encode(prompt);
  if (prompt_ids.empty())
    throw Error("rig.torch.sample.prompt", "the prompt has no tokens (an empty text, and the tokenizer adds no BOS)",
                cfg["prompt"].node().origin(), "prompt", "give a non-empty prompt");
  LlamaGenerateOptions options{.max_new_tokens = cfg.get_or<int64_t>("max_new_tokens", 64),
                               .temperature = cfg.get_or<double>("temperature", 0.0),
                               .top_k = cfg.get_or<int64_t>("top_k", 0),
                               .seed = cfg.get_or<uint64_t>("seed", 0),
                               .stop_ids = cfg.get_or<bool>("stop_at_eos", true) ? info.eos_token_ids
                                                                                  : std::vector<int64_t>{},
                               .use_cache = cfg.get_or<bool>("use_cache", true)};
  // The profiler's steps are the decoding steps: the first is the prompt's forward pass, each later one a new token's.
  Profiler profiler = cfg.contains("profiler") ? rig::instantiate<Profiler>(cfg["profiler"]) : Profiler();
  options.on_step = [&profiler] { profiler.step(); };
  std::vector<int64_t> completion;
  {
    AutocastScope amp = at.autocast_scope();  // autocast: true computes the forward passes in dtype
    profiler.start();
    completion = generate(*model, prompt_ids, options);
    profiler.stop();
  }
  std::string text = valid_utf8(tokenizer->decode(completion));

  Node out = Node::map();
  out.set("prompt", Node(prompt));
  Node p = Node::list(), c = Node::list();
  for (int64_t id : prompt_ids) p.push_back(Node(id));
  for (int64_t id : completion) c.push_back(Node(id));
  out.set("prompt_tokens", p);
  out.set("completion_tokens", c);
  out.set("completion", Node(text));
  write_file_atomic(run_dir / "generation.json", dump_json(out) + "\n");
  std::string shown = prompt + text;
  std::fwrite(shown.data(), 1, shown.size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

int finetune_recipe(const Config& cfg, bool lora) {
  set_threads({cfg.get_or<int>("threads", 0)});
  ::torch::manual_seed(cfg.get_or<uint64_t>("seed", 0));
  const fs::path run_dir = cfg.get<std::string>("run_dir");
  const fs::path dir = cfg.get<std::string>("checkpoint_dir");
  const int64_t steps = cfg.get<int64_t>("steps");
  const int64_t accumulate = cfg.get_or<int64_t>("gradient_accumulation_steps", 1);
  if (accumulate < 1)
    throw Error("rig.torch.train.option", "gradient_accumulation_steps must be at least 1",
                cfg["gradient_accumulation_steps"].node().origin(), "gradient_accumulation_steps");

  const Placement at = placement(cfg);  // device, dtype, autocast: checked before anything is loaded

  auto tokenizer = rig::instantiate<std::shared_ptr<Tokenizer>>(cfg["tokenizer"]);
  auto model = load_llama(cfg, at);
  if (lora) rig::instantiate<LoRA>(cfg["lora"]).apply(*model);
  at.place(*model);  // the adapters too; before the optimizer is built: its state follows the parameters
  const std::vector<Tensor> trainable = lora ? LoRA::parameters(*model) : model->parameters();
  // Data parallelism (rig run --nproc N, srun), as the small-model recipes: world size 1 is no group at all. Every
  // rank starts from rank 0's weights, reads its slice of each global micro-batch of loader.batch_size x world size,
  // the trained parameters' gradients are all-reduced, evaluation is shared out, and rank 0 alone writes.
  auto group = ProcessGroup::from_environment(cfg.get_or<DistributedOptions>("distributed", {}));
  group.broadcast_parameters(*model);
  using Data = Subset<LMDataset>;
  auto dataset = rig::instantiate<std::shared_ptr<LMDataset>>(cfg["dataset"], tokenizer);
  auto [train_set, validation_set] = split<LMDataset>(dataset, cfg.get<SplitOptions>("split"));
  auto loader_options = cfg.get<DataLoaderOptions>("loader");
  loader_options.batch_size *= group.world_size();
  DataLoader loader(shard_batches(std::shared_ptr<const Data>(train_set), group), loader_options);
  auto loss_fn = rig::instantiate<CrossEntropyLoss>(cfg["loss"]);
  MultiLogger logger = group.is_main() ? make_loggers(cfg["loggers"]) : MultiLogger();
  auto checkpointer = rig::instantiate<Checkpointer>(cfg["checkpointer"]);
  auto optimizer = rig::instantiate<std::shared_ptr<::torch::optim::Optimizer>>(cfg["optimizer"], trainable);
  auto scheduler = rig::instantiate<std::unique_ptr<LRScheduler>>(cfg["lr_scheduler"], optimizer);
  auto evaluator = rig::instantiate<Evaluator>(cfg["evaluator"]);
  Profiler profiler = group.is_main() ? rig::instantiate<Profiler>(cfg["profiler"]) : Profiler();
  const double grad_clip = cfg.get_or<double>("grad_clip", 1.0);
  if (group.is_main()) std::printf("%s: %lld trainable parameters of %lld, %lld training examples, %lld micro-batches per step\n",
              lora ? "lora_finetune" : "full_finetune", static_cast<long long>(count_parameters(*model, true)),
              static_cast<long long>(count_parameters(*model)), static_cast<long long>(train_set->size()),
              static_cast<long long>(accumulate));
  const std::string amp = at.autocast && at.dtype != ::torch::kFloat32 ? ", forward autocast to " + dtype_name(at.dtype) : "";
  if (group.is_main()) std::printf("weights: %s on %s%s\n", dtype_name(model->dtype()).c_str(), model->device().str().c_str(), amp.c_str());

  int64_t step = cfg.get_or<bool>("resume", false) ? checkpointer.resume_latest(*model, *optimizer, scheduler.get(), loader) : 0;

  model->train();
  profiler.start();
  while (step < steps) {
    optimizer->zero_grad();
    // Each micro-batch's loss is the mean over the counted targets of the whole global micro-batch, whichever rank
    // holds them: each rank weights its own mean by its share of the targets (examples differ in length).
    std::array<double, 2> sums{0.0, 0.0};  // this rank's share of the step's loss; its counted targets
    for (int64_t micro = 0; micro < accumulate; ++micro) {
      LMBatch batch = loader.next();
      const double counted = batch.targets.numel() > 0 ? batch.targets.ne(kIgnoreIndex).sum().item<double>() : 0.0;
      const double total = group.sum(counted);
      if (counted > 0) {
        Tensor loss = loss_fn(at.forward(*model, batch.inputs), at.input(batch.targets));
        const double share = counted / total;
        (loss * (share * group.world_size() / static_cast<double>(accumulate))).backward();
        sums[0] += loss.item<double>() * share;
      }  // else: no gradient, which averages as zeros
      sums[1] += counted;
    }
    group.average_gradients(trainable, sums);  // the sums too: averaged over the ranks
    const double loss_value = sums[0] * group.world_size() / static_cast<double>(accumulate);
    const double tokens = sums[1] * group.world_size();
    clip_grad_norm(trainable, grad_clip);
    optimizer->step();
    scheduler->step();
    ++step;
    logger.log(step, {{"loss", loss_value}, {"lr", scheduler->lr()}, {"tokens", tokens}});
    if (group.is_main() && checkpointer.due(step)) checkpointer.save_step(step, *model, *optimizer, scheduler.get(), loader);
    if (evaluator.due(step) && validation_set->size() > 0)  // every rank: the batches are shared out
      logger.log(step, evaluator.evaluate<Data>(*model, validation_set, group));
    profiler.step();
  }
  profiler.stop();
  if (validation_set->size() > 0 && !evaluator.due(step))
    logger.log(step, evaluator.evaluate<Data>(*model, validation_set, group));
  if (!group.is_main()) return 0;
  logger.flush();
  if (lora) LoRA::save(*model, run_dir / "adapters.pt");
  save(*model, run_dir / "hf", dir);  // LoRA merged into the written weights
  std::printf("wrote %s\n", (run_dir / "hf").c_str());
  return 0;
}

}  // namespace rig::torch::hf
