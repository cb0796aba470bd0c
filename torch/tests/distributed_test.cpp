// rig/torch/distributed.hpp: batch sharding, the single-process no-op group, and a real two-rank Gloo group (two
// threads of this process joined through a TCPStore on loopback) — including 2 ranks x batch B == 1 x batch 2B.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <thread>

#include "rig/error.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/distributed.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/train.hpp"

namespace rt = rig::torch;
using ::torch::Tensor;

namespace {

// Each "example" is its own index: a batch is the list of indices collated.
struct IndexDataset {
  int64_t n;
  int64_t size() const { return n; }
  std::vector<int64_t> collate(std::span<const int64_t> ids) const { return {ids.begin(), ids.end()}; }
};

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  close(fd);
  return ntohs(a.sin_port);
}

rig::DistributedEnv rank_env(int rank, int world, int port) {
  rig::DistributedEnv e;
  e.rank = rank;
  e.world_size = world;
  e.master_addr = "127.0.0.1";
  e.master_port = port;
  e.source = "env";
  return e;
}

// Runs body(rank, group) on two threads, each a rank of one Gloo group.
template <class Body>
void with_two_ranks(Body body) {
  int port = free_port();
  std::array<std::string, 2> failures;
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&, r] {
      try {
        rt::ProcessGroup g = rt::ProcessGroup::join(rank_env(r, 2, port), {.timeout_s = 60});
        body(r, g);
      } catch (const std::exception& e) {
        failures[static_cast<size_t>(r)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures[0], "");
  EXPECT_EQ(failures[1], "");
}

}  // namespace

TEST(Distributed, BatchShardSplitsEachGlobalBatchInRankOrder) {
  auto data = std::make_shared<const IndexDataset>(IndexDataset{40});
  rt::DataLoader one(data, {.batch_size = 8, .shuffle = true, .seed = 7});
  rt::DataLoader r0(rt::shard_batches(data, rt::ProcessGroup()), {.batch_size = 8, .shuffle = true, .seed = 7});
  auto shard1 = std::make_shared<const rt::BatchShard<IndexDataset>>(data, 1, 2);
  auto shard0 = std::make_shared<const rt::BatchShard<IndexDataset>>(data, 0, 2);
  rt::DataLoader a(shard0, {.batch_size = 8, .shuffle = true, .seed = 7});
  rt::DataLoader b(shard1, {.batch_size = 8, .shuffle = true, .seed = 7});
  EXPECT_EQ(a.batches_per_epoch(), 5);
  for (int step = 0; step < 12; ++step) {  // across an epoch boundary
    std::vector<int64_t> whole = one.next(), x = a.next(), y = b.next();
    ASSERT_EQ(x.size(), 4u);
    ASSERT_EQ(y.size(), 4u);
    EXPECT_EQ(std::vector<int64_t>(whole.begin(), whole.begin() + 4), x);
    EXPECT_EQ(std::vector<int64_t>(whole.begin() + 4, whole.end()), y);
    EXPECT_EQ(r0.next(), whole);  // world size 1: the whole batch
  }
  auto odd = rt::BatchShard<IndexDataset>(data, 1, 3);  // a 7-example batch over 3 ranks: 2, 2, 3
  std::vector<int64_t> ids{0, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(odd.collate(ids), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(rt::BatchShard<IndexDataset>(data, 2, 3).collate(ids), (std::vector<int64_t>{4, 5, 6}));
}

TEST(Distributed, OneProcessHasNoGroupAndChangesNothing) {
  rt::ProcessGroup g = rt::ProcessGroup::join(rank_env(0, 1, 0));
  EXPECT_FALSE(g.distributed());
  EXPECT_TRUE(g.is_main());
  Tensor p = ::torch::ones({3}, ::torch::requires_grad());
  (p * 2).sum().backward();
  double loss = 4.5;
  g.average_gradients({p}, {&loss, 1});
  EXPECT_TRUE(::torch::equal(p.grad(), ::torch::full({3}, 2.0)));
  EXPECT_EQ(loss, 4.5);
  g.barrier();
}

TEST(Distributed, BadStoreOptionsAreUsageErrors) {
  try {
    rt::ProcessGroup::join(rank_env(0, 2, 1), {.store = "redis"});
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.id(), "rig.torch.dist.options");
    EXPECT_EQ(e.exit_code(), 2);
  }
  try {
    rt::ProcessGroup::join(rank_env(0, 2, 1), {.store = "file"});
    FAIL() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.id(), "rig.torch.dist.options");
  }
}

TEST(Distributed, TwoRanksAverageGradientsAndScalarsAndBroadcast) {
  std::array<std::vector<double>, 2> grads;
  std::array<double, 2> losses{};
  std::array<std::vector<float>, 2> weights;
  with_two_ranks([&](int r, rt::ProcessGroup& g) {
    EXPECT_TRUE(g.distributed());
    EXPECT_EQ(g.world_size(), 2);
    ::torch::nn::Linear lin(3, 2);
    ::torch::NoGradGuard no_grad;
    for (auto& p : lin->parameters()) p.fill_(static_cast<float>(10 * (r + 1)));  // rank 0: 10, rank 1: 20
    g.broadcast_parameters(*lin);
    for (auto& p : lin->parameters()) {
      p.mutable_grad() = ::torch::full_like(p, static_cast<float>(r + 1));  // 1 and 2: mean 1.5
    }
    lin->bias.mutable_grad() = Tensor();  // a missing gradient counts as zeros: mean (0 + 0) = 0
    double loss = r == 0 ? 1.0 : 4.0;
    g.average_gradients(lin->parameters(), {&loss, 1});
    losses[static_cast<size_t>(r)] = loss;
    Tensor w = lin->weight.grad().reshape(-1);
    grads[static_cast<size_t>(r)] = {w[0].item<double>(), w[5].item<double>(), lin->bias.grad()[1].item<double>()};
    weights[static_cast<size_t>(r)] = {lin->weight[1][1].item<float>(), lin->bias[0].item<float>()};
    g.barrier();
  });
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(grads[r], (std::vector<double>{1.5, 1.5, 0.0})) << "rank " << r;
    EXPECT_DOUBLE_EQ(losses[r], 2.5) << "rank " << r;
    EXPECT_EQ(weights[r], (std::vector<float>{10.0f, 10.0f})) << "rank " << r;  // rank 0's
  }
}

// The contract: two ranks with batch B each train exactly like one process with batch 2B.
TEST(Distributed, TwoRanksWithBatchBMatchOneProcessWithBatch2B) {
  auto data = std::make_shared<const rt::TensorDataset>(
      rt::SyntheticClassification({.num_examples = 256, .num_features = 8, .num_classes = 3, .seed = 1}));
  constexpr int64_t kBatch = 16, kSteps = 25;
  auto make_model = [] {
    ::torch::manual_seed(3);
    return std::make_shared<rt::MLP>(rt::MLPOptions{.in_features = 8, .hidden = {16}, .out_features = 3});
  };
  auto train = [&](rt::MLP& model, const rt::ProcessGroup& g) {
    rt::DataLoader loader(rt::shard_batches(std::shared_ptr<const rt::TensorDataset>(data), g),
                          {.batch_size = 2 * kBatch, .seed = 5});
    rt::AdamW opt(model.parameters(), {.lr = 1e-2});
    rt::CrossEntropyLoss loss_fn;
    std::vector<double> losses;
    for (int64_t s = 0; s < kSteps; ++s) {
      rt::ClassBatch b = loader.next();
      EXPECT_EQ(b.labels.size(0), g.distributed() ? kBatch : 2 * kBatch);
      Tensor loss = loss_fn(model.forward(b.inputs), b.labels);
      opt.zero_grad();
      loss.backward();
      double value = loss.item<double>();
      g.average_gradients(model.parameters(), {&value, 1});
      losses.push_back(value);
      opt.step();
    }
    return losses;
  };
  // One process, batch 2B: a world of one over the loader's whole batch.
  auto single = make_model();
  std::vector<double> single_losses = train(*single, rt::ProcessGroup());

  std::array<std::shared_ptr<rt::MLP>, 2> ranks{make_model(), make_model()};
  {
    ::torch::NoGradGuard no_grad;  // rank 1 starts elsewhere: broadcast_parameters must fix that
    for (auto& p : ranks[1]->parameters()) p.add_(1.0);
  }
  std::array<std::vector<double>, 2> rank_losses;
  with_two_ranks([&](int r, rt::ProcessGroup& g) {
    g.broadcast_parameters(*ranks[static_cast<size_t>(r)]);
    rank_losses[static_cast<size_t>(r)] = train(*ranks[static_cast<size_t>(r)], g);
  });
  auto a = single->parameters();
  for (size_t r = 0; r < 2; ++r) {
    auto b = ranks[r]->parameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_TRUE(::torch::allclose(a[i], b[i], /*rtol=*/1e-5, /*atol=*/1e-6))
          << "rank " << r << " parameter " << i << " max diff " << (a[i] - b[i]).abs().max().item<double>();
    ASSERT_EQ(rank_losses[r].size(), single_losses.size());
    for (size_t s = 0; s < single_losses.size(); ++s)
      EXPECT_NEAR(rank_losses[r][s], single_losses[s], 1e-5 * std::abs(single_losses[s])) << "step " << s;
  }
  EXPECT_LT(single_losses.back(), single_losses.front());  // it did train
}
