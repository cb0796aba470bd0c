// rig::Config: the lazily resolving view recipes read.
#include "rig/config.hpp"

#include <gtest/gtest.h>

#include "detail/read_log.hpp"
#include "detail/unread_keys.hpp"
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

// What a recipe read (run.json's unread_keys): get/as read their key, resolved()/node() a whole subtree, views and
// copies of the logged tree count; looking (contains, [], at, missing_keys), failed reads and other trees read nothing.
TEST(Config, ReadLogRecordsWhatWasRead) {
  Node root = load_yaml("a: 1\nb: {c: 2, d: 3}\ne: {f: 4}\ng: [5, 6]\nh: ${a}\ni: ???\nj: 7\n", "r.yaml");
  (void)Config(root).get<int>("j");  // before the log: not counted
  detail::ReadLog log(root);
  Config cfg(root);
  (void)cfg.contains("j");
  (void)cfg["b"];
  (void)cfg.at("e.f");
  (void)cfg.missing_keys();
  EXPECT_FALSE(cfg.contains("zz"));
  EXPECT_THROW((void)cfg.get<int>("zz"), Error);
  (void)Config(load_yaml("j: 1\n", "other.yaml")).get<int>("j");  // another tree
  EXPECT_TRUE(log.paths().empty());
  Config b = cfg["b"];
  EXPECT_EQ(b.get<int>("c"), 2);
  Config copy = cfg;
  (void)copy["e"].resolved();
  EXPECT_EQ(cfg["g"][1].as<int>(), 6);
  EXPECT_EQ(cfg.get<int>("h"), 1);
  EXPECT_EQ(cfg.get_or<int>("nope", 9), 9);
  EXPECT_EQ(log.paths(), (std::vector<std::string>{"b.c", "e", "g[1]", "h"}));
  // Unread: the topmost key of each part nobody read; `a` is referred to by h's interpolation.
  std::vector<std::string> unread;
  for (const auto& u : detail::unread_keys(root, log.paths())) unread.push_back(u.path);
  EXPECT_EQ(unread, (std::vector<std::string>{"b.d", "i", "j"}));
  EXPECT_EQ(detail::unread_keys(root, log.paths())[0].origin.line, 2u);
  (void)cfg.node();  // the whole config
  EXPECT_TRUE(detail::unread_keys(root, log.paths()).empty());
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
