// Losses, optimizers, schedules, clipping, threads, loggers, checkpointer, evaluator.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "rig/config.hpp"
#include "rig/error.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"
#include "rig/yaml.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;
using ::torch::Tensor;

namespace {

fs::path temp_dir() {
  auto p = fs::temp_directory_path() / ("rig_train_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

}  // namespace

TEST(Losses, CrossEntropyIgnoresAndFlattens) {
  Tensor logits = ::torch::tensor({{2.0f, 0.0f}, {0.0f, 2.0f}, {5.0f, -5.0f}}).view({1, 3, 2});
  Tensor targets = ::torch::tensor(std::vector<int64_t>{0, 1, rt::kIgnoreIndex}).view({1, 3});
  double expected = std::log(1 + std::exp(-2.0));  // both counted rows have the same loss
  EXPECT_NEAR(rt::CrossEntropyLoss()(logits, targets).item<double>(), expected, 1e-6);
  EXPECT_NEAR(rt::MSELoss()(::torch::tensor({1.0f, 3.0f}), ::torch::tensor({0.0f, 0.0f})).item<double>(), 5.0, 1e-6);
  EXPECT_NEAR(rt::MSELoss({.reduction = "sum"})(::torch::tensor({1.0f, 3.0f}), ::torch::zeros({2})).item<double>(), 10.0,
              1e-6);
  try {
    rt::MSELoss({.reduction = "maen"});
    FAIL();
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.hint(), "did you mean 'mean'?");
  }
}

TEST(Optimizers, OptionsReachLibTorch) {
  Tensor w = ::torch::ones({2}, ::torch::requires_grad());
  rt::AdamW adamw({w}, {.lr = 0.5, .betas = {0.8, 0.9}, .weight_decay = 0.2});
  auto& o = static_cast<::torch::optim::AdamWOptions&>(adamw.param_groups()[0].options());
  EXPECT_DOUBLE_EQ(o.lr(), 0.5);
  EXPECT_DOUBLE_EQ(std::get<0>(o.betas()), 0.8);
  EXPECT_DOUBLE_EQ(o.weight_decay(), 0.2);
  rt::SGD sgd({w}, {.lr = 0.1, .momentum = 0.9, .nesterov = true});
  auto& s = static_cast<::torch::optim::SGDOptions&>(sgd.param_groups()[0].options());
  EXPECT_DOUBLE_EQ(s.momentum(), 0.9);
  EXPECT_TRUE(s.nesterov());
  // One SGD step on loss = sum(w^2): w -= lr * 2w.
  rt::SGD plain({w}, {.lr = 0.25});
  (w * w).sum().backward();
  plain.step();
  EXPECT_TRUE(::torch::allclose(w, ::torch::full({2}, 0.5f)));
  rt::Adam adam({w}, {.lr = 1e-2, .amsgrad = true});
  EXPECT_TRUE(static_cast<::torch::optim::AdamOptions&>(adam.param_groups()[0].options()).amsgrad());
  EXPECT_THROW(rt::SGD({w}, {.lr = -1}), rig::Error);
}

TEST(Schedulers, CosineWarmupStepConstant) {
  Tensor w = ::torch::ones({1}, ::torch::requires_grad());
  rt::SGD opt({w}, {.lr = 1.0});
  rt::CosineWithWarmup cos(opt, {.warmup_steps = 4, .total_steps = 14, .min_ratio = 0.1});
  EXPECT_DOUBLE_EQ(cos.lr(), 0.2);  // applied at construction: step 0 of warmup
  for (int i = 0; i < 4; ++i) cos.step();
  EXPECT_DOUBLE_EQ(cos.lr(), 1.0);  // warmup done
  for (int i = 0; i < 5; ++i) cos.step();
  EXPECT_NEAR(cos.lr(), 0.1 + 0.9 * 0.5, 1e-12);  // half way down
  for (int i = 0; i < 20; ++i) cos.step();
  EXPECT_NEAR(cos.lr(), 0.1, 1e-12);  // floor after total_steps
  cos.set_step(4);
  EXPECT_DOUBLE_EQ(cos.lr(), 1.0);
  EXPECT_THROW(rt::CosineWithWarmup(opt, {.warmup_steps = 10, .total_steps = 10}), rig::Error);

  rt::SGD opt2({w}, {.lr = 1.0});
  rt::StepLR step(opt2, {.step_size = 3, .gamma = 0.5});
  std::vector<double> lrs;
  for (int i = 0; i < 7; ++i) step.step(), lrs.push_back(step.lr());
  EXPECT_EQ(lrs, (std::vector<double>{1, 1, 0.5, 0.5, 0.5, 0.25, 0.25}));
  rt::SGD opt3({w}, {.lr = 0.3});
  rt::ConstantLR constant(opt3);
  constant.step();
  EXPECT_DOUBLE_EQ(constant.lr(), 0.3);
}

// warmup_ratio: ceil(ratio * total_steps) steps, at most total_steps - 1 (so any total_steps >= 1 works);
// warmup_steps > 0 wins over it. The oracle is the schedule's definition, computed here for each case.
TEST(Schedulers, CosineWarmupRatio) {
  struct Case {
    int64_t warmup_steps;
    double ratio;
    int64_t total, expected_warmup;
  };
  for (Case c : {Case{0, 0.25, 8, 2}, Case{0, 0.1, 200, 20}, Case{0, 0.0357, 1400, 50}, Case{0, 0.1, 1, 0},
                 Case{0, 0.25, 2, 1}, Case{0, 1.0, 5, 4}, Case{0, 0.5, 3, 2}, Case{0, 0.0, 10, 0}, Case{3, 0.9, 10, 3}}) {
    rt::CosineWithWarmupOptions o{.warmup_steps = c.warmup_steps, .warmup_ratio = c.ratio, .total_steps = c.total};
    EXPECT_EQ(o.warmup(), c.expected_warmup) << c.ratio << " of " << c.total;
    Tensor w = ::torch::ones({1}, ::torch::requires_grad());
    rt::SGD opt({w}, {.lr = 1.0});
    rt::CosineWithWarmup sched(opt, o);
    for (int64_t step = 0; step < c.total; ++step) {
      sched.set_step(step);
      double expected = step < c.expected_warmup
                            ? static_cast<double>(step + 1) / static_cast<double>(c.expected_warmup + 1)
                            : 0.5 * (1 + std::cos(M_PI * static_cast<double>(step - c.expected_warmup) /
                                                  static_cast<double>(c.total - c.expected_warmup)));
      EXPECT_NEAR(sched.lr(), expected, 1e-12) << c.ratio << " of " << c.total << " at step " << step;
    }
  }
  Tensor w = ::torch::ones({1}, ::torch::requires_grad());
  rt::SGD opt({w}, {.lr = 1.0});
  EXPECT_THROW(rt::CosineWithWarmup(opt, {.warmup_ratio = 1.5, .total_steps = 10}), rig::Error);
  EXPECT_THROW(rt::CosineWithWarmup(opt, {.warmup_ratio = -0.1, .total_steps = 10}), rig::Error);
}

TEST(GradClip, ScalesToMaxNorm) {
  Tensor a = ::torch::zeros({2}, ::torch::requires_grad()), b = ::torch::zeros({1}, ::torch::requires_grad());
  (a * ::torch::tensor({3.0f, 0.0f})).sum().backward();
  (b * ::torch::tensor({4.0f})).sum().backward();
  EXPECT_NEAR(rt::clip_grad_norm({a, b}, 0), 5.0, 1e-6);  // 0: report only
  EXPECT_NEAR(rt::clip_grad_norm({a, b}, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(::torch::cat({a.grad(), b.grad()}).norm().item<double>(), 1.0, 1e-5);
}

TEST(Threads, ConfigBeatsEnvironmentBeatsCores) {
  EXPECT_EQ(rt::resolve_threads({.num_threads = 3}), 3);
  const char* old = std::getenv("OMP_NUM_THREADS");
  std::string saved = old ? old : "";
  setenv("OMP_NUM_THREADS", "5", 1);
  EXPECT_EQ(rt::resolve_threads({}), 5);
  unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(rt::resolve_threads({}), static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_EQ(rt::set_threads({.num_threads = 2}), 2);
  EXPECT_EQ(::torch::get_num_threads(), 2);
  if (old) setenv("OMP_NUM_THREADS", saved.c_str(), 1);
}

TEST(Loggers, JsonlCsvAndMulti) {
  auto dir = temp_dir();
  {
    rt::MultiLogger log;
    log.add(std::make_shared<rt::JSONLLogger>(rt::JSONLLoggerOptions{(dir / "sub" / "m.jsonl").string()}));
    log.add(std::make_shared<rt::CSVLogger>(rt::CSVLoggerOptions{(dir / "m.csv").string()}));
    log.log(1, {{"loss", 0.5}, {"lr", 1e-3}});
    log.log(2, {{"accuracy", 0.25}});
    log.flush();
  }
  auto jsonl = lines_of(slurp(dir / "sub" / "m.jsonl"));
  ASSERT_EQ(jsonl.size(), 2u);
  rig::Node first = rig::load_json(jsonl[0]);  // each line is valid JSON
  EXPECT_EQ(first.get<int>("step"), 1);
  EXPECT_DOUBLE_EQ(first.get<double>("lr"), 1e-3);
  EXPECT_EQ(jsonl[1], R"({"step":2,"accuracy":0.25})");
  EXPECT_EQ(slurp(dir / "m.csv"), "step,metric,value\n1,loss,0.5\n1,lr,0.001\n2,accuracy,0.25\n");
  {  // A resumed run appends without a second header.
    rt::CSVLogger again({(dir / "m.csv").string()});
    again.log(3, {{"loss", 1}});
  }
  EXPECT_EQ(lines_of(slurp(dir / "m.csv")).size(), 5u);
  EXPECT_THROW(rt::JSONLLogger({"/proc/nonexistent/x.jsonl"}), rig::IoError);
  fs::remove_all(dir);
}

TEST(Loggers, MakeLoggersBuildsAConfigListAndLocatesABadElement) {
  auto dir = temp_dir();
  std::string jsonl = (dir / "m.jsonl").string(), csv = (dir / "m.csv").string();
  rig::Config cfg(rig::load_yaml("loggers:\n"
                                 "  - {_component_: rig.torch.JSONLLogger, path: " + jsonl + "}\n"
                                 "  - {_component_: rig.torch.CSVLogger, path: " + csv + "}\n",
                                 "loggers.yaml"));
  {
    rt::MultiLogger log = rt::make_loggers(cfg["loggers"]);
    log.log(7, {{"loss", 0.5}});
  }
  EXPECT_EQ(slurp(dir / "m.jsonl"), "{\"step\":7,\"loss\":0.5}\n");
  EXPECT_EQ(slurp(dir / "m.csv"), "step,metric,value\n7,loss,0.5\n");

  rig::Config bad(rig::load_yaml("loggers:\n  - {_component_: rig.torch.JSONLoger, path: x}\n", "bad.yaml"));
  try {
    (void)rt::make_loggers(bad["loggers"]);
    ADD_FAILURE() << "an unknown logger was accepted";
  } catch (const rig::Error& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("bad.yaml:2:"), std::string::npos) << text;
    EXPECT_NE(text.find("rig.torch.JSONLLogger"), std::string::npos) << text;  // did-you-mean
  }
  fs::remove_all(dir);
}

TEST(Loggers, ConsolePlainLinesWhenNotATty) {
  auto dir = temp_dir();
  std::FILE* f = std::fopen((dir / "out.txt").c_str(), "w");
  {
    rt::ConsoleLogger console({.total_steps = 4, .every_n_steps = 2}, f);
    EXPECT_FALSE(console.tty());
    for (int s = 1; s <= 4; ++s) console.log(s, {{"loss", 1.0 / s}});
    console.log(4, {{"accuracy", 0.9}});
  }
  std::fclose(f);
  auto lines = lines_of(slurp(dir / "out.txt"));
  ASSERT_EQ(lines.size(), 3u) << slurp(dir / "out.txt");
  EXPECT_EQ(lines[0].rfind("step 2 loss=0.5 it/s=", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("step 4 loss=0.25", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "step 4 accuracy=0.9");
  fs::remove_all(dir);
}

TEST(Checkpointer, AtomicRotatingAndExactRestore) {
  auto dir = temp_dir();
  ::torch::manual_seed(0);
  rt::MLP model({.in_features = 4, .hidden = {8}, .out_features = 3, .dropout = 0.5});
  rt::AdamW opt(model.parameters(), {.lr = 1e-2});
  rt::CosineWithWarmup sched(opt, {.warmup_steps = 2, .total_steps = 100});
  rt::Checkpointer ckpt({.dir = dir.string(), .every_n_steps = 2, .keep_last = 2});
  Tensor x = ::torch::randn({16, 4});
  Tensor y = ::torch::randint(3, {16}, ::torch::kLong);
  auto train_step = [&](rt::MLP& m, rt::AdamW& o, rt::LRScheduler& s) {
    Tensor loss = rt::CrossEntropyLoss()(m.forward(x), y);  // dropout draws from the global generator
    o.zero_grad();
    loss.backward();
    o.step();
    s.step();
    return loss.item<double>();
  };
  for (int step = 1; step <= 6; ++step) {
    train_step(model, opt, sched);
    if (ckpt.due(step)) ckpt.save(step, model, opt, &sched, {{"epoch", 7}});
  }
  auto files = ckpt.list();
  ASSERT_EQ(files.size(), 2u);  // steps 4 and 6; step 2 rotated away
  EXPECT_EQ(files[0].filename(), "step_00000004.pt");
  EXPECT_EQ(ckpt.latest()->filename(), "step_00000006.pt");
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_NE(e.path().extension(), ".tmp");

  // Continue the original for 3 steps; a fresh model restored from step 6 must produce the same losses bit for bit.
  std::vector<double> expected;
  for (int i = 0; i < 3; ++i) expected.push_back(train_step(model, opt, sched));
  ::torch::manual_seed(123);  // different init and generator state: everything must come from the checkpoint
  rt::MLP fresh({.in_features = 4, .hidden = {8}, .out_features = 3, .dropout = 0.5});
  rt::AdamW fresh_opt(fresh.parameters(), {.lr = 1e-2});
  rt::CosineWithWarmup fresh_sched(fresh_opt, {.warmup_steps = 2, .total_steps = 100});
  auto resumed = ckpt.load(*ckpt.latest(), fresh, fresh_opt, &fresh_sched);
  EXPECT_EQ(resumed.step, 6);
  EXPECT_EQ(resumed.extra.at("epoch"), 7);
  EXPECT_EQ(fresh_sched.last_step(), 6);
  std::vector<double> got;
  for (int i = 0; i < 3; ++i) got.push_back(train_step(fresh, fresh_opt, fresh_sched));
  EXPECT_EQ(got, expected);
  for (const auto& p : model.named_parameters())
    EXPECT_TRUE(::torch::equal(p.value(), fresh.named_parameters()[p.key()])) << p.key();

  EXPECT_THROW(ckpt.load(dir / "missing.pt", fresh, fresh_opt), rig::IoError);
  rt::MLP other({.in_features = 5, .hidden = {8}, .out_features = 3});
  rt::AdamW other_opt(other.parameters());
  EXPECT_THROW(ckpt.load(*ckpt.latest(), other, other_opt), rig::IoError);
  fs::remove_all(dir);
}

TEST(Evaluator, AccuracyAndPerplexity) {
  // A "model" that predicts class = round(first feature).
  struct Oracle : rt::Model {
    Tensor forward(Tensor x) override {
      return ::torch::nn::functional::one_hot(x.select(1, 0).round().to(::torch::kLong), 3).to(::torch::kFloat) * 50;
    }
  } oracle;
  Tensor inputs = ::torch::tensor({0.0f, 1.0f, 2.0f, 2.0f}).unsqueeze(1);
  auto data = std::make_shared<const rt::TensorDataset>(inputs, ::torch::tensor({0, 1, 2, 0}, ::torch::kLong), 3);
  rt::Evaluator eval({.every_n_steps = 10, .batch_size = 3});
  EXPECT_TRUE(eval.due(20));
  EXPECT_FALSE(eval.due(5));
  auto m = eval.evaluate(oracle, data);
  ASSERT_EQ(m[1].first, "accuracy");
  EXPECT_DOUBLE_EQ(m[1].second, 0.75);

  // A uniform language model over 4 tokens has perplexity 4.
  struct Uniform : rt::Model {
    Tensor forward(Tensor t) override { return ::torch::zeros({t.size(0), t.size(1), 4}); }
  } uniform;
  struct Tokens {
    int64_t size() const { return 2; }
    rt::LMBatch collate(std::span<const int64_t> idx) const {
      auto n = static_cast<int64_t>(idx.size());
      return {::torch::zeros({n, 3}, ::torch::kLong), ::torch::tensor(std::vector<int64_t>{1, rt::kIgnoreIndex, 3}).repeat({n, 1})};
    }
  };
  auto lm = eval.evaluate(uniform, std::make_shared<const Tokens>());
  ASSERT_EQ(lm[1].first, "perplexity");
  EXPECT_NEAR(lm[1].second, 4.0, 1e-5);
}
