// The language-model recipes together: their configs validate; full_finetune -> lora_finetune -> generate through the
// `rig` tool; LoRA leaves the base weights bit-for-bit untouched; generate is seeded and its greedy mode is the
// argmax computed here. Everything goes through the recipes' binaries (`rig validate`, `rig run`); the test links
// rig::torch only to read the models they write.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rig/torch/checkpoint.hpp"
#include "rig/torch/lora.hpp"
#include "rig/torch/model.hpp"

namespace fs = std::filesystem;
namespace rt = rig::torch;

namespace {

const fs::path kConfigs = fs::path(RIG_SOURCE_DIR) / "configs";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs `rig ARGS` with output in LOG; returns the exit status.
int rig_tool(const std::string& args, const fs::path& log) {
  std::string cmd = std::string("OMP_NUM_THREADS=1 ") + RIG_TOOL + " " + args + " >" + log.string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// A tiny base model shape shared by the three runs, so the pipeline takes seconds.
const std::string kShape = "model.d_model=32 model.n_layers=1 model.n_heads=2 model.context=32";

rt::TransformerLMOptions tiny_shape() {
  return {.vocab_size = 257, .context = 32, .d_model = 32, .n_layers = 1, .n_heads = 2};
}

std::map<std::string, ::torch::Tensor> named_parameters(::torch::nn::Module& m) {
  std::map<std::string, ::torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value();
  return out;
}

}  // namespace

// ---- configs ----------------------------------------------------------------------------------------------------------

// `rig validate RECIPE ARGS`: its exit status and report (stdout and stderr).
std::pair<int, std::string> validate(const std::string& recipe, const std::string& args) {
  static int n = 0;
  fs::path log = fs::temp_directory_path() / ("rig_lm_validate_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
  int rc = rig_tool("validate " + recipe + " " + args, log);
  std::string out = slurp(log);
  fs::remove(log);
  return {rc, out};
}

// Valid, and without warnings (no key that nobody reads).
void expect_clean(const std::string& recipe, const std::string& args) {
  auto [rc, out] = validate(recipe, args);
  EXPECT_EQ(rc, 0) << recipe << " " << args << "\n" << out;
  EXPECT_NE(out.find("0 errors, 0 warnings"), std::string::npos) << recipe << " " << args << "\n" << out;
}

TEST(LMRecipeConfigs, FullFinetuneConfigsValidate) {
  for (const char* tokenizer : {"tokenizer=byte", "tokenizer=char", "tokenizer=sentencepiece"})
    expect_clean("full_finetune", tokenizer);
}

TEST(LMRecipeConfigs, LoRAFinetuneConfigsValidate) {
  expect_clean("lora_finetune", "base_checkpoint=/tmp/model.pt dataset.path=d.jsonl");
  expect_clean("lora_finetune",
               "base_checkpoint=m.pt dataset=text 'dataset.paths=[a.txt]' tokenizer=sentencepiece tokenizer.model=t.model");
}

TEST(LMRecipeConfigs, GenerateConfigsValidate) {
  for (const char* tokenizer : {"tokenizer=byte", "tokenizer=char"})
    expect_clean("generate", std::string("checkpoint=/tmp/model.pt ") + tokenizer);
}

// --config hf of each recipe (a Hugging Face checkpoint directory; torch/tests/hf_checkpoint_test.py runs them).
TEST(LMRecipeConfigs, HFConfigsValidate) {
  expect_clean("generate", "--config hf checkpoint_dir=/tmp/ckpt");
  expect_clean("lora_finetune", "--config hf checkpoint_dir=/tmp/ckpt dataset.path=d.jsonl");
  expect_clean("full_finetune", "--config hf checkpoint_dir=/tmp/ckpt dataset.path=d.jsonl");
}

// Every shipped training config (Hugging Face ones aside: their warm-up is 0) is valid for short runs too: its
// warm-up is a ratio of the steps, so no step count >= 1 breaks `warmup < total_steps`.
TEST(LMRecipeConfigs, ShippedConfigsValidateAtAnyStepCount) {
  const std::pair<std::string, std::string> configs[] = {{"classify", "--config fashion_mnist_mlp"},
                                                         {"full_finetune", ""},
                                                         {"lora_finetune", "base_checkpoint=m.pt dataset.path=d.jsonl"}};
  for (const auto& [recipe, args] : configs)
    for (int steps : {1, 3}) expect_clean(recipe, args + " steps=" + std::to_string(steps));
  // The control: warmup_steps, when given, still has to be below the steps.
  auto [rc, out] = validate("full_finetune", "steps=3 lr_scheduler.warmup_steps=3");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("rig.torch.sched.option"), std::string::npos) << out;
  EXPECT_NE(out.find("lr_scheduler.warmup_steps"), std::string::npos) << out;
}

// `resume: true` needs a checkpoint to continue from: --validate says so, at `resume`, rather than the run starting
// from scratch.
TEST(LMRecipeConfigs, ResumeWithoutACheckpointIsReported) {
  fs::path empty = fs::temp_directory_path() / ("rig_lm_no_checkpoints_" + std::to_string(::getpid()));
  fs::create_directories(empty);
  for (std::string recipe : {"classify --config fashion_mnist_mlp", "full_finetune"}) {
    auto [rc, out] = validate(recipe, "resume=true checkpointer.dir=" + empty.string());
    EXPECT_EQ(rc, 2) << out;
    EXPECT_NE(out.find("error[rig.torch.checkpoint.resume]"), std::string::npos) << out;
    // Located at the override's value: argv[N]:1:8 is the `true` of `resume=true`.
    EXPECT_NE(out.find("]:1:8: error[rig.torch.checkpoint.resume]"), std::string::npos) << out;
    EXPECT_EQ(out.rfind("argv[", 0), 0u) << out;
    // A directory with a checkpoint in it is what resume asks for (the file is only listed here, not read).
    std::ofstream(empty / "step_00000004.pt") << "x";
    auto [rc2, out2] = validate(recipe, "resume=true checkpointer.dir=" + empty.string());
    EXPECT_EQ(rc2, 0) << out2;
    fs::remove(empty / "step_00000004.pt");
  }
  fs::remove_all(empty);
}

TEST(LMRecipeConfigs, AMissingBaseCheckpointIsReported) {
  auto [rc, out] = validate("lora_finetune", "dataset.path=d.jsonl");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("base_checkpoint"), std::string::npos) << out;
}

// The optimizer is a component of the config in every training recipe: another one is chosen with an override.
TEST(LMRecipeConfigs, TheOptimizerIsChosenInTheConfig) {
  for (std::string recipe : {"full_finetune", "lora_finetune"}) {
    std::string base = recipe == "lora_finetune" ? "base_checkpoint=m.pt dataset.path=d.jsonl " : "";
    expect_clean(recipe, base + "optimizer._component_=rig.torch.SGD");
    expect_clean(recipe, base + "'optimizer:={_component_: rig.torch.SGD, lr: 0.1, momentum: 0.9}'");
    // The control: momentum is SGD's, not AdamW's, so the component named is the one checked.
    auto [rc, out] = validate(recipe, base + "'optimizer:={_component_: rig.torch.AdamW, momentum: 0.9}'");
    EXPECT_EQ(rc, 2) << out;
    EXPECT_NE(out.find("rig.args.unknown_keyword"), std::string::npos) << out;
    auto [rc2, out2] = validate(recipe, base + "optimizer._component_=rig.torch.Adamw");
    EXPECT_EQ(rc2, 2) << out2;
    EXPECT_NE(out2.find("rig.component.unknown"), std::string::npos) << out2;
  }
}

// ---- the pipeline, through the rig tool --------------------------------------------------------------------------------

class LMPipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = fs::temp_directory_path() / ("rig_lm_pipeline_" + std::to_string(::getpid()));
    fs::remove_all(work_);
    fs::create_directories(work_);
    std::ofstream data(work_ / "data.jsonl");
    for (int i = 0; i < 12; ++i)
      data << R"({"prompt": "Q: colour )" << i << R"(?\nA:", "response": " blue"})" << "\n";
  }
  static void TearDownTestSuite() { fs::remove_all(work_); }

  // Each stage runs once; later tests reuse its run directory.
  static const fs::path& base() {
    static const fs::path dir = [] {
      fs::path d = work_ / "full";
      int rc = rig_tool("run full_finetune --output-dir " + d.string() + " " + kShape +
                            " steps=20 lr_scheduler.warmup_steps=5 threads=1 loader.batch_size=8 evaluator.every_n_steps=10 evaluator.max_batches=2"
                            " checkpointer.every_n_steps=10",
                        work_ / "full.log");
      EXPECT_EQ(rc, 0) << slurp(work_ / "full.log");
      return d;
    }();
    return dir;
  }
  static const fs::path& lora() {
    static const fs::path dir = [] {
      fs::path d = work_ / "lora";
      int rc = rig_tool("run lora_finetune --output-dir " + d.string() + " " + kShape + " base_checkpoint=" +
                            (base() / "model.pt").string() + " dataset.path=" + (work_ / "data.jsonl").string() +
                            " steps=20 threads=1 checkpointer.every_n_steps=10",
                        work_ / "lora.log");
      EXPECT_EQ(rc, 0) << slurp(work_ / "lora.log");
      return d;
    }();
    return dir;
  }
  // Runs generate on `checkpoint`; returns generated.txt.
  static std::string generate(const fs::path& checkpoint, const std::string& options, const std::string& name) {
    fs::path d = work_ / name;
    int rc = rig_tool("run generate --output-dir " + d.string() + " " + kShape + " checkpoint=" + checkpoint.string() +
                          " threads=1 " + options,
                      work_ / (name + ".log"));
    EXPECT_EQ(rc, 0) << slurp(work_ / (name + ".log"));
    return slurp(d / "generated.txt");
  }

  static fs::path work_;
};
fs::path LMPipeline::work_;

TEST_F(LMPipeline, FullFinetuneWritesModelCheckpointsAndMetrics) {
  EXPECT_TRUE(fs::exists(base() / "model.pt"));
  EXPECT_TRUE(fs::exists(base() / "checkpoints" / "step_00000020.pt"));
  std::string metrics = slurp(base() / "metrics.jsonl");
  EXPECT_NE(metrics.find("\"perplexity\""), std::string::npos) << metrics;
  std::string log = slurp(work_ / "full.log");
  EXPECT_NE(log.find("perplexity: "), std::string::npos) << log;
}

TEST_F(LMPipeline, FullFinetuneTrainsWithAnotherOptimizer) {
  fs::path d = work_ / "sgd";
  int rc = rig_tool("run full_finetune --output-dir " + d.string() + " " + kShape +
                        " steps=24 threads=1 loader.batch_size=4 evaluator.every_n_steps=0 checkpointer.every_n_steps=0"
                        " 'optimizer:={_component_: rig.torch.SGD, lr: 0.05, momentum: 0.9}'",
                    work_ / "sgd.log");
  EXPECT_EQ(rc, 0) << slurp(work_ / "sgd.log");
  EXPECT_TRUE(fs::exists(d / "model.pt"));
  EXPECT_NE(slurp(d / "config.yaml").find("rig.torch.SGD"), std::string::npos);
}

TEST_F(LMPipeline, LoRALeavesTheBaseWeightsBitIdentical) {
  ASSERT_TRUE(fs::exists(lora() / "adapters.pt"));
  auto base_model = std::make_shared<rt::TransformerLM>(tiny_shape());
  rt::load_model(*base_model, base() / "model.pt");
  // The LoRA run's last checkpoint holds its model as trained: base layers plus adapters.
  auto trained = std::make_shared<rt::TransformerLM>(tiny_shape());
  rt::LoRA spec({.rank = 8, .alpha = 16, .targets = {"*.attn.qkv", "*.attn.proj", "*.mlp.fc1", "*.mlp.fc2"}});
  spec.apply(*trained);
  rt::load_model(*trained, lora() / "checkpoints" / "step_00000020.pt");

  auto base_params = named_parameters(*base_model);
  size_t compared = 0, adapters_trained = 0;
  for (const auto& [name, tensor] : named_parameters(*trained)) {
    if (name.find(".lora.") != std::string::npos) {
      if (name.ends_with(".B") && tensor.abs().sum().item<double>() > 0) ++adapters_trained;
      continue;
    }
    ASSERT_TRUE(base_params.contains(name)) << name;
    EXPECT_TRUE(::torch::equal(tensor, base_params[name])) << name << " changed during LoRA training";
    ++compared;
  }
  EXPECT_EQ(compared, base_params.size());
  EXPECT_EQ(adapters_trained, 4u) << "every adapted layer (qkv, proj, fc1, fc2 of one block) should have trained";
}

TEST_F(LMPipeline, MergedModelEqualsBasePlusAdapters) {
  auto merged = std::make_shared<rt::TransformerLM>(tiny_shape());
  rt::load_model(*merged, lora() / "model.pt");
  auto adapted = std::make_shared<rt::TransformerLM>(tiny_shape());
  rt::load_model(*adapted, base() / "model.pt");
  rt::LoRA spec({.rank = 8, .alpha = 16, .targets = {"*.attn.qkv", "*.attn.proj", "*.mlp.fc1", "*.mlp.fc2"}});
  spec.apply(*adapted);
  rt::LoRA::load(*adapted, lora() / "adapters.pt");
  merged->eval(), adapted->eval();
  ::torch::NoGradGuard ng;
  auto tokens = ::torch::randint(0, 257, {2, 32}, ::torch::kLong);
  EXPECT_TRUE(::torch::allclose(merged->forward(tokens), adapted->forward(tokens), 1e-4, 1e-5));
  // Not trivially so: the merged model is not the base.
  auto base_model = std::make_shared<rt::TransformerLM>(tiny_shape());
  rt::load_model(*base_model, base() / "model.pt");
  base_model->eval();
  EXPECT_FALSE(::torch::allclose(merged->forward(tokens), base_model->forward(tokens), 1e-4, 1e-5));
}

TEST_F(LMPipeline, GenerateSameSeedSameTextOtherSeedOtherText) {
  std::string a = generate(lora() / "model.pt", "prompt=Q: max_new_tokens=60 temperature=1.5 seed=5 stop_at_eos=false",
                           "gen_a");
  std::string b = generate(lora() / "model.pt", "prompt=Q: max_new_tokens=60 temperature=1.5 seed=5 stop_at_eos=false",
                           "gen_b");
  std::string c = generate(lora() / "model.pt", "prompt=Q: max_new_tokens=60 temperature=1.5 seed=6 stop_at_eos=false",
                           "gen_c");
  EXPECT_EQ(a.substr(0, 2), "Q:");
  EXPECT_GT(a.size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST_F(LMPipeline, GenerateProfilesItsSamplingSteps) {
  // One profiler step per new token: 6 tokens, wait 1, warmup 1, active 2 -> ProfilerStep#2 and #3 recorded.
  generate(base() / "model.pt",
           "prompt=This max_new_tokens=6 temperature=0 stop_at_eos=false profiler.enabled=true profiler.wait=1 "
           "profiler.warmup=1 profiler.active=2",
           "gen_profiled");
  fs::path trace = work_ / "gen_profiled" / "profile" / "trace.json";
  std::string check =
      "/usr/bin/python3 -c 'import json, sys\n"
      "names = [e[\"name\"] for e in json.load(open(sys.argv[1]))[\"traceEvents\"]]\n"
      "steps = sorted(n for n in names if n.startswith(\"ProfilerStep#\"))\n"
      "assert steps == [\"ProfilerStep#2\", \"ProfilerStep#3\"], steps\n"
      "assert \"aten::mm\" in names and \"aten::softmax\" in names, set(names)' " +
      trace.string() + " > " + (work_ / "gen_profiled.check").string() + " 2>&1";
  EXPECT_EQ(std::system(check.c_str()), 0) << slurp(work_ / "gen_profiled.check");
  EXPECT_TRUE(fs::exists(work_ / "gen_profiled" / "profile" / "summary.txt"));
}

TEST_F(LMPipeline, GreedyGenerateIsTheArgmax) {
  const std::string prompt = "This";
  std::string greedy = generate(base() / "model.pt", "prompt=" + prompt + " max_new_tokens=24 temperature=0 stop_at_eos=false",
                                "gen_greedy");
  std::string top1 = generate(base() / "model.pt", "prompt=" + prompt + " max_new_tokens=24 top_k=1 temperature=2 seed=9 stop_at_eos=false",
                              "gen_top1");
  // The reference: the whole sequence through the model each step, the largest logit picked by hand.
  auto model = std::make_shared<rt::TransformerLM>(tiny_shape());
  rt::load_model(*model, base() / "model.pt");
  model->eval();
  ::torch::NoGradGuard ng;
  std::vector<int64_t> seq(prompt.begin(), prompt.end());
  std::string expected = prompt;
  for (int i = 0; i < 24; ++i) {
    size_t start = seq.size() > 32 ? seq.size() - 32 : 0;
    auto in = ::torch::tensor(std::vector<int64_t>(seq.begin() + static_cast<long>(start), seq.end())).unsqueeze(0);
    auto logits = model->forward(in)[0][-1];
    auto acc = logits.accessor<float, 1>();
    int64_t best = 0;
    for (int64_t v = 1; v < 257; ++v)
      if (acc[v] > acc[best]) best = v;
    seq.push_back(best);
    if (best < 256) expected.push_back(static_cast<char>(best));  // the byte tokenizer drops eos when decoding
  }
  EXPECT_EQ(greedy, expected);
  EXPECT_EQ(top1, expected);
}
