#include "rig/torch/distributed.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <map>

// Debian's libtorch is built with Gloo, but its ProcessGroupGloo.hpp declares the class only under this macro.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "rig/error.hpp"

namespace rig::torch {

namespace {

// A failure of the run itself (exit 1): a rank that cannot join, a collective that times out.
class DistributedError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return kExitFailure; }
};

bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr.starts_with("127.") || addr == "::1";
}

std::shared_ptr<::gloo::transport::Device> gloo_device(const DistributedEnv& env) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (is_loopback(env.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<c10d::Store> make_store(const DistributedEnv& env, const DistributedOptions& o,
                                           std::chrono::milliseconds timeout) {
  if (o.store == "file") {
    if (o.store_path.empty())
      throw UsageError("rig.torch.dist.options", "store 'file' needs store_path", {}, {},
                       "a path on a filesystem every rank sees, fresh for each run");
    auto store = c10::make_intrusive<c10d::FileStore>(o.store_path, env.world_size);
    store->setTimeout(timeout);
    return store;
  }
  if (o.store != "tcp")
    throw UsageError("rig.torch.dist.options", fmt::format("unknown store '{}'", o.store), {}, {}, "tcp or file");
  c10d::TCPStoreOptions t;
  t.port = static_cast<std::uint16_t>(env.master_port);
  t.isServer = env.rank == 0;
  t.numWorkers = static_cast<std::size_t>(env.world_size);
  t.waitWorkers = true;
  t.timeout = timeout;
  return c10::make_intrusive<c10d::TCPStore>(env.master_addr, t);
}

// Parameters grouped by dtype, in order, so each group is one flat buffer.
std::map<c10::ScalarType, std::vector<at::Tensor>> by_dtype(const std::vector<at::Tensor>& tensors) {
  std::map<c10::ScalarType, std::vector<at::Tensor>> groups;
  for (const auto& t : tensors) groups[t.scalar_type()].push_back(t);
  return groups;
}

}  // namespace

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;

  void all_reduce_sum(at::Tensor& flat) const {
    std::vector<at::Tensor> one{flat};
    gloo->allreduce(one)->wait();
  }
  void broadcast(at::Tensor& flat) const {
    std::vector<at::Tensor> one{flat};
    gloo->broadcast(one)->wait();
  }
};

ProcessGroup::ProcessGroup() = default;
ProcessGroup::ProcessGroup(ProcessGroup&&) noexcept = default;
ProcessGroup& ProcessGroup::operator=(ProcessGroup&&) noexcept = default;
ProcessGroup::~ProcessGroup() = default;

ProcessGroup ProcessGroup::join(const DistributedEnv& env, const DistributedOptions& options) {
  ProcessGroup g;
  g.env_ = env;
  if (env.world_size <= 1) return g;
  if (options.timeout_s <= 0)
    throw UsageError("rig.torch.dist.options", fmt::format("timeout_s must be positive, not {}", options.timeout_s));
  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
  try {
    g.impl_ = std::make_unique<Impl>();
    g.impl_->store = make_store(env, options, timeout);
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
    gloo_options->devices.push_back(gloo_device(env));
    g.impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(g.impl_->store, env.rank, env.world_size,
                                                                 gloo_options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string where = options.store == "file" ? "file store " + options.store_path
                                                : fmt::format("{}:{}", env.master_addr, env.master_port);
    throw DistributedError("rig.torch.dist.join",
                           fmt::format("rank {} of {} could not join the group at {}: {}", env.rank, env.world_size,
                                       where, e.what()),
                           {}, {}, "every rank must start within the timeout; MASTER_ADDR must be rank 0's host");
  }
  return g;
}

ProcessGroup ProcessGroup::from_environment(const DistributedOptions& options) {
  return join(distributed_env(), options);
}

void ProcessGroup::broadcast_parameters(::torch::nn::Module& module) const {
  if (!impl_) return;
  ::torch::NoGradGuard no_grad;
  std::vector<at::Tensor> tensors = module.parameters();
  for (auto& b : module.buffers()) tensors.push_back(b);
  for (auto& [dtype, group] : by_dtype(tensors)) {
    std::vector<at::Tensor> flat_parts;
    for (const auto& t : group) flat_parts.push_back(t.detach().reshape(-1));
    at::Tensor flat = ::torch::cat(flat_parts);
    impl_->broadcast(flat);
    int64_t offset = 0;
    for (auto& t : group) {
      t.detach().copy_(flat.narrow(0, offset, t.numel()).view_as(t));
      offset += t.numel();
    }
  }
}

void ProcessGroup::average_gradients(const std::vector<at::Tensor>& parameters, std::span<double> scalars) const {
  if (!impl_) return;
  ::torch::NoGradGuard no_grad;
  std::vector<at::Tensor> trained;
  for (const auto& p : parameters)
    if (p.requires_grad()) trained.push_back(p);
  auto groups = by_dtype(trained);
  bool scalars_done = scalars.empty();
  for (auto& [dtype, group] : groups) {
    std::vector<at::Tensor> parts;
    for (auto& p : group) {
      if (!p.grad().defined()) p.mutable_grad() = ::torch::zeros_like(p);
      parts.push_back(p.grad().reshape(-1));
    }
    if (!scalars_done)  // the scalars ride along in the first buffer
      parts.push_back(::torch::tensor(std::vector<double>(scalars.begin(), scalars.end())).to(dtype));
    at::Tensor flat = ::torch::cat(parts);
    impl_->all_reduce_sum(flat);
    flat.div_(env_.world_size);
    int64_t offset = 0;
    for (auto& p : group) {
      p.grad().copy_(flat.narrow(0, offset, p.numel()).view_as(p));
      offset += p.numel();
    }
    if (!scalars_done) {
      at::Tensor s = flat.narrow(0, offset, static_cast<int64_t>(scalars.size())).to(::torch::kFloat64);
      for (size_t i = 0; i < scalars.size(); ++i) scalars[i] = s[static_cast<int64_t>(i)].item<double>();
      scalars_done = true;
    }
  }
  if (!scalars_done) average(scalars);
}

void ProcessGroup::average(std::span<double> values) const {
  if (!impl_ || values.empty()) return;
  at::Tensor flat = ::torch::tensor(std::vector<double>(values.begin(), values.end()), ::torch::kFloat64);
  impl_->all_reduce_sum(flat);
  flat.div_(env_.world_size);
  for (size_t i = 0; i < values.size(); ++i) values[i] = flat[static_cast<int64_t>(i)].item<double>();
}

double ProcessGroup::sum(double value) const {
  if (!impl_) return value;
  at::Tensor flat = ::torch::tensor(std::vector<double>{value}, ::torch::kFloat64);
  impl_->all_reduce_sum(flat);
  return flat.item<double>();
}

void ProcessGroup::barrier() const {
  if (!impl_) return;
  impl_->gloo->barrier()->wait();
}

}  // namespace rig::torch
