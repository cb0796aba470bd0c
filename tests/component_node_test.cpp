// The component-node module (src/detail/component_node.cpp): validate and instantiate decide what a component node
// is, and check its arguments, by the same code. The property: over generated configs of fuzz_instantiate's registry
// and over the fuzz corpus, checking reports no error if and only if instantiate succeeds, and each error with the
// same id at the same place.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "instantiate_registry.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

// Components that declare value checks (rig/constraints.hpp).
namespace cn {
struct LoaderOptions {
  int64_t batch_size = 8;
  std::string mode = "fast";
  static constexpr auto checks =
      rig::checks(rig::require("batch_size", rig::positive()), rig::require("mode", rig::one_of("fast|slow")));
};
struct Loader {
  explicit Loader(LoaderOptions o) : options(std::move(o)) {}
  LoaderOptions options;
};
struct Schedule {
  virtual ~Schedule() = default;
};
struct Ramp : Schedule {
  Ramp(int64_t, int64_t, double, std::string) {}
};
}  // namespace cn

RIG_COMPONENT(cn::Loader, rig::options<cn::LoaderOptions>);
RIG_COMPONENT(cn::Ramp, rig::interfaces<cn::Schedule>,
              rig::params<int64_t, int64_t, double, std::string>(rig::arg("warmup") = 10, rig::arg("total") = 100,
                                                                 rig::arg("ratio") = 0.0, rig::arg("tag") = "a1"),
              rig::require_less("warmup", "total"), rig::require("ratio", rig::range(0, 1)),
              rig::require("total", rig::positive(), "cn.total"), rig::require("tag", rig::pattern("[a-z][0-9]")),
              rig::require("tag", rig::non_empty()));

namespace {

namespace fs = std::filesystem;
using rig::Node;

// id, key path, line, column: what "the same error at the same place" compares.
using Place = std::tuple<std::string, std::string, uint32_t, uint32_t>;

std::multiset<Place> places(const std::vector<rig::Error>& errors) {
  std::multiset<Place> out;
  for (const auto& e : errors) out.emplace(e.id(), e.key_path(), e.origin().line, e.origin().column);
  return out;
}

std::string show(const std::multiset<Place>& p) {
  std::string s;
  for (const auto& [id, path, line, col] : p) s += id + "@" + path + ":" + std::to_string(line) + ":" + std::to_string(col) + " ";
  return s.empty() ? "(none)" : s;
}

// What instantiate<T> throws (nothing when it succeeds). Any other exception fails the test.
template <class T>
std::vector<rig::Error> instantiate_errors(const Node& n) {
  try {
    auto product = rig::instantiate<T>(n);
    (void)product;
  } catch (const rig::ErrorList& e) {
    return e.errors();
  } catch (const rig::Error& e) {
    return {e};
  }
  return {};
}

struct Outcome {
  size_t agreed = 0, succeeded = 0, failed = 0;
};

// check<T> and instantiate<T> report the same errors at the same places.
template <class T>
void same_as_instantiate(const Node& n, const std::string& text, Outcome& out) {
  auto built = places(instantiate_errors<T>(n));
  auto checked = places(rig::check<T>(n));
  EXPECT_EQ(checked, built) << rig::type_name<T>() << " of\n"
                            << text << "check: " << show(checked) << "\ninstantiate: " << show(built);
  if (checked == built) ++out.agreed;
  ++(built.empty() ? out.succeeded : out.failed);
}

// validate_config (the `--validate` path: any return form, the caller's arguments unknown) against instantiate as
// the config's own component's interface, for a root that is not a partial.
void validate_same_as_instantiate(const Node& n, const std::string& text) {
  const rig::detail::ComponentDef* def = rig::component_of(n);
  if (!def || rig::detail::component_flag(n, "_partial_", false) || n.find("_partial_")) return;
  auto validated = places(rig::validate_config(n).errors);
  std::multiset<Place> built;
  if (def->interface(rig::type_key<fz::Model>()))
    built = places(instantiate_errors<std::shared_ptr<fz::Model>>(n));
  else if (def->interface(rig::type_key<fz::Optimizer>()))
    built = places(instantiate_errors<std::unique_ptr<fz::Optimizer>>(n));
  else if (def->interface(rig::type_key<fz::Tokenizer>()))
    built = places(instantiate_errors<std::shared_ptr<fz::Tokenizer>>(n));
  else
    built = places(instantiate_errors<fz::Schedule>(n));
  EXPECT_EQ(validated, built) << text << "validate: " << show(validated) << "\ninstantiate: " << show(built);
}

void check_all_forms(const Node& n, const std::string& text, Outcome& out) {
  same_as_instantiate<std::unique_ptr<fz::Model>>(n, text, out);
  same_as_instantiate<std::shared_ptr<fz::Model>>(n, text, out);
  same_as_instantiate<std::unique_ptr<fz::Optimizer>>(n, text, out);
  same_as_instantiate<std::shared_ptr<fz::Tokenizer>>(n, text, out);
  same_as_instantiate<fz::Schedule>(n, text, out);
  same_as_instantiate<std::function<std::unique_ptr<fz::Optimizer>(double)>>(n, text, out);
  same_as_instantiate<std::function<std::shared_ptr<fz::Model>()>>(n, text, out);
  validate_same_as_instantiate(n, text);
}

// ---- a generator of configs for fuzz_instantiate's registry --------------------------------------------------------

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  Node root() {
    switch (pick(20)) {
      case 0: return junk();
      case 1: return Node::map();
      default: return component(kInterfaces[pick(4)], 0);
    }
  }

 private:
  static constexpr const char* kInterfaces[] = {"Model", "Optimizer", "Tokenizer", "Schedule"};

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class... S>
  Node one_of(S... v) {
    Node options[] = {Node(v)...};
    return options[pick(sizeof...(S))];
  }

  static Node list(std::initializer_list<Node> items) {
    Node l = Node::list();
    for (const auto& i : items) l.push_back(i);
    return l;
  }

  Node junk() {
    switch (pick(10)) {
      case 0: return Node("x");
      case 1: return Node(int64_t{-1});
      case 2: return Node(int64_t{300});
      case 3: return Node(true);
      case 4: return list({Node(int64_t{1}), Node("a")});
      case 5: {
        Node m = Node::map();
        m.set("k", int64_t{1});
        return m;
      }
      case 6: return Node::null();
      case 7: return Node(0.5);
      case 8: return Node::list();
      default: return Node("relu2");
    }
  }

  // A valid value of each value parameter, by component and parameter.
  Node valid(std::string_view comp, std::string_view param) {
    if (param == "lr") return one_of(0.1, 1e-3, int64_t{2});
    if (param == "betas") return list({Node(0.8), Node(0.9)});
    if (param == "tiny") return one_of(int64_t{3}, int64_t{-5});
    if (param == "steps") return comp == "Schedule" ? list({Node(int64_t{3}), Node(int64_t{4})}) : Node(int64_t{5});
    if (param == "every") return one_of("2s", "100ms");
    if (param == "name") return chance(0.5) ? Node("a") : Node::null();
    if (param == "path") return Node("v.json");
    if (param == "vocab") return Node(int64_t{8});
    if (param == "dims") return chance(0.5) ? list({Node(int64_t{1}), Node(int64_t{2})}) : list({Node(int64_t{3})});
    if (param == "act") return one_of("relu", "gelu", "tanh");
    if (param == "scales") {
      Node m = Node::map();
      if (chance(0.5)) m.set("a", 1.5);
      return m;
    }
    if (param == "warmup") return Node(int64_t{5});
    if (param == "tag") return list({Node(int64_t{2}), Node("y")});
    return junk();
  }

  // A nested component parameter's value.
  Node nested(std::string_view param, int depth) {
    if (depth >= 3 || chance(0.15)) return chance(0.7) ? Node::null() : junk();
    if (param == "tok") return component("Tokenizer", depth + 1);
    if (param == "inner") return component("Model", depth + 1);
    if (param == "make_opt") {
      Node n = component("Optimizer", depth + 1);
      if (n.is_map() && chance(0.85)) n.set("_partial_", true);
      return n;
    }
    return junk();
  }

  struct Choice {
    const char* canonical;  // fz.Sgd
    const char* cls;        // Sgd
  };

  Choice choose(std::string_view interface) {
    static constexpr Choice models[] = {{"fz.Mlp", "Mlp"}, {"fz.Trainer", "Trainer"}};
    static constexpr Choice optimizers[] = {{"fz.Adam", "Adam"}, {"fz.Sgd", "Sgd"}};
    static constexpr Choice all[] = {{"fz.Mlp", "Mlp"}, {"fz.Trainer", "Trainer"}, {"fz.Adam", "Adam"},
                                     {"fz.Sgd", "Sgd"}, {"fz.Bpe", "Bpe"},         {"fz.Schedule", "Schedule"}};
    if (chance(0.1)) return all[pick(6)];  // perhaps the wrong interface
    if (interface == "Model") return models[pick(2)];
    if (interface == "Optimizer") return optimizers[pick(2)];
    if (interface == "Tokenizer") return {"fz.Bpe", "Bpe"};
    return {"fz.Schedule", "Schedule"};
  }

  Node component(std::string_view interface, int depth) {
    Choice c = choose(interface);
    const rig::detail::ComponentDef* def = rig::registry().find(c.canonical);
    Node n = Node::map();
    std::string name = c.canonical;
    switch (pick(12)) {
      case 0: name = "fz::" + std::string(c.cls); break;
      case 1: name = std::string(c.canonical) + "x"; break;  // unknown
      case 2:
        if (std::string_view(c.cls) == "Mlp") name = "mlp";
        break;
      default: break;
    }
    switch (pick(20)) {
      case 0: n.set("_target_", name); break;
      case 1: n.set("target", "fz:" + std::string(c.cls)); break;
      case 2:
        n.set("_component_", name);
        n.set("_target_", name);
        break;
      case 3: n.set("_component_", int64_t{3}); break;
      case 4: break;  // no name at all
      default: n.set("_component_", name);
    }
    if (chance(0.04)) n.set("_recursive_", false);
    if (chance(0.04)) n.set("_partial_", chance(0.5));
    if (chance(0.05)) n.set("_convert_", one_of("all", "none", "Object", "partial", "everything"));
    if (chance(0.04)) n.set("_convert_", int64_t{1});
    std::vector<size_t> positional;
    if (chance(0.06)) {
      Node args = Node::list();
      size_t count = pick(def->params.size() + 2);
      for (size_t i = 0; i < count; ++i) {
        if (i < def->params.size() && def->params[i].nesting == rig::detail::Nesting::None) {
          args.push_back(valid(c.cls, def->params[i].name));
          positional.push_back(i);
        } else {
          args.push_back(junk());
        }
      }
      n.set("_args_", chance(0.9) ? args : Node("notalist"));
    }
    for (size_t i = 0; i < def->params.size(); ++i) {
      const rig::detail::ParamDef& p = def->params[i];
      bool given_positionally = std::find(positional.begin(), positional.end(), i) != positional.end();
      if (given_positionally && chance(0.9)) continue;
      if (!chance(p.required ? 0.93 : 0.6)) continue;
      std::string key(p.name);
      if (p.nesting != rig::detail::Nesting::None)
        n.set(key, nested(p.name, depth));
      else
        n.set(key, chance(0.85) ? valid(c.cls, p.name) : junk());
    }
    if (chance(0.05)) n.set(chance(0.5) ? "lrr" : "dimz", int64_t{1});
    if (depth < 2 && std::string_view(c.cls) == "Schedule" && chance(0.1)) {
      Node inner = Node::map();  // a value parameter given as a component config
      inner.set("_component_", "fz.Schedule");
      n.set("warmup", inner);
    }
    return n;
  }

  std::mt19937 rng_;
};

// Round trip through YAML text: every node gets a real source position, which the comparison checks.
Node located(const Node& generated, std::string& text) {
  text = rig::dump_yaml(generated);
  return rig::load_yaml(text, "generated.yaml");
}

TEST(ComponentNode, ValidateAgreesWithInstantiateOnGeneratedConfigs) {
  rig::record_operative_config(false);
  constexpr uint32_t kConfigs = 10000;
  Outcome out;
  for (uint32_t i = 0; i < kConfigs; ++i) {
    Generator g(i);
    std::string text;
    Node n = located(g.root(), text);
    check_all_forms(n, text, out);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "first disagreement at generated config " << i;
      break;
    }
  }
  rig::record_operative_config(true);
  // The generator reaches both outcomes often enough for the property to mean something.
  EXPECT_GT(out.succeeded, kConfigs / 4) << out.succeeded << " built, " << out.failed << " refused";
  EXPECT_GT(out.failed, kConfigs) << out.succeeded << " built, " << out.failed << " refused";
}

TEST(ComponentNode, ValidateAgreesWithInstantiateOnTheFuzzCorpus) {
  rig::record_operative_config(false);
  Outcome out;
  size_t files = 0;
  auto run = [&](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    Node root;
    try {
      root = rig::load_yaml(buf.str(), file.string());
    } catch (const rig::Error&) {
      return;
    }
    ++files;
    check_all_forms(root, buf.str(), out);
    if (root.is_map())
      for (const auto& e : root.entries()) check_all_forms(e.value, buf.str(), out);
  };
  for (const auto& f : fs::directory_iterator(fs::path(RIG_SOURCE_DIR) / "fuzz" / "corpus" / "instantiate")) run(f.path());
  EXPECT_GE(files, 10u);
  fs::path shared = rig::testing::shared_dir();
  if (shared.empty()) {
    std::cout << "../shared is absent: the shared YAML corpus is not checked\n";
  } else {
    for (const auto& f : fs::recursive_directory_iterator(shared / "corpus"))
      if (f.is_regular_file() && f.path().extension() == ".yaml" && f.file_size() < 20000) run(f.path());
  }
  rig::record_operative_config(true);
  EXPECT_GT(out.succeeded, 0u);
  EXPECT_GT(out.failed, 0u);
}

// ---- the rules the two used to disagree on ------------------------------------------------------------------------

TEST(ComponentNode, ConvertIsAcceptedAlikeByValidateAndInstantiate) {
  for (const char* mode : {"all", "none", "partial", "object", "ALL"}) {
    Node n = rig::load_yaml(std::string("_component_: fz.Sgd\n_convert_: ") + mode + "\nlr: 0.5\n");
    EXPECT_NO_THROW((void)rig::instantiate<std::unique_ptr<fz::Optimizer>>(n)) << mode;
    EXPECT_TRUE(rig::validate_config(n).ok()) << mode << rig::validate_config(n).format();
  }
}

TEST(ComponentNode, AConvertModeHydraDoesNotKnowIsRefusedAlike) {
  Node n = rig::load_yaml("opt:\n  _component_: fz.Sgd\n  _convert_: everything\n  lr: 0.5\n", "c.yaml");
  auto built = instantiate_errors<std::unique_ptr<fz::Optimizer>>(n["opt"]);
  ASSERT_EQ(built.size(), 1u);
  EXPECT_EQ(built[0].id(), "rig.component.convert");
  EXPECT_EQ(built[0].origin().line, 3u);
  auto validated = rig::validate_config(n).errors;
  ASSERT_EQ(validated.size(), 1u) << rig::validate_config(n).format();
  EXPECT_EQ(validated[0].id(), "rig.component.convert");
  EXPECT_EQ(validated[0].key_path(), "opt._convert_");
  EXPECT_EQ(validated[0].origin().line, 3u);
}

TEST(ComponentNode, ModuleStyleTargetIsAComponentForValidateToo) {
  Node good = rig::load_yaml("opt: {target: \"fz:Sgd\", lr: 0.5}\n");
  EXPECT_NO_THROW((void)rig::instantiate<std::unique_ptr<fz::Optimizer>>(good["opt"]));
  EXPECT_TRUE(rig::validate_config(good).ok());
  // validate sees the component: its arguments are checked (it used to skip the node entirely).
  Node bad = rig::load_yaml("opt: {target: \"fz:Sgd\", lr: fast}\n");
  auto v = rig::validate_config(bad).errors;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].key_path(), "opt.lr");
  EXPECT_EQ(places(rig::check<std::unique_ptr<fz::Optimizer>>(bad["opt"])),
            places(instantiate_errors<std::unique_ptr<fz::Optimizer>>(bad["opt"])));
  // Not the module form: an ordinary key, not a name (Sgd has no parameter `target`).
  Node plain = rig::load_yaml("_component_: fz.Sgd\nlr: 1\ntarget: \"fz:Sgd\"\n");
  EXPECT_EQ(rig::validate_config(plain).errors.at(0).id(), "rig.args.unknown_keyword");
}

TEST(ComponentNode, TwoNameKeysInOneNodeAreALocatedError) {
  Node n = rig::load_yaml("opt:\n  _component_: fz.Sgd\n  _target_: fz.Adam\n  lr: 0.5\n", "two.yaml");
  auto built = instantiate_errors<std::unique_ptr<fz::Optimizer>>(n["opt"]);
  ASSERT_EQ(built.size(), 1u);
  EXPECT_EQ(built[0].id(), "rig.component.two_names");
  EXPECT_EQ(built[0].origin().line, 3u);
  EXPECT_EQ(built[0].origin().column, 3u);
  EXPECT_EQ(built[0].key_path(), "_target_");  // instantiate's paths start at the node it is given
  auto v = rig::validate_config(n).errors;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].id(), "rig.component.two_names");
  EXPECT_EQ(v[0].key_path(), "opt._target_");
  // Even when both name the same component.
  Node same = rig::load_yaml("_target_: fz.Sgd\n_component_: fz.Sgd\nlr: 1\n");
  EXPECT_EQ(rig::check<std::unique_ptr<fz::Optimizer>>(same).at(0).id(), "rig.component.two_names");
}

TEST(ComponentNode, CheckBuildsNothing) {
  rig::clear_operative_config();
  Node n = rig::load_yaml("_component_: fz.Trainer\nmake_opt: {_component_: fz.Sgd, _partial_: true}\n"
                          "inner: {_component_: mlp, dims: [3], tok: {_component_: fz.Bpe, path: p}}\n");
  EXPECT_TRUE(rig::check<std::shared_ptr<fz::Model>>(n).empty());
  EXPECT_EQ(rig::operative_config().size(), 0u);
}

TEST(ComponentNode, EveryReaderAgreesOnWhatAComponentNodeIs) {
  Node hydra = rig::load_yaml("_target_: fz.Sgd\nlr: 1\n");
  Node spec = rig::load_yaml("target: \"fz:Sgd\"\nlr: 1\n");
  Node plain = rig::load_yaml("target: fz.Sgd\nlr: 1\n");
  for (const Node* n : {&hydra, &spec}) {
    EXPECT_TRUE(rig::detail::is_component_node(*n));
    ASSERT_NE(rig::component_of(*n), nullptr);
    EXPECT_EQ(rig::component_of(*n)->name(), "fz.Sgd");
  }
  EXPECT_FALSE(rig::detail::is_component_node(plain));
  EXPECT_EQ(rig::component_of(plain), nullptr);
}

// ---- declared value checks ------------------------------------------------------------------------------------------

TEST(ValueChecks, EveryViolationIsReportedLocatedByValidateAndInstantiateAlike) {
  Node cfg = rig::load_yaml("loader:\n  _component_: cn.Loader\n  batch_size: 0\n  mode: quick\n"
                            "sched:\n  _component_: cn.Ramp\n  total: 5\n  ratio: 1.5\n  tag: A1\n",
                            "checks.yaml");
  auto validated = rig::validate_config(cfg).errors;
  std::multiset<Place> expected = {{"rig.value.constraint", "loader.batch_size", 3, 15},
                                   {"rig.value.constraint", "loader.mode", 4, 9},
                                   {"rig.value.constraint", "sched.warmup", 6, 16},  // a default: at the name
                                   {"rig.value.constraint", "sched.ratio", 8, 10},
                                   {"rig.value.constraint", "sched.tag", 9, 8}};
  EXPECT_EQ(places(validated), expected) << rig::validate_config(cfg).format();
  // instantiate given each subtree: the same errors, their paths relative to it.
  std::vector<rig::Error> built = instantiate_errors<cn::Loader>(cfg["loader"]);
  for (auto& e : instantiate_errors<std::unique_ptr<cn::Schedule>>(cfg["sched"])) built.push_back(e);
  std::multiset<Place> relative;
  for (auto [id, path, line, col] : expected) relative.emplace(id, path.substr(path.find('.') + 1), line, col);
  EXPECT_EQ(places(built), relative);
  std::string text = rig::validate_config(cfg).format();
  EXPECT_NE(text.find("batch_size must be positive, got 0"), std::string::npos) << text;
  EXPECT_NE(text.find("mode must be one of fast, slow, got 'quick'"), std::string::npos) << text;
  EXPECT_NE(text.find("warmup (10) must be less than total (5)"), std::string::npos) << text;
  EXPECT_NE(text.find("ratio must be in [0, 1], got 1.5"), std::string::npos) << text;
}

TEST(ValueChecks, ACheckMayNameItsOwnId) {
  Node cfg = rig::load_yaml("_component_: cn.Ramp\ntotal: -1\nwarmup: -5\n");
  auto errors = rig::check<std::unique_ptr<cn::Schedule>>(cfg);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "cn.total");
  EXPECT_EQ(errors[0].key_path(), "total");
}

TEST(ValueChecks, ValuesThatSatisfyThemBuild) {
  Node cfg = rig::load_yaml("_component_: cn.Ramp\nwarmup: 4\ntotal: 5\nratio: 1\ntag: z9\n");
  EXPECT_TRUE(rig::check<std::unique_ptr<cn::Schedule>>(cfg).empty());
  EXPECT_NO_THROW((void)rig::instantiate<std::unique_ptr<cn::Schedule>>(cfg));
  // A call-site argument is checked too (it is where the value comes from).
  auto errors = instantiate_errors<std::unique_ptr<cn::Schedule>>(rig::load_yaml("_component_: cn.Ramp\n"));
  EXPECT_TRUE(errors.empty());
  try {
    (void)rig::instantiate<std::unique_ptr<cn::Schedule>>(rig::load_yaml("_component_: cn.Ramp\n"),
                                                          rig::kw("total", int64_t{3}));
    ADD_FAILURE() << "warmup 10 >= total 3 was accepted";
  } catch (const rig::Error& e) {
    EXPECT_NE(std::string(e.what()).find("warmup (10) must be less than total (3)"), std::string::npos) << e.what();
  }
}

TEST(ValueChecks, AStructsChecksHoldWhereverItIsRead) {
  Node cfg = rig::load_yaml("loader:\n  batch_size: -3\n", "recipe.yaml");
  // A recipe key of that type, at --validate:
  rig::RecipeSchema schema;
  schema.key<cn::LoaderOptions>("loader", cn::LoaderOptions{}, "batching");
  auto v = rig::validate_config(cfg, {.schema = &schema}).errors;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].key_path(), "loader.batch_size");
  EXPECT_EQ(v[0].origin().line, 2u);
  // ... and when the recipe reads it (the path relative to the node read).
  try {
    (void)cfg["loader"].as<cn::LoaderOptions>();
    ADD_FAILURE() << "batch_size -3 was accepted";
  } catch (const rig::Error& e) {
    std::vector<rig::Error> all;
    rig::detail::collect_error(all, e);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].key_path(), "batch_size");
    EXPECT_EQ(all[0].origin().line, 2u);
  }
  EXPECT_EQ(rig::load_yaml("batch_size: 2\n").as<cn::LoaderOptions>().batch_size, 2);
}

TEST(ValueChecks, DescribeListsThem) {
  std::string text = rig::describe(*rig::registry().find("cn.Ramp"));
  EXPECT_NE(text.find("= 10 [< total]"), std::string::npos) << text;
  EXPECT_NE(text.find("ratio: double = 0.0 [in [0, 1]]"), std::string::npos) << text;
  std::string loader = rig::describe(*rig::registry().find("cn.Loader"));
  EXPECT_NE(loader.find("[positive]"), std::string::npos) << loader;
  EXPECT_NE(loader.find("[one of fast, slow]"), std::string::npos) << loader;
}

TEST(ValueChecks, CheckAgreesWithInstantiateOverGeneratedValues) {
  std::mt19937 rng(7);
  const char* values[] = {"-1", "0", "1", "5", "10", "100", "0.5", "1.5", "x", "A1", "a1", "''", "[1]"};
  size_t refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text = "_component_: cn.Ramp\n";
    for (const char* key : {"warmup", "total", "ratio", "tag"})
      if (rng() % 2) text += std::string(key) + ": " + values[rng() % std::size(values)] + "\n";
    Node n = rig::load_yaml(text);
    auto built = places(instantiate_errors<std::unique_ptr<cn::Schedule>>(n));
    EXPECT_EQ(places(rig::check<std::unique_ptr<cn::Schedule>>(n)), built) << text;
    EXPECT_EQ(places(rig::validate_config(n).errors), built) << text;
    refused += !built.empty();
  }
  EXPECT_GT(refused, 100u);
  EXPECT_LT(refused, 1900u);
}

}  // namespace
