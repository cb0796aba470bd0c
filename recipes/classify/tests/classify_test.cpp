// The classify recipe's components: tasks, the models' compat tags, and the task-model hook.
// The loop itself is tested end to end through the recipe binary (tests/classify_cli.sh, tests/resume.sh).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "classify.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/yaml.hpp"

namespace fs = std::filesystem;

namespace {

// The config as run_recipe builds it: the composed tree, then the hook.
rig::Node with_hook(const std::string& yaml) {
  rig::ConfigSources sources;
  sources.defaults(rig::load_yaml(yaml, "cfg.yaml")).hook("task_sets_model_sizes", classify::task_sets_model_sizes);
  return sources.build();
}

rig::Error error_of(const std::string& yaml) {
  try {
    with_hook(yaml);
  } catch (const rig::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for\n" << yaml;
  return rig::Error("none", "none");
}

}  // namespace

TEST(ClassifyHook, TaskSetsMlpSizes) {
  rig::Node cfg = with_hook(R"(
task: {_component_: classify.Synthetic, num_features: 5, num_classes: 3}
model: {_component_: classify.MLP, hidden: [8], out_features: 99}
)");
  EXPECT_EQ(cfg.get<int64_t>("model.in_features"), 5);
  EXPECT_EQ(cfg.get<int64_t>("model.out_features"), 3);  // the task wins over the config file
  EXPECT_EQ(rig::setter_name(cfg.at_path("model.in_features").origin()), "hook task_sets_model_sizes");
  auto model = rig::instantiate<std::shared_ptr<rig::torch::Model>>(cfg["model"]);
  EXPECT_EQ(model->forward(torch::zeros({2, 5})).sizes(), (std::vector<int64_t>{2, 3}));
}

TEST(ClassifyHook, ImagesSetConvNetGeometry) {
  // FashionMNIST's shape is known without reading the dataset.
  rig::Node cfg = with_hook(R"(
task: {_component_: classify.FashionMNIST, root: /nonexistent}
model: {_component_: classify.ConvNet, channels: [4], hidden: 8}
)");
  EXPECT_EQ(cfg.get<int64_t>("model.in_channels"), 1);
  EXPECT_EQ(cfg.get<int64_t>("model.image_size"), 28);
  EXPECT_EQ(cfg.get<int64_t>("model.num_classes"), 10);
  EXPECT_FALSE(cfg["model"].contains("in_features"));
  auto model = rig::instantiate<std::shared_ptr<rig::torch::Model>>(cfg["model"]);
  EXPECT_EQ(model->forward(torch::zeros({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10}));
}

TEST(ClassifyHook, ModelThatDoesNotFitTheTaskIsAConfigError) {
  rig::Error e = error_of("task: {_component_: classify.Synthetic}\nmodel:\n  _component_: classify.ConvNet\n");
  EXPECT_EQ(e.id(), "rig.classify.incompatible");
  EXPECT_EQ(e.key_path(), "model._component_");
  EXPECT_EQ(e.origin().line, 3u);  // the model's _component_ in cfg.yaml
  EXPECT_NE(std::string(e.what()).find("takes images, the task gives feature vectors"), std::string::npos) << e.what();
  EXPECT_EQ(e.exit_code(), 2);
}

TEST(ClassifyHook, NoTaskNoModelOrABrokenTaskLeavesTheConfigAlone) {
  rig::Node cfg = with_hook("model: {_component_: classify.MLP, in_features: 7}\n");
  EXPECT_EQ(cfg.get<int64_t>("model.in_features"), 7);
  cfg = with_hook("task: {_component_: classify.Synthetic}\nmodel: {hidden: [3]}\n");
  EXPECT_FALSE(cfg["model"].contains("in_features"));
  // A task that cannot be built is left to validation and the recipe, which report every problem where it is.
  cfg = with_hook("task: {_component_: classify.Synthetc}\nmodel: {_component_: classify.MLP}\n");
  EXPECT_FALSE(cfg["model"].contains("in_features"));
  cfg = with_hook("task: {_component_: classify.Synthetic, num_classes: many}\nmodel: {_component_: classify.MLP}\n");
  EXPECT_FALSE(cfg["model"].contains("out_features"));
}

TEST(ClassifyTasks, CsvShapeAndData) {
  fs::path csv = fs::temp_directory_path() / ("classify_test_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(csv) << "a,b,c,species\n1,2,3,x\n4,5,6,y\n7,8,9,z\n0,1,0,x\n";
  rig::Node cfg = with_hook("task: {_component_: classify.CSV, path: " + csv.string() +
                            ", label_column: species}\nmodel: {_component_: classify.MLP}\n");
  EXPECT_EQ(cfg.get<int64_t>("model.in_features"), 3);
  EXPECT_EQ(cfg.get<int64_t>("model.out_features"), 3);
  auto task = rig::instantiate<std::shared_ptr<classify::AnyTask>>(cfg["task"]);
  EXPECT_EQ(task->train()->size(), 4);
  EXPECT_EQ(task->test(), nullptr);
  fs::remove(csv);
}

TEST(ClassifyTasks, RegisteredAsTaskAndModelTemplateInstances) {
  auto has = [](const char* name, rig::TypeKey interface) {
    const rig::detail::ComponentDef* def = rig::registry().find(name);
    return def && def->interface(interface) != nullptr;
  };
  using namespace classify;
  EXPECT_TRUE(has("classify.FashionMNIST", rig::type_key<Task<Images>>()));
  EXPECT_TRUE(has("classify.CSV", rig::type_key<Task<Features>>()));
  EXPECT_TRUE(has("classify.Synthetic", rig::type_key<Task<Features>>()));
  EXPECT_TRUE(has("classify.MLP", rig::type_key<Model<Images>>()));
  EXPECT_TRUE(has("classify.MLP", rig::type_key<Model<Features>>()));
  EXPECT_TRUE(has("classify.ConvNet", rig::type_key<Model<Images>>()));
  EXPECT_FALSE(has("classify.ConvNet", rig::type_key<Model<Features>>()));
}
