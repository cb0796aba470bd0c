// rig's wrapper over libfyaml's events (src/detail/fyaml.cpp). A plain one-line scalar's text is taken straight from
// the input between the token's marks instead of from libfyaml's formatter; these tests hold that shortcut to the
// formatter's answer on every scalar of real inputs. Block scalars are decoded by rig itself (libfyaml's text is
// wrong for some, see detail/block_scalar.hpp); on these inputs libfyaml's is right, so the two must agree too.
#include "detail/fyaml.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

struct Tally {
  size_t scalars = 0;      // scalar events compared
  size_t from_input = 0;   // of which view().text is a view into the input
  std::vector<std::string> mismatches;
};

// Compares view().text with libfyaml's formatted text for every scalar event of `text` (up to a parse error).
void compare_scalars(const std::string& text, const std::string& name, Tally& tally) {
  rig::detail::fy::Parser parser(text, false);
  while (auto ev = parser.next()) {
    if (ev.type() != FYET_SCALAR) continue;
    ++tally.scalars;
    std::string_view fast = ev.view().text;
    std::string_view formatted = ev.formatted_value();
    if (fast.data() >= text.data() && fast.data() < text.data() + text.size()) ++tally.from_input;
    if (fast != formatted && tally.mismatches.size() < 20)
      tally.mismatches.push_back(name + ": '" + std::string(fast) + "' != '" + std::string(formatted) + "'");
  }
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void compare_tree(const fs::path& root, bool yaml_suite, Tally& tally) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const fs::path& p = entry.path();
    bool wanted = yaml_suite ? p.filename() == "in.yaml" : (p.extension() == ".yaml" || p.extension() == ".yml");
    if (wanted) compare_scalars(slurp(p), p.string(), tally);
  }
}

TEST(FastText, PlainOneLineScalarsComeFromTheInputAndOthersFromLibfyaml) {
  std::string text =
      "a: plain words here   # trailing comment\n"
      "b: 'single ''quoted'''\n"
      "c: \"double \\t escaped\"\n"
      "d: folded plain\n  over two lines\n"
      "e: |\n  literal\n"
      "f: [x, y z , 1.5]\n"
      "g: {k: v}\n";
  rig::detail::fy::Parser parser(text, false);
  std::vector<std::pair<std::string, bool>> seen;  // value, whether it points into `text`
  while (auto ev = parser.next())
    if (ev.type() == FYET_SCALAR) {
      std::string_view v = ev.view().text;
      seen.emplace_back(std::string(v), v.data() >= text.data() && v.data() < text.data() + text.size());
    }
  std::vector<std::pair<std::string, bool>> expected = {
      {"a", true},   {"plain words here", true},          {"b", true}, {"single 'quoted'", false},
      {"c", true},   {"double \t escaped", false},        {"d", true}, {"folded plain over two lines", false},
      {"e", true},   {"literal\n", false},                {"f", true}, {"x", true},
      {"y z", true}, {"1.5", true},                       {"g", true}, {"k", true},
      {"v", true}};
  EXPECT_EQ(seen, expected);
}

TEST(FastText, AgreesWithLibfyamlOnTheYamlTestSuiteAndTheCorpus) {
  fs::path shared = rig::testing::shared_dir();
  if (shared.empty() || !fs::is_directory(shared / "yaml-test-suite") || !fs::is_directory(shared / "corpus"))
    GTEST_SKIP() << "../shared/yaml-test-suite or ../shared/corpus is absent";
  Tally tally;
  compare_tree(shared / "yaml-test-suite", true, tally);
  compare_tree(shared / "corpus", false, tally);
  EXPECT_TRUE(tally.mismatches.empty()) << ::testing::PrintToString(tally.mismatches);
  EXPECT_GT(tally.scalars, 100000u);
  EXPECT_GT(tally.from_input, tally.scalars / 2);  // most scalars are plain one-liners: views into the input
  std::cout << tally.scalars << " scalars compared, " << tally.from_input << " taken from the input\n";
}

}  // namespace
