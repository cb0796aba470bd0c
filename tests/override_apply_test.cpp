// Applying overrides: set/add/force-add/delete/replace/append semantics, typo safety, component swaps, value history.
#include <gtest/gtest.h>

#include "rig/overrides.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

using rig::Node;
using rig::testing::expect_error;

namespace {

Node Y(std::string_view yaml) { return rig::load_yaml(yaml, "cfg.yaml"); }

const char* kConfig = R"(db:
  driver: mysql
  user: ???
  pass: ???
optimizer:
  _component_: torch.optim.AdamW
  lr: 0.001
  betas: [0.9, 0.999]
layers:
  - {dim: 8}
  - {dim: 16}
tags: [a, b]
seed: 1
)";

Node apply(Node cfg, std::initializer_list<std::string_view> args) {
  std::vector<rig::Override> os;
  int i = 1;
  for (auto a : args) os.push_back(rig::parse_override(a, i++));
  rig::apply_overrides(cfg, os);
  return cfg;
}

Node apply(std::initializer_list<std::string_view> args) { return apply(Y(kConfig), args); }

TEST(OverrideApply, SetExistingKeys) {
  Node cfg = apply({"seed=7", "optimizer.lr=3e-4", "layers[1].dim=32", "layers.0.dim=4", "tags=[x]"});
  EXPECT_EQ(cfg.get<int>("seed"), 7);
  EXPECT_EQ(cfg.get<double>("optimizer.lr"), 3e-4);
  EXPECT_EQ(cfg.get<int>("layers[1].dim"), 32);
  EXPECT_EQ(cfg.get<int>("layers[0].dim"), 4);
  EXPECT_EQ(cfg["tags"], Y("[x]")) << "lists are assigned, not merged";
  EXPECT_EQ(cfg.at_path("optimizer.lr").origin().to_string(), "argv[2]:1:14");
  EXPECT_EQ(cfg.at_path("seed").origin().to_string(), "argv[1]:1:6");
}

TEST(OverrideApply, DictsMergeIntoDicts) {
  Node cfg = apply({"db={user:root,pass:1234}"});
  EXPECT_EQ(cfg["db"], Y("{driver: mysql, user: root, pass: 1234}"));
  EXPECT_EQ(cfg.at_path("db.driver").origin().source_name(), "cfg.yaml");
  EXPECT_EQ(cfg.at_path("db.user").origin().to_string(), "argv[1]:1:10");
}

TEST(OverrideApply, ValuesReplaceWhateverKindWasThere) {
  Node cfg = apply({"db=sqlite", "seed={a: 1}", "tags=null", "optimizer.lr=???"});
  EXPECT_EQ(cfg["db"].str(), "sqlite");
  EXPECT_EQ(cfg["seed"], Y("{a: 1}"));
  EXPECT_TRUE(cfg["tags"].is_null());
  EXPECT_TRUE(cfg.at_path("optimizer.lr").is_missing()) << "an explicit ??? on the command line sets MISSING";
}

TEST(OverrideApply, ListsAndMapsDoNotMergeIntoEachOther) {
  auto e = expect_error("rig.override.container_kind", [] { apply({"db=[1, 2]"}); });
  EXPECT_NE(e.hint().find("db:=[1, 2]"), std::string::npos) << e.hint();
  expect_error("rig.override.container_kind", [] { apply({"tags={a: 1}"}); });
  expect_error("rig.override.container_kind", [] { apply({"++tags={a: 1}"}); });
  Node cfg = apply({"db:=[1, 2]", "tags:={a: 1}"});
  EXPECT_EQ(cfg["db"], Y("[1, 2]"));
  EXPECT_EQ(cfg["tags"], Y("{a: 1}"));
}

TEST(OverrideApply, AddNeedsPlusAndRefusesExistingKeys) {
  Node cfg = apply({"+new.deep.key=1", "+optimizer.eps=1e-8", "+empty="});
  EXPECT_EQ(cfg.get<int>("new.deep.key"), 1);
  EXPECT_EQ(cfg.get<double>("optimizer.eps"), 1e-8);
  EXPECT_EQ(cfg.get<std::string>("empty"), "");
  auto e = expect_error("rig.override.key_exists", [] { apply({"+seed=2"}); });
  EXPECT_NE(e.hint().find("++seed=2"), std::string::npos) << e.hint();
  ASSERT_EQ(e.notes().size(), 1u);
  EXPECT_EQ(e.notes()[0].origin.to_string(), "cfg.yaml:13:7");
  // Adding below a scalar would silently drop the scalar (OmegaConf does; rig refuses, see docs/overrides.md).
  auto through = expect_error("rig.key.not_container", [] { apply({"+seed.x=1"}); });
  EXPECT_EQ(through.origin().to_string(), "argv[1]:1:7");
  EXPECT_NE(through.hint().find("seed:={...}"), std::string::npos) << through.hint();
}

TEST(OverrideApply, ForceAddSetsOrAdds) {
  Node cfg = apply({"++seed=2", "++brand.new=x", "++db={user: u}"});
  EXPECT_EQ(cfg.get<int>("seed"), 2);
  EXPECT_EQ(cfg.get<std::string>("brand.new"), "x");
  EXPECT_EQ(cfg.get<std::string>("db.driver"), "mysql");
  EXPECT_EQ(cfg.get<std::string>("db.user"), "u");
}

TEST(OverrideApply, Delete) {
  Node cfg = apply({"~seed", "~optimizer.betas=[0.9, 0.999]", "~layers[0]"});
  EXPECT_FALSE(cfg.contains("seed"));
  EXPECT_FALSE(cfg["optimizer"].contains("betas"));
  EXPECT_EQ(cfg["layers"], Y("[{dim: 16}]"));
  // Hydra finds a key with OmegaConf.select, which reads a null or ??? value as no key: deleting one fails there.
  expect_error("rig.override.delete_null", [] { apply({"~db.user"}); });
  auto e = expect_error("rig.override.delete_mismatch", [] { apply({"~seed=2"}); });
  EXPECT_EQ(e.origin().column, 7u);
  expect_error("rig.override.unknown_key", [] { apply({"~sede"}); });
}

// key={...} merges into an existing map without adding keys (Hydra applies it in struct mode: "Could not override
// 'model'. To append ... use +model={lrr: 0.2}"); +key= and ++key= add.
TEST(OverrideApply, RuleDictOverrideCannotAddKeys) {
  Node base = Y("model: {lr: 0.1, sub: {a: 1}}\n");
  auto e = expect_error("rig.override.unknown_key", [&] { apply(base, {"model={lrr: 0.2}"}); });
  EXPECT_NE(e.hint().find("'lr'"), std::string::npos) << rig::format(e);
  EXPECT_NE(e.hint().find("+model={lrr: 0.2}"), std::string::npos) << rig::format(e);
  EXPECT_EQ(e.origin().line, 1u);
  EXPECT_EQ(e.origin().column, 8u) << "the caret is under the unknown key in argv[1]";
  expect_error("rig.override.unknown_key", [&] { apply(base, {"model={sub: {b: 2}}"}); });
  EXPECT_EQ(apply(base, {"model={lr: 0.2}"}), Y("model: {lr: 0.2, sub: {a: 1}}"));
  EXPECT_EQ(apply(base, {"+model={lrr: 0.2}"}), Y("model: {lr: 0.1, sub: {a: 1}, lrr: 0.2}"));
  EXPECT_EQ(apply(base, {"++model={sub: {b: 2}}"}), Y("model: {lr: 0.1, sub: {a: 1, b: 2}}"));
  // +key=v sets a null or ??? key (Hydra's select finds None there); over a value it is an error.
  EXPECT_EQ(apply(Y("a: null\nb: ???\n"), {"+a=1", "+b=2"}), Y("a: 1\nb: 2"));
  expect_error("rig.override.key_exists", [&] { apply(base, {"+model.lr=1"}); });
}

// A key an override adds is located at its segment of the argument (argv[N]:1:C), so a later error about it (an
// unknown keyword at --validate or instantiate) points into the command line; keys that were there keep theirs.
TEST(OverrideApply, AddedKeysAreLocatedInTheArgument) {
  auto key_origin = [](const Node& map, std::string_view key) {
    for (const auto& e : map.entries())
      if (e.key == key) return e.key_origin;
    ADD_FAILURE() << "no key " << key;
    return rig::Origin{};
  };
  for (std::string_view arg : {"+optimizer.bogus.deep=1", "++optimizer.bogus.deep=1"}) {
    SCOPED_TRACE(arg);
    Node cfg = apply({"seed=2", arg});
    size_t plus = arg.find('o');
    rig::Origin bogus = key_origin(cfg["optimizer"], "bogus");
    EXPECT_EQ(bogus.to_string(), "argv[2]:1:" + std::to_string(plus + 11));
    EXPECT_EQ(key_origin(cfg["optimizer"]["bogus"], "deep").to_string(), "argv[2]:1:" + std::to_string(plus + 17));
    EXPECT_EQ(key_origin(cfg, "optimizer").line, 5u) << "an existing key keeps its place in the file";
    EXPECT_EQ(key_origin(cfg["optimizer"], "lr").line, 7u);
  }
  EXPECT_EQ(key_origin(apply({"+extra=1"}), "extra").to_string(), "argv[1]:1:2");
}

TEST(OverrideApply, TypoIsAnErrorWithDidYouMeanOverTheWholePath) {
  auto e = expect_error("rig.override.unknown_key", [] { apply({"optimzer.lr=0.1"}); });
  EXPECT_NE(e.hint().find("'optimizer.lr'"), std::string::npos) << rig::format(e);
  EXPECT_NE(e.hint().find("+optimzer.lr=0.1"), std::string::npos) << rig::format(e);
  EXPECT_EQ(e.origin().column, 1u);
  auto deep = expect_error("rig.override.unknown_key", [] { apply({"optimizer.lrr=0.1"}); });
  EXPECT_NE(deep.hint().find("'optimizer.lr'"), std::string::npos) << rig::format(deep);
  EXPECT_EQ(deep.origin().column, 11u) << "the caret sits under the segment that does not exist";
  EXPECT_NE(deep.message().find("'optimizer' has no key 'lrr'"), std::string::npos) << deep.message();
  auto listed = expect_error("rig.override.unknown_key", [] { apply({"layers.1.dmi=3"}); });
  EXPECT_NE(listed.hint().find("'layers[1].dim'"), std::string::npos) << rig::format(listed);
  auto range = expect_error("rig.override.unknown_key", [] { apply({"layers[5].dim=3"}); });
  EXPECT_NE(range.message().find("'layers' has no element '5'"), std::string::npos) << range.message();
  expect_error("rig.override.unknown_key", [] { apply({"seed.x=1"}); });
}

TEST(OverrideApply, ComponentSwapNeedsTheReplaceForm) {
  auto e = expect_error("rig.override.component_merge",
                        [] { apply({"optimizer={_component_: torch.optim.SGD, lr: 0.1}"}); });
  EXPECT_NE(e.message().find("betas"), std::string::npos) << "names the stale kwargs: " << e.message();
  EXPECT_NE(e.hint().find("optimizer:={_component_: torch.optim.SGD, lr: 0.1}"), std::string::npos) << e.hint();
  Node cfg = apply({"optimizer:={_component_: torch.optim.SGD, lr: 0.1}"});
  EXPECT_EQ(cfg["optimizer"], Y("{_component_: torch.optim.SGD, lr: 0.1}")) << "old kwargs (betas) are gone";
  // The same component merges as usual; so does a dict without _component_.
  Node same = apply({"optimizer={_component_: torch.optim.AdamW, lr: 0.1}", "optimizer={lr: 0.2}"});
  EXPECT_EQ(same.get<double>("optimizer.lr"), 0.2);
  EXPECT_TRUE(same["optimizer"].contains("betas"));
  Node target = Y("model: {_target_: a.B, x: 1}");
  expect_error("rig.override.component_merge", [&] { apply(target, {"model={_target_: a.C}"}); });
  expect_error("rig.override.unknown_key", [] { apply({"optimiser:={}"}); });
}

TEST(OverrideApply, Append) {
  Node cfg = apply({"tags+=[c, d]", "tags=extend_list(e)", "tags+=f"});
  EXPECT_EQ(cfg["tags"], Y("[a, b, c, d, e, f]"));
  auto e = expect_error("rig.override.not_list", [] { apply({"seed+=[1]"}); });
  EXPECT_EQ(e.origin().column, 1u);
  expect_error("rig.override.unknown_key", [] { apply({"tgas+=[1]"}); });
}

TEST(OverrideApply, SweepsAndPackagesAreNotForASingleRun) {
  auto e = expect_error("rig.override.sweep_in_single_run", [] { apply({"seed=1,2,3"}); });
  EXPECT_NE(e.hint().find("--multirun"), std::string::npos);
  EXPECT_EQ(e.origin().column, 6u);
  expect_error("rig.override.sweep_in_single_run", [] { apply({"seed=range(1,4)"}); });
  expect_error("rig.override.package", [] { apply({"db@backup=mysql"}); });
}

TEST(OverrideApply, ErrorsLeaveEarlierOverridesApplied) {
  Node cfg = Y(kConfig);
  auto a = rig::parse_override("seed=5", 1);
  auto b = rig::parse_override("nope=1", 2);
  rig::Override both[] = {a, b};
  expect_error("rig.override.unknown_key", [&] { rig::apply_overrides(cfg, both); });
  EXPECT_EQ(cfg.get<int>("seed"), 5) << "overrides apply in order; the failing one names its argv index";
}

TEST(OverrideApply, CopiesAreNotChanged) {
  Node original = Y(kConfig);
  Node cfg = original;
  rig::Override o = rig::parse_override("optimizer.lr=1", 1);
  rig::apply_override(cfg, o);
  EXPECT_EQ(original.get<double>("optimizer.lr"), 0.001);
  EXPECT_TRUE(cfg["db"].same_storage(original["db"])) << "untouched subtrees stay shared";
}

TEST(ValueHistory, EachSetterIsRecordedOldestFirst) {
  Node cfg = apply({"optimizer.lr=0.01", "optimizer.lr=0.1", "db={user: root}"});
  auto lr = rig::value_history(cfg.at_path("optimizer.lr"));
  ASSERT_EQ(lr.size(), 3u);
  EXPECT_EQ(lr[0].float_value(), 0.001);
  EXPECT_EQ(lr[0].origin().to_string(), "cfg.yaml:7:7");
  EXPECT_EQ(lr[1].float_value(), 0.01);
  EXPECT_EQ(lr[1].origin().to_string(), "argv[1]:1:14");
  EXPECT_EQ(lr[2].float_value(), 0.1);
  EXPECT_EQ(lr[2].origin().to_string(), "argv[2]:1:14");
  auto user = rig::value_history(cfg.at_path("db.user"));
  ASSERT_EQ(user.size(), 2u);
  EXPECT_TRUE(user[0].is_missing());
  EXPECT_EQ(user[1].str(), "root");
  EXPECT_EQ(rig::value_history(cfg.at_path("seed")).size(), 1u) << "a value set once has no history";
  Node quiet = Y(kConfig);
  rig::apply_override(quiet, rig::parse_override("seed=2", 1), {.record_history = false});
  EXPECT_TRUE(quiet["seed"].history().empty());
}

TEST(ValueHistory, MergeWithHistoryRecordsReplacedLeaves) {
  Node a = rig::load_yaml("x: 1\ny: {z: 2, w: 3}\n", "a.yaml");
  Node b = rig::load_yaml("y: {z: 20}\nv: 4\n", "b.yaml");
  rig::merge_with_history(a, b);
  EXPECT_EQ(a, Y("{x: 1, y: {z: 20, w: 3}, v: 4}"));
  auto z = rig::value_history(a.at_path("y.z"));
  ASSERT_EQ(z.size(), 2u);
  EXPECT_EQ(z[0].origin().to_string(), "a.yaml:2:8");
  EXPECT_EQ(z[1].origin().to_string(), "b.yaml:1:8");
}

}  // namespace
