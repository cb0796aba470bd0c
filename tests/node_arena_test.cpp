// The loader's node arena (src/detail/node_arena.cpp): a loaded document's nodes come from one arena, which lives
// exactly as long as the last of them, whichever thread drops it, and values read from it stay intact.
#include "detail/node_arena.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "rig/error.hpp"
#include "rig/yaml.hpp"

namespace {

using rig::detail::NodeArena;

std::string big_config(int sections, int leaves) {
  std::string text;
  for (int s = 0; s < sections; ++s) {
    text += "s" + std::to_string(s) + ":\n";
    for (int l = 0; l < leaves; ++l) text += "  k" + std::to_string(l) + ": v" + std::to_string(s * 1000 + l) + "\n";
  }
  return text;
}

TEST(NodeArena, ALoadedDocumentHoldsOneArenaUntilItsLastNodeGoes) {
  const int64_t before = NodeArena::live_arenas();
  rig::Node kept;
  {
    rig::Node cfg = rig::load_yaml(big_config(50, 40), "big.yaml");  // 2,050 nodes: several chunks
    EXPECT_EQ(NodeArena::live_arenas(), before + 1);
    kept = cfg["s49"];  // one subtree outlives the rest of the tree
  }
  EXPECT_EQ(NodeArena::live_arenas(), before + 1);
  ASSERT_EQ(kept.size(), 40u);
  EXPECT_EQ(kept["k39"].str(), "v49039");
  EXPECT_EQ(kept["k0"].origin().to_string(), "big.yaml:2011:7");
  kept = rig::Node();
  EXPECT_EQ(NodeArena::live_arenas(), before);
}

TEST(NodeArena, NodesMadeOutsideALoadUseNoArena) {
  const int64_t before = NodeArena::live_arenas();
  rig::Node n = rig::Node::map();
  n.set("a", rig::Node(1));
  n.set_path("b.c", rig::Node("x"));
  EXPECT_EQ(rig::detail::current_arena(), nullptr);
  EXPECT_EQ(NodeArena::live_arenas(), before);
}

TEST(NodeArena, CopyOnWriteOfALoadedNodeLeavesTheOriginal) {
  rig::Node cfg = rig::load_yaml("a: {b: 1, c: [1, 2]}\n", "t.yaml");
  rig::Node copy = cfg;
  copy.set_path("a.b", rig::Node(2));
  copy.set_path("a.c[1]", rig::Node(5));
  EXPECT_EQ(cfg.get<int>("a.b"), 1);
  EXPECT_EQ(cfg.get<int>("a.c[1]"), 2);
  EXPECT_EQ(copy.get<int>("a.b"), 2);
  EXPECT_EQ(copy.get<int>("a.c[1]"), 5);
  cfg = rig::Node();  // the copy still shares unwritten nodes of the arena
  EXPECT_EQ(copy.get<int>("a.c[0]"), 1);
}

TEST(NodeArena, AFailedLoadLeavesNoArena) {
  const int64_t before = NodeArena::live_arenas();
  EXPECT_THROW(rig::load_yaml(big_config(20, 20) + "s0: again\n", "dup.yaml"), rig::ParseError);
  EXPECT_EQ(NodeArena::live_arenas(), before);
}

TEST(NodeArena, ScopesNestAndTheInnerOneWins) {
  const int64_t before = NodeArena::live_arenas();
  rig::Node outer, inner;
  {
    rig::detail::ArenaScope a(100);
    outer = rig::Node(1);
    {
      rig::detail::ArenaScope b(100);
      inner = rig::Node(2);
      EXPECT_NE(rig::detail::current_arena(), nullptr);
    }
    EXPECT_EQ(NodeArena::live_arenas(), before + 2);
  }
  EXPECT_EQ(rig::detail::current_arena(), nullptr);
  inner = rig::Node();
  EXPECT_EQ(NodeArena::live_arenas(), before + 1);
  EXPECT_EQ(outer.int_value(), 1);
  outer = rig::Node();
  EXPECT_EQ(NodeArena::live_arenas(), before);
}

TEST(NodeArena, AScopeWhoseNodesAllDiedEarlyFreesItsArenaAsItCloses) {
  const int64_t before = NodeArena::live_arenas();
  {
    rig::detail::ArenaScope scope(100);
    for (int i = 0; i < 1000; ++i) rig::Node n(i);  // made and dropped inside the scope
    EXPECT_EQ(NodeArena::live_arenas(), before + 1);
  }
  EXPECT_EQ(NodeArena::live_arenas(), before);
}

// A node finds its arena from its address (the arena's pointer at the start of each of its pages): every node of a
// document spread over many pages and chunks, released one by one in random order, keeps the arena alive until the
// last, and each reads back intact until then.
TEST(NodeArena, NodesOnEveryPageFindTheirArenaWhateverTheOrderTheyGo) {
  const int64_t before = NodeArena::live_arenas();
  std::vector<std::pair<rig::Node, std::string>> kept;
  {
    rig::Node cfg = rig::load_yaml(big_config(300, 30), "pages.yaml");  // 9,301 nodes: ~45 pages, several chunks
    for (const auto& section : cfg.entries())
      for (const auto& leaf : section.value.entries()) kept.emplace_back(leaf.value, leaf.value.str());
  }
  ASSERT_EQ(kept.size(), 9000u);
  std::mt19937 rng(7);
  std::shuffle(kept.begin(), kept.end(), rng);
  while (!kept.empty()) {
    EXPECT_EQ(NodeArena::live_arenas(), before + 1);
    ASSERT_EQ(kept.back().first.str(), kept.back().second);
    kept.pop_back();
  }
  EXPECT_EQ(NodeArena::live_arenas(), before);
}

// A node is one pointer to its storage, which holds its own count.
TEST(NodeArena, ANodeIsOnePointer) { EXPECT_EQ(sizeof(rig::Node), sizeof(void*)); }

// Composition loads files on worker threads and drops them on the caller's: the arena must go with the last node
// on either side (run under ThreadSanitizer by the `threads` label's filter).
TEST(NodeArena, NodesLoadedOnOneThreadAreFreedOnAnotherThread) {
  const int64_t before = NodeArena::live_arenas();
  std::vector<rig::Node> loaded(8);
  std::vector<std::thread> loaders;
  for (size_t i = 0; i < loaded.size(); ++i)
    loaders.emplace_back([&, i] { loaded[i] = rig::load_yaml(big_config(10, 10), "t" + std::to_string(i)); });
  for (auto& t : loaders) t.join();
  EXPECT_EQ(NodeArena::live_arenas(), before + 8);
  // Half of each tree is dropped here, the other half on a second thread, concurrently.
  std::vector<rig::Node> halves;
  for (auto& n : loaded) halves.push_back(n["s9"]);
  std::thread dropper([&] { halves.clear(); });
  for (auto& n : loaded) n = rig::Node();
  dropper.join();
  EXPECT_EQ(NodeArena::live_arenas(), before);
}

#if defined(__SANITIZE_ADDRESS__)
// A freed node's memory stays poisoned in its arena (never reused), so AddressSanitizer still reports a use after free.
TEST(NodeArenaDeathTest, UseOfAFreedArenaNodeIsReportedUnderAddressSanitizer) {
  EXPECT_DEATH(
      {
        rig::Node cfg = rig::load_yaml("a: x\nb: y\n", "t.yaml");
        const std::string& a = cfg["a"].str();  // lives inside the node's storage, in the arena
        cfg.erase("a");                         // the arena lives on (b), the node of a is freed
        volatile size_t n = a.size();
        (void)n;
      },
      "use-after-poison");
}
#endif

}  // namespace
