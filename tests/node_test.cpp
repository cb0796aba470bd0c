#include "rig/node.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rig/yaml.hpp"
#include "test_util.hpp"

using rig::Kind;
using rig::KeyPath;
using rig::Node;
using rig::testing::expect_error;

using rig::testing::yaml;

namespace {


TEST(NodeKinds, ScalarsAndContainers) {
  EXPECT_EQ(Node().kind(), Kind::Null);
  EXPECT_EQ(Node(true).kind(), Kind::Bool);
  EXPECT_EQ(Node(3).kind(), Kind::Int);
  EXPECT_EQ(Node(uint8_t{3}).kind(), Kind::Int);
  EXPECT_EQ(Node(2.5).kind(), Kind::Float);
  EXPECT_EQ(Node("x").kind(), Kind::String);
  EXPECT_EQ(Node::list().kind(), Kind::List);
  EXPECT_EQ(Node::map().kind(), Kind::Map);
  EXPECT_EQ(Node::missing().kind(), Kind::Missing);
  EXPECT_TRUE(Node("${a.b}").is_interpolation());
  EXPECT_TRUE(Node("http://${host}:80").is_interpolation());
  EXPECT_FALSE(Node("$a {b}").is_interpolation());
}

TEST(NodeKinds, UnsignedBeyondInt64IsRejected) {
  expect_error("rig.type.out_of_range", [] { Node n(uint64_t{1} << 63); });
}

TEST(NodeMap, InsertionOrderAndLookupPastTheIndexThreshold) {
  Node m = Node::map();
  for (int i = 0; i < 1000; ++i) m.set("k" + std::to_string(999 - i), i);
  ASSERT_EQ(m.size(), 1000u);
  EXPECT_EQ(m.entries()[0].key, "k999");
  EXPECT_EQ(m.entries()[999].key, "k0");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(m["k" + std::to_string(999 - i)].int_value(), i);
  EXPECT_EQ(m.find("nope"), nullptr);
  m.set("k500", "replaced");
  EXPECT_EQ(m.entries()[499].key, "k500");  // replaced in place
  EXPECT_EQ(m["k500"].str(), "replaced");
  EXPECT_TRUE(m.erase("k500"));
  EXPECT_FALSE(m.erase("k500"));
  EXPECT_EQ(m.size(), 999u);
  EXPECT_EQ(m["k499"].int_value(), 500);
}

// A map's index is maintained change by change (an erase renumbers the later entries and shifts its probe cluster
// back): random inserts, sets, erases and lookups, on maps that grow past the index threshold, shrink below it and
// share storage with copies, against a plain vector of pairs. Keys come from a small pool so that they collide in the
// index and come back after being erased.
TEST(NodeMap, RandomChangesMatchAReferenceModel) {
  std::mt19937 rng(23);
  using Model = std::vector<std::pair<std::string, int>>;
  auto model_find = [](Model& m, const std::string& k) {
    for (auto it = m.begin(); it != m.end(); ++it)
      if (it->first == k) return it;
    return m.end();
  };
  auto check = [](const Node& n, const Model& m) {
    ASSERT_EQ(n.size(), m.size());
    for (size_t i = 0; i < m.size(); ++i) {
      ASSERT_EQ(n.entries()[i].key, m[i].first);
      ASSERT_EQ(n.entries()[i].value.int_value(), m[i].second);
      const Node* found = n.find(m[i].first);
      ASSERT_NE(found, nullptr) << m[i].first;
      ASSERT_EQ(found->int_value(), m[i].second);
    }
  };
  for (int round = 0; round < 40; ++round) {
    const int pool = 4 + static_cast<int>(rng() % 120);
    Node n = Node::map();
    Model model;
    Node copy;
    Model copy_model;
    for (int step = 0; step < 600; ++step) {
      std::string key = "k" + std::to_string(rng() % static_cast<unsigned>(pool));
      int value = static_cast<int>(rng() % 1000);
      switch (rng() % 8) {
        case 0:
        case 1:
        case 2: {  // set: replaces in place or appends
          n.set(key, value);
          auto it = model_find(model, key);
          if (it != model.end())
            it->second = value;
          else
            model.emplace_back(key, value);
          break;
        }
        case 3: {  // insert: only when absent
          bool added = n.insert(key, value);
          auto it = model_find(model, key);
          ASSERT_EQ(added, it == model.end());
          if (added) model.emplace_back(key, value);
          break;
        }
        case 4:
        case 5: {  // erase, present or not
          auto it = model_find(model, key);
          ASSERT_EQ(n.erase(key), it != model.end());
          if (it != model.end()) model.erase(it);
          break;
        }
        case 6: {  // write through find_mut / find_path_mut
          auto it = model_find(model, key);
          Node* target = (rng() % 2) ? n.find_mut(key) : n.find_path_mut(KeyPath().push_key(key));
          ASSERT_EQ(target != nullptr, it != model.end());
          if (target) {
            *target = Node(value);
            it->second = value;
          }
          break;
        }
        case 7:  // a copy that must not see later changes
          copy = n;
          copy_model = model;
          break;
      }
      ASSERT_EQ(n.find("absent") == nullptr, true);
      if (step % 50 == 0) check(n, model);
    }
    check(n, model);
    if (copy.is_map()) check(copy, copy_model);
    // Erasing everything, in a random order, leaves an empty map that still finds nothing.
    std::shuffle(model.begin(), model.end(), rng);
    for (const auto& [k, v] : model) ASSERT_TRUE(n.erase(k)) << k;
    EXPECT_EQ(n.size(), 0u);
    EXPECT_EQ(n.find("k0"), nullptr);
  }
}

TEST(NodeCopy, CopiesShareUntilWritten) {
  Node a = yaml("x: {y: {z: 1}}\nw: [1, 2]\n");
  Node b = a;
  EXPECT_TRUE(a.same_storage(b));
  b.set_path("x.y.z", 2);
  EXPECT_EQ(a.get<int>("x.y.z"), 1);
  EXPECT_EQ(b.get<int>("x.y.z"), 2);
  EXPECT_TRUE(a["w"].same_storage(b["w"]));  // the untouched branch is still shared
}

TEST(NodeCopy, OriginsSurviveCopyAndMutationElsewhere) {
  Node a = yaml("x:\n  y: 1\nz: 2\n");
  Node b = a;
  b.set("z", 3);
  EXPECT_EQ(b["x"]["y"].origin().to_string(), "t.yaml:2:6");
  EXPECT_EQ(a["z"].origin().line, 3u);
}

TEST(KeyPathSyntax, Forms) {
  EXPECT_EQ(KeyPath::parse("a.b[0].c").to_string(), "a.b[0].c");
  EXPECT_EQ(KeyPath::parse("a.b.0.c").size(), 4u);
  EXPECT_EQ(KeyPath::parse("a[\"x.y\"].b").segments()[1].key, "x.y");
  EXPECT_EQ(KeyPath::parse("a['x.y']").segments()[1].key, "x.y");
  EXPECT_EQ(KeyPath::parse("a.x\\.y").segments()[1].key, "x.y");
  EXPECT_EQ(KeyPath::parse("a['x.y']").to_string(), "a[\"x.y\"]");
  EXPECT_TRUE(KeyPath::parse("").empty());
  for (const char* bad : {"a..b", ".a", "a.", "a[0", "a[]", "a['x]", "a[0]b", "a]"})
    expect_error("rig.key.syntax", [&] { KeyPath::parse(bad); });
}

// A backslash in a plain segment takes the next character as it is, whatever it is; a last backslash is itself.
TEST(KeyPathSyntax, BackslashEscapesInPlainSegments) {
  auto keys = [](std::string_view text) {
    std::vector<std::string> out;
    const KeyPath path = KeyPath::parse(text);
    for (const auto& s : path.segments()) out.push_back(s.key);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(keys("a\\.b.c"), (V{"a.b", "c"}));
  EXPECT_EQ(keys("x\\[0\\].y"), (V{"x[0]", "y"}));
  EXPECT_EQ(keys("a\\\\b"), (V{"a\\b"}));
  EXPECT_EQ(keys("\\.\\.\\."), (V{"..."}));
  EXPECT_EQ(keys("ab\\"), (V{"ab\\"}));
  EXPECT_EQ(keys("k.with\\]"), (V{"k", "with]"}));
  EXPECT_EQ(keys("s\\.t[1].u\\.v"), (V{"s.t", "1", "u.v"}));
}

TEST(NodePath, BothIndexSpellingsAndEscapedKeys) {
  Node n = yaml("a:\n  b:\n    - c: 1\n    - c: 2\n  x.y: 3\n");
  EXPECT_EQ(n.get<int>("a.b[1].c"), 2);
  EXPECT_EQ(n.get<int>("a.b.1.c"), 2);
  EXPECT_EQ(n.get<int>("a[\"x.y\"]"), 3);
  EXPECT_EQ(n.get<int>("a.x\\.y"), 3);
  EXPECT_EQ(n.find_path("a.b[2]"), nullptr);
}

TEST(NodePath, MissingKeyErrorNamesPathAndSuggests) {
  Node n = yaml("optimizer:\n  lr: 0.1\n  momentum: 0.9\n");
  auto e = expect_error("rig.key.not_found", [&] { n.get<double>("optimizer.lrr"); });
  EXPECT_EQ(e.key_path(), "optimizer.lrr");
  EXPECT_NE(e.hint().find("'lr'"), std::string::npos) << e.hint();
  EXPECT_EQ(e.origin().line, 2u);  // where the map that lacks the key was written
  expect_error("rig.key.index_range", [&] { yaml("a: [1]").get<int>("a[3]"); });
  expect_error("rig.key.not_container", [&] { yaml("a: 1").get<int>("a.b"); });
}

TEST(NodePath, SetCreatesMapsAndEraseRemoves) {
  Node n;
  n.set_path("a.b.c", 1);
  n.set_path("a.list", Node::list());
  n["a"];  // const access works on a non-const node
  n.find_path_mut(KeyPath::parse("a.list"))->push_back(5);
  n.set_path("a.list[0]", 6);
  EXPECT_EQ(n.get<int>("a.b.c"), 1);
  EXPECT_EQ(n.get<int>("a.list[0]"), 6);
  expect_error("rig.key.index_range", [&] { n.set_path("a.list[4]", 1); });
  EXPECT_TRUE(n.erase_path("a.b.c"));
  EXPECT_FALSE(n.erase_path("a.b.c"));
  EXPECT_TRUE(n.erase_path("a.list[0]"));
  EXPECT_EQ(n.get<std::vector<int>>("a.list").size(), 0u);
}

TEST(NodeAs, IntegersAreRangeChecked) {
  Node n = yaml("small: 100\nbig: 300\nneg: -1\nhuge: 9223372036854775807\n");
  EXPECT_EQ(n.get<int8_t>("small"), 100);
  auto e = expect_error("rig.type.out_of_range", [&] { n.get<int8_t>("big"); });
  EXPECT_EQ(e.key_path(), "big");
  EXPECT_EQ(e.origin().to_string(), "t.yaml:2:6");
  EXPECT_NE(e.message().find("int8_t"), std::string::npos) << e.message();
  expect_error("rig.type.out_of_range", [&] { n.get<unsigned>("neg"); });
  expect_error("rig.type.out_of_range", [&] { n.get<int32_t>("huge"); });
  EXPECT_EQ(n.get<int64_t>("huge"), INT64_MAX);
  EXPECT_EQ(n.get<uint64_t>("huge"), uint64_t{INT64_MAX});
}

TEST(NodeAs, TypeMismatchNamesTheHumanTypeAndValue) {
  Node n = yaml("xs: [1, two, 3]\nf: 2.5\ns: hello\n");
  auto e = expect_error("rig.type.mismatch", [&] { n.get<std::vector<int>>("xs"); });
  EXPECT_EQ(e.key_path(), "xs[1]");
  EXPECT_NE(e.message().find("expected int"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("'two'"), std::string::npos) << e.message();
  EXPECT_EQ(e.origin().column, 9u);
  auto m = expect_error("rig.type.mismatch", [&] { n.get<std::map<std::string, int>>("f"); });
  EXPECT_NE(m.message().find("std::map<std::string, int>"), std::string::npos) << m.message();
  expect_error("rig.type.mismatch", [&] { n.get<int>("f"); });
  expect_error("rig.type.mismatch", [&] { n.get<bool>("s"); });
}

TEST(NodeAs, EverySupportedType) {
  Node n = yaml(
      "b: true\ni: 7\nf: 1.5\ns: text\np: /tmp/x\nv: [1, 2]\nm: {a: 1, b: 2}\nn: null\nnested: [[1], [2, 3]]\n");
  EXPECT_TRUE(n.get<bool>("b"));
  EXPECT_EQ(n.get<short>("i"), 7);
  EXPECT_EQ(n.get<unsigned long>("i"), 7u);
  EXPECT_FLOAT_EQ(n.get<float>("f"), 1.5f);
  EXPECT_DOUBLE_EQ(n.get<double>("i"), 7.0);  // ints widen to floating point
  EXPECT_EQ(n.get<std::string>("s"), "text");
  EXPECT_EQ(n.get<std::string_view>("s"), "text");
  EXPECT_EQ(n.get<std::string>("i"), "7");  // scalars read as their text
  EXPECT_EQ(n.get<std::filesystem::path>("p"), std::filesystem::path("/tmp/x"));
  EXPECT_EQ(n.get<std::vector<int>>("v"), (std::vector<int>{1, 2}));
  EXPECT_EQ((n.get<std::map<std::string, int>>("m")), (std::map<std::string, int>{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(n.get<std::optional<int>>("n"), std::nullopt);
  EXPECT_EQ(n.get<std::optional<int>>("i"), 7);
  EXPECT_EQ(n.get<std::vector<std::vector<int>>>("nested")[1][1], 3);
  EXPECT_EQ(n.get_or<int>("absent", 9), 9);
  expect_error("rig.type.mismatch", [&] { n.get<std::string>("n"); });
  expect_error("rig.type.out_of_range", [] { rig::load_yaml("x: 1e300").get<float>("x"); });
}

TEST(NodeAs, MissingAndUnresolvedValuesHaveTheirOwnErrors) {
  Node n = yaml("a: ???\nb: ${a}\n");
  auto e = expect_error("rig.value.missing", [&] { n.get<int>("a"); });
  EXPECT_EQ(e.key_path(), "a");
  expect_error("rig.interpolation.unresolved", [&] { n.get<std::string>("b"); });
}

TEST(NodeAs, RoundTripThroughFrom) {
  std::map<std::string, std::vector<double>> m{{"x", {1.0, 2.5}}, {"y", {}}};
  Node n = Node::from(m);
  EXPECT_EQ((n.as<std::map<std::string, std::vector<double>>>()), m);
}

TEST(NodeMerge, OmegaConfRules) {
  Node a = yaml("model: {dim: 8, depth: 2}\nlist: [1, 2, 3]\nkeep: 1\nreq: 5\n");
  Node b = yaml("model: {depth: 4, act: relu}\nlist: [9]\nreq: ???\nnew: {x: 1}\n");
  a.merge(b);
  EXPECT_EQ(a.get<int>("model.dim"), 8);
  EXPECT_EQ(a.get<int>("model.depth"), 4);
  EXPECT_EQ(a.get<std::string>("model.act"), "relu");
  EXPECT_EQ(a.get<std::vector<int>>("list"), std::vector<int>{9});  // lists are replaced
  EXPECT_EQ(a.get<int>("req"), 5);                                  // ??? never overwrites
  EXPECT_EQ(a.get<int>("keep"), 1);
  EXPECT_TRUE(a["new"].same_storage(b["new"]));  // taken over by sharing, not copying
  EXPECT_EQ(a["model"]["depth"].origin().to_string(), "t.yaml:1:16");
  EXPECT_EQ(a.keys(), (std::vector<std::string>{"model", "list", "keep", "req", "new"}));
  Node c = yaml("model: null\n");
  a.merge(c);
  EXPECT_TRUE(a["model"].is_null());
}

TEST(NodeMerge, MergingDoesNotChangeTheSource) {
  Node a = yaml("x: {y: 1}\n");
  Node b = yaml("x: {z: 2}\n");
  Node a0 = a;
  a.merge(b);
  EXPECT_EQ(a0, yaml("x: {y: 1}\n"));
  EXPECT_EQ(b, yaml("x: {z: 2}\n"));
  EXPECT_EQ(a, yaml("x: {y: 1, z: 2}\n"));
}

TEST(NodeEquality, StructuralIgnoringOrigins) {
  EXPECT_EQ(yaml("a: [1, {b: .nan}]"), rig::load_yaml("\n\na:\n - 1\n - b: .NaN\n", "other.yaml"));
  EXPECT_NE(yaml("a: 1"), yaml("a: 1.0"));
  EXPECT_NE(yaml("{a: 1, b: 2}"), yaml("{b: 2, a: 1}"));
}

}  // namespace

namespace {

TEST(NodeProvenance, HistoryAndViaAreKeptPerCopy) {
  Node old_value = rig::load_yaml("1", "a.yaml");
  Node n = rig::load_yaml("2", "b.yaml");
  n.push_history(old_value);
  Node copy = n;
  copy.push_via(rig::Origin{rig::Source::make("c.yaml"), 3, 4});
  ASSERT_EQ(n.history().size(), 1u);
  EXPECT_EQ(n.history()[0].origin().source_name(), "a.yaml");
  EXPECT_TRUE(n.via().empty());
  ASSERT_EQ(copy.via().size(), 1u);
  EXPECT_EQ(copy.via()[0].to_string(), "c.yaml:3:4");
  EXPECT_EQ(copy.history().size(), 1u);
}

}  // namespace
