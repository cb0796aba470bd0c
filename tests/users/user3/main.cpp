// user3: rig's components and config system in a program with its own main and loop.
//   user3 CONFIG.yaml [key=value ...]     e.g. user3 train.yaml lr=0.05 model.hidden=[64]
#include <cstdio>
#include <memory>

#include "rig/config.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/sources.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/train.hpp"

namespace rt = rig::torch;

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: user3 CONFIG.yaml [key=value ...]\n");
    return 2;
  }
  std::vector<rig::Override> overrides;
  for (int i = 2; i < argc; ++i) overrides.push_back(rig::parse_override(argv[i], i));
  rig::ConfigSources sources;
  sources.file(argv[1]).overrides(std::move(overrides));
  rig::Config cfg(sources.build());

  torch::manual_seed(cfg.get<uint64_t>("seed"));
  auto data = rig::instantiate<std::shared_ptr<rt::TensorDataset>>(cfg["data"].resolved());
  auto model = rig::instantiate<std::shared_ptr<rt::Model>>(cfg["model"].resolved());
  rt::DataLoader loader(std::shared_ptr<const rt::TensorDataset>(data), {.batch_size = 64, .seed = 0});
  rt::SGD optimizer(model->parameters(), {.lr = cfg.get<double>("lr"), .momentum = 0.9});
  rt::CrossEntropyLoss loss_fn;
  for (int64_t step = 0; step < cfg.get<int64_t>("steps"); ++step) {
    rt::ClassBatch batch = loader.next();
    torch::Tensor loss = loss_fn(model->forward(batch.inputs), batch.labels);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  rt::Evaluator evaluator;
  for (const auto& [name, value] : evaluator.evaluate(*model, std::shared_ptr<const rt::TensorDataset>(data)))
    std::printf("%s: %.4f\n", name.c_str(), value);
  std::printf("parameters: %lld\n", static_cast<long long>(rt::count_parameters(*model)));
  return 0;
} catch (const rig::Error& e) {
  std::fputs(rig::format(e).c_str(), stderr);
  return e.exit_code();
}
