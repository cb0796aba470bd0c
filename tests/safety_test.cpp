// "No path in a config is ever executed; only registered components can be reached", and values from
// the environment never reach a saved or printed resolved config (rig::resolve_redacted).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "rig/app.hpp"
#include "rig/compose.hpp"
#include "rig/instantiate.hpp"
#include "rig/interpolation.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace safetytest {
struct Plugin {
  virtual ~Plugin() = default;
};
struct Harmless : Plugin {
  struct Options {
    std::string path = "x";
  };
  explicit Harmless(Options) {}
};
}  // namespace safetytest

RIG_COMPONENT(safetytest::Harmless, rig::interfaces<safetytest::Plugin>);

namespace {

using rig::Node;
using rig::testing::expect_error;
using rig::testing::TempDir;

// Every way a config could try to name something to run: paths, shell syntax, Python targets, libc functions.
std::vector<std::string> hostile_names(const std::filesystem::path& marker) {
  std::string m = marker.string();
  return {"/bin/sh", "/usr/bin/touch", "sh -c 'touch " + m + "'", "$(touch " + m + ")", "`touch " + m + "`",
          "os.system", "subprocess.run", "builtins.exec", "std::system", "system", "popen", "execve",
          "../../../bin/sh", "./a.out", "libc.so.6:system", "hydra.utils.instantiate"};
}

TEST(Safety, ConfigsReachOnlyRegisteredComponents) {
  TempDir t;
  std::filesystem::path marker = t.path() / "ran";
  for (const auto& name : hostile_names(marker)) {
    for (const char* key : {"_component_", "_target_"}) {
      Node cfg = Node::map();
      cfg.set(key, Node(name));
      cfg.set("args", rig::load_yaml("[touch, " + marker.string() + "]"));
      cfg.set("command", Node("touch " + marker.string()));
      auto e = expect_error("rig.component.unknown", [&] { rig::instantiate<std::shared_ptr<safetytest::Plugin>>(cfg); });
      EXPECT_NE(e.what(), std::string()) << name;
      std::vector<rig::Error> errors;
      rig::check_component(cfg, nullptr, {}, errors);
      ASSERT_FALSE(errors.empty()) << name;
      EXPECT_EQ(errors.front().id(), "rig.component.unknown") << name;
    }
  }
  // The registered component is reachable, by both spellings; a path-looking value is just a string parameter.
  Node ok = rig::load_yaml("_component_: safetytest::Harmless\npath: /bin/sh\n");
  EXPECT_NE(rig::instantiate<std::shared_ptr<safetytest::Plugin>>(ok), nullptr);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(Safety, ResolutionAndCompositionRunNothing) {
  TempDir t;
  std::filesystem::path marker = t.path() / "ran";
  std::string m = marker.string();
  // Resolvers see strings: shell syntax stays text; there is no resolver that runs a program.
  Node cfg = rig::load_yaml("a: \"$(touch " + m + ")\"\n" +
                            "c: ${oc.env:RIG_SAFETY_UNSET_VAR,'$(touch " + m + ")'}\n");
  Node r = rig::resolve(cfg);
  EXPECT_EQ(r.get<std::string>("a"), "$(touch " + m + ")");
  EXPECT_EQ(r.get<std::string>("c"), "$(touch " + m + ")");
  expect_error("rig.interpolation.syntax",
               [&] { rig::resolve(rig::load_yaml("b: ${oc.decode:'`touch " + m + "`'}")); });
  for (const auto& name : rig::resolver_names())
    for (const char* bad : {"sh", "shell", "exec", "system", "popen", "run", "eval"}) EXPECT_NE(name, bad);
  expect_error("rig.interpolation.unknown_resolver", [] { rig::resolve(rig::load_yaml("x: ${shell:touch y}\n")); });
  // Defaults lists name configs inside the search path: a program path is an unknown config or a bad name.
  t.write("c.yaml", "defaults:\n  - /bin/sh\n");
  t.write("d.yaml", "defaults:\n  - x: ../../../../../bin/sh\n");
  rig::ComposeOptions o;
  o.search_path.add(t.path());
  expect_error("rig.compose.unknown_config", [&] { rig::compose("c", o); });
  expect_error("rig.compose.bad_name", [&] { rig::compose("d", o); });
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(Redact, ValuesCarriedFromTheEnvironmentAreHiddenToo) {
  ::setenv("RIG_SAFETY_TOKEN", "s3cr3t-token", 1);
  ::setenv("RIG_SAFETY_SHORT", "ab", 1);
  ::setenv("RIG_SAFETY_JSON", "{user: bob, key: k3y-value}", 1);
  Node cfg = rig::load_yaml(
      "token: ${oc.env:RIG_SAFETY_TOKEN}\n"
      "copy: ${token}\n"                                    // copied by an interpolation
      "url: https://x:${token}@host/\n"                     // spliced into a longer string
      "nested:\n  deeper: ${copy}\n"                        // two hops
      "short: ${oc.env:RIG_SAFETY_SHORT}\n"
      "short_copy: ${short}\n"
      "about: abc\n"                                        // contains the short value: stays
      "decoded: ${oc.decode:${oc.env:RIG_SAFETY_JSON}}\n"   // a container made from the environment
      "plain: s3cr3t-token is written here by hand\n");      // not an interpolation: the user wrote it
  Node red = rig::resolve_redacted(cfg);
  EXPECT_EQ(red.get<std::string>("token"), "<redacted:env RIG_SAFETY_TOKEN>");
  EXPECT_EQ(red.get<std::string>("copy"), "<redacted:env RIG_SAFETY_TOKEN>");
  EXPECT_EQ(red.get<std::string>("url"), "<redacted:env RIG_SAFETY_TOKEN>");
  EXPECT_EQ(red.get<std::string>("nested.deeper"), "<redacted:env RIG_SAFETY_TOKEN>");
  EXPECT_EQ(red.get<std::string>("short"), "<redacted:env RIG_SAFETY_SHORT>");
  EXPECT_EQ(red.get<std::string>("short_copy"), "<redacted:env RIG_SAFETY_SHORT>");
  EXPECT_EQ(red.get<std::string>("about"), "abc");
  EXPECT_EQ(red.get<std::string>("decoded"), "<redacted:env RIG_SAFETY_JSON>");
  EXPECT_EQ(red.get<std::string>("plain"), "s3cr3t-token is written here by hand");
  std::string dumped = rig::dump_yaml(red);
  EXPECT_EQ(dumped.find("s3cr3t-token\n"), std::string::npos) << dumped;
  EXPECT_EQ(dumped.find("k3y-value"), std::string::npos) << dumped;
  ::unsetenv("RIG_SAFETY_TOKEN");
  ::unsetenv("RIG_SAFETY_SHORT");
  ::unsetenv("RIG_SAFETY_JSON");
}

}  // namespace
