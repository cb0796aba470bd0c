// Errors thrown by a component's own constructor are placed where the config wrote the value they reject.
#include <gtest/gtest.h>

#include <memory>

#include "rig/config.hpp"
#include "rig/instantiate.hpp"
#include "rig/registry.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace ctortest {

struct Schedule {
  virtual ~Schedule() = default;
};

// Rejects its own arguments the way LibTorch-wrapping components do: a rig::Error naming the parameter, no origin.
struct Warmup : Schedule {
  struct Options {
    int warmup_steps = 20;
    int total_steps = 100;
  };
  explicit Warmup(Options o) {
    if (o.total_steps < o.warmup_steps)
      throw rig::Error("rig.test.schedule", "total_steps is shorter than warmup_steps", {}, "total_steps");
  }
};

// Throws an error that names no parameter at all.
struct Refuses : Schedule {
  struct Options {
    int x = 0;
  };
  explicit Refuses(Options) { throw rig::Error("rig.test.refuses", "never builds"); }
};

// Locates its own error at the value it was given (as components that read a rig::Node do), naming its parameter.
struct Templated : Schedule {
  struct Options {
    rig::Node chat_template;
  };
  explicit Templated(Options o) {
    throw rig::Error("rig.test.template", "the tokenizer lacks this template's markers", o.chat_template.origin(),
                     "chat_template");
  }
};

struct Trainer {
  struct Options {
    std::shared_ptr<Schedule> schedule;
  };
  explicit Trainer(Options o) : schedule(std::move(o.schedule)) {}
  std::shared_ptr<Schedule> schedule;
};

}  // namespace ctortest

RIG_COMPONENT(ctortest::Warmup, rig::interfaces<ctortest::Schedule>);
RIG_COMPONENT(ctortest::Refuses, rig::interfaces<ctortest::Schedule>);
RIG_COMPONENT(ctortest::Templated, rig::interfaces<ctortest::Schedule>);
RIG_COMPONENT(ctortest::Trainer);

using rig::testing::yaml;

namespace {

using rig::testing::expect_error;
using namespace ctortest;


// The one error `fn` reports: instantiate collects errors into a rig::ErrorList.
template <class Fn>
rig::Error the_error(const std::string& id, Fn&& fn) {
  rig::Error e = expect_error(id, fn);
  try {
    fn();
  } catch (const rig::ErrorList& list) {
    EXPECT_EQ(list.errors().size(), 1u);
    if (!list.errors().empty()) return list.errors().front();
  } catch (const rig::Error&) {
  }
  return e;
}

TEST(ConstructionErrors, TopLevelErrorIsAtTheRejectedValue) {
  rig::Node cfg = yaml("_component_: ctortest.Warmup\nwarmup_steps: 20\ntotal_steps: 10\n");
  auto e = the_error("rig.test.schedule", [&] { rig::instantiate<std::unique_ptr<Schedule>>(cfg); });
  EXPECT_EQ(e.origin().source_name(), "t.yaml");
  EXPECT_EQ(e.origin().line, 3u);
  EXPECT_EQ(e.origin().column, 14u);
  EXPECT_EQ(e.key_path(), "total_steps");
}

TEST(ConstructionErrors, NestedErrorGetsTheFullKeyPath) {
  rig::Node cfg = yaml(
      "_component_: ctortest.Trainer\n"
      "schedule:\n"
      "  _component_: ctortest.Warmup\n"
      "  total_steps: 5\n");
  auto e = the_error("rig.test.schedule", [&] { rig::instantiate<Trainer>(cfg); });
  EXPECT_EQ(e.origin().line, 4u);
  EXPECT_EQ(e.key_path(), "schedule.total_steps");
}

TEST(ConstructionErrors, AnErrorTheComponentLocatedItselfKeepsItsPlaceAndGetsTheFullKeyPath) {
  rig::Node cfg = yaml(
      "_component_: ctortest.Trainer\n"
      "schedule:\n"
      "  _component_: ctortest.Templated\n"
      "  chat_template: llama3\n");
  auto e = the_error("rig.test.template", [&] { rig::instantiate<Trainer>(cfg); });
  EXPECT_EQ(e.origin().line, 4u);
  EXPECT_EQ(e.origin().column, 18u);
  EXPECT_EQ(e.key_path(), "schedule.chat_template");
  // Built from the sub-node, as a recipe does with cfg["schedule"]: the key is the component's own.
  auto top = the_error("rig.test.template",
                       [&] { rig::instantiate<std::shared_ptr<Schedule>>(*cfg.find("schedule")); });
  EXPECT_EQ(top.key_path(), "chat_template");
}

TEST(ConstructionErrors, AConfigViewsErrorsNameTheFullKeyPath) {
  // A recipe builds each component from its view: rig::instantiate<T>(cfg["schedule"]).
  rig::Config cfg(yaml(
      "schedule:\n"
      "  _component_: ctortest.Templated\n"
      "  chat_template: llama3\n"
      "warmup:\n"
      "  _component_: ctortest.Warmup\n"
      "  total_steps: 5\n"));
  auto located = the_error("rig.test.template", [&] { rig::instantiate<std::shared_ptr<Schedule>>(cfg["schedule"]); });
  EXPECT_EQ(located.origin().line, 3u);
  EXPECT_EQ(located.key_path(), "schedule.chat_template");
  auto placed = the_error("rig.test.schedule", [&] { rig::instantiate<std::shared_ptr<Schedule>>(cfg["warmup"]); });
  EXPECT_EQ(placed.origin().line, 6u);
  EXPECT_EQ(placed.key_path(), "warmup.total_steps");
}

TEST(ConstructionErrors, AValueFromADefaultIsPlacedAtTheComponentName) {
  // total_steps is not written: its default (100) is fine, but warmup_steps written as 200 makes it too short.
  rig::Node cfg = yaml("schedule:\n  _component_: ctortest.Warmup\n  warmup_steps: 200\n");
  auto e = the_error("rig.test.schedule",
                        [&] { rig::instantiate<std::shared_ptr<Schedule>>(*cfg.find("schedule")); });
  EXPECT_EQ(e.origin().line, 2u);  // the `_component_` value
  EXPECT_EQ(e.origin().column, 16u);
}

TEST(ConstructionErrors, AnErrorNamingNoParameterIsAtTheComponentName) {
  rig::Node cfg = yaml("_component_: ctortest.Trainer\nschedule:\n  _component_: ctortest.Refuses\n");
  auto e = the_error("rig.test.refuses", [&] { rig::instantiate<Trainer>(cfg); });
  EXPECT_EQ(e.origin().line, 3u);
  EXPECT_EQ(e.key_path(), "schedule");
}

TEST(ConstructionErrors, ValidArgumentsStillBuild) {
  rig::Node cfg = yaml("_component_: ctortest.Warmup\ntotal_steps: 30\n");
  EXPECT_NO_THROW(rig::instantiate<std::unique_ptr<Schedule>>(cfg));
}

}  // namespace
