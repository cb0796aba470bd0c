// generate: sample text from a TransformerLM checkpoint (full_finetune's or lora_finetune's model.pt).
//
//   rig run generate checkpoint=outputs/full_finetune/<run>/model.pt prompt="This program is" max_new_tokens=200
//   rig run generate checkpoint=... temperature=0          # greedy: the most likely token each step
//
// Prints the prompt and its continuation, and writes them to <run_dir>/generated.txt. The draws depend only on
// `seed`: the same seed gives the same text.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "rig/app.hpp"
#include "rig/instantiate.hpp"
#include "rig/io.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/hf_recipes.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/threads.hpp"

namespace generate {

namespace rt = rig::torch;

int recipe(const rig::Config& cfg) {
  if (cfg.contains("checkpoint_dir") && !cfg.get<std::string>("checkpoint_dir").empty()) return rt::hf::generate_recipe(cfg);  // --config hf: a Hugging Face checkpoint
  rt::set_threads({cfg.get<int>("threads")});
  const std::filesystem::path run_dir = cfg.get<std::string>("run_dir");
  const rt::Placement at = rt::placement(cfg);  // device, dtype: checked before anything is built

  auto tokenizer = rig::instantiate<std::shared_ptr<rt::Tokenizer>>(cfg["tokenizer"]);
  auto model = rig::instantiate<std::shared_ptr<rt::TransformerLM>>(cfg["model"],
                                                                     rig::kw("vocab_size", tokenizer->vocab_size()));
  rt::load_model(*model, cfg.get<std::string>("checkpoint"));  // in the file's dtype, converted to the model's
  at.place(*model);

  const std::string prompt = cfg.get<std::string>("prompt");
  std::vector<int64_t> prompt_ids = tokenizer->encode(prompt);
  if (prompt_ids.empty()) prompt_ids.push_back(tokenizer->eos_id());  // an empty prompt starts a new text
  rt::SamplingOptions sampling{.max_new_tokens = cfg.get<int64_t>("max_new_tokens"),
                               .temperature = cfg.get<double>("temperature"),
                               .top_k = cfg.get<int64_t>("top_k"),
                               .seed = cfg.get<uint64_t>("seed"),
                               .stop_id = cfg.get<bool>("stop_at_eos") ? tokenizer->eos_id() : -1};
  // The profiler's steps are the sampling steps, one per new token (profiler.enabled=true: run_dir/profile).
  rt::Profiler profiler = cfg.contains("profiler") ? rig::instantiate<rt::Profiler>(cfg["profiler"]) : rt::Profiler();
  std::vector<int64_t> generated;
  {
    rt::AutocastScope amp = at.autocast_scope();  // autocast: true computes the forward passes in dtype
    profiler.start();
    generated = rt::sample(*model, prompt_ids, sampling, [&profiler] { profiler.step(); });
    profiler.stop();
  }
  if (!generated.empty() && generated.back() == sampling.stop_id) generated.pop_back();

  std::string text = prompt + tokenizer->decode(generated);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  rig::write_file_atomic(run_dir / "generated.txt", text);
  return 0;
}

rig::RecipeSchema schema() {
  rig::RecipeSchema s;
  rt::placement_keys(s);
  s.check(&rt::check_placement);
  s.key<std::string>("checkpoint", "", "the model: a model.pt (full_finetune, lora_finetune) or a checkpoint")
      .key<std::string>("checkpoint_dir", "", "--config hf: a Hugging Face checkpoint directory (writes generation.json)")
      .key<bool>("use_cache", true, "--config hf: decode with the KV cache")
      .section("profiler", "(optional) a rig.torch.Profiler on the decoding steps (each new token a step)")
      .key<std::string>("prompt", "", "the text to continue (empty: a new text)")
      .key<int64_t>("max_new_tokens", 200, "the most tokens to add")
      .key<double>("temperature", 0.8, "softmax temperature (<= 0: greedy, the most likely token)")
      .key<int64_t>("top_k", 0, "sample among the k most likely tokens (0: all; 1: greedy)")
      .key<uint64_t>("seed", 0, "the sampler's generator: same seed, same text")
      .key<bool>("stop_at_eos", true, "stop at the end-of-sequence token")
      .key<int>("threads", 0, "LibTorch's CPU threads (0: OMP_NUM_THREADS, else every core)")
      .component<rt::Tokenizer>("tokenizer", "the model's tokenizer (config group: byte, char, sentencepiece)")
      .component<rt::Model>("model", "the model's shape (vocab_size comes from the tokenizer), or --config hf's HFLlama");
  return s;
}

}  // namespace generate

RIG_RECIPE(generate::recipe, generate::schema());
