// Nested components in lists and maps, partials holding built objects, and overloaded functions and constructors
// (the registry's less common forms). Components registered here, as a user's .cpp would.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "test_util.hpp"
#include "rig/instantiate.hpp"
#include "rig/registry.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"

namespace nesttest {

struct Layer {
  virtual ~Layer() = default;
  virtual int width() const = 0;
};
struct Dense : Layer {
  explicit Dense(int w) : w(w) {}
  int width() const override { return w; }
  int w;
};

// Lists and maps of components as constructor parameters...
struct Stack {
  Stack(std::vector<std::shared_ptr<Layer>> layers, std::map<std::string, std::shared_ptr<Layer>> heads)
      : layers(std::move(layers)), heads(std::move(heads)) {}
  std::vector<std::shared_ptr<Layer>> layers;
  std::map<std::string, std::shared_ptr<Layer>> heads;
};
struct OwnedStack {
  OwnedStack(std::vector<std::unique_ptr<Layer>> layers, std::map<std::string, std::unique_ptr<Layer>> heads)
      : layers(std::move(layers)), heads(std::move(heads)) {}
  std::vector<std::unique_ptr<Layer>> layers;
  std::map<std::string, std::unique_ptr<Layer>> heads;
};
// ... and as fields of an options struct.
struct Net {
  struct Options {
    std::vector<std::shared_ptr<Layer>> layers;
    std::map<std::string, std::shared_ptr<Layer>> heads;
    int depth = 1;
  };
  explicit Net(Options o) : opts(std::move(o)) {}
  Options opts;
};

// A partial's bound arguments: one shared, one owned nested component; the first parameter comes at call time.
struct Model {
  Model(double scale, std::shared_ptr<Layer> shared, std::unique_ptr<Layer> owned)
      : scale(scale), shared(std::move(shared)), owned(std::move(owned)) {}
  double scale;
  std::shared_ptr<Layer> shared;
  std::unique_ptr<Layer> owned;
};

// Overloaded free functions, each overload registered under its own name.
int area(int side) { return side * side; }
int area(int w, int h) { return w * h; }

// Overloaded constructors: rig::params<Types...> picks one, as a call with those argument types would.
struct Box {
  explicit Box(int side) : w(side), h(side) {}
  Box(int w, int h) : w(w), h(h) {}
  int w, h;
};

}  // namespace nesttest

RIG_COMPONENT(nesttest::Dense, rig::interfaces<nesttest::Layer>, rig::params<int>("width"));
RIG_COMPONENT(nesttest::Stack,
              rig::params<std::vector<std::shared_ptr<nesttest::Layer>>,
                          std::map<std::string, std::shared_ptr<nesttest::Layer>>>(
                  "layers", rig::arg("heads") = std::map<std::string, std::shared_ptr<nesttest::Layer>>{}));
RIG_COMPONENT(nesttest::OwnedStack,
              rig::params<std::vector<std::unique_ptr<nesttest::Layer>>,
                          std::map<std::string, std::unique_ptr<nesttest::Layer>>>("layers", "heads"));
RIG_COMPONENT(nesttest::Net);
RIG_COMPONENT(nesttest::Model,
              rig::params<double, std::shared_ptr<nesttest::Layer>, std::unique_ptr<nesttest::Layer>>("scale", "shared",
                                                                                                    "owned"));
RIG_FUNCTION_AS(nesttest::area, int(int), rig::params("side"), rig::name("nesttest.square_area"));
RIG_FUNCTION_AS(nesttest::area, int(int, int), rig::params("w", "h"), rig::name("nesttest.rect_area"));
RIG_COMPONENT(nesttest::Box, rig::params<int>("side"), rig::name("nesttest.Cube"));
RIG_COMPONENT(nesttest::Box, rig::params<int, int>("w", "h"));

using rig::testing::yaml;

namespace {

using namespace nesttest;
using rig::Node;


std::vector<rig::Error> errors_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const rig::ErrorList& e) {
    return e.errors();
  }
  ADD_FAILURE() << "nothing was thrown";
  return {};
}

const rig::Error* find_path(const std::vector<rig::Error>& errors, std::string_view key_path) {
  for (const auto& e : errors)
    if (e.key_path() == key_path) return &e;
  return nullptr;
}

// ---- lists and maps of components ----------------------------------------------------------------------------------

TEST(NestedContainers, ListAndMapOfSharedComponents) {
  auto s = rig::instantiate<Stack>(yaml(R"(_component_: nesttest.Stack
layers:
  - {_component_: nesttest.Dense, width: 3}
  - {_component_: nesttest.Dense, width: 5}
heads:
  cls: {_component_: nesttest.Dense, width: 10}
  box: {_component_: nesttest.Dense, width: 4}
)"));
  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_EQ(s.layers[0]->width(), 3);
  EXPECT_EQ(s.layers[1]->width(), 5);
  ASSERT_EQ(s.heads.size(), 2u);
  EXPECT_EQ(s.heads.at("cls")->width(), 10);
  EXPECT_EQ(s.heads.at("box")->width(), 4);
  EXPECT_NE(s.layers[0].get(), s.layers[1].get());
}

TEST(NestedContainers, EmptyListAndDefaultMap) {
  auto s = rig::instantiate<Stack>(yaml("_component_: nesttest.Stack\nlayers: []"));
  EXPECT_TRUE(s.layers.empty());
  EXPECT_TRUE(s.heads.empty());
}

TEST(NestedContainers, ListAndMapOfUniqueComponents) {
  auto s = rig::instantiate<std::unique_ptr<OwnedStack>>(yaml(R"(_component_: nesttest.OwnedStack
layers: [{_component_: nesttest.Dense, width: 1}, {_component_: nesttest.Dense, width: 2}]
heads: {out: {_component_: nesttest.Dense, width: 7}}
)"));
  ASSERT_EQ(s->layers.size(), 2u);
  EXPECT_EQ(s->layers[1]->width(), 2);
  EXPECT_EQ(s->heads.at("out")->width(), 7);
}

TEST(NestedContainers, FieldsOfAnOptionsStruct) {
  auto n = rig::instantiate<Net>(yaml(R"(_component_: nesttest.Net
layers: [{_component_: nesttest.Dense, width: 8}]
heads: {a: {_component_: nesttest.Dense, width: 9}}
)"));
  ASSERT_EQ(n.opts.layers.size(), 1u);
  EXPECT_EQ(n.opts.layers[0]->width(), 8);
  EXPECT_EQ(n.opts.heads.at("a")->width(), 9);
  EXPECT_EQ(n.opts.depth, 1);
}

TEST(NestedContainers, OneNodeInterpolatedIntoListAndMapIsOneSharedInstance) {
  rig::Config cfg(yaml(R"(
enc: {_component_: nesttest.Dense, width: 4}
other: {_component_: nesttest.Dense, width: 4}
stack:
  _component_: nesttest.Stack
  layers: ["${enc}", "${enc}", "${other}"]
  heads: {a: "${enc}"}
)"));
  auto s = rig::instantiate<Stack>(cfg["stack"]);
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0].get(), s.layers[1].get());
  EXPECT_EQ(s.layers[0].get(), s.heads.at("a").get());
  EXPECT_NE(s.layers[0].get(), s.layers[2].get());  // equal content, another node: another object
}

TEST(NestedContainers, EveryElementErrorIsCollectedAndLocated) {
  auto errors = errors_of([] {
    rig::instantiate<Stack>(yaml(R"(_component_: nesttest.Stack
layers:
  - {_component_: nesttest.Dense, width: 3}
  - {_component_: nesttest.Dence, width: 5}
  - {_component_: nesttest.Dense}
  - 12
heads:
  x: {_component_: nesttest.Dense, width: big}
)"));
  });
  ASSERT_EQ(errors.size(), 4u);
  const rig::Error* unknown = find_path(errors, "layers[1]._component_");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->id(), "rig.component.unknown");
  EXPECT_EQ(unknown->origin().line, 4u);
  EXPECT_NE(unknown->hint().find("nesttest.Dense"), std::string::npos) << unknown->hint();
  const rig::Error* missing = find_path(errors, "layers[2].width");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->id(), "rig.args.missing");
  EXPECT_EQ(missing->origin().line, 5u);
  const rig::Error* not_map = find_path(errors, "layers[3]");
  ASSERT_NE(not_map, nullptr);
  EXPECT_EQ(not_map->id(), "rig.type.mismatch");
  EXPECT_EQ(not_map->origin().line, 6u);
  const rig::Error* bad_width = find_path(errors, "heads.x.width");
  ASSERT_NE(bad_width, nullptr);
  EXPECT_EQ(bad_width->origin().line, 8u);
}

TEST(NestedContainers, NotAListIsAnError) {
  auto errors = errors_of([] { rig::instantiate<Stack>(yaml("_component_: nesttest.Stack\nlayers: 3")); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id(), "rig.type.mismatch");
  EXPECT_EQ(errors[0].key_path(), "layers");
  EXPECT_EQ(errors[0].origin().line, 2u);
  EXPECT_NE(errors[0].message().find("expected a list of component configs"), std::string::npos)
      << errors[0].message();
}

TEST(NestedContainers, OperativeConfigListsEachElementWithItsDefaults) {
  rig::clear_operative_config();
  (void)rig::instantiate<Stack>(yaml("_component_: nesttest.Stack\nlayers: [{_component_: nesttest.Dense, width: 2}]"));
  Node op = rig::operative_config();
  ASSERT_EQ(op.size(), 1u);
  ASSERT_TRUE(op[0]["layers"].is_list());
  EXPECT_EQ(op[0]["layers"][0]["_component_"], Node("nesttest.Dense"));
  EXPECT_EQ(op[0]["layers"][0]["width"], Node(2));
  EXPECT_TRUE(op[0]["heads"].is_map());  // the default: an empty map
  EXPECT_EQ(op[0]["heads"].size(), 0u);
}

TEST(NestedContainers, IntrospectionAndStaticValidation) {
  const rig::detail::ComponentDef* d = rig::registry().find("nesttest.Stack");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->params[0].nesting, rig::detail::Nesting::None);
  EXPECT_EQ(d->params[0].nesting, rig::detail::Nesting::List);
  EXPECT_EQ(d->params[1].nesting, rig::detail::Nesting::Map);
  EXPECT_EQ(d->params[0].interface_name(), "nesttest::Layer");

  Node bad = yaml("_component_: nesttest.Stack\nlayers: [{_component_: nesttest.Dence}]\nheads: {a: 1}");
  std::vector<rig::Error> errors;
  rig::check_component(bad, nullptr, rig::KeyPath{}, errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(find_path(errors, "layers[0]._component_"), nullptr);
  EXPECT_NE(find_path(errors, "heads.a"), nullptr);
}

// ---- partials -------------------------------------------------------------------------------------------------------

TEST(PartialNesting, SharedComponentsAreBuiltOnceOwnedOnesPerCall) {
  auto make = rig::partial<std::unique_ptr<Model>(double)>(yaml(R"(_component_: nesttest.Model
shared: {_component_: nesttest.Dense, width: 2}
owned: {_component_: nesttest.Dense, width: 3}
)"));
  auto a = make(1.0);
  auto b = make(2.0);
  EXPECT_EQ(a->scale, 1.0);
  EXPECT_EQ(b->scale, 2.0);
  EXPECT_EQ(a->shared.get(), b->shared.get());  // built when the partial was made
  EXPECT_NE(a->owned.get(), b->owned.get());    // each call owns its own
  EXPECT_EQ(a->owned->width(), 3);
  EXPECT_EQ(b->shared->width(), 2);
}

TEST(PartialNesting, SharedWithTheRestOfTheTree) {
  rig::Config cfg(yaml(R"(
enc: {_component_: nesttest.Dense, width: 6}
stack: {_component_: nesttest.Stack, layers: ["${enc}"]}
model: {_component_: nesttest.Model, _partial_: true, shared: "${enc}", owned: {_component_: nesttest.Dense, width: 1}}
)"));
  auto stack = rig::instantiate<Stack>(cfg["stack"]);
  auto make = rig::instantiate<std::function<std::unique_ptr<Model>(double)>>(cfg["model"]);
  // Separate instantiate calls: separate graphs. Within the partial, every call shares one.
  EXPECT_NE(make(1.0)->shared.get(), stack.layers[0].get());
  EXPECT_EQ(make(1.0)->shared.get(), make(3.0)->shared.get());
}

// ---- overloads --------------------------------------------------------------------------------------------------------

TEST(Overloads, EachOverloadOfAFunctionByItsSignature) {
  EXPECT_EQ(rig::instantiate<int>(yaml("_component_: nesttest.square_area\nside: 3")), 9);
  EXPECT_EQ(rig::instantiate<int>(yaml("_component_: nesttest.rect_area\nw: 2\nh: 5")), 10);
  const rig::detail::ComponentDef* rect = rig::registry().find("nesttest.rect_area");
  ASSERT_NE(rect, nullptr);
  ASSERT_EQ(rect->params.size(), 2u);
  EXPECT_EQ(rect->params[1].type_name(), "int");
}

TEST(Overloads, EachConstructorByItsParameterTypes) {
  Box cube = rig::instantiate<Box>(yaml("_component_: nesttest.Cube\nside: 4"));
  EXPECT_EQ(cube.w, 4);
  EXPECT_EQ(cube.h, 4);
  Box box = rig::instantiate<Box>(yaml("_component_: nesttest.Box\nw: 2\nh: 3"));
  EXPECT_EQ(box.w, 2);
  EXPECT_EQ(box.h, 3);
}

}  // namespace

namespace {

// ---- registration storage -----------------------------------------------------------------------------------------

TEST(RegistrySlots, SlotsThenListKeepRegistrationOrderAndAreThreadSafe) {
  std::vector<std::atomic<const rig::detail::ComponentDef*>> slots(100);  // fewer than the components: the rest are listed
  rig::Registry local(slots.data(), slots.size());
  std::vector<rig::detail::ComponentDef> defs(400);
  std::vector<std::string> names(defs.size());
  for (size_t i = 0; i < defs.size(); ++i) {
    names[i] = "slots.C" + std::to_string(i);
    defs[i].cpp_name = names[i];
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < defs.size(); i += 4) local.add(defs[i]);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(local.size(), defs.size());
  for (size_t i = 0; i < defs.size(); ++i) EXPECT_EQ(local.find(names[i]), &defs[i]);
  size_t in_slots = 0;
  for (const auto& s : slots) in_slots += s.load() != nullptr;
  EXPECT_EQ(in_slots, slots.size());
  EXPECT_EQ(local.components().size(), defs.size());

  rig::Registry sequential(slots.data(), 2);
  slots[0] = nullptr;
  slots[1] = nullptr;
  for (size_t i = 0; i < 4; ++i) sequential.add(defs[i]);
  EXPECT_EQ(slots[0].load(), &defs[0]);  // the first two in slots, the others listed: all found
  EXPECT_EQ(slots[1].load(), &defs[1]);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(sequential.find(names[i]), &defs[i]);
}

}  // namespace
