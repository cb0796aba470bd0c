// Interpolation grammar, resolvers, errors and provenance. Expected values follow OmegaConf 2.2's
// documented behaviour; tests/conformance/ checks thousands more cases against OmegaConf itself.
#include "rig/interpolation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <regex>

#include "detail/python_text.hpp"
#include "detail/resolution.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace rig {
namespace {

using testing::expect_error;

Node resolved(std::string_view yaml) { return resolve(load_yaml(yaml, "t.yaml")); }

TEST(Interpolation, AbsoluteBracketAndRelativeReferences) {
  Node r = resolved(
      "a: {b: 1, list: [10, 20], d: {key: {x: 5}}}\n"
      "abs: ${a.b}\nidx: ${a.list[1]}\ndot_idx: ${a.list.0}\nbr: ${a.d[key].x}\n"
      "nest:\n  sib: 2\n  me: ${.sib}\n  up: ${..abs}\n  deep:\n    v: ${...a.b}\n");
  EXPECT_EQ(r["abs"].int_value(), 1);
  EXPECT_EQ(r["idx"].int_value(), 20);
  EXPECT_EQ(r["dot_idx"].int_value(), 10);
  EXPECT_EQ(r["br"].int_value(), 5);
  EXPECT_EQ(r["nest"]["me"].int_value(), 2);
  EXPECT_EQ(r["nest"]["up"].int_value(), 1);
  EXPECT_EQ(r["nest"]["deep"]["v"].int_value(), 1);
}

TEST(Interpolation, NestedKeysAndResolverNames) {
  Node r = resolved("k: b\na: {b: 7}\nx: ${a.${k}}\nfn: oc.select\ny: ${${fn}:a.b}\nvar: RIG_TEST_NESTED\n"
                    "z: ${oc.env:${var},dflt}\n");
  EXPECT_EQ(r["x"].int_value(), 7);
  EXPECT_EQ(r["y"].int_value(), 7);
  EXPECT_EQ(r["z"].str(), "dflt");
}

TEST(Interpolation, WholeValueKeepsTypeAndStringsStringifyLikePython) {
  Node r = resolved(
      "i: 3\nf: 1.0e-5\nbig: 1.0e+16\nt: true\nn: null\nm: {k: v, z: '${i}'}\nl: [1, s, null]\n"
      "ti: ${i}\ntf: ${f}\ntm: ${m}\ntl: ${l}\n"
      "s: \"i=${i} f=${f} big=${big} t=${t} n=${n}\"\nsm: \"m=${m}\"\nsl: \"l=${l}\"\n");
  EXPECT_TRUE(r["ti"].is_int());
  EXPECT_TRUE(r["tf"].is_float());
  ASSERT_TRUE(r["tm"].is_map());
  EXPECT_EQ(r["tm"]["z"].int_value(), 3);  // the copied map is resolved too
  ASSERT_TRUE(r["tl"].is_list());
  EXPECT_EQ(r["s"].str(), "i=3 f=1e-05 big=1e+16 t=True n=None");
  EXPECT_EQ(r["sm"].str(), "m={'k': 'v', 'z': '${i}'}");  // Python str() of the unresolved container
  EXPECT_EQ(r["sl"].str(), "l=[1, 's', None]");
}

TEST(Interpolation, Escapes) {
  Node r = resolved("a: 1\nx: \\${a}\ny: \\\\${a}\nz: a\\b\nw: \\\\\\${a}\nv: \"${a}\\\\\"\n");
  EXPECT_EQ(r["x"].str(), "${a}");
  EXPECT_EQ(r["y"].str(), "\\1");
  EXPECT_EQ(r["z"].str(), "a\\b");
  EXPECT_EQ(r["w"].str(), "\\${a}");
}

TEST(Interpolation, TypedResolverArguments) {
  register_resolver("test_echo", [](std::span<const Node> args, const ResolverContext&) {
    Node out = Node::list();
    for (const auto& a : args) out.push_back(a);
    return out;
  }, {.replace = true});
  Node r = resolved(
      "a: 1.5\n"
      "x: \"${test_echo:1_000, 1.5e3, TrUe, null, abc, 'q ${a}', [1, {k: v}], -.5, 01, a b, \\\\,c,,}\"\n");
  const Node& x = r["x"];
  ASSERT_EQ(x.size(), 13u);
  EXPECT_EQ(x[0].int_value(), 1000);
  EXPECT_DOUBLE_EQ(x[1].float_value(), 1500.0);
  EXPECT_TRUE(x[2].bool_value());
  EXPECT_TRUE(x[3].is_null());
  EXPECT_EQ(x[4].str(), "abc");
  EXPECT_EQ(x[5].str(), "q 1.5");
  EXPECT_EQ(x[6][1]["k"].str(), "v");
  EXPECT_DOUBLE_EQ(x[7].float_value(), -0.5);
  EXPECT_EQ(x[8].str(), "01");  // two INT tokens: a string, as OmegaConf reads it
  EXPECT_EQ(x[9].str(), "a b");
  EXPECT_EQ(x[10].str(), ",c");
  EXPECT_EQ(x[11].str(), "");  // an empty argument is the empty string
  EXPECT_EQ(x[12].str(), "");
}

TEST(Interpolation, BuiltinResolvers) {
  // Not RIG_*: those are override sources of recipes, which later tests in this process run.
  ::setenv("INTERP_TEST_ENV", "value", 1);
  ::unsetenv("INTERP_TEST_UNSET");
  Node r = resolved(
      "d: {a: 1, b: '${x0}'}\nx0: 9\nnum: '1_0'\n"
      "e1: ${oc.env:INTERP_TEST_ENV}\ne2: ${env:INTERP_TEST_UNSET,5}\ne3: ${oc.env:INTERP_TEST_UNSET,null}\n"
      "s1: ${oc.select:d.a}\ns2: ${oc.select:nope,7}\ns3: ${oc.select:nope}\n"
      "dec: \"${oc.decode:'{a: 1, b: [x, 2]}'}\"\ndec2: ${oc.decode:${num}}\n"
      "cr: \"${oc.create:{a: 1}}\"\nkeys: ${oc.dict.keys:d}\nvals: ${oc.dict.values:d}\n"
      "now: ${now:%Y}\n");
  EXPECT_EQ(r["e1"].str(), "value");
  EXPECT_EQ(r["e2"].str(), "5");  // a default is stringified, as OmegaConf does
  EXPECT_TRUE(r["e3"].is_null());
  EXPECT_EQ(r["s1"].int_value(), 1);
  EXPECT_EQ(r["s2"].int_value(), 7);
  EXPECT_TRUE(r["s3"].is_null());
  EXPECT_EQ(r["dec"]["b"][1].int_value(), 2);
  EXPECT_EQ(r["dec2"].int_value(), 10);
  EXPECT_EQ(r["cr"]["a"].int_value(), 1);
  EXPECT_EQ(r["keys"][1].str(), "b");
  EXPECT_EQ(r["vals"][1].int_value(), 9);
  EXPECT_TRUE(std::regex_match(r["now"].str(), std::regex("[0-9]{4}")));
  ::unsetenv("INTERP_TEST_ENV");
}

TEST(Interpolation, DeprecatedRedirectsWithAWarning) {
  std::vector<std::string> warnings;
  set_warning_handler([&](const std::string& w) { warnings.push_back(w); });
  Node r = resolved("new_key: 3\nold_key: ${oc.deprecated:new_key}\n");
  set_warning_handler(nullptr);
  EXPECT_EQ(r["old_key"].int_value(), 3);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("'old_key' is deprecated"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("'new_key'"), std::string::npos) << warnings[0];
}

TEST(Interpolation, TypedCustomResolver) {
  register_resolver("test_mul", [](double a, double b) { return a * b; }, {.replace = true});
  register_resolver("test_opt", [](int a, std::optional<int> b) { return a + b.value_or(100); }, {.replace = true});
  Node r = resolved("lr: 0.5\nx: ${test_mul:${lr},4}\ny: ${test_opt:1}\nz: ${test_opt:1,2}\n");
  EXPECT_DOUBLE_EQ(r["x"].float_value(), 2.0);
  EXPECT_EQ(r["y"].int_value(), 101);
  EXPECT_EQ(r["z"].int_value(), 3);

  Error e = expect_error("rig.interpolation.resolver_arg", [] { resolved("x: ${test_mul:2, abc}\n"); });
  EXPECT_EQ(e.origin().line, 1u);
  EXPECT_EQ(e.origin().column, 18u);  // at `abc`
  EXPECT_NE(e.message().find("argument 2"), std::string::npos) << e.message();
  expect_error("rig.interpolation.resolver_arity", [] { resolved("x: ${test_mul:2}\n"); });
  expect_error("rig.resolver.exists", [] { register_resolver("test_mul", [](int a) { return a; }); });
}

TEST(Interpolation, UseCacheKeepsTheFirstResult) {
  static int calls = 0;
  calls = 0;
  register_resolver("test_counter", [](std::span<const Node>, const ResolverContext&) { return Node(++calls); },
                    {.replace = true, .use_cache = true});
  clear_resolver_cache();
  Node r = resolved("a: ${test_counter:x}\nb: ${test_counter:x}\nc: ${test_counter:y}\n");
  EXPECT_EQ(r["a"].int_value(), 1);
  EXPECT_EQ(r["b"].int_value(), 1);
  EXPECT_EQ(r["c"].int_value(), 2);
  EXPECT_TRUE(clear_resolver("test_counter"));
  EXPECT_FALSE(has_resolver("test_counter"));
}

TEST(Interpolation, UnreferencedMissingStaysAndMissingKeysListsAll) {
  Node cfg = load_yaml("a: ???\nb: {c: ???, d: [1, ???]}\ne: 1\n");
  Node r = resolve(cfg);
  EXPECT_TRUE(r["a"].is_missing());
  EXPECT_EQ(missing_keys(cfg), (std::vector<std::string>{"a", "b.c", "b.d[1]"}));
}

// ---- errors, each at the interpolation's own file:line:col ----------------------------------------------------------

TEST(InterpolationErrors, UnknownKeyWithDidYouMean) {
  Error e = expect_error("rig.interpolation.key_not_found", [] { resolved("model:\n  dim: 1\n  head: ${model.dimm}\n"); });
  EXPECT_EQ(e.origin().line, 3u);
  EXPECT_EQ(e.origin().column, 9u);
  EXPECT_EQ(e.key_path(), "model.head");
  EXPECT_EQ(e.hint(), "did you mean 'dim'?");
}

TEST(InterpolationErrors, CaretPointsInsideTheString) {
  Error e = expect_error("rig.interpolation.key_not_found", [] { resolved("a: 1\nurl: http://${a}/${nope}\n"); });
  EXPECT_EQ(e.origin().column, 18u);  // the second interpolation
  Error q = expect_error("rig.interpolation.key_not_found", [] { resolved("a: 1\nurl: 'x ${nope}'\n"); });
  EXPECT_EQ(q.origin().column, 9u);  // inside single quotes
}

TEST(InterpolationErrors, RelativePathAboveRoot) {
  Error e = expect_error("rig.interpolation.above_root", [] { resolved("a:\n  b: ${...x}\n"); });
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.key_path(), "a.b");
}

TEST(InterpolationErrors, CycleListsEveryHop) {
  Error e = expect_error("rig.interpolation.cycle", [] { resolved("a: ${b}\nb: x${c}\nc: ${a}\n"); });
  EXPECT_NE(e.message().find("a -> b -> c -> a"), std::string::npos) << e.message();
  ASSERT_EQ(e.notes().size(), 3u);
  EXPECT_EQ(e.notes()[1].origin.line, 2u);
  expect_error("rig.interpolation.cycle", [] { resolved("x: ${x}\n"); });
  expect_error("rig.interpolation.parent", [] { resolved("x:\n  y: ${x}\n"); });
}

TEST(InterpolationErrors, GrammarErrorCaret) {
  Error e = expect_error("rig.interpolation.syntax", [] { resolved("url: http://${host}/${a b}\n"); });
  EXPECT_EQ(e.origin().line, 1u);
  EXPECT_EQ(e.origin().column, 24u);  // the space inside ${a b}
  expect_error("rig.interpolation.syntax", [] { resolved("x: ${foo\n"); });
  expect_error("rig.interpolation.syntax", [] { check_interpolation_syntax("${a.${b}"); });
  check_interpolation_syntax("plain ${a.b} \\${c}");
}

TEST(InterpolationErrors, UnknownResolverSuggestsRegisteredNames) {
  Error e = expect_error("rig.interpolation.unknown_resolver", [] { resolved("x: ${oc.evn:HOME}\n"); });
  EXPECT_EQ(e.hint(), "did you mean 'oc.env'?");
  EXPECT_EQ(e.origin().column, 6u);
}

TEST(InterpolationErrors, ReferenceToMissingNamesBoth) {
  Error e = expect_error("rig.value.missing", [] { resolved("m: ???\nr: ${m}\n"); });
  EXPECT_NE(e.message().find("'r'"), std::string::npos);
  EXPECT_NE(e.message().find("'m'"), std::string::npos);
  ASSERT_EQ(e.notes().size(), 1u);
  EXPECT_EQ(e.notes()[0].origin.line, 1u);
}

TEST(InterpolationErrors, EnvironmentVariableNotSet) {
  ::unsetenv("RIG_TEST_NEVER_SET");
  Error e = expect_error("rig.interpolation.env_not_found", [] { resolved("x: ${oc.env:RIG_TEST_NEVER_SET}\n"); });
  EXPECT_NE(e.hint().find("default"), std::string::npos);
}

// ---- provenance --------------------------------------------------------------------------------------------------

TEST(InterpolationProvenance, ResolvedValueKeepsWhereItWasWrittenAndTheHops) {
  Node r = resolved("base: 0.1\nmid: ${base}\ntop: ${mid}\n");
  const Node& top = r["top"];
  EXPECT_EQ(top.origin().line, 1u);  // written at base
  ASSERT_EQ(top.via().size(), 2u);
  EXPECT_EQ(top.via()[0].line, 3u);  // outermost first: top, then mid
  EXPECT_EQ(top.via()[1].line, 2u);
  EXPECT_TRUE(r["base"].via().empty());
}

// ---- scale -------------------------------------------------------------------------------------------------------------

TEST(InterpolationScale, DeepChainsAndLongKeysStayLinear) {
  std::string yaml;
  const int depth = 900;
  for (int i = 0; i < depth; ++i) yaml += "k" + std::to_string(i) + ": ${k" + std::to_string(i + 1) + "}\n";
  yaml += "k" + std::to_string(depth) + ": end\n";
  std::string long_key(20000, 'x');
  // An implicit key is at most 1024 characters (YAML 1.2, 7.4.2): the long key is written as an explicit one.
  yaml += "? " + long_key + "\n: 1\nlong: ${" + long_key + "}\n";
  auto start = std::chrono::steady_clock::now();
  Node r = resolved(yaml);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r["k0"].str(), "end");
  EXPECT_EQ(r["long"].int_value(), 1);
  EXPECT_LT(seconds, 10.0);  // OmegaConf issue #622 took 27 s; quadratic behaviour would show here
}

TEST(InterpolationScale, OverlongChainIsALimitErrorNotACrash) {
  std::string yaml;
  for (int i = 0; i < 5000; ++i) yaml += "k" + std::to_string(i) + ": ${k" + std::to_string(i + 1) + "}\n";
  yaml += "k5000: end\n";
  expect_error("rig.limit.interpolation_depth", [&] { resolved(yaml); });
}

}  // namespace
}  // namespace rig

namespace rig {
namespace {

// Values interpolated into strings are spelled as Python's str() spells them (what OmegaConf produces).
TEST(InterpolationPythonText, FloatsAndContainers) {
  using detail::python_float_repr;
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e-5), "1e-05");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(123456789.0), "123456789.0");
  EXPECT_EQ(python_float_repr(1.5), "1.5");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(12345678901234567.0), "1.2345678901234568e+16");
  EXPECT_EQ(python_float_repr(2.5e-300), "2.5e-300");
  Node m = load_yaml("a: [1, \"it's\", null, true, 1.0e-5]\nb: {c: \"x\\ny\"}\n");
  EXPECT_EQ(detail::python_str(m), "{'a': [1, \"it's\", None, True, 1e-05], 'b': {'c': 'x\\ny'}}");
}


// ---- subtrees with nothing to resolve are returned as they are ---------------------------------------------------------

// Random configs: subtrees without interpolations (often), shared subtrees (a copy is the same storage), values the
// RIG_* layer wrote (leaves and containers), and interpolations of every shape the resolver walks: absolute, relative,
// to scalars and to containers (which copy them), chains, concatenations, ${oc.env:...}, missing keys and references
// to a container holding them (errors).
class InertTreeGen {
 public:
  explicit InertTreeGen(unsigned seed) : rng_(seed) {}

  Node config() {
    Node root = Node::map(at(file_));
    int n = 2 + pick(4);
    for (int i = 0; i < n; ++i) root.set("k" + std::to_string(i), value(1, {"k" + std::to_string(i)}, chance(4)));
    return root;
  }

 private:
  using Path = std::vector<std::string>;

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int one_in) { return pick(one_in) == 0; }
  Origin at(const std::shared_ptr<const Source>& s) { return Origin{s, static_cast<uint32_t>(++line_), 1}; }
  static std::string dotted(const Path& p) {
    std::string out;
    for (const auto& s : p) out += (out.empty() ? "" : ".") + s;
    return out;
  }

  Node value(int depth, const Path& path, bool clean) {
    int kind = pick(depth >= 5 ? 4 : 7);
    if (kind >= 5 && !shared_.empty() && chance(4)) return shared_[static_cast<size_t>(pick(static_cast<int>(shared_.size())))];
    if (kind >= 4) {
      bool sub_clean = clean || chance(3);
      const auto& src = !clean && chance(8) ? env_ : file_;  // a container the RIG_* layer wrote
      Node c = kind == 4 ? Node::list(at(src)) : Node::map(at(src));
      int n = pick(4);
      for (int i = 0; i < n; ++i) {
        Path child = path;
        child.push_back(kind == 4 ? std::to_string(i) : "k" + std::to_string(i));
        if (kind == 4)
          c.push_back(value(depth + 1, child, sub_clean));
        else
          c.set(child.back(), value(depth + 1, child, sub_clean));
      }
      if (!c.empty()) shared_.push_back(c);
      earlier_.push_back(path);
      return c;
    }
    Node leaf;
    if (!clean && (kind == 3 || chance(4)) && !earlier_.empty()) {
      const Path& target = earlier_[static_cast<size_t>(pick(static_cast<int>(earlier_.size())))];
      switch (pick(6)) {
        case 0: leaf = Node("${" + dotted(target) + "}"); break;
        case 1: leaf = Node("x_${" + dotted(target) + "}_y"); break;
        case 2: leaf = Node("${oc.env:RIG_INERT_TEST_VAR,fallback}"); break;
        case 3: leaf = Node("${.k" + std::to_string(pick(3)) + "}"); break;  // a sibling, maybe absent
        case 4: leaf = Node("${" + dotted(target) + ".k0}"); break;          // into it, maybe not a container
        default: leaf = Node("${oc.select:" + dotted(target) + ",none}"); break;
      }
    } else if (kind == 0) {
      leaf = Node(pick(1000));
    } else if (kind == 1) {
      leaf = Node("s" + std::to_string(pick(1000)));
    } else if (kind == 2) {
      leaf = chance(6) ? Node::missing() : Node(pick(2) == 0);
    } else {
      leaf = Node(static_cast<double>(pick(100)) / 4);
    }
    leaf.set_origin(at(!clean && chance(6) ? env_ : file_));  // a leaf the RIG_* layer wrote
    earlier_.push_back(path);
    return leaf;
  }

  std::mt19937 rng_;
  int line_ = 0;
  std::shared_ptr<const Source> file_ = Source::make("gen.yaml"), env_ = Source::make("env RIG_INERT_TEST");
  std::vector<Path> earlier_;  // nodes made so far, for interpolations to refer to
  std::vector<Node> shared_;   // containers made so far, to place again (the same storage)
};

// Everything a resolved tree shows: kinds, values, keys and their order, origins, via and history, at every node.
void describe_everything(const Node& n, std::string& out, int indent = 0) {
  out.append(static_cast<size_t>(indent), ' ');
  out += std::string(kind_name(n.kind())) + " @" + n.origin().to_string();
  for (const auto& v : n.via()) out += " via " + v.to_string();
  for (const auto& h : n.history()) out += " was " + dump_json(h) + " @" + h.origin().to_string();
  if (n.is_scalar()) out += " = " + dump_json(n);
  out += '\n';
  for (const auto& e : n.entries()) {
    out.append(static_cast<size_t>(indent + 1), ' ');
    out += e.key + " @" + e.key_origin.to_string() + ":\n";
    describe_everything(e.value, out, indent + 2);
  }
  for (const auto& e : n.elements()) describe_everything(e, out, indent + 1);
}

std::string resolved_everything(const Node& root, bool redact, bool skip_inert) {
  try {
    detail::Resolution r(root, redact);
    r.set_skip_inert(skip_inert);
    std::string out;
    describe_everything(redact ? r.redacted_tree_at(r.root_loc()) : r.tree_at(r.root_loc()), out);
    return out;
  } catch (const Error& e) {
    std::string out = "error " + e.id() + ": " + e.message() + " hint " + e.hint();
    // Where a copied container crosses the depth limit: the long way reports it at the copy when the container was
    // resolved before (its cached tree), else at the first container inside that crosses it; an inert container is
    // not cached when its parent returns it as it is, so the place may differ (never the error, its message or hint).
    if (e.id() != "rig.limit.depth") out += " at " + e.key_path() + " @" + e.origin().to_string();
    return out;
  }
}

TEST(InertSubtrees, ResolveAsTheLongWayDoes) {
  ::setenv("RIG_INERT_TEST_VAR", "from-env", 1);
  TreeLimits saved = tree_limits();
  size_t errors = 0, too_deep = 0, tainted = 0, same_root = 0;
  for (unsigned seed = 0; seed < 400; ++seed) {
    // Every fourth config under a depth limit its copied containers may cross (rig.limit.depth).
    TreeLimits limits = saved;
    if (seed % 4 == 3) limits.max_depth = 4;
    set_tree_limits(limits);
    Node cfg = InertTreeGen(seed).config();
    for (bool redact : {false, true}) {
      std::string long_way = resolved_everything(cfg, redact, false);
      std::string shortcut = resolved_everything(cfg, redact, true);
      ASSERT_EQ(shortcut, long_way) << "seed " << seed << (redact ? ", redacted" : "") << "\n" << dump_yaml(cfg);
      errors += long_way.starts_with("error ");
      too_deep += long_way.starts_with("error rig.limit.depth");
      tainted += long_way.find("<redacted:env") != std::string::npos;
    }
    try {
      same_root += resolve(cfg).same_storage(cfg);
    } catch (const Error&) {
    }
  }
  set_tree_limits(saved);
  ::unsetenv("RIG_INERT_TEST_VAR");
  // The generator reaches what it is meant to: errors, redactions and configs with nothing to resolve.
  EXPECT_GT(errors, 40u);
  EXPECT_GT(too_deep, 10u);
  EXPECT_GT(tainted, 40u);
  EXPECT_GT(same_root, 10u);
  EXPECT_LT(errors, 600u);
  std::printf("errors %zu, too deep %zu, tainted %zu, nothing to resolve %zu\n", errors, too_deep, tainted, same_root);
}

// A subtree with nothing to resolve is the same storage after resolution, wherever it is (and so is the whole config
// when nothing in it needs resolving); a copy of one by an interpolation counts against the limits as before.
TEST(InertSubtrees, AreSharedNotCopied) {
  Node cfg = load_yaml("a: {b: {c: 1, d: [1, 2, {e: 3}]}, x: '${y}'}\ny: 2\nz: ${a.b}\n", "t.yaml");
  Node r = resolve(cfg);
  EXPECT_TRUE(r["a"]["b"].same_storage(cfg["a"]["b"]));
  EXPECT_FALSE(r["a"].same_storage(cfg["a"]));
  EXPECT_EQ(r["z"], cfg["a"]["b"]);
  Node plain = load_yaml("a: {b: {c: 1}}\nl: [1, {m: 2}]\n", "t.yaml");
  EXPECT_TRUE(resolve(plain).same_storage(plain));
  EXPECT_TRUE(resolve_redacted(plain).same_storage(plain));
  // Copies of an inert subtree still nest their levels: past the limit, the error names where it is crossed.
  TreeLimits saved = tree_limits();
  set_tree_limits({.max_depth = 3});
  Error e = expect_error("rig.limit.depth", [&] { (void)resolve(load_yaml("a: {b: {c: 1}}\nx: {y: '${a}'}\n", "t.yaml")); });
  EXPECT_EQ(e.key_path(), "a.b");
  (void)resolve(load_yaml("a: {b: {c: 1}}\nx: '${a}'\n", "t.yaml"));  // at the limit
  set_tree_limits(saved);
}

}  // namespace
}  // namespace rig
