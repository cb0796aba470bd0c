// Config sources: the precedence order, the environment mapping, hooks, and who-set-what history across sources.
#include "rig/sources.hpp"

#include <gtest/gtest.h>

#include "detail/environment_values.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

using rig::Node;
using rig::testing::expect_error;
using rig::testing::TempDir;

namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

TEST(Precedence, TheOrderIsDefaultsFilesEnvCliHooks) {
  using K = rig::SourceKind;
  EXPECT_EQ(rig::kPrecedence, (std::array<K, 5>{K::Defaults, K::File, K::Environment, K::CommandLine, K::Hook}));
  std::string help = rig::precedence_help();
  size_t last = 0;
  for (K k : rig::kPrecedence) {
    size_t at = help.find(rig::source_kind_name(k));
    ASSERT_NE(at, std::string::npos) << help;
    EXPECT_GT(at, last) << help;
    last = at;
  }
}

// A file the caller loaded already is taken as given (not read again), at a file's place in the precedence.
TEST(Precedence, AFileLoadedByTheCallerIsNotReadAgain) {
  TempDir dir;
  auto f1 = dir.write("a.yaml", "lr: 1\nbs: 1\n");
  auto f2 = dir.write("b.yaml", "bs: 2\n");
  Node loaded = rig::load_file(f1);
  dir.write("a.yaml", "lr: 9\nbs: 9\n");  // changed on disk after the caller read it
  rig::ConfigSources sources;
  sources.file(f1, loaded).file(f2).overrides({rig::parse_override("lr=4", 1)});
  Node cfg = sources.build();
  EXPECT_EQ(cfg.get<int>("bs"), 2) << "a later file still wins";
  EXPECT_EQ(cfg.get<int>("lr"), 4);
  auto lr = rig::value_history(cfg["lr"]);
  ASSERT_EQ(lr.size(), 2u);
  EXPECT_EQ(lr.front().int_value(), 1) << "the content the caller loaded, not the file's new one";
  EXPECT_EQ(rig::setter_name(lr.front().origin()), f1.string() + ":1:5");
}

// build() on an rvalue consumes the sources' trees so that overrides change the config in place; the config, its
// origins and its history are the same as an lvalue's build(), which leaves the sources (and trees the caller still
// holds) as they were, to be built again.
TEST(Precedence, BuildingFromAnRvalueGivesTheSameConfig) {
  TempDir dir;
  auto f1 = dir.write("a.yaml", "model:\n  dim: 8\n  layers: [1, 2]\noptim:\n  lr: 1\n");
  auto f2 = dir.write("b.yaml", "optim:\n  lr: 2\n  betas: {b1: 0.9}\n");
  Node loaded = rig::load_file(f1);
  const std::string loaded_before = rig::dump_yaml(loaded, {.show_origin = true});
  Node defaults = rig::load_yaml("model: {dim: 4, act: relu}\nseed: 0\n");
  auto make = [&] {
    rig::ConfigSources sources;
    sources.defaults(defaults).file(f1, loaded).file(f2);
    sources.environment(Env{{"RIG_SEED", "7"}});
    sources.overrides({rig::parse_override("model.dim=16", 1), rig::parse_override("+optim.betas.b2=0.99", 2),
                       rig::parse_override("~model.act", 3), rig::parse_override("model.layers=[3]", 4)});
    sources.hook("h", [](rig::HookContext& h) { h.set("optim.lr", 5); });
    return sources;
  };
  const rig::ConfigSources kept = make();
  Node first = kept.build();
  Node again = kept.build();
  Node consumed = make().build();
  for (const Node* cfg : {&again, &consumed}) {
    EXPECT_EQ(*cfg, first);
    EXPECT_EQ(rig::dump_yaml(*cfg, {.show_origin = true}), rig::dump_yaml(first, {.show_origin = true}));
    for (const char* key : {"model.dim", "optim.lr", "seed"}) {
      std::vector<std::string> a, b;
      for (const auto& v : rig::value_history(cfg->at_path(key))) a.push_back(rig::setter_name(v.origin()));
      for (const auto& v : rig::value_history(first.at_path(key))) b.push_back(rig::setter_name(v.origin()));
      EXPECT_EQ(a, b) << key;
    }
  }
  EXPECT_EQ(first.get<int>("model.dim"), 16);
  EXPECT_EQ(first.get<int>("seed"), 7);
  EXPECT_EQ(first.get<int>("optim.lr"), 5);
  EXPECT_FALSE(first.at_path("model").contains("act"));
  EXPECT_EQ(rig::dump_yaml(loaded, {.show_origin = true}), loaded_before) << "the caller's tree is never changed";
  EXPECT_EQ(defaults.get<int>("model.dim"), 4);
  EXPECT_TRUE(defaults.at_path("model").contains("act"));
}

TEST(Precedence, EachSourceBeatsTheOnesBelowItWhateverTheCallOrder) {
  TempDir dir;
  auto f1 = dir.write("a.yaml", "lr: 1\nbs: 1\nenv_only: 1\ncli_only: 1\nhook_only: 1\nfile1_only: 1\n");
  auto f2 = dir.write("b.yaml", "lr: 2\nbs: 2\nenv_only: 2\ncli_only: 2\nhook_only: 2\n");
  Node defaults = Node::map();
  for (const char* k : {"lr", "bs", "env_only", "cli_only", "hook_only", "file1_only", "code_only"}) defaults.set(k, 0);
  rig::ConfigSources sources;
  // Added highest first on purpose: build() applies kPrecedence order, not call order.
  sources.hook("pair", [](rig::HookContext& h) {
    h.set("hook_only", 5);
    h.set("lr", h.config().get<int>("lr") * 10);
  });
  sources.overrides({rig::parse_override("cli_only=4", 1), rig::parse_override("lr=4", 2)});
  sources.environment(Env{{"RIG_ENV_ONLY", "3"}, {"RIG_LR", "3"}, {"OTHER", "x"}});
  sources.file(f1).file(f2);
  sources.defaults(defaults);
  Node cfg = sources.build();
  EXPECT_EQ(cfg.get<int>("code_only"), 0);
  EXPECT_EQ(cfg.get<int>("file1_only"), 1);
  EXPECT_EQ(cfg.get<int>("bs"), 2) << "a later file wins";
  EXPECT_EQ(cfg.get<int>("env_only"), 3);
  EXPECT_EQ(cfg.get<int>("cli_only"), 4);
  EXPECT_EQ(cfg.get<int>("hook_only"), 5);
  EXPECT_EQ(cfg.get<int>("lr"), 40) << "the hook sees the config after the command line";

  auto lr = rig::value_history(cfg["lr"]);
  std::vector<std::string> who;
  for (const auto& v : lr) who.push_back(rig::setter_name(v.origin()));
  EXPECT_EQ(who, (std::vector<std::string>{"<code>", f1.string() + ":1:5", f2.string() + ":1:5", "env RIG_LR",
                                           "argv[2]", "hook pair"}));
  EXPECT_EQ(lr.back().int_value(), 40);
}

TEST(Environment, MappingIsCaseInsensitivePerSegmentWithIndices) {
  Node cfg = rig::load_yaml("optimizer: {lr: 1, betaS: [1, 2]}\nlayers: [{dim: 1}]\nMixed_Case: 0\n", "c.yaml");
  rig::apply_environment(cfg, Env{{"RIG_OPTIMIZER__LR", "0.1"},
                                  {"RIG_OPTIMIZER__BETAS", "[3, 4]"},
                                  {"RIG_LAYERS__0__DIM", "64"},
                                  {"RIG_MIXED_CASE", "'quoted, string'"}});
  EXPECT_EQ(cfg.get<double>("optimizer.lr"), 0.1);
  EXPECT_EQ(cfg.at_path("optimizer.betaS"), rig::load_yaml("[3, 4]"));
  EXPECT_EQ(cfg.get<int>("layers[0].dim"), 64);
  EXPECT_EQ(cfg.get<std::string>("Mixed_Case"), "quoted, string");
  const Node& lr = cfg.at_path("optimizer.lr");
  EXPECT_EQ(lr.origin().source_name(), "env RIG_OPTIMIZER__LR");
  EXPECT_EQ(lr.origin().column, 19u) << "the value's column inside NAME=value";
}

TEST(Environment, OnlySetsKeysThatExist) {
  Node cfg = rig::load_yaml("optimizer: {lr: 1}\n", "c.yaml");
  auto e = expect_error("rig.override.unknown_key",
                        [&] { rig::apply_environment(cfg, Env{{"RIG_OPTIMIZER__LRR", "0.1"}}); });
  EXPECT_EQ(e.origin().source_name(), "env RIG_OPTIMIZER__LRR");
  EXPECT_NE(e.hint().find("optimizer.lr"), std::string::npos) << rig::format(e);
  expect_error("rig.env.bad_name", [&] { rig::apply_environment(cfg, Env{{"RIG_OPTIMIZER____LR", "1"}}); });
  expect_error("rig.override.unclosed_bracket", [&] { rig::apply_environment(cfg, Env{{"RIG_OPTIMIZER__LR", "[1"}}); });
  expect_error("rig.override.sweep_in_single_run",
               [&] { rig::apply_environment(cfg, Env{{"RIG_OPTIMIZER__LR", "1,2"}}); });
}

TEST(Environment, ReservedAndForeignVariablesAreIgnored) {
  Node cfg = rig::load_yaml("a: 1\n", "c.yaml");
  Node before = cfg;
  rig::apply_environment(cfg, Env{{"RIG_CONFIG_PATH", "/x"}, {"HOME", "/root"}, {"RIG_", "x"}, {"XRIG_A", "2"}});
  EXPECT_EQ(cfg, before);
  rig::apply_environment(cfg, Env{{"APP_A", "5"}}, "APP_");
  EXPECT_EQ(cfg.get<int>("a"), 5) << "the prefix is configurable";
}

TEST(Hooks, SetAndApplyRecordTheHookName) {
  rig::ConfigSources sources;
  sources.defaults(rig::load_yaml("model: {vocab_size: 0}\ntokenizer: {name: bpe32k}\n", "d.yaml"));
  sources.hook("pair_vocab", [](rig::HookContext& h) {
    if (h.config().get<std::string>("tokenizer.name") == "bpe32k") h.set("model.vocab_size", 32000);
    h.apply("+model.extra=[1]");
  });
  Node cfg = sources.build();
  EXPECT_EQ(cfg.get<int>("model.vocab_size"), 32000);
  EXPECT_EQ(rig::setter_name(cfg.at_path("model.vocab_size").origin()), "hook pair_vocab");
  EXPECT_EQ(cfg.at_path("model.extra").origin().source_name(), "hook pair_vocab");
  rig::ConfigSources typo;
  typo.defaults(rig::load_yaml("model: {vocab_size: 0}\n"));
  typo.hook("bad", [](rig::HookContext& h) { h.set("model.vocab_sise", 1); });
  expect_error("rig.override.unknown_key", [&] { typo.build(); });
}

// The environment layer's sources are named by one rule, which every reader asks: names it makes are read back as
// their variable, and no other source counts (a file named like it, a label that only starts the same way).
TEST(Environment, ItsSourcesAreNamedAndRecognisedByOneRule) {
  using rig::detail::environment_source_name;
  using rig::detail::environment_variable_of;
  for (std::string variable : {"RIG_LR", "RIG_MODEL__DIM", "RIG_X", ""}) {
    auto source = rig::Source::make(environment_source_name(variable), "v");
    ASSERT_TRUE(environment_variable_of(source.get()).has_value()) << variable;
    EXPECT_EQ(*environment_variable_of(source.get()), variable);
  }
  for (const char* other : {"envelope.yaml", "env", "<cli>", "hook env", " env RIG_LR", "ENV RIG_LR"})
    EXPECT_FALSE(environment_variable_of(rig::Source::make(other).get()).has_value()) << other;
  EXPECT_FALSE(environment_variable_of(nullptr).has_value());
  Node cfg = Node::map();
  cfg.set("lr", 1);
  rig::apply_environment(cfg, Env{{"RIG_LR", "2"}});
  EXPECT_EQ(*environment_variable_of(cfg["lr"].origin().source.get()), "RIG_LR");
  EXPECT_EQ(rig::setter_name(cfg["lr"].origin()), "env RIG_LR");
}

TEST(SetterName, NamesEachKindOfSource) {
  EXPECT_EQ(rig::setter_name({rig::Source::make("<cli>", "a=1"), 1, 3, 4}), "argv[4]");
  EXPECT_EQ(rig::setter_name({rig::Source::make("env RIG_X", "RIG_X=1"), 1, 7, -1}), "env RIG_X");
  EXPECT_EQ(rig::setter_name({rig::Source::make("hook pair_vocab"), 0, 0, -1}), "hook pair_vocab");
  EXPECT_EQ(rig::setter_name({rig::Source::make("configs/a.yaml"), 3, 5, -1}), "configs/a.yaml:3:5");
  EXPECT_EQ(rig::setter_name({}), "<unknown>");
}

}  // namespace
