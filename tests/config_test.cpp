// rig::Config: the lazily resolving view recipes read.
#include "rig/config.hpp"

#include <gtest/gtest.h>

#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace rig {
namespace {

using testing::expect_error;

const char* kYaml =
    "output_dir: /tmp/run\n"
    "presets:\n  small: {dim: 64, layers: [1, 2]}\n"
    "model: ${presets.small}\n"
    "log: ${output_dir}/log\n"
    "broken: ${nope}\n"
    "token: ???\n";

TEST(Config, ReadsResolveOnlyWhatTheyNeed) {
  Config cfg(load_yaml(kYaml, "c.yaml"));
  EXPECT_EQ(cfg.get<std::string>("log"), "/tmp/run/log");  // `broken` is never touched
  EXPECT_EQ(cfg.get<int>("model.dim"), 64);
  EXPECT_EQ(cfg.get<std::vector<int>>("model.layers"), (std::vector<int>{1, 2}));
  EXPECT_EQ(cfg.get_or<int>("model.nothing", 5), 5);
  EXPECT_TRUE(cfg.contains("presets.small.dim"));
  EXPECT_FALSE(cfg.contains("presets.large"));
}

TEST(Config, ViewsFollowInterpolatedContainers) {
  Config cfg(load_yaml(kYaml, "c.yaml"));
  Config model = cfg["model"];
  EXPECT_EQ(model.path().to_string(), "model");
  EXPECT_EQ(model.get<int>("dim"), 64);
  EXPECT_EQ(model["layers"][1].as<int>(), 2);
  EXPECT_TRUE(model.node().is_map());
  EXPECT_EQ(cfg.at("presets.small").get<int>("dim"), 64);
  Node dim = cfg.get<Node>("model.dim");  // provenance: written in presets, carried by `model: ${...}`
  EXPECT_EQ(dim.origin().line, 3u);
  ASSERT_EQ(dim.via().size(), 1u);
  EXPECT_EQ(dim.via()[0].line, 4u);
}

TEST(Config, ErrorsNameTheKeyAndPointIntoTheYaml) {
  Config cfg(load_yaml(kYaml, "c.yaml"));
  Error e = expect_error("rig.interpolation.key_not_found", [&] { cfg.get<std::string>("broken"); });
  EXPECT_EQ(e.origin().line, 6u);
  Error m = expect_error("rig.value.missing", [&] { cfg.get<std::string>("token"); });
  EXPECT_EQ(m.key_path(), "token");
  Error t = expect_error("rig.type.mismatch", [&] { cfg.get<int>("log"); });
  EXPECT_EQ(t.key_path(), "log");
  Error k = expect_error("rig.key.not_found", [&] { cfg.get<int>("model.dimm"); });
  EXPECT_EQ(k.hint(), "did you mean 'dim'?");
}

TEST(Config, ResolvedAndMissingKeys) {
  Config cfg(load_yaml("a: ${b}\nb: {c: 1, m: ???}\nn: ???\n", "c.yaml"));
  Node r = cfg["a"].resolved();
  EXPECT_EQ(r["c"].int_value(), 1);
  EXPECT_TRUE(r["m"].is_missing());
  EXPECT_EQ(cfg.missing_keys(), (std::vector<std::string>{"b.m", "n"}));
  EXPECT_EQ(cfg["b"].missing_keys(), (std::vector<std::string>{"b.m"}));
}

}  // namespace
}  // namespace rig
