// Differential test: plain key=value / +key=value / ~key overrides against OmegaConf (Debian's python3-omegaconf via
// /usr/bin/python3, driven by tests/conformance/omegaconf_overrides.py the way Hydra applies overrides), on every
// corpus config and on seeded generated configs. Both sides start from the same tree (rig's, as JSON), so YAML 1.1 vs
// 1.2 loading differences stay out; compared are the resulting trees (canonical JSON) or the fact of an error.
// Known differences are listed one by one in tests/conformance/omegaconf_overrides_differences.txt.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "rig/overrides.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

using rig::Node;

namespace {

struct Case {
  std::string name;  // corpus path or "generated #N"
  Node config;
  std::vector<std::string> overrides;
};

// A small deterministic generator (std:: distributions differ between standard libraries).
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(gen_() % n); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  std::mt19937_64 gen_;
};

const std::vector<std::string> kWords = {"model", "optimizer", "lr", "batch_size", "seed", "layers", "dim",
                                         "dropout", "name", "path", "enabled", "tokenizer", "data", "epochs"};

// Values whose typing agrees between OmegaConf's YAML 1.1 loader and rig's YAML 1.2 rules.
const std::vector<std::string> kValues = {
    "1",         "-7",           "0",         "123456789",     "0.5",        "-2.25",          "1.0e-3",
    "1e3",       "true",         "False",     "null",          "adam",       "relu",           "/tmp/run_1",
    "x_y-z",     "hello world",  "'a,b'",     "\"quoted str\"", "${seed}",   "${model.dim}",   "[1, 2, 3]",
    "[a, [b, c]]", "[]",         "{a: 1, b: [x, y]}", "{}",     "{dim: 64, act: gelu}", "{nested: {k: 1.5}}"};

bool simple_key(const std::string& k) {
  if (k.empty() || !(std::isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_')) return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// Every path that reaches a node through maps only, with keys the dotlist syntax can spell.
void map_paths(const Node& n, const std::string& prefix, std::vector<std::string>& paths,
               std::vector<std::string>& maps, size_t depth = 0) {
  if (!n.is_map() || depth > 8) return;
  maps.push_back(prefix);
  for (const auto& e : n.entries()) {
    if (!simple_key(e.key)) continue;
    std::string p = prefix.empty() ? e.key : prefix + "." + e.key;
    paths.push_back(p);
    map_paths(e.value, p, paths, maps, depth + 1);
  }
}

std::string typo(Rng& rng, std::string key) {
  size_t dot = key.rfind('.');
  size_t start = dot == std::string::npos ? 0 : dot + 1;
  size_t i = start + rng.below(key.size() - start);
  key.insert(key.begin() + static_cast<std::ptrdiff_t>(i), 'q');
  return key;
}

std::vector<std::string> make_overrides(Rng& rng, const Node& cfg) {
  std::vector<std::string> paths, maps;
  map_paths(cfg, "", paths, maps);
  std::vector<std::string> out;
  size_t count = 1 + rng.below(4);
  for (size_t i = 0; i < count; ++i) {
    int what = static_cast<int>(rng.below(100));
    const std::string value = rng.pick(kValues);
    // After a set or delete, the subtree below it may be gone: later overrides pick among the paths still there,
    // so errors come from the deliberate typos (and real collisions), not from the generator's own history.
    auto forget_below = [&](const std::string& p, bool itself) {
      auto gone = [&](const std::string& q) { return (itself && q == p) || q.starts_with(p + "."); };
      std::erase_if(paths, gone);
      std::erase_if(maps, gone);
    };
    if (what < 40 && !paths.empty()) {
      std::string p = rng.pick(paths);
      out.push_back(p + "=" + value);
      forget_below(p, false);
      if (value.front() != '{') std::erase(maps, p);
    } else if (what < 70) {
      std::string parent = maps.empty() ? "" : rng.pick(maps);
      std::string key = rng.pick(kWords) + (rng.chance(75) ? "_new" : "");
      out.push_back("+" + (parent.empty() ? key : parent + "." + key) + "=" + value);
    } else if (what < 96 && !paths.empty()) {
      std::string p = rng.pick(paths);
      out.push_back("~" + p);
      forget_below(p, true);
    } else if (!paths.empty()) {  // a deliberate typo: both sides must fail
      std::string bad = typo(rng, rng.pick(paths));
      out.push_back(rng.chance(50) ? bad + "=" + value : "~" + bad);
    }
  }
  if (out.empty()) out.push_back("+fresh_key=1");
  return out;
}

Node generate_config(Rng& rng, size_t depth = 0) {
  Node m = Node::map();
  size_t n = 1 + rng.below(depth == 0 ? 8 : 5);
  for (size_t i = 0; i < n; ++i) {
    std::string key = rng.pick(kWords);
    if (m.contains(key)) continue;
    int kind = static_cast<int>(rng.below(100));
    if (kind < 30 && depth < 4) {
      m.set(key, generate_config(rng, depth + 1));
    } else if (kind < 40) {
      m.set(key, rig::load_yaml("[1, x, {k: 2}]"));
    } else if (kind < 45) {
      m.set(key, Node::missing());
    } else {
      std::string v = rng.pick(kValues);
      if (v.front() == '\'' || v.front() == '"') v = "plain";
      m.set(key, rig::load_yaml("v: " + v)["v"]);
    }
  }
  return m;
}

std::vector<Case> build_cases(size_t generated) {
  std::vector<Case> cases;
  auto corpus = rig::testing::shared_dir() / "corpus";
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(corpus))
    for (const auto& e : std::filesystem::recursive_directory_iterator(corpus))
      if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  uint64_t seed = 1;
  for (const auto& f : files) {
    Rng rng(seed++);
    Node cfg;
    try {
      cfg = rig::load_yaml_file(f);
      (void)rig::dump_json(cfg, -1);  // non-finite floats cannot travel as JSON
    } catch (const rig::Error&) {
      continue;
    }
    if (!cfg.is_map()) continue;
    cases.push_back({std::filesystem::relative(f, corpus).string(), cfg, make_overrides(rng, cfg)});
  }
  for (size_t i = 0; i < generated; ++i) {
    Rng rng(1'000'000 + i);
    Node cfg = generate_config(rng);
    cases.push_back({"generated #" + std::to_string(i), cfg, make_overrides(rng, cfg)});
  }
  return cases;
}

std::string json_string(const std::string& s) { return rig::dump_json(Node(s), -1); }

// Known differences, one kind per line of the file: "KIND<TAB>reason". Each kind has an exact test below.
std::set<std::string> known_differences() {
  std::set<std::string> out;
  std::ifstream in(std::string(RIG_SOURCE_DIR) + "/tests/conformance/omegaconf_overrides_differences.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.insert(line.substr(0, line.find('\t')));
  }
  return out;
}

// The kind of a disagreement, or "" when it is none of the known ones.
std::string classify(const std::string& rig_outcome, bool oracle_ok, const std::string& failed_override,
                     const std::string& oracle_error, const std::string& oracle_failed) {
  // OmegaConf.update replaces a scalar on the way to a new key by a map (+seed.x=1 when seed is 1); rig refuses.
  if (oracle_ok && rig_outcome == "error: rig.key.not_container" && failed_override.starts_with("+"))
    return "add_through_scalar";
  // Hydra looks up the key of +key=... and ~key with OmegaConf.select, which resolves an interpolation there and fails
  // when it cannot; rig resolves only after every override is applied.
  if (!oracle_ok && !rig_outcome.starts_with("error") && oracle_error.find("Interpolation") != std::string::npos &&
      (oracle_failed.starts_with("~") || (oracle_failed.starts_with("+") && !oracle_failed.starts_with("++"))))
    return "select_resolves";
  return {};
}

TEST(OverrideOracle, PlainOverridesAgreeWithOmegaConf) {
  if (std::system("/usr/bin/python3 -c 'import omegaconf' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3-omegaconf is not installed for /usr/bin/python3 (scripts/install-deps installs it)";
  std::vector<Case> cases = build_cases(2000);
  if (rig::testing::shared_dir().empty())
    std::cerr << "note: ../shared/corpus is absent; only generated configs are compared\n";
  ASSERT_GE(cases.size(), 2000u);

  rig::testing::TempDir dir;
  std::string input;
  for (size_t i = 0; i < cases.size(); ++i) {
    input += "{\"id\":" + std::to_string(i) + ",\"config\":" + rig::dump_json(cases[i].config, -1) + ",\"overrides\":[";
    for (size_t k = 0; k < cases[i].overrides.size(); ++k) input += (k ? "," : "") + json_string(cases[i].overrides[k]);
    input += "]}\n";
  }
  auto in_path = dir.write("cases.jsonl", input);
  auto out_path = dir.path() / "results.jsonl";
  std::string cmd = "/usr/bin/python3 " + std::string(RIG_SOURCE_DIR) + "/tests/conformance/omegaconf_overrides.py < " +
                    in_path.string() + " > " + out_path.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  std::ifstream results(out_path);
  std::string line;
  size_t compared = 0, errors_both = 0, disagreements = 0, known = 0, unusable = 0;
  auto differences = known_differences();
  std::map<std::string, size_t> both_failed_by_id;
  while (std::getline(results, line)) {
    Node r = rig::load_json(line);
    const Case& c = cases.at(static_cast<size_t>(r["id"].int_value()));
    if (r.contains("unusable")) {  // OmegaConf cannot hold this config at all: nothing to compare
      ++unusable;
      EXPECT_FALSE(c.name.starts_with("generated")) << c.name << ": " << r["unusable"].str();
      continue;
    }
    Node cfg = c.config;
    std::string rig_outcome, failed_override;
    try {
      for (size_t k = 0; k < c.overrides.size(); ++k) {
        failed_override = c.overrides[k];
        rig::apply_override(cfg, rig::parse_override(c.overrides[k], static_cast<int>(k + 1)));
      }
      rig_outcome = rig::dump_json(cfg, -1);
    } catch (const rig::Error& e) {
      rig_outcome = "error: " + e.id();
    }
    std::string oracle = r["ok"].bool_value() ? rig::dump_json(r["result"], -1) : "error: " + r["error"].str();
    ++compared;
    bool both_failed = rig_outcome.starts_with("error") && oracle.starts_with("error");
    if (both_failed) ++errors_both, ++both_failed_by_id[rig_outcome.substr(7)];
    if (both_failed || rig_outcome == oracle) continue;
    std::string overrides;
    for (const auto& o : c.overrides) overrides += (overrides.empty() ? "" : " ") + o;
    if (std::string kind = classify(rig_outcome, r["ok"].bool_value(), failed_override,
                                    r.contains("error") ? r["error"].str() : std::string(),
                                    r.contains("failed") ? r["failed"].str() : std::string());
        !kind.empty() && differences.count(kind)) {
      ++known;
      continue;
    }
    if (++disagreements <= 10)
      ADD_FAILURE() << c.name << ": " << overrides << "\n  rig:       " << rig_outcome.substr(0, 400)
                    << "\n  OmegaConf: " << oracle.substr(0, 400);
  }
  EXPECT_EQ(compared + unusable, cases.size()) << "the oracle answered fewer cases than it was given";
  EXPECT_GE(compared, 2000u + (rig::testing::shared_dir().empty() ? 0 : 500));
  EXPECT_EQ(disagreements, 0u);
  std::cerr << "compared " << compared << " cases (" << errors_both << " failing on both sides, " << known
            << " known differences); " << unusable << " corpus configs hold strings OmegaConf's grammar rejects\n";
  for (const auto& [id, n] : both_failed_by_id) std::cerr << "  both failed, rig said " << id << ": " << n << "\n";
}

}  // namespace
