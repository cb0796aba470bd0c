// rig/torch/data.hpp — datasets, train/validation splits, and a seeded data loader.
//
//   auto train = std::make_shared<rig::torch::FashionMNIST>(rig::torch::FashionMNISTOptions{.split = "train"});
//   auto [tr, va] = rig::torch::split(train, {.validation_ratio = 0.1, .seed = 0});    // two Subsets
//   rig::torch::DataLoader loader(tr, {.batch_size = 128, .seed = 0});
//   rig::torch::ClassBatch b = loader.next();      // b.inputs [128, 1, 28, 28], b.labels [128]
//
// A dataset is any class with `int64_t size() const` and `Batch collate(std::span<const int64_t> indices) const`:
// collate gathers the examples of one batch (the batch type's collate function). Two batch types:
//   ClassBatch {inputs, labels}: FashionMNIST, CSVTabular, SyntheticClassification (all TensorDataset);
//   LMBatch {inputs, targets}: TextCorpus (fixed windows), PromptResponseJSONL (padded; prompt and padding targets
//   are kIgnoreIndex so the loss skips them).
// Bad files throw rig::Error located at file:line:col (rig.torch.data.*, rig.io.read).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "rig/torch/csv.hpp"
#include "rig/torch/tensor_convert.hpp"

#include "rig/torch/text.hpp"
#include "rig/constraints.hpp"

namespace rig::torch {

using ::torch::Tensor;

inline constexpr int64_t kIgnoreIndex = -100;  // targets the losses skip

struct ClassBatch {
  Tensor inputs;  // float [B, ...]
  Tensor labels;  // int64 [B]
};
struct LMBatch {
  Tensor inputs;   // int64 [B, T]
  Tensor targets;  // int64 [B, T]; kIgnoreIndex where no loss applies
};

// A classification dataset in memory: collate is one index_select per tensor.
class TensorDataset {
 public:
  TensorDataset() = default;
  TensorDataset(Tensor inputs, Tensor labels, int64_t num_classes);
  TensorDataset(const TensorDataset&) = default;
  TensorDataset& operator=(const TensorDataset&) = default;
  virtual ~TensorDataset() = default;  // an interface for the registry: FashionMNIST, CSVTabular, ...
  int64_t size() const { return labels_.defined() ? labels_.size(0) : 0; }
  ClassBatch collate(std::span<const int64_t> indices) const;
  const Tensor& inputs() const { return inputs_; }
  const Tensor& labels() const { return labels_; }
  int64_t num_classes() const { return num_classes_; }
  int64_t num_features() const;  // elements per example

 protected:
  Tensor inputs_, labels_;
  int64_t num_classes_ = 0;
};

// Debian's dataset-fashion-mnist: {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. Inputs [N, 1, 28, 28] in [0, 1],
// standardised with the training set's mean and deviation when `normalize`.
struct FashionMNISTOptions {
  std::string root = "/usr/share/datasets/fashion-mnist";
  std::string split = "train";  // train | test
  bool normalize = true;
  int64_t limit = 0;  // keep only the first N examples (0: all)
  static constexpr auto checks = rig::checks(rig::require("root", rig::non_empty()), rig::require("split", rig::one_of("train|test"), "rig.torch.data.split"),
                                                  rig::require("limit", rig::non_negative()));
};
class FashionMNIST : public TensorDataset {
 public:
  explicit FashionMNIST(FashionMNISTOptions options = {});
};

// A CSV file (RFC 4180, rig/torch/csv.hpp) with a header row; every column but `label_column` and `ignore_columns` is
// a float feature. Labels are integers 0..K-1, or strings mapped to ids in order of first appearance. Features are
// standardised per column when `standardize` (the statistics are kept: mean(), stddev()). A column without a name
// (the row index pandas' to_csv and R's write.csv write by default) must be ignored by name: ignore_columns=[''].
// A missing value (is_missing_value) or a cell that is not a number is an error at its line and column.
struct CSVTabularOptions {
  std::string path = "";
  std::string label_column = "label";
  std::string delimiter = ",";
  bool standardize = true;
  std::vector<std::string> ignore_columns = {};
  static constexpr auto checks = rig::checks(rig::require("path", rig::non_empty(), "rig.torch.data.path"),
                                                  rig::require("label_column", rig::non_empty()),
                                                  rig::require("delimiter", rig::pattern("^[^\"\r\n]$")));
};
class CSVTabular : public TensorDataset {
 public:
  explicit CSVTabular(CSVTabularOptions options = {});
  const std::vector<std::string>& feature_names() const { return features_; }
  const std::vector<std::string>& class_names() const { return classes_; }  // empty when the labels are integers
  const std::vector<double>& mean() const { return mean_; }                  // per feature; empty unless standardize
  const std::vector<double>& stddev() const { return std_; }

 private:
  std::vector<std::string> features_, classes_;
  std::vector<double> mean_, std_;
};

// The rows of a CSV table as a float matrix [rows, features.size()]: the columns named `features`, in that order.
// A missing column, a missing value or a cell that is not a number is rig.torch.data.csv / rig.torch.data.missing at
// its line and column; `key` is the config key the file came from.
Tensor csv_feature_matrix(const CSVTable& table, const std::vector<std::string>& features,
                          const std::string& key = "path");

// Gaussian clusters, one per class, with a seeded generator: a task any classifier should learn.
struct SyntheticClassificationOptions {
  int64_t num_examples = 2048;
  int64_t num_features = 16;
  int64_t num_classes = 4;
  double noise = 0.5;  // cluster standard deviation; centres are unit-norm
  uint64_t seed = 0;
  static constexpr auto checks = rig::checks(rig::require("num_examples", rig::positive(), "rig.torch.data.option"),
                                                  rig::require("num_features", rig::positive(), "rig.torch.data.option"),
                                                  rig::require("num_classes", rig::at_least(2), "rig.torch.data.option"),
                                                  rig::require("noise", rig::non_negative()), rig::require("noise", rig::finite()));
};
class SyntheticClassification : public TensorDataset {
 public:
  explicit SyntheticClassification(SyntheticClassificationOptions options = {});
};

// The interface of the language-modelling datasets (TextCorpus, PromptResponseJSONL), so that one recipe trains on
// either: DataLoader<LMDataset>, Subset<LMDataset>. Registered components take their tokenizer as the first parameter,
// which the recipe passes at the call site: rig::instantiate<std::shared_ptr<LMDataset>>(cfg["dataset"], tokenizer).
class LMDataset {
 public:
  virtual ~LMDataset() = default;
  virtual int64_t size() const = 0;
  virtual LMBatch collate(std::span<const int64_t> indices) const = 0;
};

// The corpus files tokenized into one stream, cut into windows of context + 1 tokens every `stride` tokens
// (inputs = window[:-1], targets = window[1:]). Default corpus: Debian's license texts.
struct TextCorpusOptions {
  std::vector<std::string> paths = {"/usr/share/common-licenses/*"};
  int64_t context = 128;
  int64_t stride = 0;  // 0: context (windows do not overlap)
  static constexpr auto checks = rig::checks(rig::require("paths", rig::non_empty()), rig::require("context", rig::positive(), "rig.torch.data.option"),
                                                  rig::require("stride", rig::non_negative()));
};
class TextCorpus : public LMDataset {
 public:
  TextCorpus(TextCorpusOptions options, std::shared_ptr<const Tokenizer> tokenizer);
  int64_t size() const override;
  LMBatch collate(std::span<const int64_t> indices) const override;
  const Tensor& tokens() const { return tokens_; }

 private:
  TextCorpusOptions options_;
  Tensor tokens_;  // int64 [N]
};

// One JSON object per line with a prompt and a response (fine-tuning on a user's own data). Each example is
// prompt + response + eos, cut to max_length; collate pads with eos to the longest example of the batch.
struct PromptResponseJSONLOptions {
  std::string path = "";
  std::string prompt_key = "prompt";
  std::string response_key = "response";
  int64_t max_length = 256;
  bool train_on_prompt = false;  // false: the loss covers the response only
  static constexpr auto checks = rig::checks(rig::require("path", rig::non_empty(), "rig.torch.data.path"),
                                                  rig::require("prompt_key", rig::non_empty()), rig::require("response_key", rig::non_empty()),
                                                  rig::require("max_length", rig::at_least(2), "rig.torch.data.option"));
};
class PromptResponseJSONL : public LMDataset {
 public:
  PromptResponseJSONL(PromptResponseJSONLOptions options, std::shared_ptr<const Tokenizer> tokenizer);
  int64_t size() const override { return static_cast<int64_t>(examples_.size()); }
  LMBatch collate(std::span<const int64_t> indices) const override;

 private:
  struct Example {
    std::vector<int64_t> tokens;
    int64_t prompt_length;
  };
  PromptResponseJSONLOptions options_;
  int64_t pad_id_;
  std::vector<Example> examples_;
};

// A view of some examples of another dataset.
template <class Dataset>
class Subset {
 public:
  Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices)
      : base_(std::move(base)), indices_(std::move(indices)) {}
  int64_t size() const { return static_cast<int64_t>(indices_.size()); }
  auto collate(std::span<const int64_t> indices) const {
    std::vector<int64_t> mapped;
    mapped.reserve(indices.size());
    for (int64_t i : indices) mapped.push_back(indices_[static_cast<size_t>(i)]);
    return base_->collate(mapped);
  }
  const std::vector<int64_t>& indices() const { return indices_; }
  const Dataset& base() const { return *base_; }

 private:
  std::shared_ptr<const Dataset> base_;
  std::vector<int64_t> indices_;
};

struct SplitOptions {
  double validation_ratio = 0.1;  // in [0, 1)
  uint64_t seed = 0;
  static constexpr auto checks = rig::checks(rig::require("validation_ratio", rig::range(0, 1, rig::Bounds::closed_open), "rig.torch.data.split"));
};
// A seeded permutation of 0..n-1 cut into train and validation indices (round(n * ratio) validation examples).
std::pair<std::vector<int64_t>, std::vector<int64_t>> split_indices(int64_t n, const SplitOptions& options);

template <class D, class Dataset = std::remove_const_t<D>>
std::pair<std::shared_ptr<Subset<Dataset>>, std::shared_ptr<Subset<Dataset>>> split(std::shared_ptr<D> dataset,
                                                                                     const SplitOptions& options) {
  auto [train, validation] = split_indices(dataset->size(), options);
  return {std::make_shared<Subset<Dataset>>(dataset, std::move(train)),
          std::make_shared<Subset<Dataset>>(dataset, std::move(validation))};
}

// The permutation of 0..n-1 for (seed, epoch): a Fisher-Yates shuffle driven by std::mt19937_64, identical on
// every platform.
std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed, int64_t epoch);

// rig.torch.data.batch_size: batch_size must be positive.
[[noreturn]] void throw_bad_batch_size(int64_t size);

struct DataLoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = true;  // training: every batch full
  static constexpr auto checks = rig::checks(rig::require("batch_size", rig::positive(), "rig.torch.data.batch_size"));
};

// Batches of a dataset, epoch after epoch. Each epoch's order depends only on (seed, epoch), so the loader's whole
// state is its position: state()/restore() make resuming exact.
template <class Dataset>
class DataLoader {
 public:
  using Batch = decltype(std::declval<const Dataset&>().collate(std::span<const int64_t>{}));
  struct State {
    int64_t epoch = 0;
    int64_t batch = 0;  // next batch within the epoch
  };

  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
      : dataset_(std::move(dataset)), options_(options) {
    if (options_.batch_size <= 0) throw_bad_batch_size(options_.batch_size);
  }

  int64_t batches_per_epoch() const {
    int64_t n = dataset_->size(), b = options_.batch_size;
    return options_.drop_last ? n / b : (n + b - 1) / b;
  }

  // Batch `index` of epoch `epoch`.
  Batch batch(int64_t epoch, int64_t index) {
    if (options_.shuffle && order_epoch_ != epoch) {
      order_ = shuffled_indices(dataset_->size(), options_.seed, epoch);
      order_epoch_ = epoch;
    }
    int64_t begin = index * options_.batch_size;
    int64_t end = std::min(begin + options_.batch_size, dataset_->size());
    std::vector<int64_t> ids;
    ids.reserve(static_cast<size_t>(end - begin));
    for (int64_t i = begin; i < end; ++i) ids.push_back(options_.shuffle ? order_[static_cast<size_t>(i)] : i);
    return dataset_->collate(ids);
  }

  // The next batch, moving on to the next epoch at the end of one.
  Batch next() {
    if (state_.batch >= batches_per_epoch()) state_ = {state_.epoch + 1, 0};
    return batch(state_.epoch, state_.batch++);
  }

  State state() const { return state_; }
  void restore(State state) { state_ = state; }
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  State state_;
  std::vector<int64_t> order_;
  int64_t order_epoch_ = -1;
};
// `DataLoader loader(subset, {...})` deduces the dataset type from a pointer to a const or non-const dataset.
template <class D>
DataLoader(std::shared_ptr<D>, DataLoaderOptions) -> DataLoader<std::remove_const_t<D>>;

}  // namespace rig::torch
