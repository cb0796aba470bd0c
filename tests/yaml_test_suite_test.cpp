// The official YAML test suite (../shared/yaml-test-suite): every valid case loads, every case with in.json loads to
// the same values (types included), every error case is rejected with a located diagnostic. Cases rig handles
// differently on purpose are listed one by one, with the reason, in tests/data/yaml_test_suite_exceptions.txt; a
// listed case that starts passing fails the test too, so the list cannot go stale.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Case {
  std::string id;  // "2G84/01" or "229Q"
  fs::path dir;
};

std::vector<Case> all_cases(const fs::path& root) {
  std::vector<Case> out;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    if (fs::exists(entry.path() / "in.yaml")) {
      out.push_back({entry.path().filename().string(), entry.path()});
      continue;
    }
    for (const auto& sub : fs::directory_iterator(entry.path()))
      if (sub.is_directory() && fs::exists(sub.path() / "in.yaml"))
        out.push_back({entry.path().filename().string() + "/" + sub.path().filename().string(), sub.path()});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  return out;
}

// in.json holds one JSON value per document, one after another: split them.
std::vector<std::string> split_json_values(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  for (skip_ws(); i < text.size(); skip_ws()) {
    size_t start = i;
    if (text[i] == '{' || text[i] == '[') {
      int depth = 0;
      bool in_string = false;
      for (; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
          if (c == '\\') ++i;
          else if (c == '"') in_string = false;
        } else if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) {
            ++i;
            break;
          }
        }
      }
    } else if (text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    }
    out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::map<std::string, std::string> read_exceptions() {
  std::map<std::string, std::string> out;
  std::ifstream in(fs::path(RIG_SOURCE_DIR) / "tests/data/yaml_test_suite_exceptions.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.find(' ');
    out[line.substr(0, sp)] = sp == std::string::npos ? "" : line.substr(sp + 1);
  }
  return out;
}

// YAML mappings are unordered and in.json lists keys in its own order: compare maps as sets of keys.
bool same_ignoring_key_order(const rig::Node& a, const rig::Node& b) {
  if (a.is_map() && b.is_map()) {
    if (a.size() != b.size()) return false;
    for (const auto& e : a.entries()) {
      const rig::Node* other = b.find(e.key);
      if (!other || !same_ignoring_key_order(e.value, *other)) return false;
    }
    return true;
  }
  if (a.is_list() && b.is_list()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same_ignoring_key_order(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

// The outcome of one case: empty when rig agrees with the suite, else what went wrong.
std::string run_case(const Case& c, const rig::LoadLimits& limits) {
  std::string yaml = slurp(c.dir / "in.yaml");
  bool must_fail = fs::exists(c.dir / "error");
  std::vector<rig::Node> docs;
  try {
    docs = rig::load_yaml_all(yaml, c.id + "/in.yaml", limits);
  } catch (const rig::Error& e) {
    if (!must_fail) return "rejected a valid case: " + e.id() + " " + e.message();
    if (!e.origin().known() || e.origin().line == 0) return "rejected without a location: " + rig::format(e);
    return {};
  }
  if (must_fail) return "accepted an invalid case";
  if (!fs::exists(c.dir / "in.json")) return {};
  auto values = split_json_values(slurp(c.dir / "in.json"));
  if (values.size() != docs.size())
    return "has " + std::to_string(docs.size()) + " documents, in.json " + std::to_string(values.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    rig::Node expected;
    try {
      expected = rig::load_json(values[i], c.id + "/in.json");
    } catch (const rig::Error& e) {
      return "in.json did not load: " + e.message();
    }
    if (!same_ignoring_key_order(docs[i], expected)) return "document " + std::to_string(i) + " differs from in.json";
  }
  return {};
}

TEST(YamlTestSuite, EveryCaseAgreesOrIsAListedException) {
  fs::path root = rig::testing::shared_dir();
  if (root.empty() || !fs::is_directory(root / "yaml-test-suite"))
    GTEST_SKIP() << "../shared/yaml-test-suite is absent";
  auto cases = all_cases(root / "yaml-test-suite");
  ASSERT_GE(cases.size(), 402u);
  auto exceptions = read_exceptions();
  std::set<std::string> seen;
  size_t agreed = 0;
  rig::LoadLimits pipelined;  // every case also through the two-thread parser that large files use
  pipelined.pipeline_bytes = 0;
  for (const auto& c : cases) {
    std::string problem = run_case(c, {});
    EXPECT_EQ(run_case(c, pipelined), problem) << c.id << ": the pipelined parser disagrees";
    seen.insert(c.id);
    auto listed = exceptions.find(c.id);
    if (problem.empty()) {
      ++agreed;
      EXPECT_EQ(listed, exceptions.end()) << c.id << " passes now: remove it from the exceptions list";
    } else {
      EXPECT_NE(listed, exceptions.end()) << c.id << ": " << problem;
    }
  }
  for (const auto& [id, reason] : exceptions) EXPECT_TRUE(seen.count(id)) << "listed exception " << id << " is no case";
  std::cout << "yaml-test-suite: " << agreed << "/" << cases.size() << " cases agree, " << exceptions.size()
            << " listed exceptions\n";
}

}  // namespace
