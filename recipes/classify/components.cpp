// The classify recipe's tasks, models and task-model hook (classify.hpp).
#include <fmt/format.h>

#include "classify.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"

namespace classify {

std::shared_ptr<const rt::TensorDataset> FashionMNIST::train() const {
  return std::make_shared<rt::FashionMNIST>(rt::FashionMNISTOptions{
      .root = options_.root, .split = "train", .normalize = options_.normalize, .limit = options_.limit});
}

std::shared_ptr<const rt::TensorDataset> FashionMNIST::test() const {
  if (!options_.test) return nullptr;
  return std::make_shared<rt::FashionMNIST>(
      rt::FashionMNISTOptions{.root = options_.root, .split = "test", .normalize = options_.normalize, .limit = 0});
}

std::shared_ptr<const rt::TensorDataset> CSV::train() const {
  if (!data_) data_ = std::make_shared<rt::CSVTabular>(options_);
  return data_;
}

Shape CSV::shape() const {
  auto data = train();
  return {.features = data->num_features(), .num_classes = data->num_classes()};
}

std::shared_ptr<const rt::TensorDataset> Synthetic::train() const {
  return std::make_shared<rt::SyntheticClassification>(options_);
}

namespace {

template <class Kind>
bool takes(const rig::detail::ComponentDef& model) {
  return model.interface(rig::type_key<Model<Kind>>()) != nullptr;
}

}  // namespace

void task_sets_model_sizes(rig::HookContext& hook) {
  const rig::Node& cfg = hook.config();
  const rig::Node* task_node = cfg.find("task");
  const rig::Node* model_node = cfg.find("model");
  if (!task_node || !model_node) return;
  const rig::detail::ComponentDef* model = rig::component_of(*model_node);
  if (!model) return;  // instantiate reports an unknown model where the loop builds it

  std::unique_ptr<AnyTask> task;
  try {
    task = rig::instantiate<std::unique_ptr<AnyTask>>(rig::Config(cfg)["task"].resolved());
  } catch (const rig::Error&) {
    return;  // a broken task config is reported in full, located, by --validate or where the recipe builds it
  }
  Shape s = task->shape();
  bool images = s.image_size > 0;
  if (!(images ? takes<Images>(*model) : takes<Features>(*model))) {
    const rig::Node& name = *model_node->find("_component_");
    throw rig::Error("rig.classify.incompatible",
                     fmt::format("model {} does not fit task {}: it takes {}, the task gives {}", model->name(),
                                 rig::component_of(*task_node)->name(), images ? "feature vectors" : "images",
                                 images ? "images" : "feature vectors"),
                     name.origin(), "model._component_",
                     "`rig compat --rows classify::Task --cols classify::Model` shows which pairs fit");
  }
  auto set = [&](const char* key, int64_t value) { hook.apply(fmt::format("++model.{}={}", key, value)); };
  if (model->param("in_channels")) {  // a convolutional model: the image's geometry
    set("in_channels", s.channels);
    set("image_size", s.image_size);
    set("num_classes", s.num_classes);
  } else {
    set("in_features", s.features);
    set("out_features", s.num_classes);
  }
}

}  // namespace classify

RIG_COMPONENT(classify::FashionMNIST, rig::options<classify::FashionMNISTTaskOptions>,
              rig::interfaces<classify::AnyTask, classify::Task<classify::Images>>,
              rig::doc("Fashion-MNIST (Debian's dataset-fashion-mnist): 28x28 grey images, 10 classes"),
              rig::field_doc("limit", "keep the first N training examples (0: all)"),
              rig::field_doc("test", "also evaluate on the 10k test split"));
RIG_COMPONENT(classify::CSV, rig::options<rig::torch::CSVTabularOptions>,
              rig::interfaces<classify::AnyTask, classify::Task<classify::Features>>,
              rig::doc("A CSV file: numeric feature columns and a label column"));
RIG_COMPONENT(classify::Synthetic, rig::options<rig::torch::SyntheticClassificationOptions>,
              rig::interfaces<classify::AnyTask, classify::Task<classify::Features>>,
              rig::doc("Seeded Gaussian clusters, one per class"));
RIG_COMPONENT(classify::MLP, rig::options<rig::torch::MLPOptions>,
              rig::interfaces<rig::torch::Model, classify::Model<classify::Images>, classify::Model<classify::Features>>,
              rig::doc("rig::torch::MLP: flattens its input, so it takes images and feature vectors"));
RIG_COMPONENT(classify::ConvNet, rig::options<rig::torch::ConvNetOptions>,
              rig::interfaces<rig::torch::Model, classify::Model<classify::Images>>,
              rig::doc("rig::torch::ConvNet: square images only"));
