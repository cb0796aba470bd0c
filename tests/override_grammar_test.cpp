// The override grammar: every form and example of Hydra's basic and extended override syntax pages (behaviour, with
// rig's documented differences from docs/overrides.md), quoting edge cases, unicode, long values, and one error test
// per malformed form with the caret's column.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "rig/limits.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

using rig::Kind;
using rig::Node;
using rig::Override;
using rig::OverrideKind;
using rig::Sweep;
using rig::testing::expect_error;

namespace {

Override P(std::string_view arg) { return rig::parse_override(arg, 3); }

// The value of `k=<text>`.
Node V(std::string_view text) {
  Override o = P("k=" + std::string(text));
  if (!o.value) ADD_FAILURE() << "no plain value for " << text;
  return o.value ? *o.value : Node();
}

Sweep S(std::string_view text) {
  Override o = P("k=" + std::string(text));
  if (!o.sweep) ADD_FAILURE() << "no sweep for " << text;
  return o.sweep ? *o.sweep : Sweep{};
}

Node expected_tree(std::string_view yaml) { return rig::load_yaml(yaml, "expected.yaml"); }

// The error `arg` raises, checking its id and the caret's column inside the argument.
rig::Error E(std::string_view arg, const std::string& id, uint32_t column) {
  rig::Error e = expect_error("rig.override." + id, [&] { P(arg); });
  EXPECT_EQ(e.origin().column, column) << rig::format(e);
  EXPECT_EQ(e.origin().line, 1u) << rig::format(e);
  EXPECT_EQ(e.origin().arg_index, 3) << rig::format(e);
  if (!arg.empty()) {
    EXPECT_NE(rig::format(e).find(" | "), std::string::npos) << "no source line: " << rig::format(e);
  }
  return e;
}

std::vector<std::string> strs(const std::vector<Node>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n.is_string() ? n.str() : rig::dump_json(n, -1));
  return out;
}

// ---- keys and operators (Hydra "Basic examples") -------------------------------------------------------------------

TEST(OverrideForms, ModifyingTheConfigObject) {
  Override set = P("foo.bar=value");
  EXPECT_EQ(set.kind, OverrideKind::Set);
  EXPECT_EQ(set.key.to_string(), "foo.bar");
  EXPECT_EQ(set.value->str(), "value");
  EXPECT_FALSE(set.package);

  EXPECT_EQ(P("+foo.bar=value").kind, OverrideKind::Add);
  EXPECT_EQ(P("++foo.bar=value").kind, OverrideKind::ForceAdd);
  Override del = P("~foo.bar");
  EXPECT_EQ(del.kind, OverrideKind::Delete);
  EXPECT_FALSE(del.value);
  Override del_value = P("~foo.bar=value");
  EXPECT_EQ(del_value.kind, OverrideKind::Delete);
  EXPECT_EQ(del_value.value->str(), "value");
  Override del_empty = P("~foo.bar=");
  EXPECT_EQ(del_empty.kind, OverrideKind::Delete);
  EXPECT_FALSE(del_empty.value) << "~key= deletes whatever the value is";
}

TEST(OverrideForms, ModifyingTheDefaultsListParsesForTheComposer) {
  for (const char* arg : {"db=mysql", "server/db=mysql", "+db=mysql", "+server/db=mysql", "~db", "~db=mysql",
                          "~server/db", "~server/db=mysql", "~server/site/fb"}) {
    Override o = P(arg);
    std::string text(arg);
    std::string key = text.substr(text[0] == '~' || text[0] == '+' ? 1 : 0);
    key = key.substr(0, key.find('='));
    EXPECT_EQ(o.key_text, key) << arg;
    ASSERT_EQ(o.key.size(), 1u) << "a group path is one segment: " << arg;
    EXPECT_EQ(o.key.segments()[0].key, key);
  }
}

TEST(OverrideForms, PackagesAndSpecialKeys) {
  Override o = P("group@pkg=option");
  EXPECT_EQ(o.key_text, "group");
  ASSERT_TRUE(o.package);
  EXPECT_EQ(*o.package, "pkg");
  EXPECT_EQ(*P("hydra/launcher@hydra.launcher=basic").package, "hydra.launcher");
  EXPECT_EQ(*P("db@=mysql").package, "") << "the empty package is the global one";
  EXPECT_EQ(*P("~db@backup").package, "backup");
  EXPECT_EQ(P("$db=x").key_text, "$db");
}

TEST(OverrideForms, NestedPathsWithListIndices) {
  Override a = P("a.b[2].c=1");
  ASSERT_EQ(a.key.size(), 4u);
  EXPECT_TRUE(a.key.segments()[2].index);
  EXPECT_EQ(a.key.to_string(), "a.b[2].c");
  Override b = P("a.b.2.c=1");
  EXPECT_EQ(b.key.size(), 4u);
  EXPECT_EQ(b.key_columns, (std::vector<uint32_t>{1, 3, 5, 7}));
  EXPECT_EQ(a.key_columns, (std::vector<uint32_t>{1, 3, 4, 8}));
  EXPECT_EQ(P("a[\"x.y\"].z=1").key.segments()[1].key, "x.y");
  EXPECT_EQ(P("learning-rate=1").key_text, "learning-rate");
}

TEST(OverrideForms, ReplaceAndAppend) {
  Override r = P("optimizer:={_component_: SGD, lr: 0.1}");
  EXPECT_EQ(r.kind, OverrideKind::Replace);
  EXPECT_EQ(r.key_text, "optimizer");
  EXPECT_EQ(*r.value, expected_tree("{_component_: SGD, lr: 0.1}"));
  Override a = P("callbacks+=[x, y]");
  EXPECT_EQ(a.kind, OverrideKind::Append);
  EXPECT_EQ(a.key_text, "callbacks");
  EXPECT_EQ(*a.value, expected_tree("[x, y]"));
  Override e = P("callbacks=extend_list(x, y)");
  EXPECT_EQ(e.kind, OverrideKind::Append);
  EXPECT_EQ(*e.value, expected_tree("[x, y]"));
}

TEST(OverrideForms, OriginsPointIntoTheArgument) {
  Override o = P("model.dims=[10, {a: x}]");
  EXPECT_EQ(o.origin.to_string(), "argv[3]:1:1");
  EXPECT_EQ(o.key_origin.column, 1u);
  EXPECT_EQ(o.value->origin().column, 12u);
  EXPECT_EQ((*o.value)[0].origin().column, 13u);
  EXPECT_EQ((*o.value)[1].origin().column, 17u);
  EXPECT_EQ((*o.value)[1]["a"].origin().column, 21u);
  EXPECT_EQ((*o.value)[1].entries()[0].key_origin.column, 18u);
  EXPECT_EQ((*o.value)[0].origin().source_name(), "<cli>");
  EXPECT_EQ((*o.value)[0].origin().arg_index, 3);
  EXPECT_EQ((*o.value)[0].origin().source->text, "model.dims=[10, {a: x}]");
}

// ---- values: primitives ------------------------------------------------------------------------------------------

TEST(OverrideValues, PrimitivesFollowYaml12CoreSchema) {
  EXPECT_EQ(V("oompa10").str(), "oompa10");
  EXPECT_EQ(V("loompa_12").str(), "loompa_12");
  EXPECT_TRUE(V("null").is_null());
  EXPECT_TRUE(V("NULL").is_null());
  EXPECT_TRUE(V("~").is_null());
  EXPECT_EQ(V("10").int_value(), 10);
  EXPECT_EQ(V("-20").int_value(), -20);
  EXPECT_EQ(V("0").int_value(), 0);
  EXPECT_EQ(V("0x1F").int_value(), 31);
  EXPECT_EQ(V("0o17").int_value(), 15);
  EXPECT_DOUBLE_EQ(V("3.14").float_value(), 3.14);
  EXPECT_DOUBLE_EQ(V("-10e6").float_value(), -10e6);
  EXPECT_DOUBLE_EQ(V("1e-3").float_value(), 1e-3);
  EXPECT_DOUBLE_EQ(V(".5").float_value(), 0.5);
  EXPECT_TRUE(std::isinf(V(".inf").float_value()));
  EXPECT_TRUE(std::isinf(V("-.inf").float_value()));
  EXPECT_TRUE(std::isnan(V(".nan").float_value()));
  EXPECT_EQ(V("true").bool_value(), true);
  EXPECT_EQ(V("False").bool_value(), false);
  EXPECT_EQ(V("foo.bar").str(), "foo.bar");
  EXPECT_TRUE(V("???").is_missing());
  // Where Hydra's lexer differs from YAML 1.2 (docs/overrides.md "Differences from Hydra"): these stay strings,
  // exactly as they would in a YAML file.
  EXPECT_EQ(V("1_000_000").str(), "1_000_000");
  EXPECT_EQ(V("inf").str(), "inf");
  EXPECT_EQ(V("nan").str(), "nan");
  EXPECT_EQ(V("TrUe").str(), "TrUe");
}

TEST(OverrideValues, EmptyValueIsTheEmptyString) {
  Node v = V("");
  ASSERT_TRUE(v.is_string());
  EXPECT_EQ(v.str(), "");
  EXPECT_EQ(V("   ").str(), "");
  EXPECT_EQ(P("+k=").value->str(), "");
}

TEST(OverrideValues, EqualsInsideValues) {
  EXPECT_EQ(P("name=a=b").value->str(), "a=b");
  EXPECT_EQ(V("==").str(), "==");
  EXPECT_EQ(V("http://host:80/p?a=1&b=2").str(), "http://host:80/p?a=1&b=2");
  EXPECT_EQ(V("[a=b, c]"), expected_tree("['a=b', c]"));
  EXPECT_EQ(V("{k: x=y}"), expected_tree("{k: 'x=y'}"));
}

TEST(OverrideValues, WhitespaceInUnquotedValues) {
  EXPECT_EQ(V("hello world").str(), "hello world");
  EXPECT_EQ(V("    hello world    ").str(), "hello world");
  EXPECT_EQ(V("[ a b , c ]"), expected_tree("['a b', c]"));
  EXPECT_EQ(V("a\\ ").str(), "a ") << "an escaped space is kept";
}

TEST(OverrideValues, EscapedCharactersInUnquotedValues) {
  EXPECT_EQ(V("job\\{a\\=1\\,b\\=2\\,c\\=3\\}").str(), "job{a=1,b=2,c=3}");
  EXPECT_EQ(V("A\\[B").str(), "A[B");
  EXPECT_EQ(V("\"A[B\"").str(), "A[B");
  EXPECT_EQ(V("a\\(b\\)\\:\\\\").str(), "a(b):\\");
  EXPECT_EQ(V("C:\\path\\to").str(), "C:\\path\\to") << "a backslash before an ordinary character is text";
  EXPECT_EQ(V("1\\,000").str(), "1,000") << "escaped text is a string, never a number";
  EXPECT_EQ(V("a\\\tb").str(), "a\tb");
}

TEST(OverrideValues, Interpolations) {
  Node a = V("${foo.bar}");
  EXPECT_TRUE(a.is_interpolation());
  EXPECT_EQ(a.str(), "${foo.bar}");
  EXPECT_EQ(V("${oc.env:USER,me}").str(), "${oc.env:USER,me}") << "the comma inside is not a sweep";
  EXPECT_EQ(V("/root/${name}/x").str(), "/root/${name}/x");
  EXPECT_EQ(V("${a.${b}}").str(), "${a.${b}}");
  EXPECT_EQ(V("${f:{a: 1}, [x]}").str(), "${f:{a: 1}, [x]}");
  EXPECT_EQ(V("${oc.env:X,'}'}").str(), "${oc.env:X,'}'}");
  EXPECT_EQ(V("[${a}, ${b}]"), expected_tree("['${a}', '${b}']"));
  EXPECT_EQ(V("\"${get_dir: {root: /root, name: ${name}}}\"").str(), "${get_dir: {root: /root, name: ${name}}}");
}

// ---- quoting ----------------------------------------------------------------------------------------------------------

TEST(OverrideQuoting, DoubleQuoteExamples) {
  EXPECT_EQ(V(R"("hello there")").str(), "hello there");
  EXPECT_EQ(V(R"("escaped \"double quote\"")").str(), R"(escaped "double quote")");
  EXPECT_EQ(V(R"("the path is C:\\\"some folder\"\\")").str(), R"(the path is C:\"some folder"\)");
  EXPECT_EQ(V(R"("1,2,3")").str(), "1,2,3");
  Node interp = V(R"("{a:10} ${xyz}")");
  EXPECT_EQ(interp.str(), "{a:10} ${xyz}");
  EXPECT_TRUE(interp.is_interpolation());
  EXPECT_EQ(V(R"("'single quoted string'")").str(), "'single quoted string'");
}

TEST(OverrideQuoting, SingleQuoteExamples) {
  EXPECT_EQ(V(R"('hello there')").str(), "hello there");
  EXPECT_EQ(V(R"('escaped \'single quote\'')").str(), "escaped 'single quote'");
  EXPECT_EQ(V(R"('the path is C:\\\'some folder\'\\')").str(), R"(the path is C:\'some folder'\)");
  EXPECT_EQ(V(R"('1,2,3')").str(), "1,2,3");
  EXPECT_EQ(V(R"('{a:10} ${xyz}')").str(), "{a:10} ${xyz}");
  EXPECT_EQ(V(R"('"double quoted string"')").str(), "\"double quoted string\"");
}

TEST(OverrideQuoting, QuotesKeepTypesAsStrings) {
  EXPECT_EQ(P(R"(+foo="{a: 10}")").value->str(), "{a: 10}");
  EXPECT_EQ(*P("+foo={a: 10}").value, expected_tree("{a: 10}"));
  EXPECT_EQ(V("'10'").str(), "10");
  EXPECT_EQ(V("'true'").str(), "true");
  EXPECT_EQ(V("'null'").str(), "null");
  EXPECT_EQ(V("''").str(), "");
  EXPECT_EQ(V("\"\"").str(), "");
}

TEST(OverrideQuoting, EdgeCases) {
  EXPECT_EQ(V(R"("a\\b")").str(), R"(a\\b)") << "backslashes not before a quote are kept as written";
  EXPECT_EQ(V(R"('\\')").str(), "\\") << "an even run before the closing quote halves";
  EXPECT_EQ(V(R"('a\\\\')").str(), R"(a\\)");
  EXPECT_EQ(V(R"("a\nb")").str(), R"(a\nb)") << "no C escapes, as in Hydra: Windows paths stay intact";
  EXPECT_EQ(V("  \"x\"  ").str(), "x");
  EXPECT_EQ(V("it's").str(), "it's") << "a quote inside an unquoted value is text";
  EXPECT_EQ(V("[\"a,b\", 'c]d']"), expected_tree("['a,b', 'c]d']"));
  EXPECT_EQ(V("{\"k:1\": v}"), expected_tree("{'k:1': v}")) << "quoted dict keys may hold ':'";
  EXPECT_EQ(strs(S("\"a\" ,\"b\"").choices), (std::vector<std::string>{"a", "b"}));
}

// ---- unicode and size ------------------------------------------------------------------------------------------------

TEST(OverrideUnicode, KeysValuesAndCaretColumns) {
  Override o = P("名前=値 ünïcödé 🚀");
  EXPECT_EQ(o.key_text, "名前");
  EXPECT_EQ(o.value->str(), "値 ünïcödé 🚀");
  EXPECT_EQ(o.value->origin().column, 4u) << "columns count characters, not bytes";
  EXPECT_EQ(V("'ü,ö'").str(), "ü,ö");
  EXPECT_EQ(V("[é, 😀]"), expected_tree("[é, 😀]"));
  E("ключ=[1, ü", "unclosed_bracket", 6);
  E("ключ=ü(1)", "unexpected_char", 7);
}

TEST(OverrideSize, VeryLongValues) {
  std::string big(1 << 20, 'x');
  EXPECT_EQ(V(big).str(), big);
  EXPECT_EQ(V("'" + big + "'").str(), big);
  std::string list = "[";
  for (int i = 0; i < 100000; ++i) list += (i ? "," : "") + std::to_string(i);
  list += "]";
  Node l = V(list);
  ASSERT_EQ(l.size(), 100000u);
  EXPECT_EQ(l[99999].int_value(), 99999);
  EXPECT_EQ(l[99999].origin().column, list.size() - 6 + 3) << "after k=, 1-based";
  // A key nests as many levels as it has segments: up to rig::TreeLimits::max_depth, and refused past it.
  auto deep_key = [](size_t segments) {
    std::string key;
    for (size_t i = 0; i < segments; ++i) key += (i ? ".k" : "k") + std::to_string(i);
    return key;
  };
  size_t max = rig::tree_limits().max_depth;
  EXPECT_EQ(P(deep_key(max) + "=1").key.size(), max);
  expect_error("rig.limit.depth", [&] { P(deep_key(max + 1) + "=1"); });
}

// ---- containers --------------------------------------------------------------------------------------------------

TEST(OverrideContainers, ListsAndDicts) {
  EXPECT_EQ(V("[1,2,3]"), expected_tree("[1, 2, 3]"));
  EXPECT_EQ(V("[a,[b,[c]]]"), expected_tree("[a, [b, [c]]]"));
  EXPECT_EQ(V("[]"), expected_tree("[]"));
  EXPECT_EQ(V("[ ]"), expected_tree("[]"));
  EXPECT_EQ(V("{a:10,b:20}"), expected_tree("{a: 10, b: 20}"));
  EXPECT_EQ(V("{a:10,b:{c:30,d:40}}"), expected_tree("{a: 10, b: {c: 30, d: 40}}"));
  EXPECT_EQ(V("{}"), expected_tree("{}"));
  EXPECT_EQ(V("{a: [1, {b: null}], c: 'x y'}"), expected_tree("{a: [1, {b: null}], c: 'x y'}"));
  EXPECT_EQ(V("{1: a, true: b}"), expected_tree("{'1': a, 'true': b}")) << "dict keys are strings";
  EXPECT_EQ(V("{a: ${x}}"), expected_tree("{a: '${x}'}"));
  Node order = V("{z: 1, a: 2, m: 3}");
  EXPECT_EQ(order.keys(), (std::vector<std::string>{"z", "a", "m"}));
}

// ---- sweeps --------------------------------------------------------------------------------------------------------

TEST(OverrideSweeps, SimpleChoiceSweeps) {
  Sweep s = S("a,b");
  EXPECT_EQ(s.type, Sweep::Type::Choice);
  EXPECT_TRUE(s.simple_form);
  EXPECT_EQ(strs(s.choices), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(strs(S("\"a,b\",\"c,d\"").choices), (std::vector<std::string>{"a,b", "c,d"}));
  Sweep lists = S("[a,b],[c,d]");
  ASSERT_EQ(lists.choices.size(), 2u);
  EXPECT_EQ(lists.choices[1], expected_tree("[c, d]"));
  Sweep dicts = S("{a:10, b:20},{c:30,d:40}");
  EXPECT_EQ(dicts.choices[0], expected_tree("{a: 10, b: 20}"));
  EXPECT_EQ(dicts.choices[1], expected_tree("{c: 30, d: 40}"));
  Sweep typed = S("1, 2.5, true, null");
  EXPECT_EQ(typed.choices[0].int_value(), 1);
  EXPECT_EQ(typed.choices[1].float_value(), 2.5);
  EXPECT_TRUE(typed.choices[2].bool_value());
  EXPECT_TRUE(typed.choices[3].is_null());
  EXPECT_EQ(typed.origin.column, 3u);
}

TEST(OverrideSweeps, ChoiceFunctionEqualsCommaForm) {
  Sweep a = S("mysql,postgresql");
  Sweep b = S("choice(mysql,postgresql)");
  EXPECT_FALSE(b.simple_form);
  EXPECT_EQ(strs(a.choices), strs(b.choices));
  EXPECT_EQ(strs(S("choice(a)").choices), (std::vector<std::string>{"a"}));
  EXPECT_EQ(strs(S("choice (a, b)").choices), (std::vector<std::string>{"a", "b"})) << "space before '('";
  EXPECT_EQ(P("db=mysql,postgresql").sweep->values().size(), 2u);
}

TEST(OverrideSweeps, Glob) {
  Sweep a = S("glob(*)");
  EXPECT_EQ(a.type, Sweep::Type::Glob);
  EXPECT_EQ(a.include, (std::vector<std::string>{"*"}));
  EXPECT_TRUE(a.exclude.empty());
  Sweep b = S("glob(*,exclude=support)");
  EXPECT_EQ(b.exclude, (std::vector<std::string>{"support"}));
  Sweep c = S("glob([s*,w*],exclude=school)");
  EXPECT_EQ(c.include, (std::vector<std::string>{"s*", "w*"}));
  EXPECT_EQ(c.exclude, (std::vector<std::string>{"school"}));
  Sweep d = S("glob(include=[a*], exclude=[b*, c*])");
  EXPECT_EQ(d.exclude, (std::vector<std::string>{"b*", "c*"}));
  expect_error("rig.override.sweep_values", [&] { (void)a.values(); });
}

TEST(OverrideSweeps, Range) {
  EXPECT_EQ(strs(S("range(0,5)").values()), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(strs(S("range(0,5,2)").values()), (std::vector<std::string>{"0", "2", "4"}));
  auto f = S("range(0,10,3.3)").values();
  ASSERT_EQ(f.size(), 4u);
  const double expected[] = {0.0, 3.3, 6.6, 9.9};
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(f[i].is_float());
    EXPECT_NEAR(f[i].float_value(), expected[i], 1e-9);
  }
  EXPECT_EQ(strs(S("range(5,0,-2)").values()), (std::vector<std::string>{"5", "3", "1"}));
  EXPECT_TRUE(S("range(3,1)").values().empty());
  Sweep named = S("range(start=1, stop=3)");
  EXPECT_EQ(named.start.int_value(), 1);
  EXPECT_EQ(named.stop.int_value(), 3);
  EXPECT_EQ(named.step.int_value(), 1);
  EXPECT_EQ(strs(S("range(1, 3, step=0.5)").values()), (std::vector<std::string>{"1.0", "1.5", "2.0", "2.5"}));
}

TEST(OverrideSweeps, Interval) {
  Sweep a = S("interval(1.0,5.0)");
  EXPECT_EQ(a.type, Sweep::Type::Interval);
  EXPECT_EQ(a.low, 1.0);
  EXPECT_EQ(a.high, 5.0);
  Sweep b = S("interval(1,5)");
  EXPECT_EQ(b.low, 1.0);
  EXPECT_EQ(b.high, 5.0);
  expect_error("rig.override.sweep_values", [&] { (void)a.values(); });
}

TEST(OverrideSweeps, Tag) {
  Sweep a = S("tag(log,interval(0,1))");
  EXPECT_EQ(a.type, Sweep::Type::Interval);
  EXPECT_EQ(a.tags, (std::vector<std::string>{"log"}));
  Sweep b = S("tag(foo,bar,interval(0,1))");
  EXPECT_EQ(b.tags, (std::vector<std::string>{"foo", "bar"}));
  Sweep c = S("tag(x, sweep=choice(1,2))");
  EXPECT_EQ(c.type, Sweep::Type::Choice);
  EXPECT_EQ(c.tags, (std::vector<std::string>{"x"}));
}

TEST(OverrideSweeps, SortSweepsAndLists) {
  Sweep a = S("sort(1,3,2)");
  EXPECT_EQ(strs(a.values()), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(strs(S("sort(1,3,2,reverse=true)").values()), (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_EQ(strs(S("sort(choice(1,2,3))").values()), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(strs(S("sort(sweep=choice(3,1,2))").values()), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(strs(S("sort(choice(1,2,3),reverse=true)").values()), (std::vector<std::string>{"3", "2", "1"}));
  Sweep r = S("sort(range(10,1))");
  EXPECT_EQ(r.type, Sweep::Type::Range);
  EXPECT_EQ(r.order, Sweep::Order::Ascending);
  EXPECT_EQ(strs(S("sort(range(1,4),reverse=true)").values()), (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_EQ(strs(S("sort(b, a, c)").values()), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(strs(S("sort(2.5, 1, 2)").values()), (std::vector<std::string>{"1", "2", "2.5"}));

  EXPECT_EQ(V("sort([1,3,2])"), expected_tree("[1, 2, 3]"));
  EXPECT_EQ(V("sort(list=[1,3,2])"), expected_tree("[1, 2, 3]"));
  EXPECT_EQ(V("sort(list=[1,3,2], reverse=true)"), expected_tree("[3, 2, 1]"));
  EXPECT_EQ(V("sort(1)").int_value(), 1);
}

TEST(OverrideSweeps, Shuffle) {
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  const std::vector<std::string> abc = {"a", "b", "c"};
  for (const char* text : {"shuffle(a,b,c)", "shuffle(choice(a,b,c))", "shuffle(sweep=choice(a,b,c))"}) {
    Sweep s = S(text);
    EXPECT_EQ(s.type, Sweep::Type::Choice) << text;
    EXPECT_EQ(s.order, Sweep::Order::Shuffled) << text;
    EXPECT_EQ(sorted(strs(s.choices)), abc) << text;
  }
  Sweep r = S("shuffle(range(1,10))");
  EXPECT_EQ(r.type, Sweep::Type::Range);
  EXPECT_EQ(r.order, Sweep::Order::Shuffled);
  for (const char* text : {"shuffle([a,b,c])", "shuffle(list=[a,b,c])"}) {
    Node l = V(text);
    ASSERT_TRUE(l.is_list()) << text;
    EXPECT_EQ(sorted(strs({l.elements().begin(), l.elements().end()})), abc) << text;
  }
}

// ---- casts -----------------------------------------------------------------------------------------------------------

TEST(OverrideCasts, Examples) {
  EXPECT_EQ(V("int(3.14)").int_value(), 3);
  EXPECT_EQ(V("int(value=3.14)").int_value(), 3);
  Node f = V("float(10)");
  ASSERT_TRUE(f.is_float());
  EXPECT_EQ(f.float_value(), 10.0);
  EXPECT_EQ(V("str(10)").str(), "10");
  EXPECT_EQ(V("bool(1)").bool_value(), true);
  Sweep r = S("float(range(1,10))");
  EXPECT_TRUE(r.start.is_float());
  EXPECT_TRUE(r.stop.is_float());
  EXPECT_EQ(r.stop.float_value(), 10.0);
  EXPECT_EQ(V("str([1,2,3])"), expected_tree("['1', '2', '3']"));
  EXPECT_EQ(V("str({a:10})"), expected_tree("{a: '10'}"));
  EXPECT_EQ(V("json('{\"a\": [1, 2.5, null]}')"), expected_tree("{a: [1, 2.5, null]}"));
  EXPECT_EQ(V("json(\"[true]\")"), expected_tree("[true]"));
}

// Hydra's conversion matrix, row by row. "error" cells must fail with rig.override.cast.
TEST(OverrideCasts, ConversionMatrix) {
  struct Row {
    const char* input;
    const char *to_int, *to_float, *to_str, *to_bool;  // JSON of the result, or "error"
  };
  const Row rows[] = {
      {"10", "10", "10.0", "\"10\"", "true"},
      {"0", "0", "0.0", "\"0\"", "false"},
      {"10.0", "10", "10.0", "\"10.0\"", "true"},
      {"0.0", "0", "0.0", "\"0.0\"", "false"},
      {".inf", "error", "inf", "\".inf\"", "true"},   // Hydra writes inf; YAML 1.2 writes .inf
      {".nan", "error", "nan", "\".nan\"", "true"},
      {"1e6", "1000000", "1000000.0", "\"1000000.0\"", "true"},
      {"foo", "error", "error", "\"foo\"", "error"},
      {"''", "error", "error", "\"\"", "error"},
      {"'10'", "10", "10.0", "\"10\"", "error"},
      {"'10.0'", "error", "10.0", "\"10.0\"", "error"},
      {"'true'", "error", "error", "\"true\"", "true"},
      {"'false'", "error", "error", "\"false\"", "false"},
      {"'[1,2,3]'", "error", "error", "\"[1,2,3]\"", "error"},
      {"'{a:10}'", "error", "error", "\"{a:10}\"", "error"},
      {"true", "1", "1.0", "\"true\"", "true"},
      {"false", "0", "0.0", "\"false\"", "false"},
      {"[]", "[]", "[]", "[]", "[]"},
      {"[0,1,2]", "[0,1,2]", "[0.0,1.0,2.0]", "[\"0\",\"1\",\"2\"]", "[false,true,true]"},
      {"[1,[2]]", "[1,[2]]", "[1.0,[2.0]]", "[\"1\",[\"2\"]]", "[true,[true]]"},
      {"[a,1]", "error", "error", "[\"a\",\"1\"]", "error"},  // Hydra's table says [true,true]; see docs
      {"{}", "{}", "{}", "{}", "{}"},
      {"{a:10}", "{\"a\":10}", "{\"a\":10.0}", "{\"a\":\"10\"}", "{\"a\":true}"},
      {"{a:[0,1,2]}", "{\"a\":[0,1,2]}", "{\"a\":[0.0,1.0,2.0]}", "{\"a\":[\"0\",\"1\",\"2\"]}",
       "{\"a\":[false,true,true]}"},
      {"{a:10,b:xyz}", "error", "error", "{\"a\":\"10\",\"b\":\"xyz\"}", "error"},
  };
  const char* casts[] = {"int", "float", "str", "bool"};
  for (const auto& row : rows) {
    const char* expected[] = {row.to_int, row.to_float, row.to_str, row.to_bool};
    for (int c = 0; c < 4; ++c) {
      std::string arg = std::string(casts[c]) + "(" + row.input + ")";
      SCOPED_TRACE(arg);
      if (std::string(expected[c]) == "error") {
        expect_error("rig.override.cast", [&] { V(arg); });
        continue;
      }
      Node got = V(arg);
      if (got.is_float() && !std::isfinite(got.float_value())) {
        EXPECT_EQ(std::isnan(got.float_value()) ? "nan" : "inf", std::string(expected[c]));
        continue;
      }
      Node want = rig::load_json(expected[c]);
      EXPECT_EQ(got, want) << "got " << rig::dump_json(got, -1);
    }
  }
}

TEST(OverrideCasts, CastingSweeps) {
  Sweep c = S("int(choice(0,1))");
  EXPECT_EQ(strs(c.choices), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(strs(S("float(choice(0,1))").choices), (std::vector<std::string>{"0.0", "1.0"}));
  EXPECT_EQ(strs(S("str(choice(0,1))").choices), (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(S("str(choice(0,1))").choices[0].is_string());
  EXPECT_EQ(strs(S("bool(choice(0,1))").choices), (std::vector<std::string>{"false", "true"}));
  expect_error("rig.override.cast", [] { S("int(choice(a,b))"); });
  Sweep r = S("int(range(1.0, 10.0))");
  EXPECT_TRUE(r.start.is_int());
  EXPECT_EQ(r.stop.int_value(), 10);
  expect_error("rig.override.cast", [] { S("str(range(1,10))"); });
  expect_error("rig.override.cast", [] { S("bool(range(1,10))"); });
  // int(interval(a, b)) is an integer search parameter (Hydra's Optuna sweeper: an IntDistribution); float() keeps it
  // real; other casts of an interval are errors.
  Sweep i = S("int(interval(1.0, 8.0))");
  EXPECT_EQ(i.type, Sweep::Type::Interval);
  EXPECT_TRUE(i.integer);
  EXPECT_EQ(i.low, 1);
  EXPECT_EQ(i.high, 8);
  EXPECT_FALSE(S("float(interval(1, 2))").integer);
  EXPECT_FALSE(S("interval(1, 2)").integer);
  expect_error("rig.override.cast", [] { S("str(interval(1.0, 2.0))"); });
}

// ---- malformed overrides: one error per form, caret under the offending character ----------------------------------

TEST(OverrideErrors, KeysAndOperators) {
  E("", "missing_key", 1);
  E("=1", "missing_key", 1);
  E("+=1", "missing_key", 2);
  E("key", "missing_equals", 4);
  E("+key", "missing_equals", 5);
  E("a b=1", "bad_key", 2);
  E("a,b=1", "bad_key", 2);
  E("a(b)=1", "bad_key", 2);
  E("'a'=1", "bad_key", 1);
  E("a..b=1", "bad_key", 3);
  E("a.=1", "bad_key", 2);
  E("a[0=1", "bad_key", 2);
  E("+++a=1", "bad_prefix", 3);
  E("~+a=1", "bad_prefix", 2);
  E("+a+=1", "bad_prefix", 3);
  E("++a:=1", "bad_prefix", 4);
  E("~a+=1", "bad_prefix", 3);
  E("a@p q=1", "bad_package", 4);
  E("db@pkg1:pkg2=mysql", "bad_package", 8);  // Hydra 1.0 package renames are not supported
  E("~a=1,2", "bad_sweep", 4);
  E("a:=1,2", "bad_sweep", 4);
}

TEST(OverrideErrors, Values) {
  E("k=[1,2", "unclosed_bracket", 3);
  E("k=[1,[2]", "unclosed_bracket", 3);
  E("k={a:1", "unclosed_brace", 3);
  E("k=choice(1,2", "unclosed_paren", 9);
  E("k='abc", "unclosed_quote", 3);
  E("k=\"abc\\\"", "unclosed_quote", 3);
  E("k=${a.b", "unclosed_interpolation", 3);
  E("k='a'b", "unexpected_char", 6);
  E("k=[1]x", "unexpected_char", 6);
  E("k=A[B", "unexpected_char", 4);
  E("k=a]", "unexpected_char", 4);
  E("k=a}", "unexpected_char", 4);
  E("k=a)", "unexpected_char", 4);
  E("k=[1,,2]", "empty_element", 6);
  E("k=[1,]", "empty_element", 6);
  E("k=1,", "empty_element", 4);
  E("k=,1", "empty_element", 3);
  E("k={a}", "dict_syntax", 5);
  E("k={:1}", "dict_syntax", 4);
  E("k={a:}", "empty_element", 6);
  E("k={${x}: 1}", "dict_syntax", 4);
  E("k={a:1,a:2}", "duplicate_key", 8);
  E("k=99999999999999999999", "int_range", 3);
  E("k=[choice(1,2)]", "nested_sweep", 4);
  E("k={a: 1,2}", "dict_syntax", 10);
  E("k=choice(1,2),3", "nested_sweep", 3);
}

TEST(OverrideErrors, Functions) {
  rig::Error unknown = E("k=chioce(1,2)", "unknown_function", 3);
  EXPECT_NE(unknown.hint().find("choice"), std::string::npos) << unknown.hint();
  E("k=range(start=1,5)", "function_args", 17);
  E("k=range(1)", "function_args", 3);
  E("k=range(1,5,0)", "function_args", 13);
  E("k=range(a,5)", "function_args", 9);
  E("k=range(1,2,3,4)", "function_args", 15);
  E("k=range(1,2,stpe=1)", "function_args", 13);
  E("k=range(1,2,step=1,step=2)", "function_args", 20);
  E("k=interval(5,1)", "function_args", 14);
  E("k=choice()", "function_args", 3);
  E("k=glob(1)", "function_args", 8);
  E("k=tag(a,b)", "function_args", 3);
  E("k=sort(a,1)", "function_args", 8);
  E("k=sort(1,2,reverse=maybe)", "function_args", 12);
  E("k=sort(interval(0,1))", "function_args", 8);
  E("k=int(a)", "cast", 7);
  E("k=int()", "function_args", 3);
  E("k=int(1,2)", "function_args", 9);
  E("k=json(1)", "cast", 8);
  E("k=json('{\"a\":}')", "cast", 8);
  E("k=[extend_list(1)]", "nested_sweep", 4);
  E("+k=extend_list(1)", "bad_prefix", 4);
}

TEST(OverrideErrors, DiagnosticShowsTheArgumentWithACaret) {
  rig::Error e = expect_error("rig.override.unclosed_bracket", [] { rig::parse_override("model.dims=[1, 2", 4); });
  std::string text = rig::format(e);
  EXPECT_NE(text.find("argv[4]:1:12: error[rig.override.unclosed_bracket]"), std::string::npos) << text;
  EXPECT_NE(text.find(" 1 | model.dims=[1, 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("   |            ^\n"), std::string::npos) << text;
}

}  // namespace

namespace {

// Random arguments built from the grammar's own characters: each parses, or fails with a located rig::Error whose
// caret lies inside the argument (or just past its end). Never a crash, a hang or another exception.
TEST(OverrideRobustness, RandomArgumentsParseOrFailLocated) {
  const std::string alphabet = "ab1.0=+~@[]{}(),:'\"\\$ _-/ü*e";
  const std::vector<std::string> pieces = {"choice(", "range(", "int(", "${", "sort(", "tag(", "json(", "key=",
                                           "+a.b=", "~", "[", "{k: ", "'", "\"", "\\'", "extend_list(", ", "};
  std::mt19937_64 rng(42);
  size_t parsed = 0, failed = 0;
  for (int i = 0; i < 20000; ++i) {
    const char* prefixes[] = {"a.b=", "key=", "+a.c=", "~a.b=", "key+=", "a:=", "++x.y="};
    std::string arg = rng() % 4 ? prefixes[rng() % 7] : "";
    size_t n = rng() % 24;
    for (size_t k = 0; k < n; ++k)
      arg += (rng() % 4 == 0) ? pieces[rng() % pieces.size()] : std::string(1, alphabet[rng() % alphabet.size()]);
    try {
      rig::Override o = rig::parse_override(arg, 1);
      ++parsed;
      Node cfg = rig::load_yaml("a: {b: 1}\nkey: [1]\n");
      try {
        rig::apply_override(cfg, o);
      } catch (const rig::Error& e) {
        ASSERT_TRUE(e.origin().known()) << arg << "\n" << rig::format(e);
      }
    } catch (const rig::Error& e) {
      ++failed;
      ASSERT_TRUE(e.origin().known()) << arg << "\n" << rig::format(e);
      ASSERT_GE(e.origin().column, 1u) << arg;
      ASSERT_LE(e.origin().column, arg.size() + 1) << arg << "\n" << rig::format(e);
    }
  }
  EXPECT_GT(parsed, 500u);
  EXPECT_GT(failed, 500u);
}

TEST(OverrideRobustness, DeepNestingIsALimitNotAStackOverflow) {
  std::string deep = "k=" + std::string(100000, '[');
  auto e = expect_error("rig.limit.depth", [&] { rig::parse_override(deep, 1); });
  EXPECT_EQ(e.origin().column, 259u);
  std::string ok = "k=" + std::string(200, '[') + std::string(200, ']');
  EXPECT_EQ(rig::parse_override(ok, 1).value->size(), 1u);
}

}  // namespace
