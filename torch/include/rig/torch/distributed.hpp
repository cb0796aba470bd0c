// rig/torch/distributed.hpp — data-parallel training over Gloo: every rank holds the whole model, reads its shard of
// each batch, and averages gradients with the others before the optimizer step.
//
//   auto group = rig::torch::ProcessGroup::from_environment();       // RANK/WORLD_SIZE/... or srun's variables
//   group.broadcast_parameters(*model);                              // rank 0's initial weights everywhere
//   auto shard = rig::torch::shard_batches(train_set, group);        // this rank's part of each global batch
//   rig::torch::DataLoader loader(shard, {.batch_size = B * group.world_size(), .seed = seed});
//   ...  loss.backward();
//   double loss_value = loss.item<double>();
//   group.average_gradients(model->parameters(), {&loss_value, 1});  // one all-reduce; the loss averaged too
//   optimizer.step();
//   if (group.is_main()) { /* log, checkpoint */ }                   // rank 0 alone writes
//
// Joining: rank 0 runs a c10d TCPStore on MASTER_ADDR:MASTER_PORT and every rank connects (or all share a FileStore
// at `store_path` on a filesystem they all see); then a ProcessGroupGloo. With world_size 1 there is no process
// group at all and every call returns at once. rig/distributed_env.hpp says where rank and world size come from.
// Gloo's network interface: GLOO_SOCKET_IFNAME when set, loopback when MASTER_ADDR is a loopback address, else the
// interface of this host's name.
//
// Same results as one process: with the loader's batch = B * world_size and BatchShard, rank r trains on the r-th
// B examples of the same global batch a single process with batch B * world_size would draw (same seed, same order),
// and the averaged gradient of the per-rank mean losses is that process's gradient (up to float rounding).
//
// This header includes neither <torch/torch.h> nor c10d: it is cheap to include.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rig/distributed_env.hpp"
#include "rig/constraints.hpp"

namespace at {
class Tensor;
}
namespace torch::nn {
class Module;
}

namespace rig::torch {

struct DistributedOptions {
  std::string store = "tcp";     // tcp: TCPStore served by rank 0 | file: FileStore at store_path
  std::string store_path = "";   // file: a path on a filesystem every rank sees, fresh for each run
  double timeout_s = 300;        // joining, and each collective
  static constexpr auto checks = rig::checks(rig::require("store", rig::one_of("tcp|file"), "rig.torch.dist.options"),
                                                  rig::require("timeout_s", rig::positive(), "rig.torch.dist.options"));
};

class ProcessGroup {
 public:
  ProcessGroup();  // one process: no group
  ProcessGroup(ProcessGroup&&) noexcept;
  ProcessGroup& operator=(ProcessGroup&&) noexcept;
  ~ProcessGroup();

  // Joins the group `env` describes (a no-op group when env.world_size is 1). rig.torch.dist.join (exit 1) when
  // the store or Gloo cannot be reached in time; rig.torch.dist.options for bad options.
  static ProcessGroup join(const DistributedEnv& env, const DistributedOptions& options = {});
  static ProcessGroup from_environment(const DistributedOptions& options = {});  // join(distributed_env(), ...)

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  bool is_main() const { return env_.rank == 0; }
  bool distributed() const { return env_.world_size > 1; }
  const DistributedEnv& env() const { return env_; }

  // Rank 0's parameters and buffers copied to every rank (one flat broadcast per dtype).
  void broadcast_parameters(::torch::nn::Module& module) const;
  // The gradients of `parameters` (those that require grad; a missing gradient counts as zeros) replaced by their
  // mean over the ranks, flattened into one buffer per dtype so it is one all-reduce; `scalars` (the loss, say)
  // are averaged in the same all-reduce.
  void average_gradients(const std::vector<at::Tensor>& parameters, std::span<double> scalars = {}) const;
  // The mean of each value over the ranks.
  void average(std::span<double> values) const;
  // `value` summed over the ranks (`value` itself without a group): a global batch's count of targets, say.
  double sum(double value) const;
  void barrier() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DistributedEnv env_;
};

// This rank's part of every batch: a loader over it with batch size B * world_size draws the same global batches as
// a single process would, and collate() keeps examples [r*n/w, (r+1)*n/w) of each (n: the batch's size; every rank
// gets B when the batch is full). size() is the whole dataset's.
template <class Dataset>
class BatchShard {
 public:
  BatchShard(std::shared_ptr<const Dataset> base, int rank, int world_size)
      : base_(std::move(base)), rank_(rank), world_size_(world_size) {}
  int64_t size() const { return base_->size(); }
  auto collate(std::span<const int64_t> indices) const {
    size_t n = indices.size(), w = static_cast<size_t>(world_size_), r = static_cast<size_t>(rank_);
    size_t begin = n * r / w, end = n * (r + 1) / w;
    return base_->collate(indices.subspan(begin, end - begin));
  }
  const Dataset& base() const { return *base_; }

 private:
  std::shared_ptr<const Dataset> base_;
  int rank_, world_size_;
};

template <class Dataset>
std::shared_ptr<const BatchShard<Dataset>> shard_batches(std::shared_ptr<const Dataset> dataset,
                                                          const ProcessGroup& group) {
  return std::make_shared<const BatchShard<Dataset>>(std::move(dataset), group.rank(), group.world_size());
}

}  // namespace rig::torch
