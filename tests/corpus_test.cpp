// Every YAML file of ../shared/corpus (real configs from torchtune, Hydra, lightning-hydra-template and NeMo) loads,
// or fails exactly as listed in tests/data/corpus_load_exceptions.txt; and every file that loads dumps to YAML and to
// JSON that reload to an identical tree.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> corpus_files(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// `relative/path error.id`, one per line.
std::map<std::string, std::string> expected_failures() {
  std::map<std::string, std::string> out;
  std::ifstream in(fs::path(RIG_SOURCE_DIR) / "tests/data/corpus_load_exceptions.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.find(' ');
    auto sp2 = line.find(' ', sp + 1);
    out[line.substr(0, sp)] = line.substr(sp + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp - 1);
  }
  return out;
}

TEST(Corpus, EveryFileLoadsOrFailsAsListedAndRoundTrips) {
  fs::path shared = rig::testing::shared_dir();
  if (shared.empty() || !fs::is_directory(shared / "corpus")) GTEST_SKIP() << "../shared/corpus is absent";
  fs::path root = shared / "corpus";
  auto files = corpus_files(root);
  ASSERT_GE(files.size(), 1000u);
  auto expected = expected_failures();
  std::set<std::string> seen;
  size_t loaded = 0, round_tripped = 0;
  for (const auto& f : files) {
    std::string rel = fs::relative(f, root).string();
    seen.insert(rel);
    auto listed = expected.find(rel);
    std::vector<rig::Node> docs;
    try {
      docs = rig::load_yaml_all(rig::read_file(f), rel);  // CI files are often multi-document streams
      if (docs.size() <= 1) docs = {rig::load_yaml_file(f)};
    } catch (const rig::Error& e) {
      EXPECT_NE(listed, expected.end()) << rel << " failed to load:\n" << rig::format(e);
      if (listed != expected.end()) {
        EXPECT_EQ(e.id(), listed->second) << rel;
      }
      EXPECT_TRUE(e.origin().known()) << rel;
      continue;
    }
    EXPECT_EQ(listed, expected.end()) << rel << " loads now: remove it from the exceptions";
    ++loaded;
    bool ok = true;
    for (const auto& doc : docs) {
      std::string text = rig::dump_yaml(doc);
      rig::Node back = rig::load_yaml(text, rel + " (dumped)");
      EXPECT_EQ(back, doc) << rel << " changed through dump_yaml:\n" << text;
      ok = ok && back == doc;
      try {
        EXPECT_EQ(rig::load_json(rig::dump_json(doc), rel + " (json)"), doc) << rel;
      } catch (const rig::Error& e) {
        EXPECT_EQ(e.id(), "rig.json.non_finite") << rel << ": " << rig::format(e);
      }
    }
    round_tripped += ok;
  }
  for (const auto& [rel, id] : expected) EXPECT_TRUE(seen.count(rel)) << "listed " << rel << " is not in the corpus";
  std::cout << "corpus: " << loaded << "/" << files.size() << " files load, " << round_tripped
            << " round-trip exactly, " << expected.size() << " listed failures\n";
}

}  // namespace
