// Reflection (rig/reflect.hpp), the added conversions and structured configs (rig/convert.hpp).
#include "rig/convert.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "rig/yaml.hpp"
#include "test_util.hpp"

using rig::testing::yaml;

namespace {

using rig::Node;
using rig::testing::expect_error;
using namespace std::chrono_literals;


enum class Act { relu, gelu, silu };
enum Plain { kA = -3, kB = 100 };

struct Inner {
  int depth = 2;
  Act act = Act::gelu;
};
struct TrainConfig {
  int max_steps = 1000;
  std::string name = "run";
  std::chrono::seconds checkpoint_every{600};
  std::optional<double> clip;
  std::vector<int> layers{1, 2};
  std::map<std::string, double> weights;
  Inner inner;
  std::tuple<int, bool, std::string> triple{1, true, "t"};
};

struct Wide {
  int f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, f20, f21, f22, f23,
      f24, f25, f26, f27, f28, f29, f30, f31, f32, f33, f34, f35, f36, f37, f38, f39;
};

TEST(Reflect, FieldCountNamesAndEnumerators) {
  static_assert(rig::field_count<TrainConfig>() == 8);
  static_assert(rig::field_names<TrainConfig>()[2] == "checkpoint_every");
  static_assert(rig::field_count<Wide>() == 40);
  static_assert(rig::field_names<Wide>()[39] == "f39");
  static_assert(rig::enum_name(Act::silu) == "silu");
  static_assert(rig::enum_name(kA) == "kA" && rig::enum_name(kB) == "kB");
  static_assert(!rig::Reflectable<std::array<int, 2>>);
  static_assert(!rig::Reflectable<std::string>);
  std::vector<std::string> seen;
  TrainConfig c;
  rig::for_each_field(c, [&](std::string_view name, auto&) { seen.emplace_back(name); });
  EXPECT_EQ(seen, (std::vector<std::string>{"max_steps", "name", "checkpoint_every", "clip", "layers", "weights",
                                            "inner", "triple"}));
}

TEST(StructuredConfig, ReadsFieldsKeepingDefaultsForAbsentKeys) {
  auto c = rig::get<TrainConfig>(yaml(R"(
max_steps: 5
checkpoint_every: 1h30min
clip: 1.5
weights: {a: 1, b: 0.5}
inner: {act: silu}
triple: [3, false, x]
)"));
  EXPECT_EQ(c.max_steps, 5);
  EXPECT_EQ(c.name, "run");
  EXPECT_EQ(c.checkpoint_every, 5400s);
  EXPECT_EQ(c.clip, 1.5);
  EXPECT_EQ(c.layers, (std::vector<int>{1, 2}));
  EXPECT_EQ(c.weights.at("b"), 0.5);
  EXPECT_EQ(c.inner.depth, 2);
  EXPECT_EQ(c.inner.act, Act::silu);
  EXPECT_EQ(c.triple, std::make_tuple(3, false, std::string("x")));
}

TEST(StructuredConfig, WritesBackAndRoundTrips) {
  TrainConfig c;
  c.clip = 0.1;
  c.checkpoint_every = 90s;
  Node n = rig::to_node(c);
  EXPECT_EQ(n["checkpoint_every"], Node("90s"));
  EXPECT_EQ(n["inner"]["act"], Node("gelu"));
  EXPECT_EQ(n["clip"], Node(0.1));
  Node reloaded = rig::load_yaml(rig::dump_yaml(n));
  EXPECT_EQ(reloaded, n);
  auto back = rig::get<TrainConfig>(reloaded);
  EXPECT_EQ(back.checkpoint_every, 90s);
  EXPECT_EQ(back.clip, 0.1);
  EXPECT_EQ(rig::to_node(back), n);
}

TEST(StructuredConfig, EveryErrorIsCollectedAndLocated) {
  Node cfg = yaml(R"(max_step: 5
name: [x]
inner:
  act: gelly
  deep: 1
)");
  try {
    rig::get<TrainConfig>(cfg);
    FAIL() << "no error";
  } catch (const rig::ErrorList& list) {
    const auto& e = list.errors();
    ASSERT_EQ(e.size(), 4u) << rig::format(list);
    EXPECT_EQ(e[0].id(), "rig.args.unknown_keyword");
    EXPECT_EQ(e[0].key_path(), "max_step");
    EXPECT_NE(e[0].hint().find("max_steps"), std::string::npos);
    EXPECT_EQ(e[0].origin().line, 1u);
    EXPECT_EQ(e[1].id(), "rig.type.mismatch");
    EXPECT_EQ(e[1].key_path(), "name");
    EXPECT_EQ(e[1].origin().line, 2u);
    EXPECT_EQ(e[2].id(), "rig.args.unknown_keyword");
    EXPECT_EQ(e[2].key_path(), "inner.deep");
    EXPECT_EQ(e[3].id(), "rig.type.mismatch");
    EXPECT_EQ(e[3].key_path(), "inner.act");
    EXPECT_NE(e[3].hint().find("gelu"), std::string::npos);
    EXPECT_EQ(e[3].origin().line, 4u);
    EXPECT_EQ(e[3].origin().column, 8u);
  }
}

TEST(Conversions, PairTupleArraySizesAndTypes) {
  EXPECT_EQ((yaml("[1, a]").as<std::pair<int, std::string>>()), std::make_pair(1, std::string("a")));
  EXPECT_EQ((yaml("[1, 2, 3]").as<std::array<int, 3>>()), (std::array<int, 3>{1, 2, 3}));
  expect_error("rig.type.mismatch", [] { yaml("[1, 2]").as<std::array<int, 3>>(); });
  expect_error("rig.type.mismatch", [] { yaml("{a: 1}").as<std::pair<int, int>>(); });
  auto e = expect_error("rig.type.out_of_range", [] { yaml("x: [1, 300]").get<std::tuple<int, uint8_t>>("x"); });
  EXPECT_EQ(e.key_path(), "x[1]");
  EXPECT_EQ(rig::to_node(std::make_tuple(1, 2.5, std::string("s"))), yaml("[1, 2.5, s]"));
}

TEST(Conversions, Durations) {
  EXPECT_EQ(Node("10s").as<std::chrono::seconds>(), 10s);
  EXPECT_EQ(Node("250ms").as<std::chrono::microseconds>(), 250000us);
  EXPECT_EQ(Node("1.5h").as<std::chrono::minutes>(), 90min);
  EXPECT_EQ(Node("2d").as<std::chrono::hours>(), 48h);
  EXPECT_EQ(Node("-5ns").as<std::chrono::nanoseconds>(), -5ns);
  EXPECT_EQ(Node(3).as<std::chrono::milliseconds>(), 3ms);  // a number counts the duration's own unit
  EXPECT_DOUBLE_EQ(Node("1500ms").as<std::chrono::duration<double>>().count(), 1.5);
  expect_error("rig.type.mismatch", [] { Node("1500ms").as<std::chrono::seconds>(); });  // not whole seconds
  expect_error("rig.type.mismatch", [] { Node("10 parsecs").as<std::chrono::seconds>(); });
  expect_error("rig.type.mismatch", [] { Node("s").as<std::chrono::seconds>(); });
  expect_error("rig.type.out_of_range", [] { Node("400000d").as<std::chrono::nanoseconds>(); });
  EXPECT_EQ(rig::to_node(std::chrono::milliseconds(1500)), Node("1500ms"));
  EXPECT_EQ(rig::to_node(std::chrono::duration<double>(0.25)), Node("0.25s"));
  EXPECT_EQ(rig::type_name<std::chrono::seconds>(), "std::chrono::seconds");
}

TEST(Conversions, EnumsByName) {
  EXPECT_EQ(Node("relu").as<Act>(), Act::relu);
  auto e = expect_error("rig.type.mismatch", [] { Node("Relu").as<Act>(); });
  EXPECT_NE(e.message().find("one of: relu, gelu, silu"), std::string::npos) << e.message();
  EXPECT_NE(e.hint().find("relu"), std::string::npos);
  expect_error("rig.type.mismatch", [] { Node(1).as<Act>(); });  // by name only
  EXPECT_EQ(rig::to_node(kB), Node("kB"));
}

// NaN is never a parameter value; infinity is, unless the parameter is rig::Finite.
TEST(ConvertFloat, NanIsRejectedAtItsPlace) {
  Node n = yaml("a: 1\nlr: .nan\n");
  auto e = expect_error("rig.type.not_finite", [&] { n.get<double>("lr"); });
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.origin().column, 5u);
  EXPECT_EQ(e.key_path(), "lr");
  expect_error("rig.type.not_finite", [&] { n.get<float>("lr"); });
  expect_error("rig.type.not_finite", [] { yaml("[1.0, .NaN]").as<std::vector<double>>(); });
}

TEST(ConvertFloat, InfinityIsAcceptedByPlainFloats) {
  EXPECT_TRUE(std::isinf(yaml("x: .inf").get<double>("x")));
  EXPECT_TRUE(std::isinf(yaml("x: -.inf").get<float>("x")));
}

TEST(ConvertFloat, FiniteRejectsInfinityAndNan) {
  for (const char* v : {".inf", "-.inf", ".nan", "+.Inf"}) {
    auto e = expect_error("rig.type.not_finite", [&] { yaml(std::string("x: ") + v).get<rig::Finite<double>>("x"); });
    EXPECT_EQ(e.origin().column, 4u) << v;
  }
  EXPECT_EQ(static_cast<double>(yaml("x: 2.5").get<rig::Finite<double>>("x")), 2.5);
  EXPECT_EQ(static_cast<float>(yaml("x: 3").get<rig::Finite<float>>("x")), 3.0f);  // ints widen, as for float
  expect_error("rig.type.out_of_range", [] { yaml("x: 1e300").get<rig::Finite<float>>("x"); });
  expect_error("rig.type.mismatch", [] { yaml("x: fast").get<rig::Finite<double>>("x"); });
  EXPECT_EQ(rig::type_name<rig::Finite<double>>(), "rig::Finite<double>");
  EXPECT_EQ(rig::to_node(rig::Finite<double>(0.25)), Node(0.25));
}

struct WithFinite {
  rig::Finite<double> lr = 0.1;
  double clip = 1.0;
};

TEST(ConvertFloat, FiniteFieldsInStructuredConfigs) {
  auto c = rig::get<WithFinite>(yaml("lr: 0.5\nclip: .inf\n"));
  EXPECT_EQ(static_cast<double>(c.lr), 0.5);
  EXPECT_TRUE(std::isinf(c.clip));
  expect_error("rig.type.not_finite", [] { rig::get<WithFinite>(yaml("lr: .inf\n")); });
}

}  // namespace
