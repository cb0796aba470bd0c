// The classify recipe: learning, determinism, the task-model hook and config errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "classify.hpp"
#include "rig/error.hpp"
#include "rig/yaml.hpp"

using rig::recipes::ClassifyConfig;
namespace fs = std::filesystem;

namespace {

ClassifyConfig synthetic(const std::string& out) {
  ClassifyConfig c;
  c.task = "synthetic";
  c.steps = 60;
  c.warmup_steps = 5;
  c.output_dir = out;
  c.threads.num_threads = 2;
  c.synthetic = {.num_examples = 1024, .num_features = 8, .num_classes = 4, .noise = 0.3, .seed = 1};
  c.mlp.hidden = {32};
  c.mlp.dropout = 0.1;  // exercises the generator
  c.loader.batch_size = 32;
  c.evaluator.every_n_steps = 30;
  c.console.every_n_steps = 1000;
  c.optimizer.lr = 1e-2;
  return c;
}

fs::path out_dir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("rig_classify_test_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  return p;
}

}  // namespace

TEST(Classify, LearnsSyntheticTaskAndIsDeterministic) {
  auto dir = out_dir("det");
  auto a = rig::recipes::train_classifier(synthetic((dir / "a").string()));
  auto b = rig::recipes::train_classifier(synthetic((dir / "b").string()));
  ASSERT_EQ(a.losses.size(), 60u);
  EXPECT_EQ(a.losses, b.losses);  // same seed: identical losses, bit for bit
  EXPECT_GT(a.validation.at(1).second, 0.9) << "accuracy";
  auto other_seed = synthetic((dir / "c").string());
  other_seed.seed = 1;
  EXPECT_NE(rig::recipes::train_classifier(other_seed).losses, a.losses);
  EXPECT_TRUE(fs::exists(dir / "a" / "model.pt"));
  EXPECT_TRUE(fs::exists(dir / "a" / "metrics.jsonl"));
  fs::remove_all(dir);
}

TEST(Classify, TaskModelHookAndIncompatiblePairs) {
  auto dir = out_dir("hook");
  auto c = synthetic(dir.string());
  c.steps = 6;
  c.mlp.dropout = 0;
  c.synthetic.num_features = 5;
  c.synthetic.num_classes = 3;
  c.mlp.out_features = 99;  // overwritten by the task
  EXPECT_EQ(rig::recipes::train_classifier(c).losses.size(), 6u);
  c.model = "convnet";
  try {
    rig::recipes::train_classifier(c);
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.id(), "rig.classify.incompatible");
  }
  c.model = "mpl";
  try {
    rig::recipes::train_classifier(c);
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.hint(), "did you mean 'mlp'? (mlp or convnet)");
  }
  fs::remove_all(dir);
}

TEST(Classify, ConfigFileReadsAndRejectsUnknownKeys) {
  rig::Node node = rig::load_yaml_file(RIG_SOURCE_DIR "/configs/classify/fashion_mnist_mlp.yaml");
  ClassifyConfig c = rig::recipes::read_classify_config(node);
  EXPECT_EQ(c.task, "fashion_mnist");
  EXPECT_EQ(c.mlp.hidden, (std::vector<int64_t>{256, 128}));
  EXPECT_DOUBLE_EQ(c.optimizer.lr, 2e-3);
  EXPECT_EQ(c.checkpointer.every_n_steps, 500);

  rig::Node typo = rig::load_yaml("optimizer:\n  lr: 0.1\n  wieght_decay: 0.2\nsteps: 3\n", "typo.yaml");
  try {
    rig::recipes::read_classify_config(typo);
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.id(), "rig.config.unknown_key");
    EXPECT_EQ(e.key_path(), "optimizer.wieght_decay");
    EXPECT_EQ(e.origin().line, 3u);
    EXPECT_EQ(e.hint(), "did you mean 'weight_decay'?");
  }
  rig::Node wrong_type = rig::load_yaml("steps: many\n", "t.yaml");
  EXPECT_THROW(rig::recipes::read_classify_config(wrong_type), rig::TypeError);
}
