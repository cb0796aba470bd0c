// Composition: search path, every defaults-list entry form, _self_ order, packages, command-line selection, list
// merge policies and every composition error. Each test builds its own small config tree.
#include <gtest/gtest.h>

#include <cstdlib>

#include "rig/compose.hpp"

#include "detail/defaults_entry.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace rig {
namespace {

using testing::expect_error;
using testing::TempDir;

// Command-line overrides as argv[1..] would give them.
std::vector<Override> parse_all(const std::vector<std::string>& args) {
  std::vector<Override> out;
  for (size_t i = 0; i < args.size(); ++i) out.push_back(parse_override(args[i], static_cast<int>(i) + 1));
  return out;
}

class Compose : public ::testing::Test {
 protected:
  void write(const std::string& name, const std::string& text) { dir_.write(name, text); }

  Composition run(const std::string& name, std::vector<std::string> overrides = {}) {
    ComposeOptions o;
    o.search_path.add(dir_.path(), "--config-dir");
    o.overrides = parse_all(overrides);
    return compose(name, o);
  }
  Node config(const std::string& name, std::vector<std::string> overrides = {}) {
    return run(name, std::move(overrides)).config;
  }
  // The expected tree, written as YAML in the test.
  static Node yaml(const std::string& text) { return load_yaml(text, "<expected>"); }

  TempDir dir_;
};

#define EXPECT_TREE(actual, expected_yaml)                                         \
  do {                                                                             \
    Node expected__ = yaml(expected_yaml);                                         \
    Node actual__ = (actual);                                                      \
    EXPECT_EQ(actual__, expected__) << "got:\n" << actual__ << "want:\n" << expected__; \
  } while (0)

// ---- search path and names ------------------------------------------------------------------------------------------

TEST_F(Compose, NamesResolveWithoutExtensionInEveryFormat) {
  write("a.yaml", "x: 1\n");
  write("b.yml", "x: 2\n");
  write("c.json", "{\"x\": 3}\n");
  EXPECT_EQ(config("a").get<int>("x"), 1);
  EXPECT_EQ(config("b").get<int>("x"), 2);
  EXPECT_EQ(config("c").get<int>("x"), 3);
}

TEST_F(Compose, EarlierSearchDirectoriesWinAndGroupsAreUnited) {
  TempDir other;
  write("train.yaml", "defaults: [{model: mlp}]\nfrom: first\n");
  other.write("train.yaml", "from: second\n");
  write("model/mlp.yaml", "kind: mlp-first\n");
  other.write("model/mlp.yaml", "kind: mlp-second\n");
  other.write("model/convnet.yaml", "kind: convnet\n");
  ComposeOptions o;
  o.search_path.add(dir_.path()).add(other.path());
  EXPECT_EQ(compose("train", o).config.get<std::string>("from"), "first");
  EXPECT_EQ(compose("train", o).config.get<std::string>("model.kind"), "mlp-first");
  o.overrides = parse_all({"model=convnet"});
  EXPECT_EQ(compose("train", o).config.get<std::string>("model.kind"), "convnet");
  EXPECT_EQ(o.search_path.options("model"), (std::vector<std::string>{"convnet", "mlp"}));
}

TEST_F(Compose, StandardSearchPathOrdersConfigDirEnvironmentThenRegistered) {
  TempDir env_dir, reg_dir;
  ::setenv("RIG_CONFIG_PATH", (env_dir.path().string() + ":/nonexistent").c_str(), 1);
  register_config_dir(reg_dir.path());
  SearchPath sp = SearchPath::standard({dir_.path()});
  ::unsetenv("RIG_CONFIG_PATH");
  ASSERT_EQ(sp.dirs().size(), 4u + registered_config_dirs().size() - 1);
  EXPECT_EQ(sp.dirs()[0].path, dir_.path());
  EXPECT_EQ(sp.dirs()[0].provider, "--config-dir");
  EXPECT_EQ(sp.dirs()[1].path, env_dir.path());
  EXPECT_EQ(sp.dirs()[1].provider, "RIG_CONFIG_PATH");
  EXPECT_EQ(sp.dirs().back().path, reg_dir.path());
  EXPECT_EQ(sp.dirs().back().provider, "registered");
  reg_dir.write("only_registered.yaml", "v: 7\n");
  ComposeOptions o;
  o.search_path = sp;
  EXPECT_EQ(compose("only_registered", o).config.get<int>("v"), 7);
}

TEST_F(Compose, AmbiguousNameIsAnError) {
  write("a.yaml", "x: 1\n");
  write("a.json", "{\"x\": 1}\n");
  expect_error("rig.compose.ambiguous_name", [&] { config("a"); });
}

TEST_F(Compose, UnknownNameListsAvailableNamesClosestFirst) {
  write("train.yaml", "x: 1\n");
  write("eval.yaml", "x: 1\n");
  write("tune.yaml", "x: 1\n");
  Error e = expect_error("rig.compose.unknown_config", [&] { config("trian"); });
  EXPECT_EQ(e.hint(), "did you mean 'train'?");
  ASSERT_FALSE(e.notes().empty());
  EXPECT_EQ(e.notes()[0].message, "available: train, eval, tune");
}

TEST_F(Compose, UnknownNameIsNeverRetriedAsAPath) {
  auto file = dir_.write("train.yaml", "x: 1\n");
  std::string without_ext = (file.parent_path() / "train").string();  // exists as a file once .yaml is added
  ComposeOptions o;
  o.search_path.add(dir_.path() / "empty-dir-that-does-not-exist");
  Error e = expect_error("rig.compose.unknown_config", [&] { compose(without_ext, o); });
  (void)e;
  // With the extension it is a path, and works without any search path.
  EXPECT_EQ(compose(file.string(), ComposeOptions{}).config.get<int>("x"), 1);
}

TEST_F(Compose, NameWithoutSearchPathIsAUsageError) {
  expect_error("rig.compose.no_search_path", [&] { compose("train", ComposeOptions{}); });
}

// ---- entry forms --------------------------------------------------------------------------------------------------

TEST_F(Compose, GroupChoiceAndCommandLineSelection) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - _self_\nlr: 1\n");
  write("model/mlp.yaml", "layers: 2\n");
  write("model/convnet.yaml", "channels: 16\n");
  EXPECT_TREE(config("train"), "model: {layers: 2}\nlr: 1\n");
  EXPECT_TREE(config("train", {"model=convnet"}), "model: {channels: 16}\nlr: 1\n");
  Composition c = run("train", {"model=convnet"});
  ASSERT_EQ(c.choices.size(), 1u);
  EXPECT_EQ(c.choices[0], (std::pair<std::string, std::string>{"model", "convnet"}));
}

TEST_F(Compose, FixedEntryLoadsUnconditionallyAndCannotBeChosen) {
  write("train.yaml", "defaults:\n  - model/mlp\n  - _self_\n");
  write("model/mlp.yaml", "layers: 2\n");
  write("model/convnet.yaml", "channels: 16\n");
  EXPECT_TREE(config("train"), "model: {layers: 2}\n");
  Error e = expect_error("rig.compose.fixed_entry", [&] { config("train", {"model=convnet"}); });
  ASSERT_FALSE(e.notes().empty());
  EXPECT_EQ(e.notes()[0].origin.line, 2u);  // points at `- model/mlp`
  EXPECT_EQ(e.origin().arg_index, 1);       // and at the argument
}

TEST_F(Compose, OptionalEntryIsSkippedWhenAbsent) {
  write("train.yaml", "defaults:\n  - optional local: default\n  - optional site: lab\n  - _self_\nx: 1\n");
  write("site/lab.yaml", "gpus: 8\n");
  EXPECT_TREE(config("train"), "site: {gpus: 8}\nx: 1\n");
}

TEST_F(Compose, NullIsAPlaceholderUntilChosen) {
  write("train.yaml", "defaults:\n  - _self_\n  - logger: null\nx: 1\n");
  write("logger/csv.yaml", "dir: logs\n");
  EXPECT_TREE(config("train"), "x: 1\n");
  EXPECT_TREE(config("train", {"logger=csv"}), "x: 1\nlogger: {dir: logs}\n");
}

TEST_F(Compose, MultiSelectMergesEachOptionInOrder) {
  write("train.yaml", "defaults:\n  - cb: [a, b]\n");
  write("cb/a.yaml", "a: {on: 1}\nshared: a\n");
  write("cb/b.yaml", "b: {on: 2}\nshared: b\n");
  write("cb/c.yaml", "c: {on: 3}\n");
  EXPECT_TREE(config("train"), "cb: {a: {on: 1}, shared: b, b: {on: 2}}\n");
  EXPECT_TREE(config("train", {"cb=[b]"}), "cb: {b: {on: 2}, shared: b}\n");
  EXPECT_TREE(config("train", {"cb+=[c]"}), "cb: {a: {on: 1}, shared: b, b: {on: 2}, c: {on: 3}}\n");
  EXPECT_EQ(run("train").choices[0].second, "[a, b]");
}

TEST_F(Compose, PackageInEntryAndOnTheCommandLine) {
  write("train.yaml", "defaults:\n  - db@src: mysql\n  - db@dst: mysql\n");
  write("db/mysql.yaml", "port: 3306\n");
  write("db/pg.yaml", "port: 5432\n");
  EXPECT_TREE(config("train"), "src: {port: 3306}\ndst: {port: 3306}\n");
  EXPECT_TREE(config("train", {"db@dst=pg"}), "src: {port: 3306}\ndst: {port: 5432}\n");
  // `db` alone names no entry: both were moved.
  Error e = expect_error("rig.compose.override_not_found", [&] { config("train", {"db=pg"}); });
  EXPECT_NE(e.hint().find("db@src"), std::string::npos) << e.hint();
}

TEST_F(Compose, AddAndForceAddAndDelete) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - _self_\nx: 1\n");
  write("model/mlp.yaml", "layers: 2\n");
  write("model/convnet.yaml", "channels: 16\n");
  write("extra/fast.yaml", "speed: 9\n");
  // +group=option is appended after the primary's _self_.
  EXPECT_TREE(config("train", {"+extra=fast"}), "model: {layers: 2}\nx: 1\nextra: {speed: 9}\n");
  expect_error("rig.compose.add_exists", [&] { config("train", {"+model=convnet"}); });
  EXPECT_TREE(config("train", {"++model=convnet"}), "model: {channels: 16}\nx: 1\n");
  EXPECT_TREE(config("train", {"++extra=fast"}), "model: {layers: 2}\nx: 1\nextra: {speed: 9}\n");
  EXPECT_TREE(config("train", {"~model"}), "x: 1\n");
  EXPECT_TREE(config("train", {"~model=mlp"}), "x: 1\n");
  Error e = expect_error("rig.compose.delete_not_found", [&] { config("train", {"~model=convnet"}); });
  EXPECT_NE(e.hint().find("'mlp'"), std::string::npos) << e.hint();
  expect_error("rig.compose.delete_not_found", [&] { config("train", {"~extra"}); });
}

TEST_F(Compose, ValueOverridesApplyAfterComposition) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - _self_\nx: 1\n");
  write("model/mlp.yaml", "layers: 2\ntags: [a]\n");
  EXPECT_TREE(config("train", {"model.layers=4", "+y=2", "model.tags+=[b]", "~x"}),
              "model: {layers: 4, tags: [a, b]}\ny: 2\n");
}

// ---- _self_ --------------------------------------------------------------------------------------------------------

TEST_F(Compose, SelfPositionDecidesWhoWins) {
  write("model/mlp.yaml", "layers: 2\n");
  write("first.yaml", "defaults:\n  - _self_\n  - model: mlp\nmodel: {layers: 9, extra: 1}\n");
  write("last.yaml", "defaults:\n  - model: mlp\n  - _self_\nmodel: {layers: 9, extra: 1}\n");
  write("absent.yaml", "defaults:\n  - model: mlp\nmodel: {layers: 9, extra: 1}\n");
  EXPECT_TREE(config("first"), "model: {layers: 2, extra: 1}\n");
  EXPECT_TREE(config("last"), "model: {layers: 9, extra: 1}\n");
  // Hydra 1.1+: a defaults list without _self_ behaves as if it ended with _self_.
  EXPECT_EQ(config("absent"), config("last"));
}

TEST_F(Compose, SelfInGroupConfigs) {
  write("train.yaml", "defaults:\n  - cb: default\n");
  write("cb/ckpt.yaml", "ckpt: {monitor: null, mode: min}\n");
  write("cb/default.yaml", "defaults:\n  - ckpt\n  - _self_\nckpt: {monitor: val/acc}\n");
  EXPECT_TREE(config("train"), "cb: {ckpt: {monitor: val/acc, mode: min}}\n");
  auto parts = run("train").parts;
  ASSERT_EQ(parts.size(), 3u);  // train has no body of its own beyond the list: its _self_ is empty but listed
  EXPECT_EQ(parts[0].config_path, "cb/ckpt");
  EXPECT_EQ(parts[1].config_path, "cb/default");
  EXPECT_TRUE(parts[1].is_self);
  EXPECT_EQ(parts[2].config_path, "train");
}

// ---- packages ---------------------------------------------------------------------------------------------------------

TEST_F(Compose, PackageHeaders) {
  write("train.yaml",
        "defaults:\n  - _self_\n  - exp: big\n  - db: mysql\n  - site: lab\nlr: 1\ntrainer: {steps: 1}\n");
  write("exp/big.yaml", "# @package _global_\n# a comment\nlr: 5\ntrainer: {steps: 100}\n");
  write("db/mysql.yaml", "# @package storage.main\nport: 3306\n");
  // Hydra 1.2+ gives `_group_` and `_name_` in a header no meaning (Hydra 1.3.2 composes `_group_: {_name_: ...}`).
  write("site/lab.yaml", "\n# @package _group_._name_\ngpus: 8\n");
  EXPECT_TREE(config("train"),
              "lr: 5\ntrainer: {steps: 100}\nstorage: {main: {port: 3306}}\n_group_: {_name_: {gpus: 8}}\n");
}

TEST_F(Compose, GlobalOverrideConfigChangesEarlierChoices) {
  // The lightning-hydra-template `experiment` pattern: a late entry overrides choices made before it.
  write("train.yaml", "defaults:\n  - _self_\n  - model: mlp\n  - experiment: null\nseed: 1\n");
  write("model/mlp.yaml", "layers: 2\n");
  write("model/convnet.yaml", "channels: 16\n");
  write("experiment/vision.yaml",
        "# @package _global_\ndefaults:\n  - override /model: convnet\nseed: 42\nmodel: {channels: 32}\n");
  EXPECT_TREE(config("train", {"experiment=vision"}), "seed: 42\nmodel: {channels: 32}\n");
  // The command line still wins over the experiment's override.
  EXPECT_TREE(config("train", {"experiment=vision", "model=mlp"}), "seed: 42\nmodel: {layers: 2, channels: 32}\n");
}

TEST_F(Compose, PrefetchedButOverriddenFileIsNeverRead) {
  // model/mlp.yaml is broken, but the experiment overrides the choice, so composition must not fail on it (even
  // though it may be prefetched in the background).
  write("train.yaml", "defaults:\n  - model: mlp\n  - experiment: vision\n");
  write("model/mlp.yaml", "layers: [2\n");
  write("model/convnet.yaml", "channels: 16\n");
  write("experiment/vision.yaml", "# @package _global_\ndefaults:\n  - override /model: convnet\n");
  for (int i = 0; i < 20; ++i) EXPECT_TREE(config("train"), "model: {channels: 16}\n");
  expect_error("rig.yaml.flow", [&] { config("train", {"experiment=null"}); });
}

TEST_F(Compose, PrefetchManyGroupsWithNestedDefaults) {
  // 40 groups whose options have their own defaults lists: worker threads parse while the tree is built.
  std::string primary = "defaults:\n";
  std::string expected;
  for (int g = 0; g < 40; ++g) {
    std::string G = "g" + std::to_string(g);
    primary += "  - " + G + ": a\n";
    write(G + "/a.yaml", "defaults:\n  - inner: x\n  - _self_\nv: " + std::to_string(g) + "\n");
    write(G + "/inner/x.yaml", "w: " + std::to_string(g * 2) + "\n");
    expected += G + ": {inner: {w: " + std::to_string(g * 2) + "}, v: " + std::to_string(g) + "}\n";
  }
  write("train.yaml", primary);
  for (int i = 0; i < 5; ++i) EXPECT_TREE(config("train"), expected);
}

TEST_F(Compose, NestedDefaultsAreRelativeToTheirGroup) {
  write("train.yaml", "defaults:\n  - server: apache\n");
  write("server/apache.yaml", "defaults:\n  - db: mysql\n  - /logging: json\n  - _self_\nport: 80\n");
  write("server/db/mysql.yaml", "engine: innodb\n");
  write("server/db/pg.yaml", "engine: pg\n");
  write("logging/json.yaml", "format: json\n");
  EXPECT_TREE(config("train"),
              "server: {db: {engine: innodb}, logging: {format: json}, port: 80}\n");
  // Nested groups are chosen by their full path.
  EXPECT_EQ(config("train", {"server/db=pg"}).get<std::string>("server.db.engine"), "pg");
  auto choices = run("train").choices;
  ASSERT_EQ(choices.size(), 3u);
  EXPECT_EQ(choices[1].first, "server/db");
  // Identity is group + final package (Hydra's override key): `/logging` lands at server.logging, not at its
  // default package `logging`, so its key says where.
  EXPECT_EQ(choices[2].first, "logging@server.logging");
}

TEST_F(Compose, InterpolatedChoiceUsesOtherChoices) {
  write("train.yaml", "defaults:\n  - data: imagenet\n  - model: alexnet\n  - optional pair: ${data}_${model}\n");
  write("data/imagenet.yaml", "n: 1000\n");
  write("model/alexnet.yaml", "d: 5\n");
  write("model/resnet.yaml", "d: 50\n");
  write("pair/imagenet_alexnet.yaml", "lr: 0.1\n");
  EXPECT_TREE(config("train"), "data: {n: 1000}\nmodel: {d: 5}\npair: {lr: 0.1}\n");
  EXPECT_TREE(config("train", {"model=resnet"}), "data: {n: 1000}\nmodel: {d: 50}\n");
  write("bad.yaml", "defaults:\n  - data: imagenet\n  - pair: ${dta}_x\n");
  Error e = expect_error("rig.compose.bad_interpolation", [&] { config("bad"); });
  EXPECT_EQ(e.hint(), "did you mean 'data'?");
  EXPECT_EQ(e.origin().line, 3u);
}

TEST_F(Compose, PackageKeywordsInEntries) {
  write("train.yaml", "defaults:\n  - sub: inner\n");
  write("sub/inner.yaml",
        "defaults:\n  - /exp@_global_: big\n  - /db@_here_: mysql\n  - /cb@hooks: [a, b]\n  - _self_\nown: 1\n");
  write("exp/big.yaml", "lr: 5\n");
  write("db/mysql.yaml", "port: 3306\n");
  write("cb/a.yaml", "a: 1\n");
  write("cb/b.yaml", "b: 2\n");
  EXPECT_TREE(config("train"), "lr: 5\nsub: {port: 3306, hooks: {a: 1, b: 2}, own: 1}\n");
  auto choices = run("train").choices;
  ASSERT_EQ(choices.size(), 4u);
  EXPECT_EQ(choices[1].first, "exp@_global_");
  EXPECT_EQ(choices[2].first, "db@sub");
  EXPECT_EQ(choices[3], (std::pair<std::string, std::string>{"cb@sub.hooks", "[a, b]"}));
  EXPECT_TREE(config("train", {"cb@sub.hooks=[b]"}), "lr: 5\nsub: {port: 3306, hooks: {b: 2}, own: 1}\n");
}

TEST_F(Compose, SameGroupTwiceIsAnErrorEvenWithTheSameChoice) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - sub\n  - logger: null\n  - other\n");
  write("sub.yaml", "defaults:\n  - /model: mlp\n");
  write("other.yaml", "defaults:\n  - /logger: null\n");
  write("model/mlp.yaml", "a: 1\n");
  Error e = expect_error("rig.compose.duplicate_group", [&] { config("train"); });
  EXPECT_NE(e.message().find("appears twice"), std::string::npos) << e.message();
  expect_error("rig.compose.add_exists", [&] { config("sub", {"+model=mlp"}); });
}

// ---- Hydra-exact rules (each expectation is what Hydra 1.3.2 composes or refuses) -----------------------------------

TEST_F(Compose, RuleIdentityIsGroupAndFinalPackage) {
  // `/db: pg` in server/apache is db@server.db; the primary's `db: mysql` is db@db: both exist.
  write("config.yaml", "defaults:\n  - db: mysql\n  - server: apache\n");
  write("server/apache.yaml", "defaults:\n  - /db: pg\n  - _self_\nport: 80\n");
  write("db/mysql.yaml", "driver: mysql\n");
  write("db/pg.yaml", "driver: pg\n");
  EXPECT_TREE(config("config"), "db: {driver: mysql}\nserver: {db: {driver: pg}, port: 80}\n");
  // The command line addresses each by its identity.
  EXPECT_TREE(config("config", {"db=pg"}), "db: {driver: pg}\nserver: {db: {driver: pg}, port: 80}\n");
  EXPECT_TREE(config("config", {"db@server.db=mysql"}), "db: {driver: mysql}\nserver: {db: {driver: mysql}, port: 80}\n");
  EXPECT_TREE(config("config", {"~db"}), "server: {db: {driver: pg}, port: 80}\n");
  EXPECT_TREE(config("config", {"~db@server.db"}), "db: {driver: mysql}\nserver: {port: 80}\n");
  // `override /db: x` in a non-global experiment refers to db@experiment.db: Hydra "Could not override".
  write("experiment/x.yaml", "defaults:\n  - override /db: pg\nlr: 1\n");
  expect_error("rig.compose.override_not_found", [&] { config("config", {"+experiment=x"}); });
  // ... and in a `_global_` one to db itself.
  write("experiment/g.yaml", "# @package _global_\ndefaults:\n  - override /db: pg\nlr: 1\n");
  EXPECT_TREE(config("config", {"+experiment=g"}), "db: {driver: pg}\nserver: {db: {driver: pg}, port: 80}\nlr: 1\n");
  // The same identity twice with different options: Hydra's "Multiple values for db".
  write("two.yaml", "defaults:\n  - db: mysql\n  - other\n");
  write("other.yaml", "defaults:\n  - /db: pg\n");
  expect_error("rig.compose.duplicate_group", [&] { config("two"); });
}

TEST_F(Compose, RuleHeaderIsTheLeadingBlockOfHeaderLines) {
  write("config.yaml", "defaults:\n  - db: a\n");
  // A plain comment before `# @package` ends the header: not a header (Hydra: {db: {port: 3306}}).
  write("db/a.yaml", "# MySQL settings\n# @package _global_\nport: 3306\n");
  EXPECT_TREE(config("config"), "db: {port: 3306}\n");
  // The header first, then a comment: a header.
  write("db/a.yaml", "# @package _global_\n# MySQL settings\nport: 3306\n");
  EXPECT_TREE(config("config"), "port: 3306\n");
  // Blank lines and other `# @key value` lines may come before it; indentation does not matter.
  write("db/a.yaml", "\n  # @other x\n\n#@package out\nport: 3306\n");
  EXPECT_TREE(config("config"), "out: {port: 3306}\n");
  // `##` is not `#` followed by spaces: a plain comment (Hydra matches `^\s*#\s*@`).
  write("db/a.yaml", "## @package out\nport: 3306\n");
  EXPECT_TREE(config("config"), "db: {port: 3306}\n");
  // After content, it is a comment.
  write("db/a.yaml", "port: 3306\n# @package _global_\n");
  EXPECT_TREE(config("config"), "db: {port: 3306}\n");
  // A header line is exactly two words.
  write("db/a.yaml", "# @package a b\nport: 1\n");
  Error e = expect_error("rig.compose.bad_header", [&] { config("config"); });
  EXPECT_EQ(e.origin().line, 1u);
}

TEST_F(Compose, RuleHeaderPackageIsAbsolute) {
  // `# @package out.fmt` in logger/fmt/a.yaml, reached from logger/csv.yaml: at out.fmt, not logger.out.fmt.
  write("config.yaml", "defaults:\n  - logger: csv\n");
  write("logger/csv.yaml", "defaults:\n  - fmt: a\n  - _self_\nname: csv\n");
  write("logger/fmt/a.yaml", "# @package out.fmt\nwidth: 3\n");
  EXPECT_TREE(config("config"), "out: {fmt: {width: 3}}\nlogger: {name: csv}\n");
  // An entry's own @package stays relative to its config.
  write("logger/csv.yaml", "defaults:\n  - fmt@inner: a\n  - _self_\nname: csv\n");
  EXPECT_TREE(config("config"), "logger: {inner: {width: 3}, name: csv}\n");
}

TEST_F(Compose, RuleOverriddenInterpolatedEntryIsNeverEvaluated) {
  write("config.yaml", "defaults:\n  - combo: ${nosuch}\n");
  write("combo/x.yaml", "v: 1\n");
  EXPECT_TREE(config("config", {"combo=x"}), "combo: {v: 1}\n");
  expect_error("rig.compose.bad_interpolation", [&] { config("config"); });
}

TEST_F(Compose, RuleSameLeafOptionTwiceButNotAnOptionWithADefaultsList) {
  // Hydra: "optim appears more than once in the final defaults list" for a leaf ...
  write("config.yaml", "defaults:\n  - optim: adam\n  - _self_\n");
  write("optim/adam.yaml", "lr: 1\n");
  expect_error("rig.compose.add_exists", [&] { config("config", {"+optim=adam"}); });
  // ... but an option with a defaults list of its own is merged twice.
  write("optim/adam.yaml", "defaults:\n  - _self_\nlr: 1\n");
  EXPECT_TREE(config("config", {"+optim=adam"}), "optim: {lr: 1}\n");
}

TEST_F(Compose, RuleUnknownOptionIsLocatedAtTheEntry) {
  write("config.yaml", "defaults:\n  - db: mysqll\n");
  write("db/mysql.yaml", "port: 1\n");
  Error e = expect_error("rig.compose.unknown_option", [&] { config("config"); });
  EXPECT_EQ(e.origin().line, 2u) << rig::format(e);
  EXPECT_NE(e.origin().source_name().find("config.yaml"), std::string::npos) << rig::format(e);
  EXPECT_NE(e.hint().find("mysql"), std::string::npos) << rig::format(e);
  Error p = expect_error("rig.compose.unknown_config", [&] { config("confg"); });
  EXPECT_NE(p.hint().find("config"), std::string::npos) << rig::format(p);
}

TEST_F(Compose, MalformedPackagesAreLocatedErrors) {
  write("db/a.yaml", "port: 1\n");
  for (std::string bad : {"..", "a..b", ".a", "a.", "a@b"}) {
    write("c.yaml", "defaults:\n  - db@" + bad + ": a\n");
    Error e = expect_error("rig.compose.bad_package", [&] { config("c"); });
    EXPECT_EQ(e.origin().line, 2u) << bad;
  }
  write("c.yaml", "defaults:\n  - db: a\n");
  for (std::string bad : {"..", "a..b", "${x}", "x."}) {
    write("db/a.yaml", "# @package " + bad + "\nport: 1\n");
    Error e = expect_error("rig.compose.bad_package", [&] { config("c"); });
    EXPECT_EQ(e.origin().line, 1u) << bad;
    EXPECT_EQ(e.origin().column, 12u) << bad;
  }
  write("db/a.yaml", "port: 1\n");
  for (std::string bad : {"db@..=a", "db@a..b=a", "db@@x=a", "db@a.=a"})
    expect_error("rig.override.bad_package", [&] { config("c", {bad}); });
}

TEST_F(Compose, SymlinkOutOfTheSearchPathIsRefusedUnlessAllowed) {
  TempDir outside;
  outside.write("secret.yaml", "password: hunter2\n");
  write("config.yaml", "defaults:\n  - db: a\n");
  write("db/b.yaml", "x: 1\n");
  std::filesystem::create_symlink(outside.path() / "secret.yaml", dir_.path() / "db/a.yaml");
  Error e = expect_error("rig.compose.outside_search_path", [&] { config("config"); });
  EXPECT_EQ(e.origin().line, 2u) << rig::format(e);
  EXPECT_NE(e.message().find("secret.yaml"), std::string::npos) << "shows the link's target: " << e.message();
  ComposeOptions o;
  o.search_path.add(dir_.path(), "--config-dir").allow_links_outside(true);
  EXPECT_EQ(compose("config", o).config.get<std::string>("db.password"), "hunter2");
  // A link that stays inside the search path is fine.
  std::filesystem::remove(dir_.path() / "db/a.yaml");
  std::filesystem::create_symlink(dir_.path() / "db/b.yaml", dir_.path() / "db/a.yaml");
  EXPECT_TREE(config("config"), "db: {x: 1}\n");
}

TEST_F(Compose, HydraNamespaceIsLeftOut) {
  write("config.yaml", "defaults:\n  - hydra: default\n  - _self_\n  - override hydra/sweeper: optuna\n"
                       "x: 1\nhydra:\n  sweeper: {params: {x: choice(1, 2)}}\n");
  write("hydra/default.yaml", "defaults:\n  - override hydra_logging: colorlog\nrun: {dir: out}\n");
  EXPECT_TREE(config("config", {"hydra.run.dir=elsewhere", "hydra/launcher=joblib"}), "x: 1\n");
  expect_error("rig.compose.override_not_found", [&] {
    ComposeOptions o;
    o.search_path.add(dir_.path(), "test");
    o.keep_hydra = true;
    compose("config", o);
  });
}

// ---- provenance and the tree --------------------------------------------------------------------------------------

TEST_F(Compose, EveryValuePointsAtTheFileAndLineThatSetIt) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - _self_\nmodel:\n  dropout: 0.5\n");
  write("model/mlp.yaml", "layers: 2\n\nwidth: 64\n");
  Node c = config("train");
  const Node& width = c.at_path("model.width");
  EXPECT_NE(width.origin().source_name().find("model/mlp.yaml"), std::string::npos);
  EXPECT_EQ(width.origin().line, 3u);
  const Node& dropout = c.at_path("model.dropout");
  EXPECT_NE(dropout.origin().source_name().find("train.yaml"), std::string::npos);
  EXPECT_EQ(dropout.origin().line, 5u);
}

TEST_F(Compose, DefaultsTreeShowsFilesChoicesAndPackages) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - optional local: x\n  - logger: null\n  - _self_\n");
  write("model/mlp.yaml", "layers: 2\n");
  write("model/convnet.yaml", "channels: 16\n");
  std::string tree = format_defaults_tree(run("train", {"model=convnet"}).tree);
  EXPECT_NE(tree.find("train  ("), std::string::npos) << tree;
  EXPECT_NE(tree.find("  model: convnet  (@model, chosen at argv[1]:1:7, "), std::string::npos) << tree;
  EXPECT_NE(tree.find("convnet.yaml)"), std::string::npos) << tree;
  EXPECT_NE(tree.find("  optional local: x  (optional, not found)"), std::string::npos) << tree;
  EXPECT_NE(tree.find("  logger: null  (placeholder: nothing loaded)"), std::string::npos) << tree;
  EXPECT_NE(tree.find("  _self_  (@_global_)"), std::string::npos) << tree;
}

// ---- list merge policies -------------------------------------------------------------------------------------------

TEST_F(Compose, ListPoliciesAppendAndPrepend) {
  write("base.yaml", "callbacks: [ckpt, early]\nplugins: [a]\nother: [x]\n");
  write("child.yaml",
        "defaults:\n  - base\n  - _self_\ncallbacks+: [lr_monitor]\n+plugins: [z]\nother: [y]\nfresh+: [n]\n");
  Node c = config("child");
  EXPECT_TREE(c, "callbacks: [ckpt, early, lr_monitor]\nplugins: [z, a]\nother: [y]\nfresh: [n]\n");
  // Each element keeps its own origin.
  EXPECT_NE(c.at_path("callbacks[0]").origin().source_name().find("base.yaml"), std::string::npos);
  EXPECT_NE(c.at_path("callbacks[2]").origin().source_name().find("child.yaml"), std::string::npos);
}

TEST_F(Compose, ListPoliciesInGroupsNestedAndAtPackages) {
  write("train.yaml", "defaults:\n  - trainer: base\n  - trainer/extra\n");
  write("trainer/base.yaml", "callbacks: [a]\nsub: {xs: [1]}\n");
  write("trainer/extra.yaml", "callbacks+: [b]\nsub:\n  xs+: [2]\n");
  EXPECT_TREE(config("train"), "trainer: {callbacks: [a, b], sub: {xs: [1, 2]}}\n");
}

TEST_F(Compose, ListPolicyErrors) {
  write("base.yaml", "callbacks: {a: 1}\n");
  write("not_list.yaml", "defaults: [base]\ncallbacks+: 3\n");
  write("onto_map.yaml", "defaults: [base]\ncallbacks+: [x]\n");
  write("both.yaml", "callbacks: [a]\ncallbacks+: [b]\n");
  Error e = expect_error("rig.compose.merge_policy", [&] { config("not_list"); });
  EXPECT_EQ(e.origin().line, 2u);
  Error m = expect_error("rig.compose.merge_policy", [&] { config("onto_map"); });
  EXPECT_EQ(m.origin().line, 2u);
  ASSERT_FALSE(m.notes().empty());
  EXPECT_EQ(m.notes()[0].origin.line, 1u);
  expect_error("rig.compose.merge_conflict", [&] { config("both"); });
}

// ---- errors -------------------------------------------------------------------------------------------------------

TEST_F(Compose, UnknownOptionListsOptionsAndPointsAtTheChoice) {
  write("train.yaml", "defaults:\n  - model: mpl\n");
  write("model/mlp.yaml", "a: 1\n");
  write("model/convnet.yaml", "a: 1\n");
  write("model/transformer.yaml", "a: 1\n");
  Error e = expect_error("rig.compose.unknown_option", [&] { config("train"); });
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.origin().column, 5u);
  EXPECT_EQ(e.hint(), "did you mean 'mlp'?");
  ASSERT_FALSE(e.notes().empty());
  EXPECT_EQ(e.notes()[0].message, "options of 'model': mlp, convnet, transformer");
  // Chosen on the command line, the error points at the argument.
  write("ok.yaml", "defaults:\n  - model: mlp\n");
  Error cli = expect_error("rig.compose.unknown_option", [&] { config("ok", {"model=convnett"}); });
  EXPECT_EQ(cli.origin().arg_index, 1);
  EXPECT_EQ(cli.origin().column, 7u);
  EXPECT_EQ(cli.hint(), "did you mean 'convnet'?");
}

TEST_F(Compose, UnknownFixedConfig) {
  write("train.yaml", "defaults:\n  - base_cfg\n");
  write("base.yaml", "a: 1\n");
  Error e = expect_error("rig.compose.unknown_config", [&] { config("train"); });
  EXPECT_EQ(e.origin().line, 2u);
}

TEST_F(Compose, CycleInDefaultsPrintsTheChain) {
  write("a.yaml", "defaults:\n  - b\n");
  write("b.yaml", "defaults:\n  - _self_\n  - c\n");
  write("c.yaml", "defaults:\n  - a\n");
  Error e = expect_error("rig.compose.cycle", [&] { config("a"); });
  EXPECT_EQ(e.message(), "cycle in defaults lists: a -> b -> c -> a");
  EXPECT_NE(e.origin().source_name().find("c.yaml"), std::string::npos);
}

TEST_F(Compose, OverrideOfSomethingNotInTheDefaults) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - override optim: adam\n");
  write("model/mlp.yaml", "a: 1\n");
  write("optim/adam.yaml", "lr: 1\n");
  Error e = expect_error("rig.compose.override_not_found", [&] { config("train"); });
  EXPECT_EQ(e.origin().line, 3u);
  write("ok.yaml", "defaults:\n  - model: mlp\n");
  Error cli = expect_error("rig.compose.override_not_found", [&] { config("ok", {"optim=adam"}); });
  EXPECT_EQ(cli.hint(), "to add it to the defaults list, write +optim=adam");
}

TEST_F(Compose, OverridesMustComeLast) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - override model: convnet\n  - optim: adam\n");
  write("model/mlp.yaml", "a: 1\n");
  write("model/convnet.yaml", "a: 2\n");
  write("optim/adam.yaml", "lr: 1\n");
  Error e = expect_error("rig.compose.override_position", [&] { config("train"); });
  EXPECT_EQ(e.origin().line, 3u);
}

TEST_F(Compose, OverrideInTheSameListWorks) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - override model: convnet\n");
  write("model/mlp.yaml", "a: 1\n");
  write("model/convnet.yaml", "a: 2\n");
  EXPECT_TREE(config("train"), "model: {a: 2}\n");
}

TEST_F(Compose, MissingChoice) {
  write("train.yaml", "defaults:\n  - model: ???\n");
  write("model/mlp.yaml", "a: 1\n");
  Error e = expect_error("rig.compose.missing_choice", [&] { config("train"); });
  EXPECT_NE(e.hint().find("model=<option> (options: mlp)"), std::string::npos) << e.hint();
  EXPECT_TREE(config("train", {"model=mlp"}), "model: {a: 1}\n");
}

TEST_F(Compose, DuplicateGroupAndDuplicateSelf) {
  write("train.yaml", "defaults:\n  - model: mlp\n  - sub\n");
  write("sub.yaml", "defaults:\n  - model: convnet\n");
  write("model/mlp.yaml", "a: 1\n");
  write("model/convnet.yaml", "a: 2\n");
  Error e = expect_error("rig.compose.duplicate_group", [&] { config("train"); });
  EXPECT_NE(e.hint().find("override model"), std::string::npos);
  write("twice.yaml", "defaults:\n  - _self_\n  - _self_\n");
  expect_error("rig.compose.duplicate_self", [&] { config("twice"); });
}

TEST_F(Compose, MalformedEntries) {
  write("a.yaml", "defaults:\n  - {model: mlp, optim: adam}\n");
  write("b.yaml", "defaults:\n  - optionl model: mlp\n");
  write("c.yaml", "defaults: model\n");
  write("d.yaml", "defaults:\n  - model: {a: 1}\n");
  write("e.yaml", "- 1\n- 2\n");
  expect_error("rig.compose.bad_entry", [&] { config("a"); });
  Error b = expect_error("rig.compose.bad_entry", [&] { config("b"); });
  EXPECT_EQ(b.hint(), "did you mean 'optional'?");
  expect_error("rig.compose.bad_defaults", [&] { config("c"); });
  expect_error("rig.compose.bad_entry", [&] { config("d"); });
  expect_error("rig.compose.not_a_map", [&] { config("e"); });
}

// Names are looked up inside the search path: a `..` or `.` segment never reaches a file outside it, even one that
// exists (docs/reliability.md).
TEST_F(Compose, NamesMayNotLeaveTheSearchPath) {
  TempDir outer;
  outer.write("secret.yaml", "secret: 1\n");
  TempDir& inner = dir_;
  inner.write("model/mlp.yaml", "layers: 2\n");
  std::filesystem::create_directories(inner.path() / "sub");
  inner.write("sub/x.yaml", "x: 1\n");
  std::string up = "../" + outer.path().filename().string() + "/secret";
  write("fixed.yaml", "defaults:\n  - sub/../" + up + "\n");
  write("option.yaml", "defaults:\n  - model: ../" + up + "\n");
  write("group.yaml", "defaults:\n  - ../model: mlp\n");
  write("dot.yaml", "defaults:\n  - model/./mlp\n");
  write("multi.yaml", "defaults:\n  - model: [mlp, ../sub/x]\n");
  write("plain.yaml", "defaults:\n  - model: mlp\n");
  for (const char* name : {"fixed", "option", "dot", "multi"}) {
    Error e = expect_error("rig.compose.bad_name", [&] { config(name); });
    EXPECT_EQ(e.origin().line, 2u) << name;
  }
  expect_error("rig.compose.bad_name", [&] { config("group"); });
  Error argv = expect_error("rig.compose.bad_name", [&] { config("plain", {"model=../sub/x"}); });
  EXPECT_EQ(argv.origin().arg_index, 1);
  expect_error("rig.compose.bad_name", [&] { config("../" + dir_.path().filename().string() + "/plain"); });
  // What stays allowed: plain names, and names with dots inside a segment.
  inner.write("model/v1.5.yaml", "v: 1\n");
  EXPECT_EQ(config("plain", {"model=v1.5"}).get<int>("model.v"), 1);
  EXPECT_FALSE(detail::escapes_search_path("model/v1.5"));
  EXPECT_TRUE(detail::escapes_search_path(".."));
  EXPECT_TRUE(detail::escapes_search_path("a\\b"));
}

}  // namespace
}  // namespace rig
