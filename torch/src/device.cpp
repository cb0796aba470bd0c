// device:, dtype: and autocast: of the recipes.
#include "rig/torch/device.hpp"

#include <ATen/autocast_mode.h>
#include <fmt/format.h>

#include "rig/config.hpp"
#include "rig/error.hpp"
#include "rig/validate.hpp"

namespace rig::torch {

::torch::Dtype parse_dtype(std::string_view name) {
  if (name == "fp32") return ::torch::kFloat32;
  if (name == "bf16") return ::torch::kBFloat16;
  if (name == "fp16") return ::torch::kFloat16;
  throw Error("rig.torch.dtype", fmt::format("unknown dtype '{}'", name), {}, "dtype", "one of: fp32, bf16, fp16");
}

std::string dtype_name(::torch::Dtype dtype) {
  if (dtype == ::torch::kBFloat16) return "bf16";
  if (dtype == ::torch::kFloat16) return "fp16";
  if (dtype == ::torch::kFloat32) return "fp32";
  return std::string(c10::toString(dtype));
}

AutocastScope::AutocastScope(::torch::DeviceType device, ::torch::Dtype dtype)
    : active_(true), cuda_(device == ::torch::kCUDA) {
  if (cuda_) {
    was_enabled_ = at::autocast::is_enabled(), was_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    was_enabled_ = at::autocast::is_cpu_enabled(), was_dtype_ = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Leaving the outermost scope drops the casts autocast cached for this forward pass (as torch.autocast does).
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (cuda_) {
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(was_dtype_);
  } else {
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(was_dtype_);
  }
}

void Placement::place(::torch::nn::Module& module) const {
  ::torch::NoGradGuard no_grad;
  const ::torch::Dtype kept = storage_dtype();
  for (auto& p : module.parameters()) p.set_data(p.is_floating_point() ? p.to(device, kept) : p.to(device));
  for (auto& b : module.buffers()) b.set_data(b.is_floating_point() ? b.to(device, kept) : b.to(device));
}

::torch::Tensor Placement::input(const ::torch::Tensor& t) const {
  return t.is_floating_point() ? t.to(device, storage_dtype()) : t.to(device);
}

AutocastScope Placement::autocast_scope() const {
  if (!autocast || dtype == ::torch::kFloat32) return AutocastScope();
  return AutocastScope(device.type(), dtype);
}

::torch::Tensor like_module(::torch::nn::Module& module, const ::torch::Tensor& t) {
  auto params = module.parameters();
  if (params.empty()) return t;
  const ::torch::Tensor& p = params.front();
  return t.is_floating_point() ? t.to(p.device(), p.scalar_type()) : t.to(p.device());
}

void placement_keys(rig::RecipeSchema& schema) {
  schema.key<std::string>("device", "cpu", "cpu | cuda | cuda:N | auto (CUDA when there is one): model, optimizer, batches")
      .key<std::string>("dtype", "fp32", "fp32 | bf16 | fp16: the precision the model computes in")
      .key<bool>("autocast", false, "false: weights and batches kept in dtype; true: kept fp32, forward autocast to dtype");
}

namespace {

::torch::Device parse_device(const std::string& device, const Origin& at) {
  if (device == "auto")
    return ::torch::cuda::is_available() ? ::torch::Device(::torch::kCUDA, 0) : ::torch::Device(::torch::kCPU);
  if (device == "cpu") return ::torch::kCPU;
  const std::string not_a_device = fmt::format("'{}' is not a device", device);
  const char* forms = "cpu, cuda, cuda:N (N a device index) or auto";
  if (device != "cuda" && !device.starts_with("cuda:")) throw Error("rig.torch.device", not_a_device, at, "device", forms);
  long index = 0;
  if (device.size() > 4) {
    const std::string digits = device.substr(5);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos)
      throw Error("rig.torch.device", not_a_device, at, "device", forms);
    index = std::stol(digits);
  }
  // at::hasCUDA: this LibTorch was built with CUDA; torch::cuda::is_available: and the machine has a GPU it can use.
  if (!at::hasCUDA())
    throw Error("rig.torch.device", fmt::format("device '{}': this LibTorch has no CUDA (it is a CPU-only build)", device),
                at, "device", "this LibTorch has no CUDA: use device=cpu, or device=auto (the GPU only when there is one)");
  const long count = ::torch::cuda::is_available() ? static_cast<long>(::torch::cuda::device_count()) : 0;
  if (count == 0)
    throw Error("rig.torch.device", fmt::format("device '{}': LibTorch has CUDA but finds no GPU", device), at, "device",
                "device=cpu, or device=auto (the GPU only when there is one)");
  if (index >= count)
    throw Error("rig.torch.device", fmt::format("device '{}': this machine has {} CUDA device(s)", device, count), at,
                "device", fmt::format("cuda:0 to cuda:{}", count - 1));
  return ::torch::Device(::torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

Placement resolve(const std::string& device, const Origin& device_at, const std::string& dtype, const Origin& dtype_at,
                  bool autocast) {
  Placement out;
  out.device = parse_device(device, device_at);
  try {
    out.dtype = parse_dtype(dtype);
  } catch (const Error& e) {
    throw Error(e.id(), e.message(), dtype_at, "dtype", e.hint());
  }
  out.autocast = autocast;
  if (out.dtype == ::torch::kFloat16 && out.device.is_cpu())
    throw Error("rig.torch.dtype",
                out.autocast ? "dtype 'fp16' with autocast on the CPU: LibTorch's CPU autocast computes in bf16 only"
                             : "dtype 'fp16' on the CPU: LibTorch's CPU kernels have no half-precision matrix products",
                dtype_at, "dtype", "dtype=bf16 (or fp32) on the CPU; fp16 with device=cuda");
  return out;
}

}  // namespace

Placement placement(const rig::Config& cfg) {
  return resolve(cfg.get<std::string>("device"), cfg["device"].node().origin(), cfg.get<std::string>("dtype"),
                 cfg["dtype"].node().origin(), cfg.get<bool>("autocast"));
}

void check_placement(const rig::Node& resolved, std::vector<rig::Error>& errors) {
  const Node* device = resolved.find("device");
  const Node* dtype = resolved.find("dtype");
  const Node* autocast = resolved.find("autocast");
  if (!device || !device->is_string() || !dtype || !dtype->is_string()) return;  // the key checks report those
  try {
    (void)resolve(device->str(), device->origin(), dtype->str(), dtype->origin(),
                  autocast && autocast->is_bool() && autocast->bool_value());
  } catch (const Error& e) {
    errors.push_back(e);
  }
}

}  // namespace rig::torch
