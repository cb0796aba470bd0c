// Hostile and mistaken inputs that must end in a located rig::Error (or, for output, in text that reads back the
// same): special files, interpolation expansion, floats past double, YAML spec rules, index errors in overrides,
// invisible characters in keys, long strftime output. Depth limits: depth_test.cpp.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmath>
#include <string>

#include "rig/config.hpp"
#include "rig/error.hpp"
#include "rig/interpolation.hpp"
#include "rig/limits.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace {

using rig::Node;
using rig::testing::expect_error;

// ---- special files ----------------------------------------------------------------------------------------------

TEST(SpecialFiles, RefusedBeforeAnyRead) {
  rig::testing::TempDir dir;
  auto fifo = dir.path() / "f.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A FIFO without a writer would block a plain open or read forever: refused at once.
  auto e = expect_error("rig.io.not_a_file", [&] { rig::load_file(fifo); });
  EXPECT_EQ(e.origin().source_name(), fifo.string());
  EXPECT_NE(e.message().find("FIFO"), std::string::npos) << e.message();
  expect_error("rig.io.not_a_file", [&] { rig::read_file(dir.path()); });
  for (const char* dev : {"/dev/zero", "/dev/urandom", "/dev/null"}) {
    expect_error("rig.io.not_a_file", [&] { rig::read_file(dev); });
    auto link = dir.path() / (std::string("l") + (dev + 5) + ".yaml");
    std::filesystem::create_symlink(dev, link);
    expect_error("rig.io.not_a_file", [&] { rig::load_file(link); });
  }
  // A UNIX socket.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = (dir.path() / "s.yaml").string();
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::copy(sock.begin(), sock.end(), addr.sun_path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  expect_error("rig.io.not_a_file", [&] { rig::load_file(sock); });
  ::close(fd);
  // A symlink to a regular file is read.
  auto real = dir.write("real.yaml", "a: 1\n");
  std::filesystem::create_symlink(real, dir.path() / "link.yaml");
  EXPECT_EQ(rig::load_file(dir.path() / "link.yaml").get<int>("a"), 1);
}

// ---- expansion --------------------------------------------------------------------------------------------------

struct ScopedLimits {
  explicit ScopedLimits(const rig::TreeLimits& l) { rig::set_tree_limits(l); }
  ~ScopedLimits() { rig::set_tree_limits({}); }
};

// x0: [a, b], x_i: [${x_{i-1}} x fan]: (fan^levels) nodes when printed.
std::string list_copies(int levels, int fan) {
  std::string text = "x0: [a, b]\n";
  for (int i = 1; i <= levels; ++i) {
    text += "x" + std::to_string(i) + ": [";
    for (int j = 0; j < fan; ++j) text += std::string(j ? ", " : "") + "'${x" + std::to_string(i - 1) + "}'";
    text += "]\n";
  }
  return text;
}

TEST(Expansion, NodeBudgetStopsCopiesOfCopies) {
  auto e = expect_error("rig.limit.interpolation_expansion",
                        [] { rig::resolve(rig::load_yaml(list_copies(12, 9), "bomb.yaml")); });
  EXPECT_EQ(e.origin().source_name(), "bomb.yaml");
  EXPECT_NE(e.message().find("${x"), std::string::npos) << e.message();  // names the interpolation
  // Configurable: a small budget stops a small expansion; the same config passes under the default.
  Node small = rig::load_yaml(list_copies(3, 4), "small.yaml");
  EXPECT_NO_THROW(rig::resolve(small));
  ScopedLimits tight({.max_nodes = 50});
  expect_error("rig.limit.interpolation_expansion", [&] { rig::resolve(small); });
}

TEST(Expansion, ByteBudgetStopsStringDoubling) {
  std::string text = "s0: ab\n";
  for (int i = 1; i <= 40; ++i)
    text += "s" + std::to_string(i) + ": ${s" + std::to_string(i - 1) + "}${s" + std::to_string(i - 1) + "}\n";
  auto e = expect_error("rig.limit.interpolation_expansion", [&] { rig::resolve(rig::load_yaml(text, "s.yaml")); });
  EXPECT_GT(e.origin().line, 1u);
  ScopedLimits tight({.max_bytes = 100});
  expect_error("rig.limit.interpolation_expansion",
               [] { rig::resolve(rig::load_yaml("a: abcdefghij\nb: ${a}${a}${a}${a}${a}${a}${a}${a}${a}${a}${a}\n")); });
  EXPECT_NO_THROW(rig::resolve(rig::load_yaml("a: abcdefghij\nb: ${a}${a}${a}\n")));
}

TEST(Expansion, LazyReadsShareTheBudget) {
  rig::Config cfg(rig::load_yaml(list_copies(12, 9), "bomb.yaml"));
  expect_error("rig.limit.interpolation_expansion", [&] { (void)cfg["x12"].resolved(); });
}

TEST(Expansion, DefaultsAreDocumented) {
  rig::TreeLimits l;
  EXPECT_EQ(l.max_nodes, 10'000'000u);
  EXPECT_EQ(l.max_bytes, 16u << 20);
  EXPECT_EQ(l.max_depth, 256u);
}

// ---- floats -------------------------------------------------------------------------------------------------------

TEST(FloatRange, OverflowIsAnErrorEverywhere) {
  for (const char* v : {"1e400", "-1e400", "1.7976931348623159e308", "+9.9e999", "1234e306"}) {
    auto e = expect_error("rig.yaml.float_range", [&] { rig::load_yaml(std::string("x: 1\nv: ") + v + "\n", "f.yaml"); });
    EXPECT_EQ(e.origin().line, 2u) << v;
    EXPECT_EQ(e.origin().column, 4u) << v;
    if (v[0] != '+')  // JSON numbers have no plus sign
      expect_error("rig.yaml.float_range", [&] { rig::load_json(std::string("{\"v\": ") + v + "}", "f.json"); });
    auto o = expect_error("rig.yaml.float_range", [&] { rig::parse_override(std::string("v=") + v, 2); });
    EXPECT_EQ(o.origin().column, 3u) << v;
  }
  expect_error("rig.yaml.float_range", [] { rig::parse_override("v=float('1e400')", 2); });
  expect_error("rig.yaml.float_range", [] { rig::parse_override("v=json('{\"a\": 1e400}')", 2); });
  expect_error("rig.yaml.float_range", [] { rig::load_yaml("v: !!float 2e308\n"); });
  expect_error("rig.yaml.float_range", [] { rig::resolve(rig::load_yaml("v: ${oc.select:nope,1e999}\n")); });
  // The largest double, infinity written on purpose, and underflow to zero stay legal.
  EXPECT_EQ(rig::load_yaml("v: 1.7976931348623157e308\n").get<double>("v"), 1.7976931348623157e308);
  EXPECT_TRUE(std::isinf(rig::load_yaml("v: .inf\n").get<double>("v")));
  EXPECT_TRUE(std::isinf(rig::load_yaml("v: -.Inf\n").get<double>("v")));
  EXPECT_EQ(rig::load_yaml("v: 1e-400\n").get<double>("v"), 0.0);
}

// ---- YAML output reads back the same under YAML 1.1 and 1.2 ---------------------------------------------------------

TEST(YamlOutput, QuotesStringsYaml11WouldType) {
  for (const char* s : {"1_000", "0b101", "1:30", "+0x1", "0_7", "1.0_0", "190:20:30", "-0b1_1", "0x_f", "1.",
                        "+.5", "1:30.5", "2001-12-14", "2001-12-14 21:59:43.10 -5", "=", "<<", "0777", "1e5",
                        "-1_0e+3", "+1"}) {
    Node n = Node::map();
    n.set("v", Node(std::string(s)));
    std::string text = rig::dump_yaml(n);
    EXPECT_NE(text.find('"'), std::string::npos) << s << " was written unquoted: " << text;
    EXPECT_EQ(rig::load_yaml(text).get<std::string>("v"), s);
  }
  for (const char* s : {"abc", "a1_000", "v1.5", "x:y", "1-2", "1.2.3", "1::2"}) {
    Node n = Node::map();
    n.set("v", Node(std::string(s)));
    EXPECT_EQ(rig::load_yaml(rig::dump_yaml(n)).get<std::string>("v"), s);
  }
}

// ---- YAML spec rules ---------------------------------------------------------------------------------------------

TEST(YamlSpec, ContentAfterDocumentEndIsLocated) {
  auto e = expect_error("rig.yaml.multi_document", [] { rig::load_yaml("a: 1\n...\n\nb: 2\n", "d.yaml"); });
  EXPECT_EQ(e.origin().line, 4u);
  EXPECT_EQ(e.origin().column, 1u);
  EXPECT_NO_THROW(rig::load_yaml("a: 1\n...\n"));
  EXPECT_NO_THROW(rig::load_yaml("a: 1\n...\n# only a comment\n"));
}

TEST(YamlSpec, ByteOrderMarkOnlyAtTheStartOrInQuotes) {
  EXPECT_EQ(rig::load_yaml("\xEF\xBB\xBF" "a: 1\n").get<int>("a"), 1);
  auto e = expect_error("rig.yaml.bom", [] { rig::load_yaml("a: 1\nb: c\xEF\xBB\xBF" "d\n", "b.yaml"); });
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.origin().column, 5u);
  expect_error("rig.yaml.bom", [] { rig::load_yaml("x:\n  \xEF\xBB\xBF" "k: 1\n"); });
  EXPECT_EQ(rig::load_yaml("a: \"x\xEF\xBB\xBFy\"\n").get<std::string>("a"), "x\xEF\xBB\xBFy");
}

TEST(YamlSpec, ImplicitKeysAreAtMost1024Characters) {
  EXPECT_NO_THROW(rig::load_yaml(std::string(1024, 'k') + ": 1\n"));
  auto e = expect_error("rig.yaml.key_too_long", [] { rig::load_yaml("a: 1\n" + std::string(1025, 'k') + ": 1\n"); });
  EXPECT_EQ(e.origin().line, 2u);
  // An explicit key may be longer.
  EXPECT_EQ(rig::load_yaml("? " + std::string(3000, 'k') + "\n: 1\n").size(), 1u);
  // Characters, not bytes.
  std::string wide;
  for (int i = 0; i < 1000; ++i) wide += "\xC3\xA9";  // 1000 characters, 2000 bytes
  EXPECT_NO_THROW(rig::load_yaml(wide + ": 1\n"));
}

TEST(YamlSpec, VersionDirectives) {
  auto e = expect_error("rig.yaml.version", [] { rig::load_yaml("%YAML 1.1\n---\na: yes\n", "v.yaml"); });
  EXPECT_EQ(e.origin().line, 1u);
  EXPECT_EQ(rig::load_yaml("%YAML 1.2\n---\na: yes\n").get<std::string>("a"), "yes");
  auto s = expect_error("rig.yaml.syntax", [] { rig::load_yaml("%YAML 1.2\na: 1\n", "v.yaml"); });
  EXPECT_EQ(s.origin().line, 2u);
  expect_error("rig.yaml.syntax", [] { rig::load_yaml("%YAML 1.2\n"); });
  EXPECT_EQ(rig::load_yaml("# c\n%YAML 1.2\n# d\n--- \na: 1\n").get<int>("a"), 1);
}

// ---- interpolations and overrides -----------------------------------------------------------------------------

TEST(Located, SelectingTheRootFromInsideIt) {
  auto e = expect_error("rig.interpolation.cycle",
                        [] { rig::resolve(rig::load_yaml("a: 1\nb: ${oc.select:.}\n", "r.yaml")); });
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.key_path(), "b");
  EXPECT_NE(e.message().find("root"), std::string::npos) << e.message();
}

TEST(Located, IndexErrorsInOverridesNameTheList) {
  Node cfg = rig::load_yaml("a:\n  b: [x, y]\nl: [1]\n", "c.yaml");
  auto e = expect_error("rig.key.index_range", [&] {
    rig::apply_overrides(cfg, std::vector{rig::parse_override("+a.b[2]=z", 3)});
  });
  EXPECT_EQ(e.key_path(), "a.b");
  EXPECT_NE(e.message().find("'a.b' is a list of 2 elements"), std::string::npos) << e.message();
  EXPECT_GE(e.origin().column, 5u);  // "+a.b[2]": at the index segment, not the key's start
  EXPECT_LE(e.origin().column, 6u);
  std::string huge = "99999999999999999999999999";
  auto h = expect_error("rig.key.index_range", [&] {
    rig::apply_overrides(cfg, std::vector{rig::parse_override("++l[" + huge + "]=z", 3)});
  });
  EXPECT_NE(h.message().find(huge), std::string::npos) << h.message();  // shown whole
  EXPECT_EQ(h.key_path(), "l");
}

TEST(Located, ValidateViewOfAResolverValue) {
  // A Config view of a value a resolver made (it lives nowhere in the tree) reads and resolves like any other.
  rig::Config cfg(rig::load_yaml("a: 1\ny: ${oc.select:zz,5}\nz: \"${oc.create:{k: 1}}\"\n"));
  EXPECT_EQ(cfg.at("y").resolved().int_value(), 5);
  EXPECT_EQ(cfg.at("z").resolved().get<int>("k"), 1);
  EXPECT_EQ(cfg.at("z.k").resolved().int_value(), 1);
}

TEST(DidYouMean, InvisibleCharactersInKeys) {
  EXPECT_EQ(rig::did_you_mean("l\xE2\x80\x8Br", {"lr", "momentum"}), "did you mean 'lr'?");
  EXPECT_EQ(rig::did_you_mean("optimizer\xEF\xBB\xBF", {"optimizer", "scheduler"}), "did you mean 'optimizer'?");
  EXPECT_EQ(rig::did_you_mean("batch\xC2\xAD_size", {"batch_size"}), "did you mean 'batch_size'?");
  Node cfg = rig::load_yaml("lr: 1\n");
  auto e = expect_error("rig.override.unknown_key", [&] {
    rig::apply_overrides(cfg, std::vector{rig::parse_override("l\xE2\x80\x8Br=2", 3)});
  });
  EXPECT_NE(e.hint().find("'lr'"), std::string::npos) << e.hint();
}

TEST(Now, LongFormatsAreWhole) {
  std::string pattern(600, 'x');
  pattern += "%Y";
  std::string out = rig::resolve(rig::load_yaml("t: '${now:" + pattern + "}'\n")).get<std::string>("t");
  EXPECT_EQ(out.size(), 604u);
  EXPECT_EQ(out.substr(0, 600), std::string(600, 'x'));
  std::string many;
  for (int i = 0; i < 300; ++i) many += "%Y-";
  EXPECT_EQ(rig::resolve(rig::load_yaml("t: '${now:" + many + "}'\n")).get<std::string>("t").size(), 1500u);
}

}  // namespace

namespace {

TEST(Located, ExcerptsWithLoneCrAndMixedLineEndings) {
  for (std::string text : {std::string("a: 1\rb: 2\rb: 3\r"), std::string("a: 1\r\nb: 2\rb: 3\n"),
                           std::string("a: 1\nb: 2\r\nb: 3\r\n")}) {
    auto e = expect_error("rig.yaml.duplicate_key", [&] { rig::load_yaml(text, "cr.yaml"); });
    EXPECT_EQ(e.origin().line, 3u);
    EXPECT_EQ(e.origin().source->line_text(3), "b: 3");
    std::string shown = rig::format(e);
    EXPECT_NE(shown.find("| b: 3"), std::string::npos) << shown;
  }
}

}  // namespace
