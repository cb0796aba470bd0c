// Every recursive path of rig is bounded by the depth limit (TreeLimits::max_depth, LoadLimits::max_depth) and
// fails with rig.limit.depth — never a stack overflow — on trees 100,000 levels deep, however they were built: through
// the Node API, overrides, compositions, interpolations. (rig refuses to build such trees itself; one built through
// the API is released without recursing, however deep: ReleasingATreeNeverRecurses.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rig/compose.hpp"
#include "rig/config.hpp"
#include "rig/instantiate.hpp"
#include "rig/interpolation.hpp"
#include "rig/limits.hpp"
#include "rig/overrides.hpp"
#include "rig/registry.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace depthtest {
struct Thing {
  struct Options {
    int x = 0;
  };
  explicit Thing(Options) {}
};
}  // namespace depthtest

RIG_COMPONENT(depthtest::Thing);

namespace {

using rig::Node;
using rig::testing::expect_error;

constexpr int kDeep = 100'000;

// {k: {k: ... {k: leaf}}}: `levels` maps inside one another, built through the API.
Node deep_map(int levels, Node leaf = Node(1)) {
  Node n = std::move(leaf);
  for (int i = 0; i < levels; ++i) {
    Node m = Node::map();
    m.set("k", std::move(n));
    n = std::move(m);
  }
  return n;
}

Node deep_list(int levels) {
  Node n(1);
  for (int i = 0; i < levels; ++i) {
    Node l = Node::list();
    l.push_back(std::move(n));
    n = std::move(l);
  }
  return n;
}

// A tree of a million levels built through the API (maps over lists, and a copy sharing all but its root) is released
// in constant stack: a recursive release overflows an 8 MiB stack (and ASan's larger frames) long before that.
TEST(Depth, ReleasingATreeNeverRecurses) {
  constexpr int kMillion = 1'000'000;
  Node deep = deep_map(kMillion / 2, deep_list(kMillion / 2));
  Node shared = deep["k"];  // shares all but the root: released after it, from the middle
  deep = Node();
  ASSERT_TRUE(shared.is_map());
  EXPECT_TRUE(shared["k"]["k"].is_map());  // what another node still shares is left whole
}

TEST(Depth, DumpRefusesTreesPastTheLimit) {
  Node deep = deep_map(kDeep), list = deep_list(kDeep);
  expect_error("rig.limit.depth", [&] { rig::dump_yaml(deep); });
  expect_error("rig.limit.depth", [&] { rig::dump_json(deep); });
  expect_error("rig.limit.depth", [&] { rig::dump_yaml(list); });
  // Just inside the limit: 256 levels, the root included.
  EXPECT_NO_THROW(rig::dump_yaml(deep_map(256)));
  EXPECT_NO_THROW(rig::dump_json(deep_map(256)));
  expect_error("rig.limit.depth", [&] { rig::dump_yaml(deep_map(257)); });
}

TEST(Depth, MergeCompareAndCountAreBounded) {
  Node a = deep_map(kDeep, Node(1));
  Node b = deep_map(kDeep, Node(2));
  expect_error("rig.limit.depth", [&] { a.merge(b); });
  expect_error("rig.limit.depth", [&] { (void)(a == b); });
  expect_error("rig.limit.depth", [&] { (void)a.node_count(); });
  Node c = deep_map(100, Node(1));
  c.merge(deep_map(100, Node(2)));
  EXPECT_EQ(c, deep_map(100, Node(2)));
  EXPECT_EQ(c.node_count(), 101u);
}

TEST(Depth, ResolveValidateAndInstantiateAreBounded) {
  Node deep = deep_map(kDeep, Node("${x}"));
  deep.set("x", 1);
  Node component = deep_map(kDeep);
  component.set("_component_", "depthtest.Thing");
  expect_error("rig.limit.depth", [&] { rig::resolve(deep); });
  rig::ValidationReport r = rig::validate_config(deep);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors.front().id(), "rig.limit.depth");
  expect_error("rig.limit.depth", [&] { rig::with_defaults(deep); });
  try {
    (void)rig::instantiate<depthtest::Thing>(component);
    ADD_FAILURE() << "a 100,000-deep config was instantiated";
  } catch (const rig::Error& e) {
    std::string text = rig::format(e);
    EXPECT_NE(text.find("rig.limit.depth"), std::string::npos) << text;
  }
  {
    rig::Config view(deep);
    expect_error("rig.limit.depth", [&] { (void)view.resolved(); });
  }
}

TEST(Depth, InterpolationsCannotNestPastTheLimit) {
  // Each x_i is a map of 100 levels holding ${x_{i+1}}: resolved, the levels add up past 256.
  std::string text;
  for (int i = 0; i < 5; ++i) {
    text += "x" + std::to_string(i) + ": ";
    for (int j = 0; j < 100; ++j) text += "{k: ";
    text += i < 4 ? "'${x" + std::to_string(i + 1) + "}'" : "end";  // quoted: braces end a flow plain scalar
    text += std::string(100, '}') + "\n";
  }
  Node cfg = rig::load_yaml(text, "nest.yaml");
  auto e = expect_error("rig.limit.depth", [&] { rig::resolve(cfg); });
  EXPECT_EQ(e.origin().source_name(), "nest.yaml");
}

TEST(Depth, OverrideKeysAreBoundedBeforeAnyTreeIsBuilt) {
  for (int segments : {257, 300, 20'000, kDeep}) {
    std::string key;
    for (int i = 0; i < segments; ++i) key += i ? ".k" : "k";
    auto e = expect_error("rig.limit.depth", [&] { rig::parse_override("+" + key + "=1", 3); });
    // At the 257th segment: "+" then 256 segments of "k." (2 characters each).
    EXPECT_EQ(e.origin().column, 1u + 256u * 2u + 1u) << segments;
  }
  std::string ok;
  for (int i = 0; i < 256; ++i) ok += i ? ".k" : "k";
  Node cfg = Node::map();
  rig::apply_overrides(cfg, std::vector{rig::parse_override("+" + ok + "=1", 3)});
  EXPECT_NO_THROW(rig::dump_yaml(cfg));
  // The key's levels and the value's add up.
  std::string half;
  for (int i = 0; i < 200; ++i) half += i ? ".k" : "k";
  expect_error("rig.limit.depth",
               [&] { rig::parse_override("+" + half + "=" + std::string(100, '[') + std::string(100, ']'), 3); });
}

TEST(Depth, LimitIsConfigurable) {
  rig::set_tree_limits({.max_depth = 8});
  struct Restore {
    ~Restore() { rig::set_tree_limits({}); }
  } restore;
  EXPECT_NO_THROW(rig::dump_yaml(deep_map(8)));
  expect_error("rig.limit.depth", [&] { rig::dump_yaml(deep_map(9)); });
  expect_error("rig.limit.depth", [&] { rig::parse_override("a.b.c.d.e.f.g.h.i=1", 1); });
  EXPECT_NO_THROW(rig::parse_override("a.b.c.d.e.f.g.h=1", 1));
}

TEST(Depth, DefaultsChainsAreBounded) {
  rig::testing::TempDir dir;
  for (int i = 0; i < 300; ++i)
    dir.write("c" + std::to_string(i) + ".yaml",
              "defaults:\n  - c" + std::to_string(i + 1) + "\nv" + std::to_string(i) + ": 1\n");
  // c300 does not exist: the limit stops the chain before it is looked for.
  rig::ComposeOptions options{rig::SearchPath().add(dir.path()), {}, true};
  auto e = expect_error("rig.limit.depth", [&] { rig::compose("c0", options); });
  EXPECT_TRUE(e.origin().known());
  EXPECT_EQ(e.origin().line, 2u);
  // A chain just inside the limit composes.
  rig::testing::TempDir ok;
  for (int i = 0; i < 200; ++i)
    ok.write("c" + std::to_string(i) + ".yaml",
             "defaults:\n  - c" + std::to_string(i + 1) + "\nv" + std::to_string(i) + ": 1\n");
  ok.write("c200.yaml", "end: 1\n");
  rig::ComposeOptions ok_options{rig::SearchPath().add(ok.path()), {}, true};
  EXPECT_EQ(rig::compose("c0", ok_options).config.size(), 201u);
}

TEST(Depth, PackagesNestBodiesWithinTheLimit) {
  rig::testing::TempDir dir;
  std::string pkg;
  for (int i = 0; i < 300; ++i) pkg += i ? ".p" : "p";
  dir.write("g/o.yaml", "# @package " + pkg + "\nx: 1\n");
  dir.write("c.yaml", "defaults:\n  - g: o\n");
  rig::ComposeOptions options{rig::SearchPath().add(dir.path()), {}, true};
  expect_error("rig.limit.depth", [&] { rig::compose("c", options); });
}

}  // namespace
