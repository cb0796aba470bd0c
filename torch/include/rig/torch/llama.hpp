// rig/torch/llama.hpp — the Llama family of decoders (Llama 2/3/3.1/3.2, Mistral, Qwen2/2.5, SmolLM), with a KV cache.
//
//   auto m = std::make_shared<rig::torch::Llama>(rig::torch::LlamaOptions{.config = rig::torch::llama3_2_1b()});
//   Tensor logits = m->forward(tokens);                    // [B, T] int64 -> [B, T, vocab] (float32)
//   rig::torch::KVCache cache = m->make_cache(1, 512);     // incremental decoding:
//   logits = m->forward(prompt, &cache);                   //   the prompt, then one token at a time
//   logits = m->forward(next, &cache);
//
// One configurable decoder: grouped-query attention (num_key_value_heads), RMSNorm, rotary embeddings (rope_theta,
// Llama-3 "llama3" rope_scaling), SwiGLU MLP, tied or untied embeddings, q/k/v biases (Qwen2). Submodule names are
// those of Hugging Face's transformers (model.layers.N.self_attn.q_proj, ...), so a checkpoint's tensor names are the
// model's parameter names and LoRA targets read like them ("*.q_proj", "*.mlp.*"). Weights are float32 or bfloat16
// (`dtype`); norms, rotary tables, softmax and the returned logits are float32. The model is built on the CPU and may
// be moved (Placement::place, Module::to): the tensors it makes per call (positions, the causal mask, the rotary
// tables, the KV cache) follow its parameters' device and dtype, and `generate` feeds tokens on that device. Only
// the CPU was available to test it.
//
// Builders name common shapes (torchtune's names; shapes only, the weights come from a checkpoint, rig/torch/hf.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "rig/torch/model.hpp"

namespace rig::torch {

// The architecture: the fields of a transformers config.json that shape the model.
struct LlamaConfig {
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;
  int64_t head_dim = 0;  // 0: hidden_size / num_attention_heads
  double rms_norm_eps = 1e-5;
  double rope_theta = 10000.0;
  std::string rope_scaling_type = "";  // "" (none) or "llama3"
  double rope_scaling_factor = 1.0;
  double rope_low_freq_factor = 1.0;
  double rope_high_freq_factor = 4.0;
  int64_t rope_original_max_position_embeddings = 8192;
  int64_t max_position_embeddings = 4096;
  bool tie_word_embeddings = false;
  bool attention_bias = false;  // q/k/v biases (Qwen2: true)
};

LlamaConfig llama2_7b();
LlamaConfig llama3_8b();
LlamaConfig llama3_1_8b();
LlamaConfig llama3_2_1b();
LlamaConfig llama3_2_3b();
LlamaConfig mistral_7b();
LlamaConfig qwen2_5_0_5b();
LlamaConfig qwen2_5_1_5b();
LlamaConfig smollm2_135m();

struct LlamaOptions {
  LlamaConfig config = {};
  std::string dtype = "float32";  // float32 | bfloat16: the weights' type
  bool activation_checkpointing = false;  // recompute each layer in backward instead of keeping its activations
  bool init = true;  // false: parameters are left uninitialised (a checkpoint fills them)
};

// Keys and values of every layer for incremental decoding: [B, kv_heads, capacity, head_dim] each.
struct KVCache {
  std::vector<Tensor> keys, values;
  int64_t length = 0;  // positions filled
  int64_t capacity = 0;
};

class LlamaLayer;

class Llama : public Model {
 public:
  explicit Llama(LlamaOptions options = {});
  Tensor forward(Tensor tokens) override;  // [B, T] -> [B, T, vocab] float32
  // With a cache: tokens continue the cached positions, whose keys/values are appended.
  Tensor forward(const Tensor& tokens, KVCache* cache);
  KVCache make_cache(int64_t batch, int64_t capacity) const;

  const LlamaOptions& options() const { return options_; }
  const LlamaConfig& config() const { return options_.config; }
  ::torch::Dtype dtype() const;    // the weights' dtype, as they are now
  ::torch::Device device() const;  // where the weights are
  int64_t head_dim() const;

  // The weights by Hugging Face name (lm_head.weight is absent when tied). LoRA adapters are not included.
  std::vector<std::pair<std::string, Tensor>> hf_state() const;

 private:
  Tensor run(const Tensor& tokens, KVCache* cache);
  LlamaOptions options_;
  ::torch::Dtype dtype_;  // the dtype it was built in (dtype() reads the weights')
  Tensor inv_freq_;  // [head_dim / 2] float32
  Tensor embed_;
  std::vector<std::shared_ptr<LlamaLayer>> layers_;
  Tensor norm_;
  std::shared_ptr<Linear> lm_head_;  // null when tied
};

// Greedy (temperature <= 0) or sampled continuation of `prompt` with the KV cache (use_cache) or by re-running the
// whole sequence each step. Stops after max_new_tokens or after any of `stop_ids` (included). New tokens only.
struct LlamaGenerateOptions {
  int64_t max_new_tokens = 64;
  double temperature = 0.0;
  int64_t top_k = 0;
  uint64_t seed = 0;
  std::vector<int64_t> stop_ids = {};
  bool use_cache = true;
  std::function<void()> on_step = {};  // after each new token (e.g. Profiler::step)
};
std::vector<int64_t> generate(Llama& model, const std::vector<int64_t>& prompt, const LlamaGenerateOptions& options);

}  // namespace rig::torch
