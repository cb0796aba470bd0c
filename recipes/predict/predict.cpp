// predict: a trained classify run on new inputs. The run directory holds model.pt and inference.yaml (the task's
// config and preprocessing, the class names, the model's config; classify.hpp); the input is prepared as the training
// data was (the same feature columns and statistics, the same image size and normalization) and the model's softmax
// gives each example's class and its probability.
//
//   rig run predict checkpoint=outputs/classify/<run> input=new.csv --output-dir OUT
//   rig run predict checkpoint=outputs/classify/<run> input=photos/
//
// Writes <run_dir>/predictions.csv: id (a CSV's data row number, an image's path below the folder), predicted (the
// class name), probability; one row per example, in the input's order.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "classify.hpp"
#include "rig/app.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/io.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/csv.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/threads.hpp"
#include "rig/yaml.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;

namespace {

int predict_recipe(const rig::Config& cfg) {
  rt::set_threads({.num_threads = cfg.get<int>("threads")});
  const fs::path run_dir = cfg.get<std::string>("run_dir");
  const fs::path checkpoint = cfg.get<std::string>("checkpoint");
  const rt::Placement at = rt::placement(cfg);  // device, dtype, autocast: checked before anything is built
  if (!fs::exists(checkpoint / "inference.yaml"))
    throw rig::Error("rig.classify.predict", "'" + checkpoint.string() + "' holds no inference.yaml",
                     cfg["checkpoint"].node().origin(), "checkpoint",
                     "checkpoint is a classify run directory (outputs/classify/<run>), where model.pt is");
  rig::Node info = rig::load_yaml_file(checkpoint / "inference.yaml");
  auto task = rig::instantiate<std::shared_ptr<classify::AnyTask>>(info["task"]);
  auto model = rig::instantiate<std::shared_ptr<rt::Model>>(info["model"]);
  rt::load_model(*model, checkpoint / "model.pt");  // in the file's dtype, converted to the model's
  at.place(*model);
  auto classes = info["classes"].as<std::vector<std::string>>();

  classify::Prepared prepared = task->prepare(cfg.get<std::string>("input"), info["preprocessing"]);
  ::torch::NoGradGuard no_grad;
  model->eval();
  const auto batch = cfg.get<int64_t>("batch_size");
  if (batch <= 0) rt::throw_bad_batch_size(batch);
  std::string out = "id,predicted,probability\n";
  // The profiler's steps are the batches (profiler.enabled=true: run_dir/profile).
  rt::Profiler profiler = rig::instantiate<rt::Profiler>(cfg["profiler"]);
  profiler.start();
  for (int64_t begin = 0; begin < prepared.inputs.size(0); begin += batch, profiler.step()) {
    auto probabilities = ::torch::softmax(at.forward(*model, prepared.inputs.narrow(0, begin, std::min(batch, prepared.inputs.size(0) - begin))), 1);
    auto [p, k] = probabilities.max(1);
    for (int64_t i = 0; i < p.size(0); ++i) {
      auto id = static_cast<size_t>(k[i].item<int64_t>());
      out += fmt::format("{},{},{}\n", rt::csv_quoted(prepared.ids[static_cast<size_t>(begin + i)]),
                         rt::csv_quoted(id < classes.size() ? classes[id] : std::to_string(id)), p[i].item<float>());
    }
  }
  profiler.stop();
  rig::write_file_atomic(run_dir / "predictions.csv", out);
  std::printf("predict: %lld examples -> %s\n", static_cast<long long>(prepared.inputs.size(0)),
              (run_dir / "predictions.csv").c_str());
  return 0;
}

rig::RecipeSchema schema() {
  rig::RecipeSchema s;
  rt::placement_keys(s);
  s.check(&rt::check_placement);
  s.key<std::string>("checkpoint", "", "a classify run directory: model.pt and inference.yaml")
      .key<std::string>("input", "", "a CSV file with the training columns, or an image folder")
      .key<int64_t>("batch_size", 1000, "examples per forward pass")
      .key<int>("threads", 0, "LibTorch threads; 0: OMP_NUM_THREADS, else every core")
      .component<rt::Profiler>("profiler", "LibTorch's profiler on the batches (enabled: false by default)");
  return s;
}

}  // namespace

RIG_RECIPE(predict_recipe, schema());
