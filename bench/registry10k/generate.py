#!/usr/bin/env python3
"""Writes FILES .cpp files of PER_FILE components each (bench/registry10k). Half the components use a reflected
options struct with five fields (form 1), half list five constructor parameters (form 3); all implement
bench10k::Base. Compiled with -DRIG_BENCH_NO_REGISTER the same classes exist without their RIG_COMPONENT lines:
the baseline for compile time and binary size per registration. Compiled with -DRIG_BENCH_HAND_FACTORY they have,
instead of their registrations, the hand-written factory function rig replaces (`make_CN(args...)` returning
`std::unique_ptr<bench10k::Base>`): the classes' own code (constructors, vtables, destructors) is then compiled too,
as in any program that uses them, which the bare baseline never does.

usage: generate.py OUTDIR FILES PER_FILE
"""
import os
import sys

out, files, per_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
for f in range(files):
    lines = ['#include "base.hpp"', ""]
    for k in range(per_file):
        i = f * per_file + k
        if i % 2 == 0:
            lines += [
                f"namespace gen{f} {{",
                f"struct C{i} : bench10k::Base {{",
                "  struct Options {",
                f"    int a = {i};",
                "    double b = 0.5;",
                '    std::string c = "x";',
                "    bool d = false;",
                "    std::vector<int> e;",
                "  };",
                f"  explicit C{i}(Options o) : o(std::move(o)) {{}}",
                "  int id() const override { return o.a; }",
                "  Options o;",
                "};",
                "}",
                "#if defined(RIG_BENCH_HAND_FACTORY)",
                f"std::unique_ptr<bench10k::Base> make_C{i}(gen{f}::C{i}::Options o) {{",
                f"  return std::make_unique<gen{f}::C{i}>(std::move(o));",
                "}",
                "#elif !defined(RIG_BENCH_NO_REGISTER)",
                f"RIG_COMPONENT(gen{f}::C{i}, rig::interfaces<bench10k::Base>);",
                "#endif",
            ]
        else:
            lines += [
                f"namespace gen{f} {{",
                f"struct C{i} : bench10k::Base {{",
                f"  C{i}(int a, double b, std::string c, bool d, std::vector<int> e)",
                "      : a(a), b(b), c(std::move(c)), d(d), e(std::move(e)) {}",
                "  int id() const override { return a; }",
                "  int a;",
                "  double b;",
                "  std::string c;",
                "  bool d;",
                "  std::vector<int> e;",
                "};",
                "}",
                "#if defined(RIG_BENCH_HAND_FACTORY)",
                f"std::unique_ptr<bench10k::Base> make_C{i}(int a, double b, std::string c, bool d = false,",
                "                                        std::vector<int> e = {}) {",
                f"  return std::make_unique<gen{f}::C{i}>(a, b, std::move(c), d, std::move(e));",
                "}",
                "#elif !defined(RIG_BENCH_NO_REGISTER)",
                f"RIG_COMPONENT(gen{f}::C{i}, rig::interfaces<bench10k::Base>,",
                '              rig::params<int, double, std::string, bool, std::vector<int>>("a", "b", "c", '
                'rig::arg("d") = false, rig::arg("e") = std::vector<int>{}));',
                "#endif",
            ]
    text = "\n".join(lines) + "\n"
    path = os.path.join(out, f"components_{f:03d}.cpp")
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as fh:
            fh.write(text)
