// Block scalars as rig decodes them (src/detail/block_scalar.cpp, src/detail/fyaml.cpp), each expected value taken
// from PyYAML (yaml.safe_load). tests/conformance/block_scalars.py compares thousands of generated ones with PyYAML.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "rig/yaml.hpp"
#include "test_util.hpp"

using rig::Node;
using rig::testing::expect_error;

namespace {

Node load_piped(std::string_view text, size_t pipeline_bytes = rig::LoadLimits{}.pipeline_bytes) {
  rig::LoadLimits limits;
  limits.pipeline_bytes = pipeline_bytes;
  return rig::load_yaml(text, "t.yaml", limits);
}

// libfyaml 0.7.12's own text for these lost trailing breaks (" |+" kept two of three) and the final break.
TEST(BlockScalar, RootScalarWithAnIndentedHeader) {
  EXPECT_EQ(load_piped(" |+\n a\n  b\n \n\n").str(), "a\n b\n\n\n");
  EXPECT_EQ(load_piped(" |\n a\n  b\n").str(), "a\n b\n");
  EXPECT_EQ(load_piped("   >1-\n\n |\n alpha\n").str(), "\n| alpha");
}

// libfyaml's text for an empty block scalar at the end of the input was one NUL byte.
TEST(BlockScalar, EmptyAtTheEndOfTheInput) {
  EXPECT_EQ(load_piped("a: |\n")["a"].str(), "");
  EXPECT_EQ(load_piped("|\n").str(), "");
  EXPECT_EQ(load_piped("a: >+\n")["a"].str(), "");
}

// libfyaml takes the lines after an empty block scalar, at its parent's column, as the scalar's text; rig reads the
// input again with an indentation indicator in that header. Later positions stay exact (the duplicate key's).
TEST(BlockScalar, EmptyNestedScalarKeepsTheSiblingsAfterIt) {
  for (size_t pipeline : {size_t{1}, size_t{1} << 20}) {  // on the parsing thread and without it
    Node a = load_piped("x:\n  a: |\n  b: 1\n", pipeline);
    EXPECT_EQ(a["x"]["a"].str(), "");
    EXPECT_EQ(a["x"]["b"].int_value(), 1);
    Node b = load_piped("x:\n  - |\n\n  - b\n", pipeline);
    ASSERT_EQ(b["x"].size(), 2u);
    EXPECT_EQ(b["x"][0].str(), "");
    EXPECT_EQ(b["x"][1].str(), "b");
    Node c = load_piped("x:\n  a: >-\n  # c\n  b: 1\n  d: |\n  e: |+\n\n  f: x\n", pipeline);
    EXPECT_EQ(c["x"].size(), 5u);
    EXPECT_EQ(c["x"]["a"].str(), "");
    EXPECT_EQ(c["x"]["e"].str(), "\n");
    EXPECT_EQ(c["x"]["f"].str(), "x");
    auto e = expect_error("rig.yaml.duplicate_key", [&] { load_piped("x:\n  a: |\n  b: 1\n  b: 2\n", pipeline); });
    EXPECT_EQ(e.origin().line, 4u);
    EXPECT_EQ(e.origin().column, 3u);
  }
}

TEST(BlockScalar, MoreIndentedLinesTabsAndFolding) {
  Node n = load_piped("- |\n  \tx\n   y\n\n- >\n a\n b\n\n  c\n d\n");
  EXPECT_EQ(n[0].str(), "\tx\n y\n");
  EXPECT_EQ(n[1].str(), "a b\n\n c\nd\n");
  EXPECT_EQ(load_piped("a: |2-\n    x\n  y\n\n")["a"].str(), "  x\ny");
  EXPECT_EQ(load_piped("a: |\r\n  x\r\n\r\n  y\r\n")["a"].str(), "x\n\ny\n");
}

// The fuzz finding (fuzz_yaml_roundtrip): a root " |+" over a config's lines loaded with NUL bytes after its text,
// so its dump did not load again.
TEST(BlockScalar, FuzzFindingLoadsItsTextAndRoundTrips) {
  std::string text = " |+\n manifest: ???\n    rate: 16000\n\n  pre:\n\n\n";
  Node n = load_piped(text);
  EXPECT_EQ(n.str(), "manifest: ???\n   rate: 16000\n\n pre:\n\n\n");
  EXPECT_EQ(load_piped(rig::dump_yaml(n)), n);
}

// Where libfyaml misreads a scalar and an indentation indicator cannot help (text at column 0 under an indented
// header, a comment first under `--- >`), the input is refused with a located error instead of loading other text.
TEST(BlockScalar, MisreadScalarIsRefused) {
  auto e = expect_error("rig.yaml.indentation", [] { load_piped("  |\nfoo\n"); });
  EXPECT_EQ(e.origin().line, 2u);
  e = expect_error("rig.yaml.indentation", [] { load_piped("--- >-\n# end\n"); });
  EXPECT_EQ(e.origin().line, 2u);
}

// Many empty scalars that libfyaml misreads cost one extra parse, not one each: 20,000 of them load at once.
TEST(BlockScalar, ManyEmptyScalarsLoadInLinearTime) {
  std::string text = "x:\n";
  for (int i = 0; i < 20000; ++i) text += "  a" + std::to_string(i) + ": |\n";
  text += "  z: |\n    a literal's text, not a header: |\n  end: 1\n";
  auto t0 = std::chrono::steady_clock::now();
  Node n = load_piped(text);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(n["x"].size(), 20002u);
  EXPECT_EQ(n["x"]["a19999"].str(), "");
  EXPECT_EQ(n["x"]["z"].str(), "a literal's text, not a header: |\n");
  EXPECT_EQ(n["x"]["end"].int_value(), 1);
  EXPECT_LT(seconds, 5.0);  // one restart per scalar would take minutes
}

}  // namespace
