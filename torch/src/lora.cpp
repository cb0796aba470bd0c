// LoRA: attach, collect, save, load and merge low-rank adapters on rig::torch::Linear layers.
#include "rig/torch/lora.hpp"

#include <fnmatch.h>

#include "rig/error.hpp"
#include "rig/registry.hpp"

namespace rig::torch {
namespace {

// Every rig::torch::Linear in `model` with its qualified name, in registration order.
std::vector<std::pair<std::string, std::shared_ptr<Linear>>> linear_layers(::torch::nn::Module& model) {
  std::vector<std::pair<std::string, std::shared_ptr<Linear>>> out;
  for (const auto& item : model.named_modules("", /*include_self=*/false))
    if (auto linear = std::dynamic_pointer_cast<Linear>(item.value())) out.emplace_back(item.key(), linear);
  return out;
}

bool matches(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

}  // namespace

LoRA::LoRA(LoRAOptions options) : options_(std::move(options)) {
  if (options_.rank <= 0)
    throw Error("rig.torch.lora.option", "LoRA: rank must be positive, got " + std::to_string(options_.rank), {},
                "rank");
  if (options_.dropout < 0 || options_.dropout >= 1)
    throw Error("rig.torch.lora.option", "LoRA: dropout must be in [0, 1)", {}, "dropout");
  if (options_.targets.empty()) throw Error("rig.torch.lora.option", "LoRA: no targets", {}, "targets");
}

std::vector<std::string> LoRA::apply(::torch::nn::Module& model) const {
  auto layers = linear_layers(model);
  std::vector<std::string> names;
  for (const auto& [name, layer] : layers) names.push_back(name);
  for (const auto& pattern : options_.targets) {
    bool any = false;
    for (const auto& name : names) any = any || matches(pattern, name);
    if (!any)
      throw Error("rig.torch.lora.no_match", "LoRA target '" + pattern + "' matches no Linear layer", {}, "targets",
                  "Linear layers: " + [&] {
                    std::string list;
                    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
                    return list;
                  }());
  }
  for (auto& p : model.parameters()) p.set_requires_grad(false);
  std::vector<std::string> adapted;
  for (auto& [name, layer] : layers) {
    bool wanted = false;
    for (const auto& pattern : options_.targets) wanted = wanted || matches(pattern, name);
    if (!wanted) continue;
    if (layer->adapter)
      throw Error("rig.torch.lora.already_applied", "LoRA: layer '" + name + "' already has an adapter");
    auto adapter = std::make_shared<LoRAAdapter>(layer->options.in_features, layer->options.out_features,
                                                 options_.rank, options_.alpha, options_.dropout);
    layer->adapter = layer->register_module("lora", adapter);
    adapted.push_back(name);
  }
  return adapted;
}

std::vector<Tensor> LoRA::parameters(::torch::nn::Module& model) {
  std::vector<Tensor> out;
  for (auto& [name, layer] : linear_layers(model))
    if (layer->adapter) out.push_back(layer->adapter->A), out.push_back(layer->adapter->B);
  return out;
}

void LoRA::save(::torch::nn::Module& model, const std::filesystem::path& path) {
  ::torch::serialize::OutputArchive archive;
  int64_t count = 0;
  for (auto& [name, layer] : linear_layers(model)) {
    if (!layer->adapter) continue;
    archive.write(name + ".lora.A", layer->adapter->A);
    archive.write(name + ".lora.B", layer->adapter->B);
    ++count;
  }
  if (count == 0) throw Error("rig.torch.lora.none", "LoRA::save: the model has no adapters");
  archive.save_to(path.string());
}

void LoRA::load(::torch::nn::Module& model, const std::filesystem::path& path) {
  ::torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
  } catch (const c10::Error& e) {
    throw IoError("rig.io.read", "cannot read LoRA adapters from " + path.string() + ": " + e.what_without_backtrace());
  }
  ::torch::NoGradGuard no_grad;
  for (auto& [name, layer] : linear_layers(model)) {
    if (!layer->adapter) continue;
    Tensor a, b;
    if (!archive.try_read(name + ".lora.A", a) || !archive.try_read(name + ".lora.B", b))
      throw Error("rig.torch.lora.missing", "LoRA::load: " + path.string() + " has no adapter for layer '" + name + "'");
    layer->adapter->A.copy_(a);
    layer->adapter->B.copy_(b);
  }
}

void LoRA::merge(::torch::nn::Module& model) {
  ::torch::NoGradGuard no_grad;
  for (auto& [name, layer] : linear_layers(model)) {
    if (!layer->adapter) continue;
    layer->weight.add_(layer->adapter->delta_weight());
    layer->unregister_module("lora");
    layer->adapter.reset();
  }
  for (auto& p : model.parameters()) p.set_requires_grad(true);
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::LoRA, rig::options<rig::torch::LoRAOptions>,
              rig::doc("Low-rank adapters on the Linear layers whose names match `targets`"));
