// The Llama decoder: KV cache, activation checkpointing, LoRA on its projections. (Its numerics against an
// independent reference: torch/tests/hf_checkpoint_test.py.)
#include <gtest/gtest.h>

#include <map>

#include "rig/error.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/llama.hpp"
#include "rig/torch/lora.hpp"
#include "rig/torch/train.hpp"

namespace rt = rig::torch;

namespace {

rt::LlamaConfig tiny(bool tied = false, bool bias = false) {
  rt::LlamaConfig c;
  c.vocab_size = 50;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.max_position_embeddings = 64;
  c.tie_word_embeddings = tied;
  c.attention_bias = bias;
  return c;
}

std::map<std::string, torch::Tensor> snapshot(torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

}  // namespace

TEST(Llama, KVCacheGivesTheSameLogitsAsTheFullSequence) {
  torch::manual_seed(0);
  rt::Llama model({.config = tiny(true, true)});
  model.eval();
  torch::NoGradGuard no_grad;
  torch::Tensor tokens = torch::randint(0, 50, {2, 9}, torch::kLong);
  torch::Tensor full = model.forward(tokens);
  rt::KVCache cache = model.make_cache(2, 16);
  torch::Tensor first = model.forward(tokens.narrow(1, 0, 5), &cache);  // a prompt, then one token at a time
  std::vector<torch::Tensor> parts = {first};
  for (int64_t t = 5; t < 9; ++t) parts.push_back(model.forward(tokens.narrow(1, t, 1), &cache));
  EXPECT_TRUE(torch::allclose(torch::cat(parts, 1), full, 1e-5, 1e-5));
  EXPECT_EQ(cache.length, 9);
  EXPECT_THROW(model.forward(torch::zeros({2, 8}, torch::kLong), &cache), rig::Error);  // past the capacity
}

TEST(Llama, ActivationCheckpointingGivesTheSameGradients) {
  torch::manual_seed(1);
  rt::Llama plain({.config = tiny()});
  rt::Llama checkpointed({.config = tiny(), .activation_checkpointing = true});
  {
    torch::NoGradGuard no_grad;
    auto src = plain.named_parameters();
    for (auto& p : checkpointed.named_parameters()) p.value().copy_(src[p.key()]);
  }
  torch::Tensor tokens = torch::randint(0, 50, {2, 7}, torch::kLong);
  rt::CrossEntropyLoss loss;
  loss(plain.forward(tokens), tokens).backward();
  loss(checkpointed.forward(tokens), tokens).backward();
  auto a = plain.named_parameters();
  for (const auto& p : checkpointed.named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::allclose(p.value().grad(), a[p.key()].grad(), 1e-5, 1e-6)) << p.key();
  }
}

TEST(Llama, LoRATrainsAdaptersAloneAndMergesIntoTheBase) {
  torch::manual_seed(2);
  auto model = std::make_shared<rt::Llama>(rt::LlamaOptions{.config = tiny()});
  rt::LoRA lora({.rank = 4, .alpha = 8, .targets = {"*.q_proj", "*.v_proj", "*.mlp.down_proj"}});
  auto adapted = lora.apply(*model);
  EXPECT_EQ(adapted.size(), 6u);
  auto before = snapshot(*model);
  auto opt = torch::optim::AdamW(rt::LoRA::parameters(*model), torch::optim::AdamWOptions(1e-2));
  torch::Tensor tokens = torch::randint(0, 50, {4, 12}, torch::kLong);
  rt::CrossEntropyLoss loss_fn;
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    torch::Tensor loss = loss_fn(model->forward(tokens.narrow(1, 0, 11)), tokens.narrow(1, 1, 11));
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first);
  // Every base weight is bitwise what it was; only the adapters moved.
  for (const auto& [name, value] : snapshot(*model)) {
    if (name.find(".lora.") != std::string::npos) continue;
    EXPECT_TRUE(torch::equal(value, before.at(name))) << name << " changed before merge";
  }
  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor adapted_out = model->forward(tokens);
  rt::LoRA::merge(*model);
  EXPECT_TRUE(torch::allclose(model->forward(tokens), adapted_out, 1e-4, 1e-5));
  auto merged = snapshot(*model);
  EXPECT_FALSE(torch::equal(merged.at("model.layers.0.self_attn.q_proj.weight"),
                            before.at("model.layers.0.self_attn.q_proj.weight")));
  EXPECT_TRUE(torch::equal(merged.at("model.layers.0.self_attn.k_proj.weight"),
                           before.at("model.layers.0.self_attn.k_proj.weight")));
}

TEST(Llama, BFloat16WeightsRunAndGiveFloatLogits) {
  torch::manual_seed(3);
  rt::Llama model({.config = tiny(true), .dtype = "bfloat16"});
  torch::NoGradGuard no_grad;
  torch::Tensor logits = model.forward(torch::randint(0, 50, {1, 5}, torch::kLong));
  EXPECT_EQ(logits.scalar_type(), torch::kFloat);
  EXPECT_EQ(model.named_parameters()["model.embed_tokens.weight"].scalar_type(), torch::kBFloat16);
}

TEST(Llama, BadShapesAreErrorsNamingTheField) {
  rt::LlamaConfig c = tiny();
  c.num_key_value_heads = 3;
  try {
    rt::Llama m({.config = c});
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.id(), "rig.torch.model.option");
    EXPECT_EQ(e.key_path(), "config.num_key_value_heads");
  }
  EXPECT_THROW(rt::Llama({.config = tiny(), .dtype = "float8"}), rig::Error);
}

TEST(Llama, GreedyGenerationWithAndWithoutTheCacheAgrees) {
  torch::manual_seed(4);
  rt::Llama model({.config = tiny()});
  std::vector<int64_t> prompt = {3, 14, 15, 9, 2};
  auto a = rt::generate(model, prompt, {.max_new_tokens = 10, .use_cache = true});
  auto b = rt::generate(model, prompt, {.max_new_tokens = 10, .use_cache = false});
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 10u);
  auto stopped = rt::generate(model, prompt, {.max_new_tokens = 10, .stop_ids = {a[3]}});
  auto first = std::find(a.begin(), a.end(), a[3]);
  EXPECT_EQ(stopped, std::vector<int64_t>(a.begin(), first + 1));  // the eos is kept, nothing after it
}

TEST(Llama, FollowsItsWeightsWhenPlacedInAnotherDtype) {
  // Built fp32, then placed in bf16 (Placement::place, as the recipes do): the model reports the weights' dtype, and
  // what it makes per call (rotary tables, the KV cache) follows them; the logits stay close to the fp32 ones.
  torch::manual_seed(5);
  rt::Llama model({.config = tiny()});
  model.eval();
  torch::NoGradGuard no_grad;
  torch::Tensor tokens = torch::randint(0, 50, {1, 7}, torch::kLong);
  torch::Tensor fp32 = model.forward(tokens);
  rt::Placement{.device = torch::kCPU, .dtype = torch::kBFloat16}.place(model);
  EXPECT_EQ(model.dtype(), torch::kBFloat16);
  EXPECT_TRUE(model.device().is_cpu());
  rt::KVCache cache = model.make_cache(1, 16);
  EXPECT_EQ(cache.keys[0].scalar_type(), torch::kBFloat16);
  torch::Tensor bf16 = model.forward(tokens, &cache);
  EXPECT_EQ(bf16.scalar_type(), torch::kFloat);
  EXPECT_LT((bf16 - fp32).abs().max().item<double>(), 0.1);
  std::vector<int64_t> prompt = {3, 14, 15};
  int steps = 0;
  auto a = rt::generate(model, prompt, {.max_new_tokens = 6, .use_cache = true, .on_step = [&steps] { ++steps; }});
  EXPECT_EQ(a.size(), 6u);
  EXPECT_EQ(steps, 6);  // on_step: once per new token
}
