// recipes/classify — image / tabular classification with rig::torch components.
//
// train_classifier() is the whole recipe: the loop reads top to bottom (model, dataset, data loader, loss, logger,
// checkpointer, optimizer; loop; log; checkpoint; evaluate). ClassifyConfig is its configuration; the `classify`
// program reads it from a YAML file plus key=value overrides (read_classify_config), e.g.
//
//   build/recipes/classify/classify configs/classify/fashion_mnist_mlp.yaml steps=500 optimizer.lr=3e-3
//
// Tasks: fashion_mnist, csv, synthetic. Models: mlp (any task), convnet (image tasks only). The task sets the
// model's input and output sizes (the task-model hook): mlp.in_features / out_features, convnet.in_channels /
// image_size / num_classes are overwritten from the dataset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rig/node.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

namespace rig::recipes {

struct ClassifyConfig {
  std::string task = "fashion_mnist";  // fashion_mnist | csv | synthetic
  std::string model = "mlp";           // mlp | convnet
  uint64_t seed = 0;
  int64_t steps = 1000;
  std::string output_dir = "outputs/classify";
  bool resume = false;        // continue from output_dir/checkpoints' latest checkpoint, if any
  bool test = true;           // fashion_mnist: report accuracy on the test split at the end
  double grad_clip = 0.0;     // max gradient norm; 0: no clipping
  int64_t warmup_steps = 50;  // cosine schedule with warmup over `steps`
  double min_lr_ratio = 0.05;

  rig::torch::ThreadOptions threads;
  rig::torch::FashionMNISTOptions fashion_mnist;
  rig::torch::CSVTabularOptions csv;
  rig::torch::SyntheticClassificationOptions synthetic;
  rig::torch::MLPOptions mlp;
  rig::torch::ConvNetOptions convnet;
  rig::torch::SplitOptions split = {.validation_ratio = 0.1, .seed = 0};
  rig::torch::DataLoaderOptions loader = {.batch_size = 128, .shuffle = true, .seed = 0, .drop_last = true};
  rig::torch::AdamWOptions optimizer = {.lr = 2e-3, .weight_decay = 1e-4};
  rig::torch::EvaluatorOptions evaluator = {.every_n_steps = 500, .batch_size = 1000};
  rig::torch::CheckpointerOptions checkpointer = {.dir = "", .every_n_steps = 0, .keep_last = 2};  // dir "": output_dir/checkpoints
  rig::torch::ConsoleLoggerOptions console = {.every_n_steps = 100};
  bool jsonl = true;  // output_dir/metrics.jsonl
  bool csv_log = false;  // output_dir/metrics.csv
};

struct ClassifyResult {
  std::vector<double> losses;  // training loss of every step run by this call
  rig::torch::Metrics validation;  // the last evaluation on the validation split
  rig::torch::Metrics test;        // on the test split (fashion_mnist with test: true)
  int64_t first_step = 0;          // > 0 when resumed
  int64_t last_step = 0;
  double train_seconds = 0;        // the loop alone (no data loading, no final evaluation)
};

ClassifyResult train_classifier(const ClassifyConfig& config);

// The config from a tree (a YAML file merged with overrides). Unknown keys are errors (rig.config.unknown_key) with
// did-you-mean and the key's file:line:col; wrong types are rig::TypeError.
ClassifyConfig read_classify_config(const rig::Node& node);

// The `classify` program: [CONFIG.yaml] [key=value ...]. Returns the exit status.
int classify_main(int argc, char** argv);

}  // namespace rig::recipes
