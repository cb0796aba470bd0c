// rig::torch components built from configs: datasets that take the tokenizer, optimizers that take the parameters and
// schedules that take the optimizer at the call site; tensors refused as config values; validation; sampling.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/train.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;
using ::torch::Tensor;
using Optimizer = ::torch::optim::Optimizer;

namespace {

fs::path temp_dir() {
  auto p = fs::temp_directory_path() / ("rig_instantiate_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

rig::Node yaml(const std::string& text) { return rig::load_yaml(text, "test.yaml"); }

// The id of the first error `f` throws (an ErrorList's first), or "" when it throws none.
template <class F>
std::string error_id(F&& f) {
  try {
    f();
  } catch (const rig::ErrorList& e) {
    return e.errors().empty() ? e.id() : e.errors().front().id();
  } catch (const rig::Error& e) {
    return e.id();
  }
  return "";
}

std::shared_ptr<rt::Tokenizer> bytes() { return std::make_shared<rt::ByteTokenizer>(); }

}  // namespace

TEST(TorchInstantiate, TextCorpusTakesTheTokenizerAtTheCallSite) {
  auto dir = temp_dir();
  std::ofstream(dir / "a.txt") << "abcdefghij";
  auto node = yaml("_component_: rig.torch.TextCorpus\npaths: ['" + (dir / "*.txt").string() + "']\ncontext: 4\n");
  auto data = rig::instantiate<std::shared_ptr<rt::LMDataset>>(node, bytes());
  // "abcdefghij\n" is 11 bytes: windows of 5 every 4 tokens start at 0 and 4.
  ASSERT_EQ(data->size(), 2);
  rt::LMBatch b = data->collate(std::vector<int64_t>{1});
  EXPECT_EQ(b.inputs[0][0].item<int64_t>(), 'e');
  EXPECT_EQ(b.targets[0][3].item<int64_t>(), 'i');
}

TEST(TorchInstantiate, TextCorpusWithoutATokenizerSaysSo) {
  auto node = yaml("_component_: rig.torch.TextCorpus\n");
  EXPECT_EQ(error_id([&] { rig::instantiate<std::shared_ptr<rt::LMDataset>>(node); }), "rig.torch.data.tokenizer");
}

TEST(TorchInstantiate, TextCorpusTakesANestedTokenizerToo) {
  auto dir = temp_dir();
  std::ofstream(dir / "a.txt") << "abcdefghij";
  auto node = yaml("_component_: rig.torch.TextCorpus\ntokenizer: {_component_: rig.torch.ByteTokenizer}\npaths: ['" +
                   (dir / "a.txt").string() + "']\ncontext: 10\n");
  EXPECT_EQ(rig::instantiate<std::shared_ptr<rt::LMDataset>>(node)->size(), 1);
}

TEST(TorchInstantiate, PromptResponseJSONLTakesTheTokenizerAtTheCallSite) {
  auto dir = temp_dir();
  std::ofstream(dir / "d.jsonl") << R"({"q": "hi", "a": "yo"})" << "\n" << R"({"q": "x", "a": "y"})" << "\n";
  auto node = yaml("_component_: rig.torch.PromptResponseJSONL\npath: " + (dir / "d.jsonl").string() +
                   "\nprompt_key: q\nresponse_key: a\n");
  auto data = rig::instantiate<std::shared_ptr<rt::LMDataset>>(node, bytes());
  ASSERT_EQ(data->size(), 2);
  rt::LMBatch b = data->collate(std::vector<int64_t>{0});
  // tokens h i y o eos: inputs h i y o; targets: prompt ignored, then y -> o -> eos.
  ASSERT_EQ(b.inputs.size(1), 4);
  EXPECT_EQ(b.targets[0][0].item<int64_t>(), rt::kIgnoreIndex);
  EXPECT_EQ(b.targets[0][1].item<int64_t>(), 'y');
  EXPECT_EQ(b.targets[0][3].item<int64_t>(), 256);
}

TEST(TorchInstantiate, OptimizerTakesTheParametersAtTheCallSite) {
  auto lin = ::torch::nn::Linear(3, 2);
  auto node = yaml("_component_: rig.torch.AdamW\nlr: 0.25\nbetas: [0.5, 0.75]\nweight_decay: 0.0\n");
  auto opt = rig::instantiate<std::shared_ptr<Optimizer>>(node, lin->parameters());
  ASSERT_NE(dynamic_cast<::torch::optim::AdamW*>(opt.get()), nullptr);
  auto& o = static_cast<::torch::optim::AdamWOptions&>(opt->param_groups()[0].options());
  EXPECT_DOUBLE_EQ(o.lr(), 0.25);
  EXPECT_DOUBLE_EQ(std::get<0>(o.betas()), 0.5);
  EXPECT_DOUBLE_EQ(std::get<1>(o.betas()), 0.75);
  EXPECT_EQ(opt->param_groups()[0].params().size(), 2u);
  // A step moves the weights (the optimizer really holds the module's tensors).
  Tensor before = lin->weight.clone();
  lin(::torch::ones({1, 3})).sum().backward();
  opt->step();
  EXPECT_FALSE(::torch::equal(before, lin->weight));
}

TEST(TorchInstantiate, EveryOptimizerIsRegistered) {
  auto lin = ::torch::nn::Linear(3, 2);
  auto sgd = rig::instantiate<std::unique_ptr<Optimizer>>(yaml("_component_: rig.torch.SGD\nlr: 0.5\nmomentum: 0.9"),
                                                          lin->parameters());
  EXPECT_NE(dynamic_cast<::torch::optim::SGD*>(sgd.get()), nullptr);
  EXPECT_DOUBLE_EQ(static_cast<::torch::optim::SGDOptions&>(sgd->param_groups()[0].options()).momentum(), 0.9);
  auto adam = rig::instantiate<std::unique_ptr<Optimizer>>(yaml("_component_: rig.torch.Adam"), lin->parameters());
  EXPECT_NE(dynamic_cast<::torch::optim::Adam*>(adam.get()), nullptr);
  EXPECT_DOUBLE_EQ(adam->param_groups()[0].options().get_lr(), rt::AdamOptions{}.lr);
}

TEST(TorchInstantiate, OptimizerWithoutParametersSaysSo) {
  auto node = yaml("_component_: rig.torch.AdamW\n");
  EXPECT_EQ(error_id([&] { rig::instantiate<std::shared_ptr<Optimizer>>(node); }), "rig.torch.optim.no_parameters");
}

TEST(TorchInstantiate, TensorsAreNotConfigValues) {
  auto node = yaml("_component_: rig.torch.SGD\nparams: [1, 2]\n");
  EXPECT_EQ(error_id([&] { rig::instantiate<std::shared_ptr<Optimizer>>(node); }), "rig.type.mismatch");
  rig::ValidationReport r = rig::validate_config(yaml("optimizer:\n  _component_: rig.torch.SGD\n  params: [1]\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.front().id(), "rig.type.mismatch");
}

TEST(TorchInstantiate, OperativeConfigDescribesCallSiteTensors) {
  auto lin = ::torch::nn::Linear(3, 2);
  rig::clear_operative_config();
  rig::instantiate<std::shared_ptr<Optimizer>>(yaml("_component_: rig.torch.SGD"), lin->parameters());
  rig::Node op = rig::operative_config();
  ASSERT_EQ(op.size(), 1u);
  EXPECT_EQ(op[0]["params"][0].str(), "<tensor float [2, 3]>");
}

TEST(TorchInstantiate, SchedulerTakesTheOptimizerAtTheCallSite) {
  auto lin = ::torch::nn::Linear(3, 2);
  auto opt = rig::instantiate<std::shared_ptr<Optimizer>>(yaml("_component_: rig.torch.SGD\nlr: 1.0"), lin->parameters());
  auto sched = rig::instantiate<std::unique_ptr<rt::LRScheduler>>(
      yaml("_component_: rig.torch.CosineWithWarmup\nwarmup_steps: 3\ntotal_steps: 10"), opt);
  // Warm-up from 1/(warmup+1): the first rate is 0.25 of the base.
  EXPECT_DOUBLE_EQ(sched->lr(), 0.25);
  // A schedule scales the rate it finds: a fresh optimizer for StepLR.
  auto opt2 = rig::instantiate<std::shared_ptr<Optimizer>>(yaml("_component_: rig.torch.SGD\nlr: 1.0"), lin->parameters());
  auto step = rig::instantiate<std::unique_ptr<rt::LRScheduler>>(
      yaml("_component_: rig.torch.StepLR\nstep_size: 2\ngamma: 0.5"), opt2);
  step->step(), step->step();
  EXPECT_DOUBLE_EQ(opt2->param_groups()[0].options().get_lr(), 0.5);
  auto constant = rig::instantiate<std::unique_ptr<rt::LRScheduler>>(yaml("_component_: rig.torch.ConstantLR"), opt);
  EXPECT_DOUBLE_EQ(constant->factor(1000), 1.0);
  EXPECT_EQ(error_id([&] {
              rig::instantiate<std::unique_ptr<rt::LRScheduler>>(yaml("_component_: rig.torch.ConstantLR"));
            }),
            "rig.torch.optim.no_optimizer");
}

TEST(TorchInstantiate, ConfigsWithoutCallSiteArgumentsValidate) {
  auto r = rig::validate_config(yaml(R"(
tokenizer: {_component_: rig.torch.ByteTokenizer}
dataset: {_component_: rig.torch.TextCorpus, context: 64}
optimizer: {_component_: rig.torch.AdamW, lr: 0.001}
lr_scheduler: {_component_: rig.torch.CosineWithWarmup, warmup_steps: 10}
model: {_component_: rig.torch.TransformerLM, d_model: 32}
)"));
  EXPECT_TRUE(r.ok()) << r.format();
  auto bad = rig::validate_config(yaml("optimizer: {_component_: rig.torch.AdamW, lr: fast}\n"));
  EXPECT_FALSE(bad.ok());
}

TEST(TorchInstantiate, ModelAskedAsItsOwnType) {
  auto lm = rig::instantiate<std::shared_ptr<rt::TransformerLM>>(
      yaml("_component_: rig.torch.TransformerLM\nd_model: 16\nn_heads: 2\nn_layers: 1\ncontext: 8"),
      rig::kw("vocab_size", int64_t{11}));
  EXPECT_EQ(lm->options().vocab_size, 11);
  EXPECT_EQ(lm->forward(::torch::zeros({1, 8}, ::torch::kLong)).size(2), 11);
}

// ---- sampling -------------------------------------------------------------------------------------------------------

namespace {
std::shared_ptr<rt::TransformerLM> tiny_lm() {
  ::torch::manual_seed(7);
  return std::make_shared<rt::TransformerLM>(
      rt::TransformerLMOptions{.vocab_size = 13, .context = 6, .d_model = 16, .n_layers = 1, .n_heads = 2});
}
}  // namespace

TEST(TorchSample, GreedyIsTheArgmaxOfEachStep) {
  auto lm = tiny_lm();
  std::vector<int64_t> prompt = {1, 2, 3};
  auto got = rt::sample(*lm, prompt, {.max_new_tokens = 10, .temperature = 0});
  // Reference: the full forward pass over the last `context` tokens, argmax by hand.
  std::vector<int64_t> seq = prompt, expected;
  ::torch::NoGradGuard ng;
  lm->eval();
  for (int i = 0; i < 10; ++i) {
    size_t start = seq.size() > 6 ? seq.size() - 6 : 0;
    auto in = ::torch::tensor(std::vector<int64_t>(seq.begin() + static_cast<long>(start), seq.end())).unsqueeze(0);
    Tensor last = lm->forward(in)[0][-1];
    int64_t best = 0;
    for (int64_t v = 1; v < 13; ++v)
      if (last[v].item<float>() > last[best].item<float>()) best = v;
    expected.push_back(best);
    seq.push_back(best);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(rt::sample(*lm, prompt, {.max_new_tokens = 10, .temperature = 1.0, .top_k = 1, .seed = 5}), expected);
}

TEST(TorchSample, SameSeedSameTokensOtherSeedOtherTokens) {
  auto lm = tiny_lm();
  rt::SamplingOptions o{.max_new_tokens = 40, .temperature = 1.5, .seed = 3};
  auto a = rt::sample(*lm, {1}, o), b = rt::sample(*lm, {1}, o);
  EXPECT_EQ(a, b);
  o.seed = 4;
  EXPECT_NE(rt::sample(*lm, {1}, o), a);
}

TEST(TorchSample, TopKKeepsTheKMostLikely) {
  auto lm = tiny_lm();
  ::torch::NoGradGuard ng;
  lm->eval();
  Tensor last = lm->forward(::torch::tensor(std::vector<int64_t>{4}).unsqueeze(0))[0][-1];
  auto top2 = std::get<1>(last.topk(2));
  std::set<int64_t> allowed = {top2[0].item<int64_t>(), top2[1].item<int64_t>()};
  std::set<int64_t> seen;
  for (uint64_t seed = 0; seed < 40; ++seed)
    seen.insert(rt::sample(*lm, {4}, {.max_new_tokens = 1, .temperature = 5.0, .top_k = 2, .seed = seed})[0]);
  EXPECT_EQ(seen, allowed);
}

TEST(TorchSample, StopsAtTheStopTokenAndRejectsAnEmptyPrompt) {
  auto lm = tiny_lm();
  auto greedy = rt::sample(*lm, {1, 2}, {.max_new_tokens = 5, .temperature = 0});
  auto stopped = rt::sample(*lm, {1, 2}, {.max_new_tokens = 5, .temperature = 0, .stop_id = greedy[0]});
  EXPECT_EQ(stopped, std::vector<int64_t>{greedy[0]});
  EXPECT_EQ(error_id([&] { rt::sample(*lm, {}, {}); }), "rig.torch.sample.prompt");
}
