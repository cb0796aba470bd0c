// recipes/classify — the classify recipe's tasks and models, and the hook that fits one to the other.
//
// A task (config group `task`) yields the data; a model (group `model`) learns it. Each is registered twice over:
// as what the loop builds (classify::AnyTask, rig::torch::Model) and as a template instance naming the kind of
// example it produces or consumes, Task<Images> / Task<Features> and Model<Images> / Model<Features>. `rig compat
// --rows classify::Task --cols classify::Model` reads the second from the manifest:
//
//   classify::Task \ classify::Model  classify.ConvNet  classify.MLP
//   classify.CSV                     ○               ●
//   classify.FashionMNIST            ●               ●
//   classify.ImageFolder             ●               ●
//   classify.Synthetic               ○               ●
//
// The hook task_sets_model_sizes (the highest config source, rig/sources.hpp) builds the task from its config,
// asks it for its Shape, and writes the model's input and output sizes: model.in_features / out_features, or
// model.in_channels / image_size / num_classes. A model that does not fit the task is a config error
// (rig.classify.incompatible, exit 2) at the model's `_component_`, before anything is trained.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rig/sources.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/image.hpp"
#include "rig/torch/model.hpp"

namespace classify {

namespace rt = rig::torch;

// The kinds of examples: the type argument of Task<B> and Model<B>.
struct Images {};    // [N, C, H, W]
struct Features {};  // [N, F]

// What a task imposes on a model.
struct Shape {
  int64_t channels = 0, image_size = 0;  // images only (square)
  int64_t features = 0;                   // elements per example
  int64_t num_classes = 0;
};

// New examples made ready for a trained model (the predict recipe): inputs [N, ...] and a name for each example.
struct Prepared {
  ::torch::Tensor inputs;
  std::vector<std::string> ids;  // a CSV's data row numbers (1-based), an image's path below the input folder
};

// A classification task: training data (the recipe splits off validation), optionally a held-out test split.
//
// What predict needs: classify writes the task's config, its class names and preprocessing() (how its files became
// tensors: feature columns and statistics, image size, normalization) to inference.yaml beside model.pt; predict
// builds the task from that config and asks it to prepare() new inputs the same way. A task whose examples do not
// come from the user's files (FashionMNIST, Synthetic) keeps the defaults: predict refuses it (rig.classify.predict).
class AnyTask {
 public:
  virtual ~AnyTask() = default;
  virtual Shape shape() const = 0;  // cheap: the hook calls it while composing the config
  virtual std::shared_ptr<const rt::TensorDataset> train() const = 0;
  virtual std::shared_ptr<const rt::TensorDataset> test() const { return nullptr; }
  virtual std::vector<std::string> class_names() const;  // by label id; default "0" .. "K-1"
  virtual rig::Node preprocessing() const { return rig::Node::null(); }
  virtual Prepared prepare(const std::string& input, const rig::Node& preprocessing) const;
};

// inference.yaml: what predict reads beside model.pt.
void save_inference(const std::filesystem::path& path, const AnyTask& task, const rig::Node& task_config,
                    const rig::Node& model_config);
template <class B>
class Task : public AnyTask {};

// A model consuming examples of kind B (a tag: the loop uses the rig::torch::Model it also is).
template <class B>
struct Model {
  virtual ~Model() = default;
};

// ---- tasks ----------------------------------------------------------------------------------------------------------

struct FashionMNISTTaskOptions {
  std::string root = "/usr/share/datasets/fashion-mnist";
  bool normalize = true;
  int64_t limit = 0;  // keep the first N training examples (0: all 60k)
  bool test = true;   // also report accuracy on the 10k test split
};
class FashionMNIST : public Task<Images> {
 public:
  explicit FashionMNIST(FashionMNISTTaskOptions options) : options_(std::move(options)) {}
  Shape shape() const override { return {.channels = 1, .image_size = 28, .features = 784, .num_classes = 10}; }
  std::shared_ptr<const rt::TensorDataset> train() const override;
  std::shared_ptr<const rt::TensorDataset> test() const override;

 private:
  FashionMNISTTaskOptions options_;
};

// A CSV file of numeric features and a label column (rig::torch::CSVTabular); read once, on first use.
class CSV : public Task<Features> {
 public:
  explicit CSV(rt::CSVTabularOptions options) : options_(std::move(options)) {}
  Shape shape() const override;
  std::shared_ptr<const rt::TensorDataset> train() const override;
  std::vector<std::string> class_names() const override;
  rig::Node preprocessing() const override;  // features, and their mean and std when standardized
  Prepared prepare(const std::string& input, const rig::Node& preprocessing) const override;

 private:
  rt::CSVTabularOptions options_;
  mutable std::shared_ptr<const rt::CSVTabular> data_;
};

// A folder of PNG/JPEG images, one subfolder per class (rig::torch::ImageFolder); read once, on first use. shape()
// lists the class folders only.
class ImageFolder : public Task<Images> {
 public:
  explicit ImageFolder(rt::ImageFolderOptions options) : options_(std::move(options)) {}
  Shape shape() const override;
  std::shared_ptr<const rt::TensorDataset> train() const override;
  std::vector<std::string> class_names() const override;
  rig::Node preprocessing() const override;  // image_size, channels, and the channels' mean and std when normalized
  Prepared prepare(const std::string& input, const rig::Node& preprocessing) const override;

 private:
  rt::ImageFolderOptions options_;
  mutable std::shared_ptr<const rt::ImageFolder> data_;
};

class Synthetic : public Task<Features> {
 public:
  explicit Synthetic(rt::SyntheticClassificationOptions options) : options_(options) {}
  Shape shape() const override {
    return {.features = options_.num_features, .num_classes = options_.num_classes};
  }
  std::shared_ptr<const rt::TensorDataset> train() const override;

 private:
  rt::SyntheticClassificationOptions options_;
};

// ---- models: rig::torch's, tagged with the examples they take ------------------------------------------------------

class MLP : public rt::MLP, public Model<Images>, public Model<Features> {  // flattens whatever it gets
 public:
  explicit MLP(rt::MLPOptions options) : rt::MLP(std::move(options)) {}
};

class ConvNet : public rt::ConvNet, public Model<Images> {
 public:
  explicit ConvNet(rt::ConvNetOptions options) : rt::ConvNet(std::move(options)) {}
};

// ---- the task-model hook --------------------------------------------------------------------------------------------

// Sets the model's sizes from the task (see the top of this file). Does nothing when the config has no `task`, no
// `model` with a registered `_component_`, or a task that cannot be built (validation and the recipe report why).
void task_sets_model_sizes(rig::HookContext& hook);

}  // namespace classify
