// Components registered here, the way a user's .cpp registers them, and the tests of registration, instantiate,
// partials, errors, introspection, schemas, the operative config and Spec.
#include "rig/registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "rig/instantiate.hpp"
#include "rig/spec.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace rigtest {

struct Optimizer {
  virtual ~Optimizer() = default;
  virtual std::string kind() const = 0;
};
struct Tokenizer {
  virtual ~Tokenizer() = default;
  virtual int vocab() const = 0;
};
enum class Reduction { mean, sum, none };

// Form 1: a constructor taking a nested aggregate Options struct.
struct Adam : Optimizer {
  struct Options {
    double lr = 1e-3;
    std::pair<double, double> betas{0.9, 0.999};
    float weight_decay = 0.0f;
    Reduction reduction = Reduction::mean;
    std::chrono::milliseconds warmup{0};
  };
  explicit Adam(Options o) : opts(std::move(o)) {}
  std::string kind() const override { return "adam"; }
  Options opts;
};

// Form 3: a class with an ordinary constructor, parameters listed once.
struct Sgd : Optimizer {
  Sgd(double lr, double momentum, bool nesterov) : lr(lr), momentum(momentum), nesterov(nesterov) {}
  std::string kind() const override { return "sgd"; }
  double lr, momentum;
  bool nesterov;
};

struct Bpe : Tokenizer {
  Bpe(std::string path, int vocab_size) : path(std::move(path)), vocab_size(vocab_size) {}
  int vocab() const override { return vocab_size; }
  std::string path;
  int vocab_size;
};

struct TextDataset {
  TextDataset(std::shared_ptr<Tokenizer> tokenizer, std::string split, int max_len)
      : tokenizer(std::move(tokenizer)), split(std::move(split)), max_len(max_len) {}
  std::shared_ptr<Tokenizer> tokenizer;
  std::string split;
  int max_len;
};

struct TwoTokenizers {
  TwoTokenizers(std::shared_ptr<Tokenizer> a, std::shared_ptr<Tokenizer> b) : a(std::move(a)), b(std::move(b)) {}
  std::shared_ptr<Tokenizer> a, b;
};

// Form 2: an aggregate is its own component (a value type).
struct Cosine {
  int warmup = 100;
  double min_lr = 0.0;
  std::array<int, 2> steps{1, 2};
  std::tuple<int, std::string> tag{1, "x"};
};

// `_recursive_: false`: the parameter receives the node.
struct Holder {
  rig::Node sub;
  int n = 0;
};

// A trainer taking a partial: it builds optimizers itself, at the learning rate it chooses.
struct Trainer {
  Trainer(std::function<std::unique_ptr<Optimizer>(double)> make_optimizer, int steps)
      : make_optimizer(std::move(make_optimizer)), steps(steps) {}
  std::function<std::unique_ptr<Optimizer>(double)> make_optimizer;
  int steps;
};

// Form 4: free functions; types from the signature.
std::unique_ptr<Optimizer> make_sgd(double lr, int steps) {
  (void)steps;
  return std::make_unique<Sgd>(lr, 0.0, false);
}
double scaled(double x, double factor) { return x * factor; }
std::shared_ptr<Tokenizer> shared_bpe(int vocab) { return std::make_shared<Bpe>("shared", vocab); }
int8_t small(int8_t v) { return v; }
int schedule_len(Cosine c) { return c.warmup + c.steps[0] + c.steps[1]; }

struct Shape {
  virtual ~Shape() = default;
  int sides = 0;
};
struct Square : Shape {
  Square() { sides = 4; }
};

struct NotRegistered {
  int x = 0;
};

}  // namespace rigtest

RIG_COMPONENT(rigtest::Adam, rig::interfaces<rigtest::Optimizer>, rig::doc("Adam, the optimizer"),
              rig::field_doc("lr", "learning rate"), rig::aliases("adam"));
RIG_COMPONENT(rigtest::Sgd, rig::interfaces<rigtest::Optimizer>,
              rig::params<double, double, bool>("lr", rig::arg("momentum", "heavy ball") = 0.0,
                                                rig::arg("nesterov") = false));
RIG_COMPONENT(rigtest::Bpe, rig::interfaces<rigtest::Tokenizer>,
              rig::params<std::string, int>("path", rig::arg("vocab_size") = 32000));
RIG_COMPONENT(rigtest::TextDataset,
              rig::params<std::shared_ptr<rigtest::Tokenizer>, std::string, int>("tokenizer", "split",
                                                                                 rig::arg("max_len") = 512));
RIG_COMPONENT(rigtest::TwoTokenizers,
              rig::params<std::shared_ptr<rigtest::Tokenizer>, std::shared_ptr<rigtest::Tokenizer>>("a", "b"));
RIG_COMPONENT(rigtest::Cosine, rig::doc("cosine schedule"));
RIG_COMPONENT(rigtest::Holder);
RIG_COMPONENT(rigtest::Trainer,
              rig::params<std::function<std::unique_ptr<rigtest::Optimizer>(double)>, int>("make_optimizer",
                                                                                            rig::arg("steps") = 10));
RIG_FUNCTION(rigtest::make_sgd, rig::interfaces<rigtest::Optimizer>, rig::params("lr", rig::arg("steps") = 10));
RIG_FUNCTION(rigtest::scaled, rig::params("x", rig::arg("factor") = 2));
RIG_FUNCTION(rigtest::shared_bpe, rig::interfaces<rigtest::Tokenizer>, rig::params("vocab"), rig::name("rigtest.SharedBpe"));
RIG_FUNCTION(rigtest::small, rig::params("v"));
RIG_FUNCTION(rigtest::schedule_len, rig::params("sched"));
RIG_COMPONENT(rigtest::Square, rig::interfaces<rigtest::Shape>);

using rig::testing::yaml;

namespace {

using rig::Node;
using rig::testing::expect_error;
using namespace rigtest;


// The errors of an instantiate that must fail, flattened.
template <class Fn>
std::vector<rig::Error> errors_of(Fn&& fn) {
  try {
    fn();
  } catch (const rig::ErrorList& e) {
    return e.errors();
  } catch (const rig::Error& e) {
    return {e};
  }
  ADD_FAILURE() << "nothing was thrown";
  return {};
}

const rig::Error* find_id(const std::vector<rig::Error>& errors, std::string_view id) {
  for (const auto& e : errors)
    if (e.id() == id) return &e;
  return nullptr;
}

// ---- registration ---------------------------------------------------------------------------------------------------

TEST(Registry, NamesAreQualifiedCppNamesInEitherSpellingAndAliases) {
  const rig::detail::ComponentDef* d = rig::registry().find("rigtest.Adam");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(rig::registry().find("rigtest::Adam"), d);
  EXPECT_EQ(rig::registry().find("rigtest:Adam"), d);  // config_spec's module:Name
  EXPECT_EQ(rig::registry().find("::rigtest::Adam"), d);  // a leading :: is dropped
  EXPECT_EQ(rig::registry().find(std::string(300, ':') + "rigtest::Adam"), d);  // longer than the stack buffer
  EXPECT_EQ(rig::registry().find(std::string(300, 'x') + "::Adam"), nullptr);
  EXPECT_EQ(rig::registry().find("adam"), d);
  EXPECT_EQ(rig::registry().find("rigtest.Adamw"), nullptr);
  EXPECT_EQ(d->name(), "rigtest.Adam");
  EXPECT_EQ(d->doc, "Adam, the optimizer");
  EXPECT_TRUE(std::string_view(d->file).ends_with("registry_test.cpp")) << d->file;
  EXPECT_GT(d->line, 0u);
  EXPECT_NE(rig::registry().find("rigtest.SharedBpe"), nullptr);  // rig::name overrides
}

TEST(Registry, ReflectedOptionsGiveNamesTypesDefaultsAndDocs) {
  const rig::detail::ComponentDef* d = rig::registry().find("rigtest.Adam");
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->params.size(), 5u);
  EXPECT_EQ(d->params[0].name, "lr");
  EXPECT_EQ(d->params[0].type_name(), "double");
  EXPECT_EQ(d->params[0].doc, "learning rate");
  EXPECT_FALSE(d->params[0].required);
  EXPECT_EQ(d->default_value(0), Node(1e-3));
  EXPECT_EQ(d->params[1].name, "betas");
  EXPECT_EQ(d->params[1].type_name(), "std::pair<double, double>");
  EXPECT_EQ(d->params[3].name, "reduction");
  EXPECT_EQ(d->default_value(3), Node("mean"));
  EXPECT_EQ(d->params[4].type_name(), "std::chrono::milliseconds");
  EXPECT_EQ(d->default_value(4), Node("0ms"));
  ASSERT_EQ(d->interfaces.size(), 1u);
  EXPECT_EQ(d->interfaces[0].name(), "rigtest::Optimizer");
}

TEST(Registry, ListedParametersWithInlineDefaultsAndSignatureTypes) {
  const rig::detail::ComponentDef* sgd = rig::registry().find("rigtest.Sgd");
  ASSERT_NE(sgd, nullptr);
  ASSERT_EQ(sgd->params.size(), 3u);
  EXPECT_TRUE(sgd->params[0].required);
  EXPECT_FALSE(sgd->params[1].required);
  EXPECT_EQ(sgd->params[1].doc, "heavy ball");
  EXPECT_EQ(sgd->default_value(2), Node(false));

  const rig::detail::ComponentDef* f = rig::registry().find("rigtest.scaled");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->params[1].type_name(), "double");
  EXPECT_EQ(f->default_value(1), Node(2.0));  // `= 2` converted to the parameter's type
  EXPECT_EQ(f->interfaces[0].name(), "double");   // a value type is its own interface
}

TEST(Registry, ComponentsByInterfaceAreSorted) {
  auto opts = rig::registry().components(rig::type_key<Optimizer>());
  std::vector<std::string> names;
  for (auto* d : opts) names.push_back(d->name());
  EXPECT_EQ(names, (std::vector<std::string>{"rigtest.Adam", "rigtest.Sgd", "rigtest.make_sgd"}));
}

TEST(Registry, DuplicateNamesAreAnErrorNamingBothFiles) {
  rig::Registry local;
  rig::detail::ComponentDef a, b;
  a.cpp_name = "dup::Thing";
  a.file = "first.cpp";
  a.line = 3;
  b.cpp_name = "dup.Thing";
  b.file = "second.cpp";
  b.line = 7;
  local.add(a);
  local.add(b);
  auto e = expect_error("rig.component.duplicate", [&] { local.find("dup.Thing"); });
  std::string text = rig::format(e);
  EXPECT_NE(text.find("first.cpp:3"), std::string::npos) << text;
  EXPECT_NE(text.find("second.cpp:7"), std::string::npos) << text;
}

TEST(Registry, RegistrationIsThreadSafe) {
  rig::Registry local;
  std::vector<rig::detail::ComponentDef> defs(400);
  std::vector<std::string> names(defs.size());
  for (size_t i = 0; i < defs.size(); ++i) {
    names[i] = "t.C" + std::to_string(i);
    defs[i].cpp_name = names[i];
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = t; i < defs.size(); i += 4) local.add(defs[i]);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(local.size(), defs.size());
  for (size_t i = 0; i < defs.size(); ++i) EXPECT_EQ(local.find(names[i]), &defs[i]);
}

// ---- instantiate ----------------------------------------------------------------------------------------------------

TEST(Instantiate, OptionsStructWithEveryConversion) {
  Node cfg = yaml(R"(
_component_: rigtest.Adam
lr: 0.01
betas: [0.8, 0.99]
reduction: sum
warmup: 1.5s
)");
  auto opt = rig::instantiate<std::unique_ptr<Optimizer>>(cfg);
  auto* adam = dynamic_cast<Adam*>(opt.get());
  ASSERT_NE(adam, nullptr);
  EXPECT_EQ(adam->opts.lr, 0.01);
  EXPECT_EQ(adam->opts.betas, std::make_pair(0.8, 0.99));
  EXPECT_EQ(adam->opts.weight_decay, 0.0f);  // default member initialiser
  EXPECT_EQ(adam->opts.reduction, Reduction::sum);
  EXPECT_EQ(adam->opts.warmup, std::chrono::milliseconds(1500));
}

TEST(Instantiate, EverySpellingOfTheComponentKey) {
  for (const char* text : {"_component_: rigtest::Sgd\nlr: 1", "_target_: rigtest.Sgd\nlr: 1",
                           "target: \"rigtest:Sgd\"\nlr: 1", "_component_: rigtest.make_sgd\nlr: 1"}) {
    auto opt = rig::instantiate<std::shared_ptr<Optimizer>>(yaml(text));
    ASSERT_NE(opt, nullptr) << text;
    EXPECT_EQ(opt->kind(), "sgd") << text;
  }
}

TEST(Instantiate, ByValueUniqueAndShared) {
  Node cfg = yaml("_component_: rigtest.Sgd\nlr: 0.5\nnesterov: true");
  Sgd value = rig::instantiate<Sgd>(cfg);
  EXPECT_EQ(value.lr, 0.5);
  EXPECT_EQ(value.momentum, 0.0);
  EXPECT_TRUE(value.nesterov);
  std::unique_ptr<Optimizer> u = rig::instantiate<std::unique_ptr<Optimizer>>(cfg);
  std::shared_ptr<Optimizer> s = rig::instantiate<std::shared_ptr<Optimizer>>(cfg);
  EXPECT_EQ(u->kind(), "sgd");
  EXPECT_EQ(s->kind(), "sgd");
  EXPECT_EQ(s.use_count(), 1);

  Cosine c = rig::instantiate<Cosine>(yaml("_component_: rigtest.Cosine\nwarmup: 5\ntag: [2, y]"));
  EXPECT_EQ(c.warmup, 5);
  EXPECT_EQ(c.steps, (std::array<int, 2>{1, 2}));
  EXPECT_EQ(c.tag, std::make_tuple(2, std::string("y")));
  EXPECT_EQ(rig::instantiate<double>(yaml("_component_: rigtest.scaled\nx: 1.5")), 3.0);
}

TEST(Instantiate, ValueOfABaseInterfaceIsRefused) {
  expect_error("rig.component.by_value", [] { rig::instantiate<Shape>(yaml("_component_: rigtest.Square")); });
  EXPECT_EQ(rig::instantiate<Square>(yaml("_component_: rigtest.Square")).sides, 4);
  EXPECT_EQ(rig::instantiate<std::unique_ptr<Shape>>(yaml("_component_: rigtest.Square"))->sides, 4);
  auto errors = errors_of([] { rig::instantiate<std::unique_ptr<Tokenizer>>(yaml("_component_: rigtest.SharedBpe\nvocab: 1")); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.component.by_value");
  auto shared = rig::instantiate<std::shared_ptr<Tokenizer>>(yaml("_component_: rigtest.SharedBpe\nvocab: 7"));
  EXPECT_EQ(shared->vocab(), 7);
}

TEST(Instantiate, NestedComponentsBottomUp) {
  Node cfg = yaml(R"(
_component_: rigtest.TextDataset
split: train
tokenizer:
  _component_: rigtest.Bpe
  path: vocab.json
)");
  auto ds = rig::instantiate<TextDataset>(cfg);
  ASSERT_NE(ds.tokenizer, nullptr);
  EXPECT_EQ(ds.tokenizer->vocab(), 32000);
  EXPECT_EQ(dynamic_cast<Bpe&>(*ds.tokenizer).path, "vocab.json");
  EXPECT_EQ(ds.max_len, 512);
}

TEST(Instantiate, CallSitePositionalAndKeywordArguments) {
  auto tok = std::make_shared<Bpe>("p", 5);
  std::shared_ptr<Tokenizer> as_interface = tok;
  Node cfg = yaml("_component_: rigtest.TextDataset\nsplit: train\nmax_len: 64");
  auto ds = rig::instantiate<TextDataset>(cfg, as_interface, rig::kw("max_len", 128));
  EXPECT_EQ(ds.tokenizer.get(), tok.get());
  EXPECT_EQ(ds.split, "train");
  EXPECT_EQ(ds.max_len, 128);  // the call-site keyword overrides the config

  auto sgd = rig::instantiate<Sgd>(yaml("_component_: rigtest.Sgd\n_args_: [0.25]"), rig::kw("momentum", 0.5));
  EXPECT_EQ(sgd.lr, 0.25);
  EXPECT_EQ(sgd.momentum, 0.5);
  auto ds2 = rig::instantiate<TextDataset>(yaml("_component_: rigtest.TextDataset"), as_interface, "valid");
  EXPECT_EQ(ds2.split, "valid");
}

TEST(Instantiate, OneNodeReferencedTwiceIsOneSharedInstance) {
  Node cfg = yaml(R"(
tok: &tok {_component_: rigtest.Bpe, path: a}
pair:
  _component_: rigtest.TwoTokenizers
  a: *tok
  b: *tok
separate:
  _component_: rigtest.TwoTokenizers
  a: {_component_: rigtest.Bpe, path: a}
  b: {_component_: rigtest.Bpe, path: a}
)");
  auto pair = rig::instantiate<TwoTokenizers>(cfg["pair"]);
  EXPECT_EQ(pair.a.get(), pair.b.get());
  auto separate = rig::instantiate<TwoTokenizers>(cfg["separate"]);
  EXPECT_NE(separate.a.get(), separate.b.get());

  Node copied = cfg["separate"];  // a copy of one subtree, placed twice, shares storage too
  Node built = yaml("_component_: rigtest.TwoTokenizers");
  built.set("a", copied["a"]);
  built.set("b", copied["a"]);
  auto shared = rig::instantiate<TwoTokenizers>(built);
  EXPECT_EQ(shared.a.get(), shared.b.get());
}

TEST(Instantiate, FromAConfigWithInterpolationsSharingOneInstance) {
  rig::Config cfg(yaml(R"(
vocab: 77
tok: {_component_: rigtest.Bpe, path: a, vocab_size: "${vocab}"}
pair:
  _component_: rigtest.TwoTokenizers
  a: ${tok}
  b: ${tok}
)"));
  auto pair = rig::instantiate<TwoTokenizers>(cfg["pair"]);
  EXPECT_EQ(pair.a->vocab(), 77);
  EXPECT_EQ(pair.a.get(), pair.b.get());
}

TEST(Instantiate, NestedOptionsStructParameterWithoutComponentKey) {
  EXPECT_EQ(rig::instantiate<int>(yaml("_component_: rigtest.schedule_len\nsched: {warmup: 9, steps: [3, 4]}")), 16);
  auto errors = errors_of([] { rig::instantiate<int>(yaml("_component_: rigtest.schedule_len\nsched: {warmpu: 9}")); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.args.unknown_keyword");
  EXPECT_EQ(errors[0].key_path(), "sched.warmpu");
  EXPECT_EQ(errors[0].origin().line, 2u);
}

TEST(Instantiate, RecursiveFalseHandsTheNode) {
  Node cfg = yaml("_component_: rigtest.Holder\n_recursive_: false\nsub: {_component_: rigtest.Bpe, path: x}\nn: 2");
  Holder h = rig::instantiate<Holder>(cfg);
  EXPECT_TRUE(h.sub.is_map());
  EXPECT_EQ(h.sub["path"], Node("x"));
  EXPECT_EQ(h.n, 2);

  auto errors = errors_of([] {
    rig::instantiate<TextDataset>(
        yaml("_component_: rigtest.TextDataset\n_recursive_: false\nsplit: a\ntokenizer: {_component_: rigtest.Bpe, path: x}"));
  });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.component.not_recursive");
}

TEST(Instantiate, PartialBindsConfiguredArgumentsAndChecksTheRestByType) {
  Node cfg = yaml("_component_: rigtest.Sgd\n_partial_: true\nmomentum: 0.9");
  auto make = rig::instantiate<std::function<std::unique_ptr<Optimizer>(double)>>(cfg);
  auto opt = make(0.125);
  auto* sgd = dynamic_cast<Sgd*>(opt.get());
  ASSERT_NE(sgd, nullptr);
  EXPECT_EQ(sgd->lr, 0.125);
  EXPECT_EQ(sgd->momentum, 0.9);
  EXPECT_NE(make(1.0).get(), opt.get());  // each call builds a new object

  auto errors = errors_of([&] { rig::partial<std::unique_ptr<Optimizer>(std::string)>(cfg); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.args.positional_type");
  EXPECT_NE(errors[0].message().find("expected double, got std::string"), std::string::npos) << errors[0].message();

  expect_error("rig.component.partial", [&] { rig::instantiate<std::unique_ptr<Optimizer>>(cfg); });
}

TEST(Instantiate, NestedPartialParameter) {
  Node cfg = yaml("_component_: rigtest.Trainer\nmake_optimizer: {_component_: rigtest.Adam, _partial_: true}");
  // Adam's first field is lr: the trainer supplies it per call.
  auto t = rig::instantiate<Trainer>(cfg);
  EXPECT_EQ(t.steps, 10);
  auto opt = t.make_optimizer(0.5);
  EXPECT_EQ(dynamic_cast<Adam&>(*opt).opts.lr, 0.5);
}

// ---- errors -----------------------------------------------------------------------------------------------------------

TEST(InstantiateErrors, UnknownComponentSaysDidYouMeanAndListsTheInterface) {
  Node cfg = yaml("opt:\n  _component_: rigtest.Adma\n");
  auto errors = errors_of([&] { rig::instantiate<std::unique_ptr<Optimizer>>(cfg["opt"]); });
  ASSERT_EQ(errors.size(), 1u);
  const auto& e = errors[0];
  EXPECT_EQ(e.id(), "rig.component.unknown");
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.origin().column, 16u);
  EXPECT_NE(e.hint().find("rigtest.Adam"), std::string::npos) << rig::format(e);
  std::string text = rig::format(e);
  EXPECT_NE(text.find("registered as rigtest::Optimizer: rigtest.Adam, adam, rigtest.Sgd, rigtest.make_sgd"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("^"), std::string::npos);
}

TEST(InstantiateErrors, WrongInterface) {
  auto errors = errors_of([] { rig::instantiate<std::unique_ptr<Optimizer>>(yaml("_component_: rigtest.Bpe\npath: x")); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.component.wrong_interface");
  EXPECT_NE(errors[0].message().find("registered as rigtest::Tokenizer, not as rigtest::Optimizer"), std::string::npos);
}

TEST(InstantiateErrors, EveryProblemOfTheTreeIsCollectedAndLocated) {
  Node cfg = yaml(R"(_component_: rigtest.TextDataset
split: [not, a, string]
max_lenn: 3
tokenizer:
  _component_: rigtest.Bpe
  vocab_size: 99999999999
extra: 1
)");
  auto errors = errors_of([&] { rig::instantiate<TextDataset>(cfg); });
  const rig::Error* unknown = find_id(errors, "rig.args.unknown_keyword");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->origin().line, 3u);  // at the key
  EXPECT_EQ(unknown->origin().column, 1u);
  EXPECT_NE(unknown->hint().find("max_len"), std::string::npos);
  EXPECT_EQ(unknown->key_path(), "max_lenn");
  const rig::Error* mismatch = find_id(errors, "rig.type.mismatch");
  ASSERT_NE(mismatch, nullptr);
  EXPECT_EQ(mismatch->origin().line, 2u);
  EXPECT_EQ(mismatch->key_path(), "split");
  const rig::Error* missing = find_id(errors, "rig.args.missing");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->key_path(), "tokenizer.path");
  EXPECT_EQ(missing->origin().line, 5u);
  const rig::Error* range = find_id(errors, "rig.type.out_of_range");
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->key_path(), "tokenizer.vocab_size");
  EXPECT_EQ(range->origin().line, 6u);
  EXPECT_EQ(errors.size(), 5u);  // max_lenn, extra, split, path, vocab_size
}

TEST(InstantiateErrors, PositionalArgumentOfTheWrongType) {
  auto errors = errors_of([] { rig::instantiate<TextDataset>(yaml("_component_: rigtest.TextDataset\nsplit: a"), 42); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.args.positional_type");
  EXPECT_NE(errors[0].message().find("expected std::shared_ptr<rigtest::Tokenizer>, got int"), std::string::npos)
      << errors[0].message();

  auto too_many = errors_of([] { rig::instantiate<Sgd>(yaml("_component_: rigtest.Sgd"), 1.0, 2.0, true, 4.0); });
  EXPECT_NE(find_id(too_many, "rig.args.too_many"), nullptr);
  auto dup = errors_of([] { rig::instantiate<Sgd>(yaml("_component_: rigtest.Sgd\nlr: 1"), 1.0); });
  EXPECT_NE(find_id(dup, "rig.args.duplicate"), nullptr);
  auto kw = errors_of([] { rig::instantiate<Sgd>(yaml("_component_: rigtest.Sgd\nlr: 1"), rig::kw("momentun", 1.0)); });
  ASSERT_NE(find_id(kw, "rig.args.unknown_keyword"), nullptr);
  EXPECT_NE(find_id(kw, "rig.args.unknown_keyword")->hint().find("momentum"), std::string::npos);
}

TEST(InstantiateErrors, OverflowAndEnumAndDurationMistakes) {
  auto errors = errors_of([] { rig::instantiate<int8_t>(yaml("_component_: rigtest.small\nv: 300")); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.type.out_of_range");
  auto more = errors_of([] {
    rig::instantiate<std::unique_ptr<Optimizer>>(yaml("_component_: rigtest.Adam\nreduction: summ\nwarmup: 10 parsecs"));
  });
  ASSERT_EQ(more.size(), 2u);
  EXPECT_NE(more[0].hint().find("sum"), std::string::npos);
  EXPECT_EQ(more[0].key_path(), "reduction");
  EXPECT_EQ(more[1].key_path(), "warmup");
}

TEST(InstantiateErrors, MissingComponentKeyAndNotAMap) {
  expect_error("rig.component.missing_name", [] { rig::instantiate<Sgd>(yaml("lr: 1")); });
  expect_error("rig.type.mismatch", [] { rig::instantiate<Sgd>(yaml("[1, 2]")); });
}

TEST(InstantiateErrors, NothingOutsideTheRegistryIsReachable) {
  // The allowlist is the registry itself: a class that exists but is not registered, or any other name, is unknown.
  for (const char* name : {"rigtest.NotRegistered", "rigtest::NotRegistered", "std.system", "os.system", "system",
                           "rig.registry", "rigtest.Optimizer"}) {
    auto errors = errors_of([&] {
      Node cfg = Node::map();
      cfg.set("_component_", name);
      rig::instantiate<rigtest::NotRegistered>(cfg);
    });
    ASSERT_EQ(errors.size(), 1u) << name;
    EXPECT_EQ(errors[0].id(), "rig.component.unknown") << name;
  }
}

// ---- introspection ----------------------------------------------------------------------------------------------------

TEST(Introspection, DescribeShowsEverything) {
  std::string text = rig::describe(*rig::registry().find("rigtest.Sgd"));
  EXPECT_NE(text.find("rigtest.Sgd\n"), std::string::npos) << text;
  EXPECT_NE(text.find("interfaces:  rigtest::Optimizer"), std::string::npos) << text;
  EXPECT_NE(text.find("lr: double (required)"), std::string::npos) << text;
  EXPECT_NE(text.find("momentum: double = 0.0  — heavy ball"), std::string::npos) << text;
  EXPECT_NE(text.find("registry_test.cpp:"), std::string::npos) << text;
}

TEST(Introspection, ListFiltersByInterfaceAndPattern) {
  EXPECT_EQ(rig::list_components("rigtest::Tokenizer", "rigtest.*"),
            "rigtest.Bpe  [rigtest::Tokenizer]\nrigtest.SharedBpe  [rigtest::Tokenizer]\n");
  EXPECT_EQ(rig::list_components({}, "Cos"), "rigtest.Cosine  [rigtest::Cosine]  cosine schedule\n");
}

TEST(Introspection, JsonSchemaOfAComponent) {
  Node s = rig::json_schema(*rig::registry().find("rigtest.Adam"));
  EXPECT_EQ(s["type"], Node("object"));
  EXPECT_EQ(s["properties"]["lr"]["type"], Node("number"));
  EXPECT_EQ(s["properties"]["lr"]["default"], Node(1e-3));
  EXPECT_EQ(s["properties"]["lr"]["description"], Node("learning rate"));
  EXPECT_EQ(s["properties"]["reduction"]["enum"], yaml("[mean, sum, none]"));
  EXPECT_EQ(s["properties"]["betas"]["prefixItems"].size(), 2u);
  EXPECT_EQ(s["additionalProperties"], Node(false));
  EXPECT_EQ(s["properties"]["_component_"]["enum"], yaml("[rigtest.Adam, 'rigtest::Adam', adam]"));

  Node ds = rig::json_schema(*rig::registry().find("rigtest.TextDataset"));
  EXPECT_EQ(ds["required"], yaml("[tokenizer, split]"));
  std::string ref = ds["properties"]["tokenizer"]["anyOf"][0]["$ref"].str();
  EXPECT_EQ(ref, "#/$defs/rigtest::Tokenizer");
  const Node& options = ds["$defs"]["rigtest::Tokenizer"]["anyOf"];
  ASSERT_EQ(options.size(), 2u);
  EXPECT_EQ(options[0]["title"], Node("rigtest.Bpe"));
  EXPECT_NO_THROW(rig::dump_json(ds));
}

TEST(Introspection, JsonSchemaOfAWholeConfig) {
  Node cfg = yaml("seed: 1\nname: run\noptimizer: {_component_: rigtest.Sgd, lr: 1}\n");
  Node s = rig::config_json_schema(cfg);
  EXPECT_EQ(s["properties"]["seed"]["type"], Node("integer"));
  EXPECT_EQ(s["properties"]["name"]["type"], Node("string"));
  EXPECT_EQ(s["properties"]["optimizer"]["title"], Node("rigtest.Sgd"));
  EXPECT_EQ(s["properties"]["optimizer"]["properties"]["nesterov"]["type"], Node("boolean"));
}

// ---- operative config ------------------------------------------------------------------------------------------------

TEST(OperativeConfig, RecordsEveryDefaultThatWasUsed) {
  rig::clear_operative_config();
  rig::instantiate<TextDataset>(yaml("_component_: rigtest.TextDataset\nsplit: a\ntokenizer: {_component_: rigtest::Bpe, path: v}"));
  Node op = rig::operative_config();
  ASSERT_EQ(op.size(), 1u);
  EXPECT_EQ(op[0], yaml(R"(
_component_: rigtest.TextDataset
tokenizer: {_component_: rigtest.Bpe, path: v, vocab_size: 32000}
split: a
max_len: 512
)")) << op;
  // Reproducible: building from the operative config records the same config again.
  rig::instantiate<TextDataset>(op[0]);
  EXPECT_EQ(rig::operative_config()[1], op[0]);
  rig::clear_operative_config();
  EXPECT_EQ(rig::operative_config().size(), 0u);

  EXPECT_EQ(rig::with_defaults(yaml("o: {_component_: rigtest.Sgd, lr: 1}")),
            yaml("o: {_component_: rigtest.Sgd, lr: 1, momentum: 0.0, nesterov: false}"));
}

// ---- Spec ----------------------------------------------------------------------------------------------------------------

TEST(Spec, FromOptionsStructRoundTripsExactlyAndBuilds) {
  rig::Spec s = rig::Spec::of<Adam>({.lr = 0.1, .betas = {1.0 / 3.0, 5e-324}, .weight_decay = 1e-7f,
                                     .reduction = Reduction::none, .warmup = std::chrono::milliseconds(250)});
  std::string text = s.yaml();
  rig::Spec back = rig::Spec::from_yaml(text);
  EXPECT_EQ(back, s) << text;
  rig::Spec from_json = rig::Spec::from_json(s.json());
  EXPECT_EQ(from_json, s);
  auto opt = back.instantiate<std::unique_ptr<Optimizer>>();
  const auto& o = dynamic_cast<Adam&>(*opt).opts;
  EXPECT_EQ(o.lr, 0.1);
  EXPECT_EQ(o.betas.first, 1.0 / 3.0);
  EXPECT_EQ(o.betas.second, 5e-324);
  EXPECT_EQ(o.weight_decay, 1e-7f);
  EXPECT_EQ(o.reduction, Reduction::none);
  EXPECT_EQ(o.warmup, std::chrono::milliseconds(250));
}

TEST(Spec, FromNameAndKeywordsWithNestedSpecsAndPartial) {
  rig::Spec ds("rigtest::TextDataset", {{"split", "train"}, {"tokenizer", rig::Spec("rigtest.Bpe", {{"path", "v"}})}});
  rig::Spec back = rig::Spec::from_yaml(ds.yaml());
  EXPECT_EQ(back, ds);
  auto built = back.instantiate<TextDataset>();
  EXPECT_EQ(built.split, "train");
  EXPECT_EQ(built.tokenizer->vocab(), 32000);

  rig::Spec sgd("rigtest.Sgd", {{"momentum", 0.5}});
  sgd.set_partial();
  auto make = rig::Spec::from_yaml(sgd.yaml()).partial<std::unique_ptr<Optimizer>(double)>();
  EXPECT_EQ(dynamic_cast<Sgd&>(*make(2.0)).momentum, 0.5);
  EXPECT_EQ(rig::Spec::of<Cosine>({.warmup = 7}).instantiate<Cosine>().warmup, 7);
}

}  // namespace
