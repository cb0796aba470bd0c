// Values computed from the environment never reach a printed or saved resolved config, nor a diagnostic: taint is
// tracked through every resolver and string interpolation (rig::resolve_redacted, src/detail/resolution.cpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "rig/instantiate.hpp"
#include "rig/interpolation.hpp"
#include "rig/sources.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"

namespace {

using rig::Node;

constexpr const char* kSecret = "Zq7-TAINT-s3cret";

struct ScopedEnv {
  std::vector<std::string> names;
  void set(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    names.push_back(name);
  }
  ~ScopedEnv() {
    for (const auto& n : names) ::unsetenv(n.c_str());
  }
};

std::string everything(const Node& n) { return rig::dump_yaml(n) + rig::dump_json(n); }

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// Resolves `yaml` for display: the secret appears nowhere; the same resolution without redaction is unchanged.
Node redacted(const std::string& yaml) {
  Node cfg = rig::load_yaml(yaml);
  Node red = rig::resolve_redacted(cfg);
  EXPECT_FALSE(contains(everything(red), kSecret)) << yaml << "\n---\n" << rig::dump_yaml(red);
  return red;
}

TEST(Taint, EveryResolverCarriesIt) {
  ScopedEnv env;
  env.set("TAINT_A", kSecret);
  env.set("TAINT_KEY", "picked");
  env.set("TAINT_YAML", std::string("{user: bob, ") + kSecret + ": 1, deep: {k: " + kSecret + "}}");
  rig::register_resolver("taint_test_join", [](std::string a, std::string b) { return a + "/" + b; },
                         rig::ResolverOptions{.replace = true});
  rig::register_resolver("taint_test_cached", [](std::string a) { return "c:" + a; },
                         rig::ResolverOptions{.replace = true, .use_cache = true});
  Node red = redacted(
      "a: ${oc.env:TAINT_A}\n"
      "decoded: \"${oc.decode:'[${a}]'}\"\n"              // decode of a string holding the secret
      "created: ${oc.create:${oc.env:TAINT_YAML}}\n"         // a map made from the environment: keys hold it too
      "inside: {x: '${a}', y: 2}\n"                               // one value from the environment
      "made: \"${oc.create:{x: '${a}', y: 2}}\"\n"              // a map made from one: redacted whole
      "keys: ${oc.dict.keys:created}\n"                      // keys of a map made from the environment
      "values: ${oc.dict.values:inside}\n"
      "choices: {picked: chosen, other: nope}\n"
      "selected: ${oc.select:choices.${oc.env:TAINT_KEY}}\n"  // a key chosen by the environment
      "referenced: ${choices.${oc.env:TAINT_KEY}}\n"
      "concat: pre-${a}-post\n"
      "custom: ${taint_test_join:${a},x}\n"
      "cached: ${taint_test_cached:${a}}\n"
      "cached_again: ${taint_test_cached:${a}}\n"
      "list: ['${a}', plain]\n"
      "deprecated: ${oc.deprecated:a}\n"
      "defaulted: ${oc.env:TAINT_UNSET_NAME,fallback}\n"
      "clean: ${choices.other}\n");
  for (const char* key : {"a", "decoded", "created", "made", "values", "keys", "concat", "custom", "cached", "cached_again",
                          "selected", "referenced", "deprecated"})
    EXPECT_TRUE(red.at_path(key).is_string() && red.at_path(key).str().starts_with("<redacted:env "))
        << key << ": " << rig::dump_yaml(red.at_path(key));
  EXPECT_EQ(red.at_path("inside.x").str(), "<redacted:env TAINT_A>");
  EXPECT_EQ(red.at_path("inside.y").as<int>(), 2);  // its untainted neighbour stays
  EXPECT_EQ(red.at_path("list[1]").str(), "plain");
  EXPECT_EQ(red.at_path("defaulted").str(), "<redacted:env TAINT_UNSET_NAME>");
  EXPECT_EQ(red.at_path("clean").str(), "nope");
  EXPECT_EQ(red.at_path("selected").str(), "<redacted:env TAINT_KEY>");
  // The values themselves are unchanged for the program.
  Node real = rig::resolve(rig::load_yaml("a: ${oc.env:TAINT_A}\nc: x${a}\n"));
  EXPECT_EQ(real.at_path("c").str(), std::string("x") + kSecret);
}

TEST(Taint, EnvironmentLayerValuesAndInterpolations) {
  Node cfg = rig::load_yaml("lr: 0.1\nname: x\ncopy: ${name}\nnested: {v: 1}\n");
  rig::ConfigSources s;
  s.defaults(cfg).environment({{"RIG_NAME", kSecret}, {"RIG_NESTED__V", std::string("${oc.decode:'") + kSecret + "'}"}});
  Node built = s.build();
  Node red = rig::resolve_redacted(built);
  EXPECT_FALSE(contains(everything(red), kSecret)) << rig::dump_yaml(red);
  EXPECT_EQ(red.at_path("name").str(), "<redacted:env RIG_NAME>");
  EXPECT_EQ(red.at_path("copy").str(), "<redacted:env RIG_NAME>");
  EXPECT_EQ(red.at_path("nested.v").str(), "<redacted:env RIG_NESTED__V>");
  Node layer = rig::redact_environment_layer(built);
  EXPECT_FALSE(contains(everything(layer), kSecret)) << rig::dump_yaml(layer);
  EXPECT_EQ(layer.at_path("name").str(), "<redacted:env RIG_NAME>");
  EXPECT_EQ(layer.at_path("copy").str(), "${name}");
}

// Errors name the variable, never its value.
void expect_hidden_error(const std::string& yaml, const std::string& variable) {
  Node cfg = rig::load_yaml(yaml);
  try {
    (void)rig::resolve(cfg);
    ADD_FAILURE() << "no error for " << yaml;
  } catch (const rig::Error& e) {
    std::string all = rig::format(e) + e.message() + e.hint() + e.key_path();
    EXPECT_FALSE(contains(all, kSecret)) << all;
    EXPECT_TRUE(contains(all, "<env:" + variable)) << all;
  }
}

TEST(Taint, DiagnosticsShowTheVariableNotTheValue) {
  ScopedEnv env;
  env.set("TAINT_E", kSecret);
  env.set("TAINT_E_YAML", std::string("{a: [") + kSecret);
  env.set("TAINT_E_DECODE", std::string("${") + kSecret + "}");
  expect_hidden_error("x: ${oc.env:${oc.env:TAINT_E}}\n", "TAINT_E");
  expect_hidden_error("x: ${${oc.env:TAINT_E}}\n", "TAINT_E");
  expect_hidden_error("x: ${${oc.env:TAINT_E}:1}\n", "TAINT_E");
  expect_hidden_error("m: {a: 1}\nx: ${m.${oc.env:TAINT_E}}\n", "TAINT_E");
  expect_hidden_error("x: ${oc.select:${oc.env:TAINT_E}.b.c}\ny: ${oc.dict.keys:${oc.env:TAINT_E}}\n", "TAINT_E");
  expect_hidden_error("x: ${oc.create:${oc.env:TAINT_E_YAML}}\n", "TAINT_E_YAML");
  expect_hidden_error("x: ${oc.decode:${oc.env:TAINT_E_DECODE}}\n", "TAINT_E_DECODE");
  expect_hidden_error("x: ${oc.deprecated:${oc.env:TAINT_E}}\n", "TAINT_E");
  // A value used after resolution (a component name, a typed read) is hidden by every diagnostic too.
  Node cfg = rig::load_yaml("model: {_component_: '${oc.env:TAINT_E}'}\n");
  rig::ValidationReport r = rig::validate_config(cfg);
  EXPECT_FALSE(r.ok());
  std::string shown = r.format({});
  EXPECT_FALSE(contains(shown, kSecret)) << shown;
}

// ---- a generator: random interpolation expressions over values from the environment ----------------------------------

struct Gen {
  std::mt19937 rng;
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

  // An expression whose value is computed from the environment (directly or through other keys).
  std::string tainted(int depth) {
    if (depth <= 0) return pick(2) ? "${oc.env:TAINT_G}" : "${s}";
    switch (pick(11)) {
      case 0: return "${oc.env:TAINT_G}";
      case 1: return "${oc.decode:'" + inner() + "'}";
      case 2: return "x" + tainted(depth - 1) + "y";
      case 3: return "${oc.select:s,zz}";
      case 4: return "${oc.create:{k: '" + inner() + "'}}";
      case 5: return "${oc.create:['" + inner() + "', 1]}";
      case 6: return "${gen_taint:" + tainted(depth - 1) + "}";
      case 7: return "${oc.select:lookup.${oc.env:TAINT_G_KEY}}";
      case 8: return "${oc.dict.values:made}";
      case 9: return "${oc.env:TAINT_UNSET_G," + std::string(pick(2) ? "d" : "null") + "}";
      default: return "${s}" + tainted(depth - 1);
    }
  }
  // One for inside the single quotes of a resolver argument (no quotes of its own).
  std::string inner() {
    static const char* forms[] = {"${s}", "pre${oc.env:TAINT_G}", "x${s}y", "${gen_taint:${s}}",
                                  "${oc.select:lookup.${oc.env:TAINT_G_KEY}}", "${s}${s}"};
    return forms[pick(6)];
  }
};

TEST(Taint, GeneratedExpressionsNeverRevealTheSecret) {
  ScopedEnv env;
  env.set("TAINT_G", kSecret);
  env.set("TAINT_G_KEY", "k1");
  rig::register_resolver("gen_taint", [](Node v) { return Node(rig::dump_json(v, -1) + "!"); },
                         rig::ResolverOptions{.replace = true});
  Gen g{std::mt19937(20261206)};
  int resolved = 0;
  for (int i = 0; i < 400; ++i) {
    std::string yaml = "s: ${oc.env:TAINT_G}\nlookup: {k1: '${s}', k2: plain}\nmade: \"${oc.create:{a: '${s}'}}\"\n";
    int keys = 1 + g.pick(4);
    for (int k = 0; k < keys; ++k) yaml += "v" + std::to_string(k) + ": \"" + g.tainted(1 + g.pick(3)) + "\"\n";
    yaml += "w: ${v" + std::to_string(g.pick(keys)) + "}\n";
    Node cfg = rig::load_yaml(yaml);
    try {
      Node red = rig::resolve_redacted(cfg);
      ++resolved;
      std::string out = everything(red);
      EXPECT_FALSE(contains(out, kSecret)) << yaml << "\n---\n" << out;
      for (const auto& e : red.entries()) {
        if (e.key == "lookup") continue;
        EXPECT_TRUE(contains(rig::dump_yaml(e.value), "<redacted:env")) << e.key << " in\n" << yaml;
      }
    } catch (const rig::Error& e) {
      EXPECT_FALSE(contains(rig::format(e), kSecret)) << yaml << "\n---\n" << rig::format(e);
    }
  }
  EXPECT_GT(resolved, 300);  // the generator makes valid configs, not only errors
}

}  // namespace
