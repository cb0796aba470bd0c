// Every limit of docs/reliability.md is configurable: each test sets it low, shows an input just inside passes and
// one just past fails with the limit's id at the right place. (LoadLimits' depth and file size: yaml_test.cpp.)
#include <gtest/gtest.h>

#include <string>

#include "rig/interpolation.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace {

using rig::Node;
using rig::testing::expect_error;

// Restores the default resolve limits when a test ends.
struct ScopedResolveLimits {
  explicit ScopedResolveLimits(const rig::ResolveLimits& l) { rig::set_resolve_limits(l); }
  ~ScopedResolveLimits() { rig::set_resolve_limits({}); }
};

// `k0: ${k1}`, `k1: ${k2}`, ..., `k{n-1}: end`: a chain of n-1 interpolations.
std::string chain(int n) {
  std::string text;
  for (int i = 0; i + 1 < n; ++i) text += "k" + std::to_string(i) + ": ${k" + std::to_string(i + 1) + "}\n";
  return text + "k" + std::to_string(n - 1) + ": end\n";
}

TEST(Limits, DefaultsAreDocumentedValues) {
  rig::ResolveLimits r = rig::resolve_limits();
  EXPECT_EQ(r.max_chain, 1000u);
  EXPECT_EQ(r.max_nesting, 128u);
  EXPECT_EQ(r.max_resolver_depth, 64u);
  rig::LoadLimits l;
  EXPECT_EQ(l.max_depth, 256u);
  EXPECT_EQ(l.max_alias_nodes, 1'000'000u);
  EXPECT_EQ(l.max_file_bytes, 256u << 20);
}

TEST(Limits, InterpolationChainLengthIsConfigurable) {
  ScopedResolveLimits scoped({.max_chain = 10});
  EXPECT_EQ(rig::resolve(rig::load_yaml(chain(10), "c.yaml")).get<std::string>("k0"), "end");
  auto e = expect_error("rig.limit.interpolation_depth", [] { rig::resolve(rig::load_yaml(chain(12), "c.yaml")); });
  EXPECT_TRUE(e.origin().known());
  EXPECT_NE(e.message().find("max_chain"), std::string::npos) << e.message();
}

TEST(Limits, DefaultChainLimitStopsLongChainsWithoutCrashing) {
  expect_error("rig.limit.interpolation_depth", [] { rig::resolve(rig::load_yaml(chain(1500), "c.yaml")); });
}

TEST(Limits, InterpolationNestingIsConfigurable) {
  ScopedResolveLimits scoped({.max_nesting = 8});
  // ${oc.select:${oc.select:x}}: interpolation, argument, interpolation, argument — 4 levels.
  EXPECT_EQ(rig::resolve(rig::load_yaml("x: x\ny: ${oc.select:${oc.select:x}}\n")).get<std::string>("y"), "x");
  std::string deep = "[[[[[[[[[1]]]]]]]]]";  // 9 lists inside the argument
  auto e = expect_error("rig.limit.interpolation_nesting",
                        [&] { rig::resolve(rig::load_yaml("y: ${oc.create:" + deep + "}\n", "n.yaml")); });
  EXPECT_EQ(e.origin().line, 1u);
  EXPECT_GT(e.origin().column, 4u);  // inside the string, where the limit was crossed
}

TEST(Limits, HugeNestingFailsFastAtTheDefault) {
  std::string text = "y: \"";
  for (int i = 0; i < 100000; ++i) text += "${f:";
  text += "\"\n";
  expect_error("rig.limit.interpolation_nesting", [&] { rig::resolve(rig::load_yaml(text, "deep.yaml")); });
  expect_error("rig.limit.interpolation_nesting", [&] {
    rig::check_interpolation_syntax(std::string(200, '[').insert(0, "${f:"), {});
  });
}

TEST(Limits, ResolverDepthIsConfigurable) {
  ScopedResolveLimits scoped({.max_resolver_depth = 3});
  // Each oc.decode evaluates a string that calls oc.decode again: resolver calls inside resolver calls.
  Node ok = rig::load_yaml("v: 5\nd: ${oc.decode:'${oc.decode:\"${v}\"}'}\n");
  EXPECT_EQ(rig::resolve(ok).get<int>("d"), 5);
  Node deep = rig::load_yaml("a: ${oc.select:${oc.select:${oc.select:${oc.select:v}}}}\nv: 1\n", "r.yaml");
  auto e = expect_error("rig.limit.resolver_depth", [&] { rig::resolve(deep); });
  EXPECT_EQ(e.origin().source_name(), "r.yaml");
}

TEST(Limits, AliasExpansionIsConfigurable) {
  std::string doc = "a: &a [1, 2, 3, 4, 5, 6, 7, 8]\nb: [*a, *a, *a, *a]\n";
  rig::LoadLimits limits;
  limits.max_alias_nodes = 10;  // the floor is 10x the document, so this stays the document's own budget
  EXPECT_NO_THROW(rig::load_yaml(doc, "a.yaml", limits));
  std::string bomb = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
  rig::LoadLimits tight;
  tight.max_alias_nodes = 100;
  auto e = expect_error("rig.limit.alias_expansion", [&] { rig::load_yaml(bomb, "bomb.yaml", tight); });
  EXPECT_EQ(e.origin().line, 3u);
  EXPECT_NO_THROW(rig::load_yaml(bomb, "bomb.yaml"));  // the default budget allows it
}

TEST(Limits, OverrideNestingIsBounded) {
  std::string arg = "a=" + std::string(300, '[') + std::string(300, ']');
  expect_error("rig.limit.depth", [&] { rig::parse_override(arg, 1); });
}

}  // namespace
