// rig/torch/device.hpp — where a recipe computes and in which floating-point type: the `device:`, `dtype:` and
// `autocast:` keys of every recipe.
//
//   rig::torch::Placement at = rig::torch::placement(config);   // its device, dtype and autocast keys
//   at.place(*model);                                          // parameters and buffers: device (and dtype)
//   ::torch::Tensor logits = at.forward(*model, batch.inputs);   // placed, autocast when asked, fp32 out
//   ::torch::Tensor loss = loss_fn(logits, at.input(batch.labels));
//
// device: `cpu`, `cuda`, `cuda:N` or `auto` (CUDA when this LibTorch has it and the machine a device, else the CPU).
// dtype: `fp32`, `bf16`, `fp16`. With autocast: false (the default) the model's floating-point parameters, its
// optimizer state and the batches are kept in dtype (torchtune's `dtype: bf16`); with autocast: true they stay fp32
// and the forward pass runs under LibTorch's autocast in dtype (mixed precision: ops autocast lists, such as matrix
// products, compute in dtype; the rest in fp32). Asking for CUDA from a LibTorch without it, a device index beyond
// the machine's, fp16 on the CPU (LibTorch 1.13's CPU kernels have no half-precision matrix products) or autocast in
// fp16 on the CPU (LibTorch's CPU autocast is bf16 only) is a config error (rig.torch.device / rig.torch.dtype) at
// the key. Written against LibTorch's device API (torch::Device, torch::cuda::is_available / device_count,
// Tensor::to, at::autocast) so that a CUDA build places everything on the GPU; only the CPU was available to test it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

namespace rig {
class Config;
class Error;
class Node;
class RecipeSchema;
}  // namespace rig

namespace rig::torch {

// LibTorch's autocast switched on for one device type and dtype while it lives (nothing when inactive).
class AutocastScope {
 public:
  AutocastScope() = default;
  AutocastScope(::torch::DeviceType device, ::torch::Dtype dtype);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  ::torch::Dtype was_dtype_ = ::torch::kFloat32;
};

struct Placement {
  ::torch::Device device = ::torch::kCPU;
  ::torch::Dtype dtype = ::torch::kFloat32;  // the compute dtype
  bool autocast = false;                     // true: weights fp32, forward autocast to dtype

  // The dtype parameters, optimizer state and floating-point batches are kept in.
  ::torch::Dtype storage_dtype() const { return autocast ? ::torch::kFloat32 : dtype; }
  void place(::torch::nn::Module& module) const;          // parameters and buffers: device; floating: storage_dtype
  ::torch::Tensor input(const ::torch::Tensor& t) const;  // floating point: device and storage_dtype; else device
  // Autocast for the forward pass when autocast is on and dtype is not fp32; else an inactive scope.
  AutocastScope autocast_scope() const;
  // model.forward of the placed inputs (under autocast_scope()), as fp32 for the loss (a no-op when fp32 already).
  template <class M>
  ::torch::Tensor forward(M& model, const ::torch::Tensor& inputs) const {
    AutocastScope amp = autocast_scope();
    return model.forward(input(inputs)).to(::torch::kFloat32);
  }
};

// The keys' text: "fp32" / "bf16" / "fp16"; throws rig.torch.dtype for anything else.
::torch::Dtype parse_dtype(std::string_view name);
std::string dtype_name(::torch::Dtype dtype);

// From cfg["device"], cfg["dtype"] and cfg["autocast"]; errors located at the key.
Placement placement(const rig::Config& cfg);

// The recipes' check (RecipeSchema::check) of the same keys, so that --validate reports a device or dtype this
// LibTorch or machine cannot use (rig.torch.device, rig.torch.dtype) at the key, as the run would.
void check_placement(const rig::Node& resolved, std::vector<rig::Error>& errors);

// Declares the keys placement() reads (their defaults: cpu, fp32, false) in a recipe's schema.
void placement_keys(rig::RecipeSchema& schema);

// A tensor as `module` takes it: on its parameters' device, floating point in their dtype (unchanged for a module
// without parameters).
::torch::Tensor like_module(::torch::nn::Module& module, const ::torch::Tensor& t);

}  // namespace rig::torch
