// Llama-family decoder: GQA attention with rotary embeddings, RMSNorm, SwiGLU, KV cache, activation checkpointing.
#include "rig/torch/llama.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "rig/error.hpp"
#include "rig/registry.hpp"

namespace rig::torch {

namespace nn = ::torch::nn;
namespace F = ::torch::nn::functional;
using ::torch::indexing::Slice;

// A module holding one named weight (embed_tokens, the norms), so that parameter names are transformers' names.
class WeightHolder : public nn::Module {
 public:
  explicit WeightHolder(Tensor w) { weight = register_parameter("weight", std::move(w)); }
  Tensor weight;
};

namespace {

void require(bool ok, const std::string& field, const std::string& message) {
  if (!ok) throw Error("rig.torch.model.option", "Llama: " + message, {}, "config." + field);
}

Tensor rms_norm(const Tensor& x, const Tensor& w, double eps) {
  Tensor f = x.to(::torch::kFloat);
  f = f * ::torch::rsqrt(f.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return w * f.to(x.scalar_type());
}

Tensor rotate_half(const Tensor& x) {
  int64_t h = x.size(-1) / 2;
  return ::torch::cat({-x.narrow(-1, h, h), x.narrow(-1, 0, h)}, -1);
}

std::shared_ptr<Linear> make_linear(int64_t in, int64_t out, bool bias, ::torch::Dtype dtype, bool init) {
  auto l = std::make_shared<Linear>(LinearOptions{in, out, bias});
  ::torch::NoGradGuard no_grad;
  (void)init;  // Linear initialises itself (cheap next to reading a checkpoint, which overwrites the values)
  if (dtype != ::torch::kFloat) {
    l->weight.set_data(l->weight.to(dtype));
    if (bias) l->bias.set_data(l->bias.to(dtype));
  }
  return l;
}

}  // namespace

class LlamaAttention : public nn::Module {
 public:
  LlamaAttention(const LlamaConfig& c, int64_t head_dim, ::torch::Dtype dtype, bool init)
      : heads(c.num_attention_heads), kv_heads(c.num_key_value_heads), hd(head_dim) {
    q_proj = register_module("q_proj", make_linear(c.hidden_size, heads * hd, c.attention_bias, dtype, init));
    k_proj = register_module("k_proj", make_linear(c.hidden_size, kv_heads * hd, c.attention_bias, dtype, init));
    v_proj = register_module("v_proj", make_linear(c.hidden_size, kv_heads * hd, c.attention_bias, dtype, init));
    o_proj = register_module("o_proj", make_linear(heads * hd, c.hidden_size, false, dtype, init));
  }

  // x [B, T, C]; cos/sin [T, hd]; mask [rep*T, S] (causal_mask; undefined when T == 1); the cache (may be null)
  // holds positions [0, offset).
  Tensor forward(const Tensor& x, const Tensor& cos, const Tensor& sin, const Tensor& mask, Tensor* cache_k,
                 Tensor* cache_v, int64_t offset) {
    const int64_t B = x.size(0), T = x.size(1), rep = heads / kv_heads;
    Tensor q = q_proj->forward(x).view({B, T, heads, hd}).transpose(1, 2);
    Tensor k = k_proj->forward(x).view({B, T, kv_heads, hd}).transpose(1, 2);
    Tensor v = v_proj->forward(x).view({B, T, kv_heads, hd}).transpose(1, 2);
    q = q * cos + rotate_half(q) * sin;
    k = k * cos + rotate_half(k) * sin;
    int64_t S = T;
    if (cache_k) {
      cache_k->narrow(2, offset, T).copy_(k);
      cache_v->narrow(2, offset, T).copy_(v);
      S = offset + T;
      k = cache_k->narrow(2, 0, S);
      v = cache_v->narrow(2, 0, S);
    }
    // Grouped queries: query head h uses key/value head h / rep, so the rep heads of a group share one matmul.
    Tensor qg = q.reshape({B, kv_heads, rep * T, hd});
    Tensor scores = ::torch::matmul(qg, k.transpose(-2, -1)).to(::torch::kFloat) *
                    (1.0 / std::sqrt(static_cast<double>(hd)));  // [B, KV, rep*T, S]
    if (mask.defined()) scores = scores + mask;  // x + 0 == x: the same numbers as masked_fill, no backward pass
    Tensor probs = ::torch::softmax(scores, -1).to(x.scalar_type());
    Tensor y = ::torch::matmul(probs, v)  // [B, KV, rep*T, hd]
                   .view({B, heads, T, hd})
                   .transpose(1, 2)
                   .reshape({B, T, heads * hd});
    return o_proj->forward(y);
  }

  int64_t heads, kv_heads, hd;
  std::shared_ptr<Linear> q_proj, k_proj, v_proj, o_proj;
};

class LlamaMLP : public nn::Module {
 public:
  LlamaMLP(const LlamaConfig& c, ::torch::Dtype dtype, bool init) {
    gate_proj = register_module("gate_proj", make_linear(c.hidden_size, c.intermediate_size, false, dtype, init));
    up_proj = register_module("up_proj", make_linear(c.hidden_size, c.intermediate_size, false, dtype, init));
    down_proj = register_module("down_proj", make_linear(c.intermediate_size, c.hidden_size, false, dtype, init));
  }
  Tensor forward(const Tensor& x) { return down_proj->forward(F::silu(gate_proj->forward(x)) * up_proj->forward(x)); }
  std::shared_ptr<Linear> gate_proj, up_proj, down_proj;
};

class LlamaLayer : public nn::Module {
 public:
  LlamaLayer(const LlamaConfig& c, int64_t head_dim, ::torch::Dtype dtype, bool init) : eps(c.rms_norm_eps) {
    self_attn = register_module("self_attn", std::make_shared<LlamaAttention>(c, head_dim, dtype, init));
    mlp = register_module("mlp", std::make_shared<LlamaMLP>(c, dtype, init));
    input_layernorm = register_module(
        "input_layernorm", std::make_shared<WeightHolder>(::torch::ones({c.hidden_size}, ::torch::dtype(dtype))));
    post_attention_layernorm = register_module(
        "post_attention_layernorm",
        std::make_shared<WeightHolder>(::torch::ones({c.hidden_size}, ::torch::dtype(dtype))));
  }
  Tensor forward(const Tensor& x, const Tensor& cos, const Tensor& sin, const Tensor& mask, Tensor* ck, Tensor* cv,
                 int64_t offset) {
    Tensor h = x + self_attn->forward(rms_norm(x, input_layernorm->weight, eps), cos, sin, mask, ck, cv, offset);
    return h + mlp->forward(rms_norm(h, post_attention_layernorm->weight, eps));
  }
  double eps;
  std::shared_ptr<LlamaAttention> self_attn;
  std::shared_ptr<LlamaMLP> mlp;
  std::shared_ptr<WeightHolder> input_layernorm, post_attention_layernorm;
};

namespace {

// The causal mask of T queries at positions [offset, offset + T) over S = offset + T keys, as an additive float
// mask (0 where a query sees a key, -inf after it), repeated for the rep query heads that share a key/value head:
// [rep*T, S], the rows of LlamaAttention's grouped scores. Built once per forward, shared by every layer.
Tensor causal_mask(int64_t T, int64_t offset, int64_t rep, ::torch::Device device) {
  const int64_t S = offset + T;
  const auto on = ::torch::TensorOptions(::torch::kLong).device(device);
  Tensor blocked = ::torch::arange(0, S, on).unsqueeze(0) > ::torch::arange(offset, S, on).unsqueeze(1);
  return ::torch::zeros({T, S}, ::torch::TensorOptions(::torch::kFloat).device(device))
      .masked_fill_(blocked, -std::numeric_limits<float>::infinity())
      .repeat({rep, 1});
}

// Activation checkpointing: the layer runs without building a graph; backward runs it again with one and
// backpropagates through it (parameters' gradients accumulate there, as in PyTorch's reentrant checkpoint).
struct CheckpointedLayer : public ::torch::autograd::Function<CheckpointedLayer> {
  static Tensor forward(::torch::autograd::AutogradContext* ctx, Tensor x, Tensor cos, Tensor sin, Tensor mask,
                        int64_t layer) {
    ctx->save_for_backward({x, cos, sin, mask});
    ctx->saved_data["layer"] = layer;
    ::torch::NoGradGuard no_grad;
    return reinterpret_cast<LlamaLayer*>(layer)->forward(x, cos, sin, mask, nullptr, nullptr, 0);
  }
  static ::torch::autograd::variable_list backward(::torch::autograd::AutogradContext* ctx,
                                                   ::torch::autograd::variable_list grad) {
    auto saved = ctx->get_saved_variables();
    auto* layer = reinterpret_cast<LlamaLayer*>(ctx->saved_data["layer"].toInt());
    Tensor x = saved[0].detach().requires_grad_(true);
    Tensor out;
    {
      ::torch::AutoGradMode enable(true);
      out = layer->forward(x, saved[1], saved[2], saved[3], nullptr, nullptr, 0);
    }
    ::torch::autograd::backward({out}, {grad[0]});
    return {x.grad(), Tensor(), Tensor(), Tensor(), Tensor()};
  }
};

}  // namespace

// ---- Llama --------------------------------------------------------------------------------------------------------

Llama::Llama(LlamaOptions options) : options_(std::move(options)) {
  const LlamaConfig& c = options_.config;
  require(c.vocab_size > 0, "vocab_size", "vocab_size must be positive");
  require(c.hidden_size > 0, "hidden_size", "hidden_size must be positive");
  require(c.intermediate_size > 0, "intermediate_size", "intermediate_size must be positive");
  require(c.num_hidden_layers > 0, "num_hidden_layers", "num_hidden_layers must be positive");
  require(c.num_attention_heads > 0, "num_attention_heads", "num_attention_heads must be positive");
  require(c.num_key_value_heads > 0 && c.num_attention_heads % c.num_key_value_heads == 0, "num_key_value_heads",
          "num_key_value_heads (" + std::to_string(c.num_key_value_heads) +
              ") must be positive and divide num_attention_heads (" + std::to_string(c.num_attention_heads) + ")");
  require(c.head_dim > 0 || c.hidden_size % c.num_attention_heads == 0, "head_dim",
          "hidden_size must be a multiple of num_attention_heads when head_dim is not given");
  require(head_dim() % 2 == 0, "head_dim", "head_dim must be even (rotary embeddings rotate pairs)");
  require(c.rms_norm_eps > 0, "rms_norm_eps", "rms_norm_eps must be positive");
  require(c.rope_theta > 0, "rope_theta", "rope_theta must be positive");
  require(c.rope_scaling_type.empty() || c.rope_scaling_type == "llama3", "rope_scaling_type",
          "rope_scaling_type '" + c.rope_scaling_type + "' is not supported (\"\" or \"llama3\")");
  if (options_.dtype == "float32" || options_.dtype == "fp32") {
    dtype_ = ::torch::kFloat;
  } else if (options_.dtype == "bfloat16" || options_.dtype == "bf16") {
    dtype_ = ::torch::kBFloat16;
  } else {
    throw Error("rig.torch.model.option", "Llama: dtype '" + options_.dtype + "' is not supported", {}, "dtype",
                "float32 or bfloat16");
  }

  // Rotary inverse frequencies (transformers' computation, then Llama 3's frequency-dependent scaling).
  const int64_t hd = head_dim();
  std::vector<double> inv(static_cast<size_t>(hd / 2));
  for (int64_t i = 0; i < hd / 2; ++i)
    inv[static_cast<size_t>(i)] = 1.0 / std::pow(c.rope_theta, static_cast<double>(2 * i) / static_cast<double>(hd));
  if (c.rope_scaling_type == "llama3") {
    const double old_len = static_cast<double>(c.rope_original_max_position_embeddings);
    const double low_wavelen = old_len / c.rope_low_freq_factor, high_wavelen = old_len / c.rope_high_freq_factor;
    for (double& f : inv) {
      double wavelen = 2 * std::numbers::pi / f;
      if (wavelen > low_wavelen) {
        f = f / c.rope_scaling_factor;
      } else if (wavelen >= high_wavelen) {
        double smooth = (old_len / wavelen - c.rope_low_freq_factor) / (c.rope_high_freq_factor - c.rope_low_freq_factor);
        f = (1 - smooth) * f / c.rope_scaling_factor + smooth * f;
      }
    }
  }
  inv_freq_ = ::torch::tensor(inv, ::torch::kDouble).to(::torch::kFloat);

  auto model = register_module("model", std::make_shared<nn::Module>());
  // Without init (a checkpoint fills it) the largest tensor is made in the weights' dtype directly: no float32 copy.
  Tensor embed = ::torch::empty({c.vocab_size, c.hidden_size}, options_.init ? ::torch::kFloat : dtype_);
  if (options_.init) {
    ::torch::NoGradGuard no_grad;
    embed = embed.normal_(0, 0.02).to(dtype_);
  }
  auto embed_tokens = model->register_module("embed_tokens", std::make_shared<WeightHolder>(embed));
  embed_ = embed_tokens->weight;
  auto layers = model->register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    layers_.push_back(std::make_shared<LlamaLayer>(c, hd, dtype_, options_.init));
    layers->push_back(layers_.back());
  }
  norm_ = model->register_module("norm", std::make_shared<WeightHolder>(::torch::ones({c.hidden_size}, ::torch::dtype(dtype_))))
              ->weight;
  if (!c.tie_word_embeddings)
    lm_head_ = register_module("lm_head", make_linear(c.hidden_size, c.vocab_size, false, dtype_, options_.init));
}

::torch::Dtype Llama::dtype() const { return embed_.scalar_type(); }
::torch::Device Llama::device() const { return embed_.device(); }

int64_t Llama::head_dim() const {
  const LlamaConfig& c = options_.config;
  return c.head_dim > 0 ? c.head_dim : c.hidden_size / c.num_attention_heads;
}

KVCache Llama::make_cache(int64_t batch, int64_t capacity) const {
  KVCache cache;
  cache.capacity = capacity;
  for (size_t i = 0; i < layers_.size(); ++i) {
    cache.keys.push_back(::torch::zeros({batch, config().num_key_value_heads, capacity, head_dim()},
                                        ::torch::TensorOptions(dtype()).device(device())));
    cache.values.push_back(::torch::zeros_like(cache.keys.back()));
  }
  return cache;
}

Tensor Llama::forward(Tensor tokens) { return run(tokens, nullptr); }
Tensor Llama::forward(const Tensor& tokens, KVCache* cache) { return run(tokens, cache); }

Tensor Llama::run(const Tensor& tokens, KVCache* cache) {
  if (tokens.dim() != 2 || tokens.size(1) == 0)
    throw Error("rig.torch.model.input", "Llama: expected tokens [batch, T] with T > 0, got shape " +
                                             c10::str(tokens.sizes()));
  const int64_t T = tokens.size(1), offset = cache ? cache->length : 0;
  if (cache && offset + T > cache->capacity)
    throw Error("rig.torch.model.input", "Llama: the KV cache holds " + std::to_string(cache->capacity) +
                                             " positions; " + std::to_string(offset + T) + " were asked for");
  // Positions and rotary tables where the weights are (embed_ is the parameter itself: it follows Module::to /
  // Placement::place), computed in float32 and then given the weights' dtype.
  const ::torch::Device on = device();
  Tensor pos = ::torch::arange(offset, offset + T, ::torch::TensorOptions(::torch::kFloat).device(on));
  Tensor freqs = ::torch::outer(pos, inv_freq_.to(on));
  Tensor emb = ::torch::cat({freqs, freqs}, -1);
  Tensor cos = emb.cos().to(dtype()), sin = emb.sin().to(dtype());
  Tensor mask;
  if (T > 1) mask = causal_mask(T, offset, config().num_attention_heads / config().num_key_value_heads, on);
  Tensor x = F::embedding(tokens, embed_);
  const bool checkpoint = options_.activation_checkpointing && is_training() && !cache && ::torch::GradMode::is_enabled();
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (checkpoint) {
      if (!x.requires_grad()) x = x.detach().requires_grad_(true);
      x = CheckpointedLayer::apply(x, cos, sin, mask, reinterpret_cast<int64_t>(layers_[i].get()));
    } else {
      x = layers_[i]->forward(x, cos, sin, mask, cache ? &cache->keys[i] : nullptr,
                              cache ? &cache->values[i] : nullptr, offset);
    }
  }
  if (cache) cache->length += T;
  x = rms_norm(x, norm_, config().rms_norm_eps);
  Tensor logits = lm_head_ ? lm_head_->forward(x) : F::linear(x, embed_);
  return logits.to(::torch::kFloat);
}

std::vector<std::pair<std::string, Tensor>> Llama::hf_state() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& p : named_parameters(/*recurse=*/true)) {
    const std::string& name = p.key();
    if (name.find(".lora.") != std::string::npos) continue;
    out.emplace_back(name, p.value());
  }
  return out;
}

// ---- builders (shapes of published checkpoints; weights come from the checkpoint) -----------------------------

LlamaConfig llama2_7b() { return {}; }

LlamaConfig llama3_8b() {
  LlamaConfig c;
  c.vocab_size = 128256;
  c.intermediate_size = 14336;
  c.num_key_value_heads = 8;
  c.rope_theta = 500000;
  c.max_position_embeddings = 8192;
  return c;
}

LlamaConfig llama3_1_8b() {
  LlamaConfig c = llama3_8b();
  c.rope_scaling_type = "llama3";
  c.rope_scaling_factor = 8;
  c.max_position_embeddings = 131072;
  return c;
}

LlamaConfig llama3_2_1b() {
  LlamaConfig c = llama3_1_8b();
  c.hidden_size = 2048;
  c.intermediate_size = 8192;
  c.num_hidden_layers = 16;
  c.head_dim = 64;
  c.rope_scaling_factor = 32;
  c.tie_word_embeddings = true;
  return c;
}

LlamaConfig llama3_2_3b() {
  LlamaConfig c = llama3_2_1b();
  c.hidden_size = 3072;
  c.num_hidden_layers = 28;
  c.num_attention_heads = 24;
  c.head_dim = 128;
  return c;
}

LlamaConfig mistral_7b() {
  LlamaConfig c;
  c.intermediate_size = 14336;
  c.num_key_value_heads = 8;
  c.max_position_embeddings = 32768;
  return c;
}

LlamaConfig qwen2_5_0_5b() {
  LlamaConfig c;
  c.vocab_size = 151936;
  c.hidden_size = 896;
  c.intermediate_size = 4864;
  c.num_hidden_layers = 24;
  c.num_attention_heads = 14;
  c.num_key_value_heads = 2;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 1000000;
  c.max_position_embeddings = 32768;
  c.tie_word_embeddings = true;
  c.attention_bias = true;
  return c;
}

LlamaConfig qwen2_5_1_5b() {
  LlamaConfig c = qwen2_5_0_5b();
  c.hidden_size = 1536;
  c.intermediate_size = 8960;
  c.num_hidden_layers = 28;
  c.num_attention_heads = 12;
  return c;
}

LlamaConfig smollm2_135m() {
  LlamaConfig c;
  c.vocab_size = 49152;
  c.hidden_size = 576;
  c.intermediate_size = 1536;
  c.num_hidden_layers = 30;
  c.num_attention_heads = 9;
  c.num_key_value_heads = 3;
  c.rope_theta = 100000;
  c.max_position_embeddings = 8192;
  c.tie_word_embeddings = true;
  return c;
}

// ---- generation ---------------------------------------------------------------------------------------------------

std::vector<int64_t> generate(Llama& model, const std::vector<int64_t>& prompt, const LlamaGenerateOptions& o) {
  if (prompt.empty()) throw Error("rig.torch.sample.prompt", "generate: the prompt has no tokens", {}, "prompt");
  if (o.max_new_tokens < 0)
    throw Error("rig.torch.sample.option", "generate: max_new_tokens must be >= 0", {}, "max_new_tokens");
  for (int64_t id : prompt)
    if (id < 0 || id >= model.config().vocab_size)
      throw Error("rig.torch.sample.prompt", "generate: prompt token " + std::to_string(id) +
                                                 " is outside the model's vocabulary (" +
                                                 std::to_string(model.config().vocab_size) + ")",
                  {}, "prompt");
  ::torch::NoGradGuard no_grad;
  bool was_training = model.is_training();
  model.eval();
  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> tokens = prompt, generated;
  KVCache cache;
  if (o.use_cache) cache = model.make_cache(1, static_cast<int64_t>(prompt.size()) + o.max_new_tokens);
  const ::torch::Device on = model.device();  // the tokens go where the model is; the last logits come back
  for (int64_t i = 0; i < o.max_new_tokens; ++i) {
    Tensor input;
    if (o.use_cache && i > 0)
      input = ::torch::tensor({tokens.back()}, ::torch::kLong).unsqueeze(0).to(on);
    else
      input = ::torch::tensor(tokens, ::torch::kLong).unsqueeze(0).to(on);
    Tensor logits = model.forward(input, o.use_cache ? &cache : nullptr);
    Tensor last = logits[0][logits.size(1) - 1].to(::torch::kCPU, ::torch::kDouble).contiguous();
    const double* l = last.data_ptr<double>();
    const int64_t V = last.numel();
    int64_t next = 0;
    if (o.temperature <= 0 || o.top_k == 1) {
      next = std::max_element(l, l + V) - l;  // the first largest
    } else {
      std::vector<double> w(static_cast<size_t>(V));
      double threshold = -std::numeric_limits<double>::infinity();
      if (o.top_k > 0 && o.top_k < V) {
        std::vector<double> sorted(l, l + V);
        std::nth_element(sorted.begin(), sorted.begin() + (o.top_k - 1), sorted.end(), std::greater<>());
        threshold = sorted[static_cast<size_t>(o.top_k - 1)];
      }
      double top = *std::max_element(l, l + V), total = 0;
      for (int64_t j = 0; j < V; ++j) total += w[static_cast<size_t>(j)] = l[j] >= threshold ? std::exp((l[j] - top) / o.temperature) : 0.0;
      double target = static_cast<double>(rng() >> 11) * 0x1.0p-53 * total, acc = 0;
      next = V - 1;
      for (int64_t j = 0; j < V; ++j) {
        acc += w[static_cast<size_t>(j)];
        if (target < acc) {
          next = j;
          break;
        }
      }
    }
    tokens.push_back(next);
    generated.push_back(next);
    if (o.on_step) o.on_step();
    if (std::find(o.stop_ids.begin(), o.stop_ids.end(), next) != o.stop_ids.end()) break;
  }
  model.train(was_training);
  return generated;
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::LlamaConfig, rig::doc("The shape of a Llama-family decoder (transformers' config.json fields)"));
RIG_COMPONENT(rig::torch::Llama, rig::options<rig::torch::LlamaOptions>, rig::interfaces<rig::torch::Model>,
              rig::doc("Llama-family decoder (Llama 2/3, Mistral, Qwen2, SmolLM): GQA, RMSNorm, RoPE, SwiGLU"));
RIG_FUNCTION(rig::torch::llama2_7b, rig::doc("Llama 2 7B's shape"));
RIG_FUNCTION(rig::torch::llama3_8b, rig::doc("Llama 3 8B's shape"));
RIG_FUNCTION(rig::torch::llama3_1_8b, rig::doc("Llama 3.1 8B's shape"));
RIG_FUNCTION(rig::torch::llama3_2_1b, rig::doc("Llama 3.2 1B's shape"));
RIG_FUNCTION(rig::torch::llama3_2_3b, rig::doc("Llama 3.2 3B's shape"));
RIG_FUNCTION(rig::torch::mistral_7b, rig::doc("Mistral 7B's shape (sliding-window attention not modelled)"));
RIG_FUNCTION(rig::torch::qwen2_5_0_5b, rig::doc("Qwen2.5 0.5B's shape"));
RIG_FUNCTION(rig::torch::qwen2_5_1_5b, rig::doc("Qwen2.5 1.5B's shape"));
RIG_FUNCTION(rig::torch::smollm2_135m, rig::doc("SmolLM2 135M's shape"));
