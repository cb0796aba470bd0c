// The recipe index (detail/recipe_index.hpp): the compact copy of a manifest that `rig ls`, describe and completion
// read. It must say exactly what the JSON says, and never stand in for a JSON it was not made from.
#include <gtest/gtest.h>

#include <random>

#include "detail/recipe_index.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace {

using rig::Node;
using rig::detail::Manifest;
using rig::detail::ManifestComponent;
using rig::detail::ManifestStamp;
using rig::testing::TempDir;

// Strings that stress the line format: its separators, its escape character, escape look-alikes, UTF-8, empty.
std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {"a", "Z", " ", "\t", "\n", "\\", "\\t", "\\n", "\\\\", "é", "—",
                                                  "{", "\"", "end", "param", "\r", ":", "#", "0", "1"};
  std::string s;
  for (size_t n = rng() % 6; n > 0; --n) s += pieces[rng() % pieces.size()];
  return s;
}

std::vector<std::string> random_list(std::mt19937& rng) {
  std::vector<std::string> out;
  for (size_t n = rng() % 4; n > 0; --n) out.push_back(random_text(rng));
  return out;
}

Manifest random_manifest(std::mt19937& rng) {
  Manifest m;
  m.name = "r" + random_text(rng);
  m.description = random_text(rng);
  m.binary = random_text(rng);
  m.sources = random_list(rng);
  m.links = random_list(rng);
  m.config_dirs = random_list(rng);
  m.configs = random_list(rng);
  for (size_t n = rng() % 3; n > 0; --n) m.groups.emplace_back(random_text(rng), random_list(rng));
  for (size_t n = rng() % 3; n > 0; --n) m.config_keys.emplace_back(random_text(rng), random_list(rng));
  for (size_t n = rng() % 3; n > 0; --n) {
    std::vector<std::pair<std::string, std::string>> paths;
    for (size_t k = rng() % 3; k > 0; --k) paths.emplace_back(random_text(rng), random_text(rng));
    m.config_components.emplace_back("c" + std::to_string(n), std::move(paths));
  }
  for (size_t n = rng() % 3; n > 0; --n) m.keys.push_back({random_text(rng), random_text(rng), random_text(rng)});
  for (size_t n = rng() % 4; n > 0; --n) {
    ManifestComponent c{random_text(rng), random_text(rng), random_text(rng), random_text(rng), random_text(rng),
                        random_list(rng), random_list(rng), {}};
    for (size_t k = rng() % 4; k > 0; --k)
      c.params.push_back({random_text(rng), random_text(rng), random_text(rng), rng() % 2 == 0, random_text(rng),
                          random_text(rng)});
    m.components.push_back(std::move(c));
  }
  return m;
}

TEST(RecipeIndex, RoundTripsAnyContent) {
  std::mt19937 rng(23);
  for (int i = 0; i < 300; ++i) {
    Manifest m = random_manifest(rng);
    ManifestStamp stamp{rng(), static_cast<int64_t>(rng())};
    std::string text = rig::detail::index_text(m, stamp);
    auto back = rig::detail::read_index(text, stamp);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, m) << text;
    Manifest without = m;
    without.components.clear();
    EXPECT_EQ(rig::detail::read_index(text, stamp, /*components=*/false), without) << text;
  }
}

// A filter keeps of each component exactly what it says, asked with the component's name and aliases (and nothing
// else read yet), and the components it skips are still checked.
TEST(RecipeIndex, FilterKeepsWhatItSaysOfEachComponent) {
  using rig::detail::ComponentDetail;
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    Manifest m = random_manifest(rng);
    ManifestStamp stamp{rng(), static_cast<int64_t>(rng())};
    std::string text = rig::detail::index_text(m, stamp);
    std::vector<ComponentDetail> details;  // drawn per component, in order
    for (size_t k = 0; k < m.components.size(); ++k) details.push_back(static_cast<ComponentDetail>(rng() % 4));
    size_t asked = 0;
    auto back = rig::detail::read_index(text, stamp, true, [&](const ManifestComponent& c) {
      EXPECT_LT(asked, m.components.size());
      const ManifestComponent& full = m.components[asked];
      ManifestComponent seen{full.name, "", "", "", "", full.aliases, {}, {}};
      EXPECT_EQ(c, seen) << text;
      return details[asked++];
    });
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(asked, m.components.size());
    Manifest want = m;
    want.components.clear();
    for (size_t k = 0; k < m.components.size(); ++k) {
      ManifestComponent c = m.components[k];
      if (details[k] == ComponentDetail::Skip) continue;
      if (details[k] == ComponentDetail::Name) c = {c.name, "", "", "", "", c.aliases, {}, {}};
      if (details[k] == ComponentDetail::NoParams) c.params.clear();
      want.components.push_back(std::move(c));
    }
    EXPECT_EQ(*back, want) << text;
  }
  Manifest m;
  m.name = "r";
  m.components.push_back({"c", "c", "", "", "f:1", {}, {"I"}, {{"p", "int", "", false, "3", "", }}});
  ManifestStamp stamp{1, 2};
  std::string damaged = rig::detail::index_text(m, stamp);
  damaged.replace(damaged.find("\tint\t0\t"), 7, "\tint\t2\t");  // REQUIRED is 0 or 1
  for (auto detail : {ComponentDetail::Skip, ComponentDetail::Name, ComponentDetail::NoParams})
    EXPECT_FALSE(rig::detail::read_index(damaged, stamp, true, [&](const auto&) { return detail; }));
}

TEST(RecipeIndex, RefusesAnotherManifestsIndexAndDamagedText) {
  std::mt19937 rng(7);
  Manifest m = random_manifest(rng);
  m.components.push_back({"c", "c", "", "", "f:1", {}, {"I"}, {{"p", "int", "", false, "3", "", }}});
  ManifestStamp stamp{1234, 5678};
  std::string text = rig::detail::index_text(m, stamp);
  EXPECT_FALSE(rig::detail::read_index(text, {1235, 5678}));  // the manifest's size changed
  EXPECT_FALSE(rig::detail::read_index(text, {1234, 5679}));  // it was written again
  for (size_t cut = 0; cut < text.size(); ++cut)  // cut short anywhere, even at a line's end
    EXPECT_FALSE(rig::detail::read_index(text.substr(0, cut), stamp)) << cut;
  EXPECT_FALSE(rig::detail::read_index(text + "extra\n", stamp));
  std::string other_version = text;
  other_version.replace(other_version.find("\t1\t"), 3, "\t2\t");
  EXPECT_FALSE(rig::detail::read_index(other_version, stamp));
  std::string unknown = text;
  unknown.insert(unknown.find("\nrecipe\t") + 1, "future\tx\n");
  EXPECT_FALSE(rig::detail::read_index(unknown, stamp));
}

// A manifest as a recipe binary writes it (the fields recipe_manifest() sets).
Node manifest_json() {
  return rig::load_json(R"({
    "name": "demo", "description": "tab\there", "binary": "/bin/demo", "rig_manifest_version": 1,
    "sources": ["/src/a.cpp"], "links": ["rig::torch"], "config_dirs": ["/cfg"],
    "configs": ["demo", "model/big", "model/small"],
    "groups": {"model": ["big", "small"]},
    "config_keys": {"demo": ["model", "model._component_", "lr"], "empty": []},
    "config_components": {"demo": {"model": "demo.Big", "opt": "demo.Adam"}, "none": {}},
    "keys": [{"path": "lr", "type": "double", "required": false, "default": 0.1, "doc": "line\nbreak"}],
    "components": [{"name": "demo.Big", "cpp_name": "demo::Big", "aliases": ["big"], "doc": "a \\ model",
                    "interfaces": ["demo::Model<demo::Batch>"], "product": "", "file": "a.cpp:3",
                    "params": [{"name": "layers", "type": "int", "required": false, "default": [1, {"k": "v"}],
                                "doc": ""},
                               {"name": "opt", "type": "demo::Optimizer", "required": true,
                                "interface": "demo::Optimizer", "doc": "d"}]}]
  })");
}

TEST(RecipeIndex, ReadsWhatTheJsonSays) {
  Manifest m = rig::detail::manifest_from(manifest_json());
  EXPECT_EQ(m.name, "demo");
  EXPECT_EQ(m.description, "tab\there");
  EXPECT_EQ(m.links, std::vector<std::string>{"rig::torch"});
  ASSERT_EQ(m.groups.size(), 1u);
  EXPECT_EQ(m.groups[0].second, (std::vector<std::string>{"big", "small"}));
  ASSERT_EQ(m.config_keys.size(), 2u);
  EXPECT_TRUE(m.config_keys[1].second.empty());
  ASSERT_EQ(m.config_components.size(), 2u);
  EXPECT_EQ(m.config_components[0].second[1], (std::pair<std::string, std::string>{"opt", "demo.Adam"}));
  ASSERT_EQ(m.components.size(), 1u);
  const auto& c = m.components[0];
  EXPECT_EQ(c.aliases, std::vector<std::string>{"big"});
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(c.params[0].default_json, R"([1, {"k": "v"}])");
  EXPECT_FALSE(c.params[0].required);
  EXPECT_TRUE(c.params[1].default_json.empty());
  EXPECT_TRUE(c.params[1].required);
  EXPECT_EQ(c.params[1].interface, "demo::Optimizer");
}

TEST(RecipeIndex, LoadTakesTheIndexOnlyWhileItMatchesTheJson) {
  TempDir dir;
  auto path = dir.path() / "demo.json";
  rig::detail::write_manifest(path, manifest_json());
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "demo.index"));
  Manifest from_json = rig::detail::manifest_from(rig::load_json(rig::read_file(path)));
  EXPECT_EQ(rig::detail::load_manifest(path), from_json);

  // The index is what was read: a changed index (its stamp intact) changes the result.
  std::string index = rig::read_file(dir.path() / "demo.index");
  std::string doctored = index;
  doctored.replace(doctored.find("\t/bin/demo"), 10, "\t/bin/other");
  dir.write("demo.index", doctored);
  EXPECT_EQ(rig::detail::load_manifest(path).binary, "/bin/other");

  // The JSON edited by hand: the index no longer matches, the JSON wins.
  dir.write("demo.index", index);
  Node edited = manifest_json();
  edited.set("description", Node("edited"));
  dir.write("demo.json", rig::dump_json(edited));
  EXPECT_EQ(rig::detail::load_manifest(path).description, "edited");

  // No index at all (a manifest from an older rig, or hand-written).
  std::filesystem::remove(dir.path() / "demo.index");
  EXPECT_EQ(rig::detail::load_manifest(path).description, "edited");
}

}  // namespace
