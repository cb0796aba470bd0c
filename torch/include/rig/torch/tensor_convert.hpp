// rig/torch/tensor_convert.hpp — how rig's config conversions treat a LibTorch tensor.
//
// A tensor never comes from a config: it comes from the program, as a call-site argument of rig::instantiate (the
// parameters an optimizer trains: `rig::instantiate<std::shared_ptr<torch::optim::Optimizer>>(cfg["optimizer"],
// model->parameters())`). Reading one from a config value is a type error (rig.type.mismatch) that says so; writing
// one (the operative config records call-site arguments) gives a short description such as "<tensor float [64, 32]>".
// Included by every rig::torch header that uses tensors, so that the specialization is seen before any use.
#pragma once

#include <torch/torch.h>

#include "rig/node.hpp"

namespace rig {

template <>
struct Convert<::torch::Tensor> {
  [[noreturn]] static ::torch::Tensor from(const Node& n, KeyPath& p);
  static Node to(const ::torch::Tensor& t);
};

}  // namespace rig
