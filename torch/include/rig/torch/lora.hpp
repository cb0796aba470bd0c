// rig/torch/lora.hpp — LoRA: low-rank adapters on the Linear layers of a model.
//
//   rig::torch::LoRA lora({.rank = 8, .alpha = 16, .targets = {"*.attn.qkv", "*.attn.proj"}});
//   lora.apply(*model);                        // adapters on matching layers; every other parameter frozen
//   auto opt = rig::torch::AdamW(lora.parameters(*model), {.lr = 1e-3});
//   ... train ...
//   lora.save(*model, "adapters.pt");          // the adapters alone (a few KB)
//   lora.merge(*model);                        // W += (alpha/rank) B A, adapters removed
//
// Targets are glob(7) patterns (fnmatch) over the qualified names of rig::torch::Linear submodules
// ("blocks.0.attn.qkv"); layers of other types are not adapted. Base weights are never modified before merge().
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rig/torch/model.hpp"
#include "rig/constraints.hpp"

namespace rig::torch {

struct LoRAOptions {
  int64_t rank = 8;
  double alpha = 16.0;
  double dropout = 0.0;
  std::vector<std::string> targets = {"*.attn.qkv", "*.attn.proj"};
  static constexpr auto checks = rig::checks(rig::require("rank", rig::positive(), "rig.torch.lora.option"),
                                                  rig::require("alpha", rig::finite()),
                                                  rig::require("dropout", rig::range(0, 1, rig::Bounds::closed_open), "rig.torch.lora.option"),
                                                  rig::require("targets", rig::non_empty(), "rig.torch.lora.option"));
};

class LoRA {
 public:
  explicit LoRA(LoRAOptions options = {});

  // Attaches adapters and freezes everything else. Returns the adapted layers' names. Throws rig::Error
  // rig.torch.lora.no_match (with the Linear layers there are) when a target matches nothing, and
  // rig.torch.lora.already_applied when a matching layer has an adapter.
  std::vector<std::string> apply(::torch::nn::Module& model) const;

  // The adapters' parameters, for the optimizer.
  static std::vector<Tensor> parameters(::torch::nn::Module& model);
  // Writes / reads the adapters alone, keyed by layer name. load() needs apply() first (same targets).
  static void save(::torch::nn::Module& model, const std::filesystem::path& path);
  static void load(::torch::nn::Module& model, const std::filesystem::path& path);
  // Folds each adapter into its base weight and removes it; base parameters become trainable again.
  static void merge(::torch::nn::Module& model);

  const LoRAOptions& options() const { return options_; }

 private:
  LoRAOptions options_;
};

}  // namespace rig::torch
