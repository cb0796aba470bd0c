// Models and LoRA.
#include <gtest/gtest.h>

#include <filesystem>

#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/yaml.hpp"
#include "rig/torch/lora.hpp"
#include "rig/torch/model.hpp"

namespace rt = rig::torch;
using ::torch::Tensor;

namespace {

std::map<std::string, Tensor> parameters_snapshot(::torch::nn::Module& m) {
  std::map<std::string, Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

std::string thrown_id(const std::function<void()>& f) {
  try {
    f();
  } catch (const rig::Error& e) {
    return e.id();
  }
  return "(no error)";
}

}  // namespace

TEST(MLP, ShapesAndLayerNames) {
  ::torch::manual_seed(0);
  rt::MLP mlp({.in_features = 12, .hidden = {8, 6}, .out_features = 3});
  EXPECT_EQ(mlp.forward(::torch::randn({5, 3, 4})).sizes(), (std::vector<int64_t>{5, 3}));
  auto params = mlp.named_parameters();
  EXPECT_TRUE(params.contains("layers.0.weight"));
  EXPECT_TRUE(params.contains("layers.2.bias"));
  EXPECT_EQ(rt::count_parameters(mlp), 12 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
}

TEST(MLP, BadOptionsAreErrors) {
  EXPECT_EQ(thrown_id([] { rt::MLP({.activation = "rleu"}); }), "rig.torch.model.activation");
  try {
    rt::MLP({.activation = "rleu"});
  } catch (const rig::Error& e) {
    EXPECT_NE(e.hint().find("relu"), std::string::npos) << e.hint();
  }
  EXPECT_EQ(thrown_id([] { rt::MLP({.hidden = {0}}); }), "rig.torch.model.option");
}

TEST(ConvNet, ShapesForImagesAndFlatInputs) {
  rt::ConvNet net({.channels = {4, 8}, .hidden = 16, .num_classes = 10});
  EXPECT_EQ(net.forward(::torch::randn({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(net.forward(::torch::randn({2, 784})).sizes(), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(thrown_id([] { rt::ConvNet({.image_size = 4, .channels = {2, 2, 2, 2}}); }), "rig.torch.model.option");
}

TEST(TransformerLM, ShapesAndCausality) {
  ::torch::manual_seed(0);
  rt::TransformerLM lm({.vocab_size = 50, .context = 16, .d_model = 32, .n_layers = 2, .n_heads = 4});
  lm.eval();
  Tensor tokens = ::torch::randint(50, {2, 10}, ::torch::kLong);
  Tensor logits = lm.forward(tokens);
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{2, 10, 50}));
  // Changing a later token must not change earlier positions' outputs; it must change its own.
  Tensor changed = tokens.clone();
  changed.index_put_({0, 7}, (tokens.index({0, 7}).item<int64_t>() + 1) % 50);
  Tensor logits2 = lm.forward(changed);
  using ::torch::indexing::Slice;
  EXPECT_TRUE(::torch::allclose(logits.index({0, Slice(0, 7)}), logits2.index({0, Slice(0, 7)})));
  EXPECT_FALSE(::torch::allclose(logits.index({0, 7}), logits2.index({0, 7})));
  EXPECT_TRUE(lm.named_parameters().contains("blocks.1.attn.qkv.weight"));
  EXPECT_EQ(thrown_id([&] { lm.forward(::torch::zeros({1, 17}, ::torch::kLong)); }), "rig.torch.model.input");
  EXPECT_EQ(thrown_id([] { rt::TransformerLM({.d_model = 30, .n_heads = 4}); }), "rig.torch.model.option");
}

TEST(TransformerLM, LearnsARepeatingSequence) {
  ::torch::manual_seed(0);
  rt::TransformerLM lm({.vocab_size = 8, .context = 16, .d_model = 32, .n_layers = 1, .n_heads = 2});
  ::torch::optim::Adam opt(lm.parameters(), ::torch::optim::AdamOptions(3e-3));
  Tensor seq = ::torch::arange(17, ::torch::kLong).remainder(8).unsqueeze(0);
  using ::torch::indexing::Slice;
  Tensor x = seq.index({Slice(), Slice(0, 16)}), y = seq.index({Slice(), Slice(1, 17)});
  double first = 0, last = 0;
  for (int i = 0; i < 60; ++i) {
    Tensor loss = ::torch::cross_entropy_loss(lm.forward(x).view({-1, 8}), y.reshape({-1}));
    if (i == 0) first = loss.item<double>();
    last = loss.item<double>();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  EXPECT_LT(last, first * 0.2) << first << " -> " << last;
}

TEST(LoRA, AdaptsMatchingLayersAndFreezesTheRest) {
  ::torch::manual_seed(0);
  rt::TransformerLM lm({.vocab_size = 20, .context = 8, .d_model = 16, .n_layers = 2, .n_heads = 2});
  Tensor tokens = ::torch::randint(20, {2, 8}, ::torch::kLong);
  lm.eval();
  Tensor before = lm.forward(tokens);
  rt::LoRA lora({.rank = 4, .alpha = 8, .targets = {"*.attn.qkv", "blocks.1.mlp.fc?"}});
  auto adapted = lora.apply(lm);
  EXPECT_EQ(adapted, (std::vector<std::string>{"blocks.0.attn.qkv", "blocks.1.attn.qkv", "blocks.1.mlp.fc1",
                                               "blocks.1.mlp.fc2"}));
  // B starts at zero: the output is unchanged.
  EXPECT_TRUE(::torch::allclose(before, lm.forward(tokens)));
  int64_t trainable = rt::count_parameters(lm, true);
  EXPECT_EQ(trainable, 2 * (4 * 16 + 48 * 4) + (4 * 16 + 64 * 4) + (4 * 64 + 16 * 4));
  EXPECT_EQ(rt::LoRA::parameters(lm).size(), 8u);
  EXPECT_TRUE(lm.named_parameters().contains("blocks.0.attn.qkv.lora.A"));
  EXPECT_EQ(thrown_id([&] { lora.apply(lm); }), "rig.torch.lora.already_applied");
}

TEST(LoRA, TargetMatchingNothingIsAnError) {
  rt::MLP mlp({.in_features = 4, .hidden = {4}, .out_features = 2});
  try {
    rt::LoRA({.targets = {"*.attn.qkv"}}).apply(mlp);
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.id(), "rig.torch.lora.no_match");
    EXPECT_NE(e.hint().find("layers.0"), std::string::npos) << e.hint();
  }
}

TEST(LoRA, TrainingLeavesBaseWeightsUntouchedSaveLoadAndMerge) {
  ::torch::manual_seed(1);
  rt::TransformerLM lm({.vocab_size = 20, .context = 8, .d_model = 16, .n_layers = 1, .n_heads = 2});
  auto base = parameters_snapshot(lm);
  rt::LoRA lora({.rank = 2, .alpha = 4, .targets = {"*.attn.*", "head"}});
  lora.apply(lm);
  ::torch::optim::AdamW opt(rt::LoRA::parameters(lm), ::torch::optim::AdamWOptions(1e-2));
  Tensor x = ::torch::randint(20, {4, 8}, ::torch::kLong), y = ::torch::randint(20, {4, 8}, ::torch::kLong);
  for (int i = 0; i < 5; ++i) {
    Tensor loss = ::torch::cross_entropy_loss(lm.forward(x).view({-1, 20}), y.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  for (const auto& [name, value] : base)
    EXPECT_TRUE(::torch::equal(lm.named_parameters()[name], value)) << name << " changed";
  EXPECT_FALSE(::torch::equal(lm.named_parameters()["head.lora.B"], ::torch::zeros({20, 2})));

  lm.eval();
  Tensor adapted_out = lm.forward(x);
  auto path = std::filesystem::temp_directory_path() / "rig_lora_test_adapters.pt";
  rt::LoRA::save(lm, path);

  // A fresh copy of the base with loaded adapters computes the same function.
  ::torch::manual_seed(1);
  rt::TransformerLM fresh({.vocab_size = 20, .context = 8, .d_model = 16, .n_layers = 1, .n_heads = 2});
  fresh.eval();
  lora.apply(fresh);
  rt::LoRA::load(fresh, path);
  EXPECT_TRUE(::torch::allclose(adapted_out, fresh.forward(x)));
  std::filesystem::remove(path);

  // Merging folds the adapters in: same outputs, no adapter parameters left, base weights now changed.
  rt::LoRA::merge(lm);
  EXPECT_FALSE(lm.named_parameters().contains("head.lora.A"));
  EXPECT_TRUE(::torch::allclose(adapted_out, lm.forward(x), 1e-4, 1e-5));
  EXPECT_FALSE(::torch::equal(lm.named_parameters()["head.weight"], base["head.weight"]));
  EXPECT_TRUE(::torch::equal(lm.named_parameters()["blocks.0.mlp.fc1.weight"], base["blocks.0.mlp.fc1.weight"]));
}

TEST(Registry, ComponentsInstantiateFromConfig) {
  for (const char* name : {"rig.torch.MLP", "rig.torch.ConvNet", "rig.torch.TransformerLM", "rig.torch.LoRA",
                           "rig.torch.ByteTokenizer", "rig.torch.SentencePieceTokenizer", "rig.torch.FashionMNIST",
                           "rig.torch.JSONLLogger", "rig.torch.Checkpointer"})
    EXPECT_NE(rig::registry().find(name), nullptr) << name;
  rig::Node cfg = rig::load_yaml("_component_: rig.torch.MLP\nin_features: 6\nhidden: [5]\nout_features: 2\n", "m.yaml");
  auto model = rig::instantiate<std::shared_ptr<rt::Model>>(cfg);
  EXPECT_EQ(model->forward(::torch::zeros({3, 6})).sizes(), (std::vector<int64_t>{3, 2}));
  rig::Node typo = rig::load_yaml("_component_: rig.torch.MLP\nhiden: [5]\n", "t.yaml");
  try {
    rig::instantiate<std::shared_ptr<rt::Model>>(typo);
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_NE(rig::format(e).find("hidden"), std::string::npos) << rig::format(e);
  }
}
