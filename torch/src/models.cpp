// Models: Linear (LoRA-capable), LoRAAdapter, MLP, ConvNet, TransformerLM.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/model.hpp"

namespace rig::torch {
namespace {

namespace nn = ::torch::nn;
namespace F = ::torch::nn::functional;

void require_positive(int64_t value, const char* component, const char* field) {
  if (value <= 0)
    throw Error("rig.torch.model.option", std::string(component) + ": " + field + " must be positive, got " +
                                              std::to_string(value),
                {}, field);
}

Tensor activate(const std::string& name, const Tensor& x) {
  if (name == "relu") return ::torch::relu(x);
  if (name == "gelu") return ::torch::gelu(x);
  return ::torch::tanh(x);  // validated in the constructor
}

// One decoder block: x + attn(ln1(x)), then x + mlp(ln2(x)).
class CausalSelfAttention : public nn::Module {
 public:
  CausalSelfAttention(int64_t d_model, int64_t n_heads, double dropout)
      : n_heads_(n_heads),
        qkv(register_module("qkv", std::make_shared<Linear>(LinearOptions{d_model, 3 * d_model}))),
        proj(register_module("proj", std::make_shared<Linear>(LinearOptions{d_model, d_model}))),
        drop(register_module("drop", nn::Dropout(dropout))) {}

  Tensor forward(const Tensor& x) {
    int64_t B = x.size(0), T = x.size(1), C = x.size(2), hd = C / n_heads_;
    auto parts = qkv->forward(x).view({B, T, 3, n_heads_, hd}).permute({2, 0, 3, 1, 4});  // [3, B, H, T, hd]
    Tensor q = parts[0], k = parts[1], v = parts[2];
    Tensor att = ::torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(hd)));
    if (mask_.size(0) < T || !mask_.defined())
      mask_ = ::torch::ones({T, T}, ::torch::kBool).triu(1);
    att = att.masked_fill(mask_.index({::torch::indexing::Slice(0, T), ::torch::indexing::Slice(0, T)}),
                          -std::numeric_limits<float>::infinity());
    att = drop(::torch::softmax(att, -1));
    Tensor y = ::torch::matmul(att, v).transpose(1, 2).reshape({B, T, C});
    return drop(proj->forward(y));
  }

 private:
  int64_t n_heads_;
  Tensor mask_ = ::torch::empty({0, 0}, ::torch::kBool);  // true above the diagonal: future positions

 public:
  std::shared_ptr<Linear> qkv, proj;
  nn::Dropout drop;
};

class FeedForward : public nn::Module {
 public:
  FeedForward(int64_t d_model, int64_t d_ff, double dropout)
      : fc1(register_module("fc1", std::make_shared<Linear>(LinearOptions{d_model, d_ff}))),
        fc2(register_module("fc2", std::make_shared<Linear>(LinearOptions{d_ff, d_model}))),
        drop(register_module("drop", nn::Dropout(dropout))) {}
  Tensor forward(const Tensor& x) { return drop(fc2->forward(::torch::gelu(fc1->forward(x)))); }

  std::shared_ptr<Linear> fc1, fc2;
  nn::Dropout drop;
};

class Block : public nn::Module {
 public:
  Block(int64_t d_model, int64_t n_heads, int64_t d_ff, double dropout)
      : ln1(register_module("ln1", nn::LayerNorm(nn::LayerNormOptions({d_model})))),
        attn(register_module("attn", std::make_shared<CausalSelfAttention>(d_model, n_heads, dropout))),
        ln2(register_module("ln2", nn::LayerNorm(nn::LayerNormOptions({d_model})))),
        mlp(register_module("mlp", std::make_shared<FeedForward>(d_model, d_ff, dropout))) {}
  Tensor forward(Tensor x) {
    x = x + attn->forward(ln1(x));
    return x + mlp->forward(ln2(x));
  }

  nn::LayerNorm ln1;
  std::shared_ptr<CausalSelfAttention> attn;
  nn::LayerNorm ln2;
  std::shared_ptr<FeedForward> mlp;
};

}  // namespace

// ---- Linear, LoRAAdapter --------------------------------------------------------------------------------------------

Linear::Linear(LinearOptions opts) : options(opts) {
  require_positive(opts.in_features, "Linear", "in_features");
  require_positive(opts.out_features, "Linear", "out_features");
  // torch::nn::Linear's initialisation: kaiming_uniform(a = sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in)).
  double bound = 1.0 / std::sqrt(static_cast<double>(opts.in_features));
  weight = register_parameter("weight", ::torch::empty({opts.out_features, opts.in_features}).uniform_(-bound, bound));
  if (opts.bias) bias = register_parameter("bias", ::torch::empty({opts.out_features}).uniform_(-bound, bound));
}

Tensor Linear::forward(const Tensor& x) {
  Tensor y = F::linear(x, weight, bias);
  if (adapter) y = y + adapter->forward(x);
  return y;
}

LoRAAdapter::LoRAAdapter(int64_t in_features, int64_t out_features, int64_t rank, double alpha, double dropout_p)
    : scale(alpha / static_cast<double>(rank)) {
  double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  A = register_parameter("A", ::torch::empty({rank, in_features}).uniform_(-bound, bound));
  B = register_parameter("B", ::torch::zeros({out_features, rank}));
  dropout = register_module("dropout", nn::Dropout(dropout_p));
}

Tensor LoRAAdapter::forward(const Tensor& x) { return F::linear(F::linear(dropout(x), A), B) * scale; }

Tensor LoRAAdapter::delta_weight() const { return ::torch::matmul(B, A) * scale; }

// ---- MLP ----------------------------------------------------------------------------------------------------------

MLP::MLP(MLPOptions options) : options_(std::move(options)) {
  require_positive(options_.in_features, "MLP", "in_features");
  require_positive(options_.out_features, "MLP", "out_features");
  for (int64_t h : options_.hidden) require_positive(h, "MLP", "hidden");
  const std::vector<std::string> activations = {"relu", "gelu", "tanh"};
  if (std::find(activations.begin(), activations.end(), options_.activation) == activations.end())
    throw Error("rig.torch.model.activation", "MLP: unknown activation '" + options_.activation + "'", {},
                "activation", did_you_mean(options_.activation, activations) + " (relu, gelu or tanh)");
  int64_t in = options_.in_features;
  std::vector<int64_t> widths = options_.hidden;
  widths.push_back(options_.out_features);
  auto list = register_module("layers", nn::ModuleList());
  for (int64_t width : widths) {
    layers_.push_back(std::make_shared<Linear>(LinearOptions{in, width}));
    list->push_back(layers_.back());
    in = width;
  }
  dropout_ = register_module("dropout", nn::Dropout(options_.dropout));
}

Tensor MLP::forward(Tensor x) {
  x = x.flatten(1);
  for (size_t i = 0; i + 1 < layers_.size(); ++i) x = dropout_(activate(options_.activation, layers_[i]->forward(x)));
  return layers_.back()->forward(x);
}

// ---- ConvNet ------------------------------------------------------------------------------------------------------

ConvNet::ConvNet(ConvNetOptions options) : options_(std::move(options)) {
  require_positive(options_.in_channels, "ConvNet", "in_channels");
  require_positive(options_.image_size, "ConvNet", "image_size");
  require_positive(options_.kernel_size, "ConvNet", "kernel_size");
  require_positive(options_.num_classes, "ConvNet", "num_classes");
  convs_ = register_module("convs", nn::ModuleList());
  int64_t channels = options_.in_channels, size = options_.image_size;
  for (int64_t c : options_.channels) {
    require_positive(c, "ConvNet", "channels");
    convs_->push_back(nn::Conv2d(
        nn::Conv2dOptions(channels, c, options_.kernel_size).padding(options_.kernel_size / 2)));
    channels = c;
    size /= 2;
  }
  if (size < 1)
    throw Error("rig.torch.model.option",
                "ConvNet: " + std::to_string(options_.channels.size()) + " pooling stages shrink a " +
                    std::to_string(options_.image_size) + "-pixel image to nothing",
                {}, "channels");
  fc1_ = register_module("fc1", std::make_shared<Linear>(LinearOptions{channels * size * size, options_.hidden}));
  fc2_ = register_module("fc2", std::make_shared<Linear>(LinearOptions{options_.hidden, options_.num_classes}));
  dropout_ = register_module("dropout", nn::Dropout(options_.dropout));
}

Tensor ConvNet::forward(Tensor x) {
  if (x.dim() == 2) x = x.view({x.size(0), options_.in_channels, options_.image_size, options_.image_size});
  for (auto& conv : *convs_) x = ::torch::max_pool2d(::torch::relu(conv->as<nn::Conv2d>()->forward(x)), {2, 2});
  x = dropout_(::torch::relu(fc1_->forward(x.flatten(1))));
  return fc2_->forward(x);
}

// ---- TransformerLM ------------------------------------------------------------------------------------------------

TransformerLM::TransformerLM(TransformerLMOptions options) : options_(options) {
  require_positive(options_.vocab_size, "TransformerLM", "vocab_size");
  require_positive(options_.context, "TransformerLM", "context");
  require_positive(options_.d_model, "TransformerLM", "d_model");
  require_positive(options_.n_layers, "TransformerLM", "n_layers");
  require_positive(options_.n_heads, "TransformerLM", "n_heads");
  if (options_.d_model % options_.n_heads != 0)
    throw Error("rig.torch.model.option",
                "TransformerLM: d_model (" + std::to_string(options_.d_model) + ") must be a multiple of n_heads (" +
                    std::to_string(options_.n_heads) + ")",
                {}, "n_heads");
  int64_t d_ff = options_.d_ff > 0 ? options_.d_ff : 4 * options_.d_model;
  tok_emb_ = register_module("tok_emb", nn::Embedding(options_.vocab_size, options_.d_model));
  pos_emb_ = register_module("pos_emb", nn::Embedding(options_.context, options_.d_model));
  ::torch::NoGradGuard no_grad;  // GPT-2 style small initial embeddings
  tok_emb_->weight.normal_(0, 0.02);
  pos_emb_->weight.normal_(0, 0.02);
  blocks_ = register_module("blocks", nn::ModuleList());
  for (int64_t i = 0; i < options_.n_layers; ++i)
    blocks_->push_back(std::make_shared<Block>(options_.d_model, options_.n_heads, d_ff, options_.dropout));
  ln_f_ = register_module("ln_f", nn::LayerNorm(nn::LayerNormOptions({options_.d_model})));
  head_ = register_module("head", std::make_shared<Linear>(LinearOptions{options_.d_model, options_.vocab_size}));
}

Tensor TransformerLM::forward(Tensor tokens) {
  if (tokens.dim() != 2 || tokens.size(1) > options_.context || tokens.size(1) == 0)
    throw Error("rig.torch.model.input",
                "TransformerLM: expected tokens [batch, T] with 0 < T <= context (" +
                    std::to_string(options_.context) + "), got shape " + c10::str(tokens.sizes()));
  Tensor pos = ::torch::arange(tokens.size(1), ::torch::kLong);
  Tensor x = tok_emb_(tokens) + pos_emb_(pos);
  for (auto& block : *blocks_) x = block->as<Block>()->forward(x);
  return head_->forward(ln_f_(x));
}

// ---- sampling -------------------------------------------------------------------------------------------------------

namespace {
// The index drawn from unnormalised weights `w` (non-negative, not all zero) with a uniform u in [0, 1).
int64_t draw(const std::vector<double>& w, double u) {
  double total = 0;
  for (double x : w) total += x;
  double target = u * total, acc = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    acc += w[i];
    if (target < acc) return static_cast<int64_t>(i);
  }
  for (size_t i = w.size(); i-- > 0;)  // rounding: the last token with any weight
    if (w[i] > 0) return static_cast<int64_t>(i);
  return 0;
}
}  // namespace

std::vector<int64_t> sample(TransformerLM& model, const std::vector<int64_t>& prompt, const SamplingOptions& o,
                            const std::function<void()>& on_token) {
  if (prompt.empty()) throw Error("rig.torch.sample.prompt", "sample: the prompt has no tokens", {}, "prompt");
  if (o.max_new_tokens < 0)
    throw Error("rig.torch.sample.option", "sample: max_new_tokens must be >= 0", {}, "max_new_tokens");
  if (o.top_k < 0) throw Error("rig.torch.sample.option", "sample: top_k must be >= 0", {}, "top_k");
  ::torch::NoGradGuard no_grad;
  bool was_training = model.is_training();
  model.eval();
  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> tokens = prompt, generated;
  const int64_t context = model.options().context;
  for (int64_t i = 0; i < o.max_new_tokens; ++i) {
    int64_t n = static_cast<int64_t>(tokens.size()), start = std::max<int64_t>(0, n - context);
    Tensor input = like_module(model, ::torch::tensor(std::vector<int64_t>(tokens.begin() + start, tokens.end()),
                                                      ::torch::kLong).unsqueeze(0));
    Tensor logits = model.forward(input)[0][n - start - 1].to(::torch::kCPU, ::torch::kDouble).contiguous();
    std::vector<double> l(logits.data_ptr<double>(), logits.data_ptr<double>() + logits.numel());
    int64_t next;
    if (o.temperature <= 0 || o.top_k == 1) {
      next = std::max_element(l.begin(), l.end()) - l.begin();
    } else {
      std::vector<double> w(l.size());
      double threshold = -std::numeric_limits<double>::infinity();
      if (o.top_k > 0 && o.top_k < static_cast<int64_t>(l.size())) {
        std::vector<double> sorted = l;
        std::nth_element(sorted.begin(), sorted.begin() + (o.top_k - 1), sorted.end(), std::greater<>());
        threshold = sorted[static_cast<size_t>(o.top_k - 1)];
      }
      double top = *std::max_element(l.begin(), l.end());
      for (size_t j = 0; j < l.size(); ++j) w[j] = l[j] >= threshold ? std::exp((l[j] - top) / o.temperature) : 0.0;
      next = draw(w, static_cast<double>(rng() >> 11) * 0x1.0p-53);
    }
    tokens.push_back(next);
    generated.push_back(next);
    if (on_token) on_token();
    if (next == o.stop_id) break;
  }
  model.train(was_training);
  return generated;
}

int64_t count_parameters(::torch::nn::Module& module, bool trainable_only) {
  int64_t n = 0;
  for (const auto& p : module.parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::MLP, rig::options<rig::torch::MLPOptions>, rig::interfaces<rig::torch::Model>,
              rig::doc("Multi-layer perceptron: Linear + activation per hidden width, then a Linear"));
RIG_COMPONENT(rig::torch::ConvNet, rig::options<rig::torch::ConvNetOptions>, rig::interfaces<rig::torch::Model>,
              rig::doc("Convolution stages (3x3 conv, ReLU, 2x2 max-pool) then two Linear layers"));
RIG_COMPONENT(rig::torch::TransformerLM, rig::options<rig::torch::TransformerLMOptions>,
              rig::interfaces<rig::torch::Model>, rig::doc("Decoder-only causal transformer language model"));
