// The classify recipe's tasks, models and task-model hook (classify.hpp).
#include <fmt/format.h>

#include "classify.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/io.hpp"
#include "rig/yaml.hpp"

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

std::vector<std::string> AnyTask::class_names() const {
  std::vector<std::string> names;
  for (int64_t k = 0; k < shape().num_classes; ++k) names.push_back(std::to_string(k));
  return names;
}

Prepared AnyTask::prepare(const std::string&, const rig::Node&) const {
  throw rig::Error("rig.classify.predict", "this run's task cannot prepare new inputs: its examples are not files", {},
                   "checkpoint", "predict takes runs of task=csv or task=image_folder");
}

void save_inference(const std::filesystem::path& path, const AnyTask& task, const rig::Node& task_config,
                    const rig::Node& model_config) {
  rig::Node info = rig::Node::map();
  info.set("task", task_config);
  info.set("model", model_config);
  rig::Node classes = rig::Node::list();
  for (const auto& name : task.class_names()) classes.push_back(rig::Node(name));
  info.set("classes", classes);
  info.set("preprocessing", task.preprocessing());
  rig::write_file_atomic(path, "# What `rig run predict checkpoint=<this run>` needs (written by classify).\n" +
                                   rig::dump_yaml(info));
}

std::vector<std::string> CSV::class_names() const {
  auto data = std::static_pointer_cast<const rt::CSVTabular>(train());
  return data->class_names().empty() ? AnyTask::class_names() : data->class_names();
}

rig::Node CSV::preprocessing() const {
  auto data = std::static_pointer_cast<const rt::CSVTabular>(train());
  rig::Node p = rig::Node::map();
  p.set("features", rig::Node::from(data->feature_names()));
  if (!data->mean().empty()) {
    p.set("mean", rig::Node::from(data->mean()));
    p.set("std", rig::Node::from(data->stddev()));
  }
  return p;
}

Prepared CSV::prepare(const std::string& input, const rig::Node& preprocessing) const {
  rt::CSVTable table = rt::read_csv(input, options_.delimiter.empty() ? ',' : options_.delimiter[0]);
  auto features = preprocessing["features"].as<std::vector<std::string>>();
  ::torch::Tensor x = rt::csv_feature_matrix(table, features, "input").to(::torch::kDouble);
  if (const rig::Node* mean = preprocessing.find("mean")) {
    x = (x - ::torch::tensor(mean->as<std::vector<double>>(), ::torch::kDouble)) /
        ::torch::tensor(preprocessing["std"].as<std::vector<double>>(), ::torch::kDouble);
  }
  Prepared out{x.to(::torch::kFloat32), {}};
  for (size_t r = 0; r < table.rows.size(); ++r) out.ids.push_back(std::to_string(r + 1));
  return out;
}

Shape CSV::shape() const {
  auto data = train();
  return {.features = data->num_features(), .num_classes = data->num_classes()};
}

std::shared_ptr<const rt::TensorDataset> ImageFolder::train() const {
  if (!data_) data_ = std::make_shared<rt::ImageFolder>(options_);
  return data_;
}

Shape ImageFolder::shape() const {
  auto s = options_.image_size;
  return {.channels = options_.channels, .image_size = s, .features = options_.channels * s * s,
          .num_classes = static_cast<int64_t>(rt::image_folder_classes(options_.root).size())};
}

std::vector<std::string> ImageFolder::class_names() const { return rt::image_folder_classes(options_.root); }

rig::Node ImageFolder::preprocessing() const {
  auto data = std::static_pointer_cast<const rt::ImageFolder>(train());
  rig::Node p = rig::Node::map();
  p.set("image_size", rig::Node(options_.image_size));
  p.set("channels", rig::Node(options_.channels));
  if (!data->mean().empty()) {
    p.set("mean", rig::Node::from(data->mean()));
    p.set("std", rig::Node::from(data->stddev()));
  }
  return p;
}

Prepared ImageFolder::prepare(const std::string& input, const rig::Node& preprocessing) const {
  auto size = preprocessing["image_size"].as<int64_t>(), channels = preprocessing["channels"].as<int64_t>();
  std::vector<std::string> files = rt::image_files(input);
  if (files.empty())
    throw rig::Error("rig.torch.data.image", "'" + input + "' holds no .png/.jpg image", {}, "input");
  Prepared out;
  std::vector<::torch::Tensor> images;
  for (const auto& f : files) {
    images.push_back(rt::image_tensor(rt::read_image(f, channels), size));
    out.ids.push_back(std::filesystem::path(f).lexically_relative(input).string());
  }
  out.inputs = ::torch::stack(images);
  if (const rig::Node* mean = preprocessing.find("mean"))
    out.inputs = rt::normalize_channels(out.inputs, mean->as<std::vector<double>>(),
                                        preprocessing["std"].as<std::vector<double>>());
  return out;
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
RIG_COMPONENT(classify::ImageFolder, rig::options<rig::torch::ImageFolderOptions>,
              rig::interfaces<classify::AnyTask, classify::Task<classify::Images>>,
              rig::doc("Your own images: root/<class>/*.png|*.jpg, resized to image_size, channels standardised"),
              rig::field_doc("root", "a folder with one subfolder of images per class"),
              rig::field_doc("image_size", "every image resized to image_size x image_size (bilinear)"),
              rig::field_doc("channels", "3: RGB, 1: grey"));
RIG_COMPONENT(classify::Synthetic, rig::options<rig::torch::SyntheticClassificationOptions>,
              rig::interfaces<classify::AnyTask, classify::Task<classify::Features>>,
              rig::doc("Seeded Gaussian clusters, one per class"));
RIG_COMPONENT(classify::MLP, rig::options<rig::torch::MLPOptions>,
              rig::interfaces<rig::torch::Model, classify::Model<classify::Images>, classify::Model<classify::Features>>,
              rig::doc("rig::torch::MLP: flattens its input, so it takes images and feature vectors"));
RIG_COMPONENT(classify::ConvNet, rig::options<rig::torch::ConvNetOptions>,
              rig::interfaces<rig::torch::Model, classify::Model<classify::Images>>,
              rig::doc("rig::torch::ConvNet: square images only"));
