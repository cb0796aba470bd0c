// rig/torch/model.hpp — models: MLP, ConvNet, TransformerLM, and the Linear layer LoRA adapts.
//
// Each model is a torch::nn::Module built from an aggregate options struct (what rig's registry reflects):
//
//   auto mlp = std::make_shared<rig::torch::MLP>(rig::torch::MLPOptions{.in_features = 784, .hidden = {256}});
//   auto lm  = std::make_shared<rig::torch::TransformerLM>(
//       rig::torch::TransformerLMOptions{.vocab_size = 257, .context = 128, .d_model = 128, .n_layers = 2});
//   torch::Tensor logits = lm->forward(tokens);   // tokens [B, T] int64 -> logits [B, T, vocab]
//
// Every model implements rig::torch::Model (one tensor in, one tensor out). Bad options throw rig::Error
// (rig.torch.model.*) naming the option.
//
// Inside namespace rig::torch, `torch::` means rig::torch: LibTorch is spelled `::torch::`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "rig/torch/tensor_convert.hpp"
#include "rig/constraints.hpp"

namespace rig::torch {

using ::torch::Tensor;

// The interface of every rig model.
class Model : public ::torch::nn::Module {
 public:
  virtual Tensor forward(Tensor input) = 0;
};

class LoRAAdapter;

// A fully connected layer (y = x W^T + b, initialised like torch::nn::Linear) that can carry a LoRA adapter
// (rig/torch/lora.hpp). rig's models use it for every dense layer so that LoRA can target them by name.
struct LinearOptions {
  int64_t in_features = 0;
  int64_t out_features = 0;
  bool bias = true;
};
class Linear : public ::torch::nn::Module {
 public:
  explicit Linear(LinearOptions options);
  Tensor forward(const Tensor& x);

  LinearOptions options;
  Tensor weight;  // [out, in]
  Tensor bias;    // [out], undefined without bias
  std::shared_ptr<LoRAAdapter> adapter;  // set by rig::torch::LoRA::apply; registered as submodule "lora"
};

// The low-rank update of one Linear: forward(x) = scale * dropout(x) A^T B^T with scale = alpha / rank.
// B starts at zero, so a fresh adapter leaves the layer's output unchanged.
class LoRAAdapter : public ::torch::nn::Module {
 public:
  LoRAAdapter(int64_t in_features, int64_t out_features, int64_t rank, double alpha, double dropout);
  Tensor forward(const Tensor& x);
  Tensor delta_weight() const;  // scale * B A, shaped like the base weight

  Tensor A;  // [rank, in]
  Tensor B;  // [out, rank]
  double scale;
  ::torch::nn::Dropout dropout{nullptr};
};

struct MLPOptions {
  int64_t in_features = 784;
  std::vector<int64_t> hidden = {256, 128};
  int64_t out_features = 10;
  std::string activation = "relu";  // relu | gelu | tanh
  double dropout = 0.0;
  static constexpr auto checks = rig::checks(rig::require("in_features", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("out_features", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("activation", rig::one_of("relu|gelu|tanh"), "rig.torch.model.activation"),
                                                  rig::require("dropout", rig::range(0, 1, rig::Bounds::closed_open)));
};
// Flattens every dimension after the first, then Linear -> activation -> dropout for each hidden width, then a
// final Linear. Layers are named layers.0, layers.1, ...
class MLP : public Model {
 public:
  explicit MLP(MLPOptions options = {});
  Tensor forward(Tensor x) override;
  const MLPOptions& options() const { return options_; }

 private:
  MLPOptions options_;
  std::vector<std::shared_ptr<Linear>> layers_;
  ::torch::nn::Dropout dropout_{nullptr};
};

struct ConvNetOptions {
  int64_t in_channels = 1;
  int64_t image_size = 28;  // square images
  std::vector<int64_t> channels = {32, 64};  // one conv(3x3, same) + ReLU + 2x2 max-pool stage each
  int64_t kernel_size = 3;
  int64_t hidden = 128;
  int64_t num_classes = 10;
  double dropout = 0.0;
  static constexpr auto checks = rig::checks(rig::require("in_channels", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("image_size", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("kernel_size", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("hidden", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("num_classes", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("dropout", rig::range(0, 1, rig::Bounds::closed_open)));
};
class ConvNet : public Model {
 public:
  explicit ConvNet(ConvNetOptions options = {});
  Tensor forward(Tensor x) override;  // [B, C, H, W], or [B, H*W] for one channel

 private:
  ConvNetOptions options_;
  ::torch::nn::ModuleList convs_;
  std::shared_ptr<Linear> fc1_, fc2_;
  ::torch::nn::Dropout dropout_{nullptr};
};

struct TransformerLMOptions {
  int64_t vocab_size = 257;
  int64_t context = 128;  // longest input; learned positional embeddings
  int64_t d_model = 128;
  int64_t n_layers = 2;
  int64_t n_heads = 4;
  int64_t d_ff = 0;  // 0: 4 * d_model
  double dropout = 0.0;
  static constexpr auto checks = rig::checks(rig::require("vocab_size", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("context", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("d_model", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("n_layers", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("n_heads", rig::positive(), "rig.torch.model.option"),
                                                  rig::require("d_ff", rig::non_negative()),
                                                  rig::require("dropout", rig::range(0, 1, rig::Bounds::closed_open)));
};
// Decoder-only, causal, pre-LayerNorm. Submodule names (for LoRA targets): blocks.N.attn.qkv, blocks.N.attn.proj,
// blocks.N.mlp.fc1, blocks.N.mlp.fc2, head.
class TransformerLM : public Model {
 public:
  explicit TransformerLM(TransformerLMOptions options = {});
  Tensor forward(Tensor tokens) override;  // [B, T] int64, T <= context -> logits [B, T, vocab_size]
  const TransformerLMOptions& options() const { return options_; }

 private:
  TransformerLMOptions options_;
  ::torch::nn::Embedding tok_emb_{nullptr}, pos_emb_{nullptr};
  ::torch::nn::ModuleList blocks_;
  ::torch::nn::LayerNorm ln_f_{nullptr};
  std::shared_ptr<Linear> head_;
};

// ---- sampling -------------------------------------------------------------------------------------------------------
struct SamplingOptions {
  int64_t max_new_tokens = 200;
  double temperature = 1.0;  // <= 0: greedy (argmax)
  int64_t top_k = 0;         // keep the k most likely tokens (0: all; 1: greedy)
  uint64_t seed = 0;         // the draws come from std::mt19937_64(seed): same seed, same text, on every platform
  int64_t stop_id = -1;      // stop once this token (eos) is generated; -1: never
  static constexpr auto checks = rig::checks(rig::require("max_new_tokens", rig::non_negative(), "rig.torch.sample.option"),
                                                  rig::require("top_k", rig::non_negative(), "rig.torch.sample.option"),
                                                  rig::require("temperature", rig::finite()));
};
// Continues `prompt` (at least one token) by up to max_new_tokens tokens, feeding the model the last `context`
// tokens each step, in eval mode without gradients. Returns the new tokens only. Greedy picks the first largest logit.
// `on_token` (when set) runs after each new token: a profiler's step, a progress display.
std::vector<int64_t> sample(TransformerLM& model, const std::vector<int64_t>& prompt, const SamplingOptions& options,
                            const std::function<void()>& on_token = {});

// Number of elements over `module`'s parameters (trainable only when `trainable_only`).
int64_t count_parameters(::torch::nn::Module& module, bool trainable_only = false);

}  // namespace rig::torch
