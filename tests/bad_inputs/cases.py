"""The bad-input suite: every case is a config file (and optionally command-line arguments) that rig must reject
with exit status 2 and a diagnostic naming the error id and the place, within 2 s and 512 MB.

A case is (name, files, args, expected_id, where):
  files: {filename: bytes}; the first file is the config given to `rig print`
  args:  extra arguments after the file (overrides, flags)
  where: (source, line, column) the diagnostic must start with; source "FILE" = the config's path, "argv[N]" for an
         override; column None = any column; line may be a set of acceptable lines (a cycle may be reported at any
         of its hops).
Expected ids and places are written from the input's construction, never copied from rig's output.
"""

Y = "FILE"


def case(name, text, expected_id, line, column=None, args=(), files=None, source=Y):
    data = text.encode() if isinstance(text, str) else text
    return dict(name=name, files={"c.yaml": data, **(files or {})}, args=list(args), id=expected_id,
                where=(source, line, column))


def yaml_cases():
    c = []
    # Unclosed quotes and brackets.
    c.append(case("unclosed_double_quote", 'a: 1\nb: "abc\nc: 2\n', "rig.yaml.quoted_scalar", {2, 3, 4}))
    c.append(case("unclosed_single_quote", "a: 1\nb: 'abc\n", "rig.yaml.quoted_scalar", {2, 3}))
    c.append(case("unclosed_flow_seq", "a: [1, 2\nb: 3\n", "rig.yaml.flow", {1, 2, 3}))
    c.append(case("unclosed_flow_map", "a: {x: 1\nb: 3\n", "rig.yaml.flow", {1, 2, 3}))
    c.append(case("unclosed_nested_flow", "a: [[1, 2], [3\n", "rig.yaml.flow", {1, 2}))
    c.append(case("stray_closing_bracket", "a: [1]]\n", "rig.yaml.flow", 1, 7))
    # Indentation.
    c.append(case("bad_indent_sibling", "a:\n    b: 1\n  c: 2\n", "rig.yaml.indentation", 3))
    # "1 b" would be a multi-line plain scalar; libfyaml reports it at the key it cannot end.
    c.append(case("bad_indent_after_scalar", "a: 1\n  b: 2\n", "rig.yaml.syntax", {1, 2}))
    c.append(case("bad_indent_list", "a:\n  - 1\n - 2\n", "rig.yaml.indentation", 3))
    # Tabs.
    c.append(case("tab_indent_map", "a:\n\tb: 1\n", "rig.yaml.tab", 2))
    c.append(case("tab_indent_list", "a:\n\t- 1\n", "rig.yaml.tab", 2))
    c.append(case("tab_indent_deep", "a:\n  b:\n\t\tc: 1\n", "rig.yaml.tab", 3))
    # Duplicate keys at several depths.
    for depth in range(1, 7):
        pad = "  " * (depth - 1)
        text = "".join("  " * d + f"k{d}:\n" for d in range(depth - 1)) + f"{pad}x: 1\n{pad}x: 2\n"
        c.append(case(f"duplicate_key_depth_{depth}", text, "rig.yaml.duplicate_key", depth + 1, 2 * (depth - 1) + 1))
    c.append(case("duplicate_key_flow", "a: {x: 1, y: 2, x: 3}\n", "rig.yaml.duplicate_key", 1, 17))
    c.append(case("duplicate_key_quoted", "x: 1\n'x': 2\n", "rig.yaml.duplicate_key", 2, 1))
    c.append(case("duplicate_key_in_list_item", "- a: 1\n  a: 2\n", "rig.yaml.duplicate_key", 2, 3))
    # Escapes.
    for esc in ["\\q", "\\x4", "\\u12", "\\U0011", "\\xZZ"]:
        c.append(case(f"invalid_escape_{esc[1:]}", f'a: "x{esc}y"\n', "rig.yaml.escape", 1))
    # Invalid UTF-8, NUL, BOM, CRLF.
    for i, bad in enumerate([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xf0\x28\x8c\xbc", b"\xed\xa0\x80", b"\xc0\xaf"]):
        c.append(case(f"invalid_utf8_{i}", b"a: ok\nb: x" + bad + b"\n", "rig.yaml.invalid_utf8", 2, 5))
    c.append(case("nul_byte", b"a: 1\nb: x\x00y\n", "rig.yaml.nul_byte", 2, 5))
    c.append(case("bom_then_error", b"\xef\xbb\xbfa: 1\na: 2\n", "rig.yaml.duplicate_key", 2, 1))
    c.append(case("crlf_then_error", b"a: 1\r\nb: 2\r\nb: 3\r\n", "rig.yaml.duplicate_key", 3, 1))
    c.append(case("crlf_unclosed_quote", b"a: 1\r\nb: \"x\r\n", "rig.yaml.quoted_scalar", {2, 3}))
    # Tags.
    for tag in ["!python/object:os.system", "!!python/name:os.system", "!foo", "!!set", "!<tag:example.com:x>"]:
        c.append(case(f"unknown_tag_{len(c)}", f"a: 1\nb: {tag} x\n", "rig.yaml.unknown_tag", 2, 4))
    c.append(case("bad_int_tag", "a: !!int twelve\n", "rig.yaml.tagged_value", 1))
    c.append(case("bad_float_tag", "a: !!float x\n", "rig.yaml.tagged_value", 1))
    c.append(case("bad_bool_tag", "a: !!bool yes\n", "rig.yaml.tagged_value", 1))
    c.append(case("seq_tag_on_map", "a: !!seq {x: 1}\n", "rig.yaml.tag_mismatch", 1, 4))
    # Aliases and merges.
    c.append(case("undefined_alias", "a: *nope\n", "rig.yaml.unknown_alias", 1, 4))
    c.append(case("self_alias", "a: &x [1, *x]\n", "rig.yaml.unknown_alias", 1, 11))
    c.append(case("merge_scalar", "a:\n  <<: 3\n", "rig.yaml.merge_value", 2, 3))
    c.append(case("merge_list_of_scalars", "b: &b 1\na:\n  <<: [*b]\n", "rig.yaml.merge_value", 3, 3))
    c.append(case("complex_key", "? [a, b]\n: c\n", "rig.yaml.complex_key", 1, 3))
    c.append(case("multi_document", "a: 1\n---\nb: 2\n", "rig.yaml.multi_document", 2, 1))
    c.append(case("int_out_of_range", "a: 99999999999999999999\n", "rig.yaml.int_range", 1, 4))
    c.append(case("negative_int_out_of_range", "a: -9223372036854775809\n", "rig.yaml.int_range", 1, 4))
    c.append(case("hex_out_of_range", "a: 0x10000000000000000\n", "rig.yaml.int_range", 1, 4))
    # Structure that YAML cannot mean.
    c.append(case("nested_mapping_on_one_line", "a: b: c\n", "rig.yaml.syntax", 1))
    c.append(case("sequence_after_value", "a: 1\n- 2\n", "rig.yaml.syntax", 2))
    c.append(case("mapping_after_sequence", "- 1\na: 2\n", "rig.yaml.syntax", 2))
    c.append(case("extra_closing_brace", "a: {x: 1}}\n", "rig.yaml.flow", 1, 10))
    c.append(case("two_tags", "a: !!str !!int 1\n", "rig.yaml.syntax", 1, 10))  # at the second tag
    c.append(case("duplicate_explicit_keys", "? a\n: 1\n? a\n: 2\n", "rig.yaml.duplicate_key", 3, 3))
    c.append(case("duplicate_keys_after_merge_and_again", "b: &b {x: 1}\na:\n  <<: *b\n  y: 1\n  y: 2\n",
                  "rig.yaml.duplicate_key", 5, 3))
    c.append(case("unknown_directive_version", "%YAML 2.0\n---\na: 1\n", "rig.yaml.syntax", 1))
    c.append(case("undefined_tag_handle", "a: !x!y 1\n", "rig.yaml.tag", 1))
    c.append(case("alias_as_complex_key", "s: &s [1]\n*s : x\n", "rig.yaml.complex_key", 2, 1))
    for depth in (2, 3, 4):
        inner = "{k: " * (depth - 1) + "{a: 1, a: 2}" + "}" * (depth - 1)
        c.append(case(f"duplicate_key_flow_depth_{depth}", f"x: {inner}\n", "rig.yaml.duplicate_key", 1,
                      11 + 4 * (depth - 1)))
    c.append(case("octal_out_of_range", "a: 0o7777777777777777777777\n", "rig.yaml.int_range", 1, 4))
    c.append(case("bad_float_tag_two_dots", "a: !!float 1.2.3\n", "rig.yaml.tagged_value", 1))
    c.append(case("bad_null_tag", "a: !!null x\n", "rig.yaml.tagged_value", 1))
    c.append(case("bad_bool_tag_number", "a: !!bool 1\n", "rig.yaml.tagged_value", 1))
    c.append(case("undefined_alias_in_flow", "a: [1, *x]\n", "rig.yaml.unknown_alias", 1, 8))
    c.append(case("map_tag_on_sequence", "a: !!map [1]\n", "rig.yaml.tag_mismatch", 1, 4))
    c.append(case("json_trailing_comma", "", "rig.json.syntax", 1, None, files={"c.json": b'{"a": 1,}'}))
    c[-1]["files"] = {"c.json": b'{"a": 1,}'}
    return c


def limit_cases():
    c = []
    # The root mapping is level 1, so the 256th "[" (column 4 + 255) is level 257.
    c.append(case("deep_flow_100000", "a: " + "[" * 100000 + "\n", "rig.limit.depth", 1, 4 + 255))
    block = "".join(" " * i + f"k{i}:\n" for i in range(300))
    c.append(case("deep_block_300", block + " " * 300 + "v: 1\n", "rig.limit.depth", 257))
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    c.append(case("alias_bomb_lists", bomb, "rig.limit.alias_expansion", set(range(6, 10))))
    bomb = "m0: &m0 {a: 1, b: 2, c: 3, d: 4}\n"
    for i in range(1, 12):
        bomb += f"m{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" for j in range(6)) + "}\n"
    c.append(case("alias_bomb_maps", bomb, "rig.limit.alias_expansion", set(range(6, 13))))
    # A 300 MB file: sparse, made by the runner (see run.py), rejected by its size before it is read.
    c.append(dict(name="file_300mb", files={"c.yaml": None}, sparse_bytes=300 << 20, args=[],
                  id="rig.limit.file_size", where=(Y, None, None)))
    # A 10 MB line that ends in an unclosed quote: found, located, fast.
    # Interpolation limits (rig::ResolveLimits): 100,000 nested resolver calls stop at the 65th `${` (depth 129 of
    # 128, counting each call and its argument), 4 + 64 * 4 characters into the value; a chain of 1,500 references
    # stops after 1,000 hops.
    c.append(case("interpolation_nesting_100000", 'y: "' + "${f:" * 100000 + '"\n', "rig.limit.interpolation_nesting",
                  1, 5 + 64 * 4, args=["--resolve"]))
    refs = "".join(f"k{i}: ${{k{i + 1}}}\n" for i in range(1500)) + "k1500: end\n"
    c.append(case("interpolation_chain_1500", refs, "rig.limit.interpolation_depth", set(range(1, 1502)),
                  args=["--resolve"]))
    nested = "v: 1\nd: " + "${oc.select:" * 71 + "v" + "}" * 71 + "\n"
    c.append(case("resolver_calls_nested_71", nested, "rig.limit.interpolation_nesting", 2, args=["--resolve"]))
    c.append(case("line_10mb_unclosed_quote", "a: " + "x" * (10 << 20) + "\nb: 'open\n", "rig.yaml.quoted_scalar",
                  {2, 3}))
    return c


def interpolation_cases():
    c = []
    for n in range(1, 51):
        lines = [f"k{i}: ${{k{(i + 1) % n}}}" for i in range(n)]
        c.append(case(f"cycle_length_{n}", "\n".join(lines) + "\n", "rig.interpolation.cycle", set(range(1, n + 1)),
                      args=["--resolve"]))
    c.append(case("self_reference_nested", "a:\n  b: ${a}\n", "rig.interpolation.parent", 2, args=["--resolve"]))
    c.append(case("resolver_self_reference", "a: ${oc.select:a}\n", "rig.interpolation.cycle", 1,
                  args=["--resolve"]))
    c.append(case("unknown_key", "model: {dim: 1}\nx: ${model.dims}\n", "rig.interpolation.key_not_found", 2,
                  args=["--resolve"]))
    c.append(case("unknown_resolver", "x: ${nope:1}\n", "rig.interpolation.unknown_resolver", 1,
                  args=["--resolve"]))
    c.append(case("above_root", "a: ${...x}\n", "rig.interpolation.above_root", 1, args=["--resolve"]))
    c.append(case("missing_env", "a: ${oc.env:RIG_BAD_INPUT_SURELY_UNSET}\n", "rig.interpolation.env_not_found", 1,
                  args=["--resolve"]))
    c.append(case("reference_to_missing", "a: ???\nb: ${a}\n", "rig.value.missing", {1, 2}, args=["--resolve"]))
    # A grammar error at every position: each prefix of a valid interpolation that opens `${` but is cut short.
    full = "${oc.select:a.b,[1, {k: 'v'}]}"
    for cut in range(2, len(full)):
        text = full[:cut]
        if text.endswith("\\"):
            continue
        c.append(case(f"grammar_cut_{cut}", f"a: {{b: 1}}\nx: \"{text}\"\n", "rig.interpolation.syntax", 2,
                      args=["--resolve"]))
    for bad in ["${a b}", "${a.}", "${a..b}", "${:x}", "${f:[1,}", "${f:'x}", "${a[}", "${}"]:
        c.append(case(f"grammar_{len(c)}", f"a: 1\nx: \"{bad}\"\n", "rig.interpolation.syntax", 2,
                      args=["--resolve"]))
    return c


def override_cases():
    c = []
    base = "a: 1\nb: {c: 2}\nl: [1, 2]\n"
    # (override, id, column of the offending character in the argument)
    table = [
        ("=1", "rig.override.missing_key", 1),
        ("a..b=1", "rig.override.bad_key", 3),
        ("a[=1", "rig.override.bad_key", 2),
        ("a=[1,2", "rig.override.unclosed_bracket", 3),
        ("a={x: 1", "rig.override.unclosed_brace", 3),
        ("a='x", "rig.override.unclosed_quote", 3),
        ('a="x', "rig.override.unclosed_quote", 3),
        ("a=choice(", "rig.override.unclosed_paren", 9),
        ("a=range(1,)", "rig.override.empty_element", 11),
        ("a=${b", "rig.override.unclosed_interpolation", 3),
        ("zz=1", "rig.override.unknown_key", 1),
        ("b.cc=1", "rig.override.unknown_key", 3),  # at the segment that does not exist
        ("+a=1", "rig.override.key_exists", 2),  # at the key, after the plus
        ("a=1,2", "rig.override.sweep_in_single_run", 3),
        ("a=choice(1,2)", "rig.override.sweep_in_single_run", 3),
        ("a=range(0,3)", "rig.override.sweep_in_single_run", 3),
        ("~a=5", "rig.override.delete_mismatch", 4),  # at the value that does not match
        ("a=int(x)", "rig.override.cast", 7),
        ("a=float(abc)", "rig.override.cast", 9),
        ("a=bool(maybe)", "rig.override.cast", 8),
        ("a=[1, [2, 3]", "rig.override.unclosed_bracket", 3),
        ("a={x: [1, 2}", "rig.override.unexpected_char", 12),  # the brace that closes nothing open
        ("a=range(1, 2", "rig.override.unclosed_paren", 8),
        ("a=\"x\\", "rig.override.unclosed_quote", 3),
        ("l[5]=1", "rig.override.unknown_key", 2),
        ("b.c.d=1", "rig.override.unknown_key", 5),
        ("++=1", "rig.override.missing_key", 3),
        ("~", "rig.override.missing_key", 2),
        ("+", "rig.override.missing_key", 2),
    ]
    for i, (arg, eid, col) in enumerate(table):
        c.append(case(f"override_{i}", base, eid, 1, col, args=[arg], source="argv[3]"))
    return c


PROBE = ["{probe}", "--config", "{file}", "--validate"]


def probe_case(name, text, expected_id, line, column=None, args=(), source=Y):
    c = case(name, text, expected_id, line, column, source=source)
    c["cmd"] = PROBE + list(args)
    return c


def conversion_cases():
    """Wrong types at every conversion: one key of each C++ type the probe recipe (probe.cpp) reads."""
    c = []
    wrong = {  # key: values of the wrong kind for its type
        "i8": ["abc", "1.5", "true", "[1]", "{a: 1}"], "i16": ["x", "2.5"], "i32": ["'1'", "null"],
        "i64": ["[1, 2]", "0.1"], "u8": ["'7'", "false"], "u16": ["x", "1e3"], "u32": ["{}", "[]"],
        "u64": ["u", "3.25"],
        "f32": ["abc", "true", "[1.0]"], "f64": ["'1.0'", "{a: 1}", "null"],
        "finite32": ["x"], "finite64": ["[]"],
        "flag": ["1", "'true'", "yes", "[true]"],
        "text": ["[a]", "{a: b}"],
        "path": ["7", "[a, b]"],
        "ms": ["10 parsecs", "[1]", "true"], "secs": ["1.5", "1.5s", "fast"], "fsecs": ["x"],
        "reduction": ["average", "1", "[mean]"],
        "pair": ["1", "[x, 1]"], "tuple": ["[1, 2.0, yes]"], "array": ["[1, 2, x]", "x"],
        "list": ["5", "[1, x]"], "matrix": ["[[1.0], x]", "[[1.0], [y]]"], "dict": ["[1]", "{a: x}"],
        "maybe": ["x", "[1]"], "point": ["5", "{x: a}", "{x: 1, y: [2]}"],
    }
    for key, values in wrong.items():
        for i, v in enumerate(values):
            text = f"{key}: {v}\n"
            col = len(key) + 3
            # An element of a list or map is reported at the element itself.
            inner = {"[1, x]": 5, "[1, 2, x]": 8, "[[1.0], x]": 9, "[[1.0], [y]]": 10, "{a: x}": 5, "[x, 1]": 2,
                     "[1, 2.0, yes]": 10, "{x: a}": 5, "{x: 1, y: [2]}": 11}
            if v in inner:
                col += inner[v] - 1
            c.append(probe_case(f"type_{key}_{i}", text, "rig.type.mismatch", 1, col))
    # Sizes of fixed-size lists.
    for key, v in [("pair", "[1]"), ("pair", "[1, a, 2]"), ("tuple", "[1, 2.0]"), ("array", "[1, 2]"),
                   ("array", "[1, 2, 3, 4]")]:
        c.append(probe_case(f"size_{key}_{len(c)}", f"{key}: {v}\n", "rig.type.mismatch", 1, len(key) + 3))
    # Structured config: an unknown field.
    c.append(probe_case("struct_unknown_field", "point: {x: 1, z: 2}\n", "rig.args.unknown_keyword", 1, 15))
    # Through the command line: located at the argument (argv[4] after --config FILE --validate).
    # (argument, column of the offending value or element in it)
    for i, (arg, col) in enumerate([("+i32=abc", 6), ("+flag=maybe", 7), ("+list=[1,x]", 10), ("+ms=fast", 5)]):
        c.append(probe_case(f"type_override_{i}", "{}\n", "rig.type.mismatch", 1, col, args=[arg],
                            source="argv[4]"))
    # Components from the probe's registry.
    comp = [
        ("component_unknown", "shape: {_component_: probe.Nope}\n", "rig.component.unknown", 22),
        ("component_wrong_interface", "shape:\n  _component_: probe.Frame\n  inner: {_component_: probe.Bell}\n",
         "rig.component.wrong_interface", (3, 24)),
        ("component_missing_arg", "shape: {_component_: probe.Frame}\n", "rig.args.missing", None),
        ("component_unknown_keyword", "shape: {_component_: probe.Box, dept: 2}\n", "rig.args.unknown_keyword", 33),
        ("component_field_type", "shape: {_component_: probe.Box, depth: deep}\n", "rig.type.mismatch", 40),
        ("component_field_range", "shape: {_component_: probe.Box, width: -1}\n", "rig.type.out_of_range", 40),
        ("component_field_enum", "shape: {_component_: probe.Box, reduction: avg}\n", "rig.type.mismatch", 44),
        ("component_field_list", "shape: {_component_: probe.Box, sides: [1, a]}\n", "rig.type.mismatch", 44),
        ("component_field_infinite", "shape: {_component_: probe.Box, scale: .inf}\n", "rig.type.not_finite", 40),
        ("component_param_type", "shape: {_component_: probe.Frame, inner: null, margin: wide}\n",
         "rig.type.mismatch", 56),
        ("component_not_a_name", "shape: {_component_: 7}\n", "rig.type.mismatch", 22),
        ("component_path_is_not_run", "shape: {_component_: /bin/sh}\n", "rig.component.unknown", 22),
        ("component_python_target", "shape: {_target_: os.system, command: ls}\n", "rig.component.unknown", 19),
        # One name key per node; `_convert_` only with Hydra's modes.
        ("component_two_names", "shape: {_component_: probe.Box, _target_: probe.Box}\n", "rig.component.two_names",
         33),
        ("component_two_names_block", "shape:\n  _target_: probe.Box\n  depth: 2\n  _component_: probe.Frame\n",
         "rig.component.two_names", (4, 3)),
        ("component_convert_unknown", "shape: {_component_: probe.Box, _convert_: deep}\n", "rig.component.convert",
         44),
        ("component_convert_not_string", "shape: {_component_: probe.Box, _convert_: [all]}\n",
         "rig.component.convert", 44),
    ]
    for name, text, eid, where in comp:
        line, col = where if isinstance(where, tuple) else (1, where)
        c.append(probe_case(name, text, eid, line, col))
    return c


def overflow_cases():
    """Integer overflow at each width: one past each bound, in a file and on the command line."""
    c = []
    bounds = {"i8": (-128, 127), "i16": (-32768, 32767), "i32": (-2**31, 2**31 - 1), "i64": (-2**63, 2**63 - 1),
              "u8": (0, 255), "u16": (0, 65535), "u32": (0, 2**32 - 1), "u64": (0, 2**64 - 1)}
    for key, (lo, hi) in bounds.items():
        for side, v in (("low", lo - 1), ("high", hi + 1)):
            # Beyond int64 the YAML loader itself refuses the number (rig.yaml.int_range), at the same place.
            eid = "rig.yaml.int_range" if not -2**63 <= v < 2**63 else "rig.type.out_of_range"
            c.append(probe_case(f"overflow_{key}_{side}", f"a: 1\n{key}: {v}\n", eid, 2, len(key) + 3))
            if eid == "rig.type.out_of_range":
                c.append(probe_case(f"overflow_{key}_{side}_argv", "a: 1\n", eid, 1, len(key) + 3,
                                    args=[f"+{key}={v}"],
                                    source="argv[4]"))
    # Floats out of range for float, and through a resolver.
    c.append(probe_case("overflow_float_high", "f32: 3.5e38\n", "rig.type.out_of_range", 1, 6))
    c.append(probe_case("overflow_float_low", "f32: -1e39\n", "rig.type.out_of_range", 1, 6))
    return c


def non_finite_cases():
    """NaN anywhere a number is read; ±inf where rig::Finite asks for a finite one."""
    c = []
    for key in ("f32", "f64", "finite32", "finite64"):
        c.append(probe_case(f"nan_{key}", f"{key}: .nan\n", "rig.type.not_finite", 1, len(key) + 3))
    for key in ("finite32", "finite64"):
        for v in (".inf", "-.inf", ".Inf", "+.inf"):
            c.append(probe_case(f"inf_{key}_{v}", f"{key}: {v}\n", "rig.type.not_finite", 1, len(key) + 3))
        c.append(probe_case(f"inf_{key}_argv", "{}\n", "rig.type.not_finite", 1, len(key) + 3,
                            args=[f"+{key}=.inf"],
                            source="argv[4]"))
    c.append(probe_case("nan_in_matrix", "matrix: [[1.0, .nan]]\n", "rig.type.not_finite", 1, 16))
    c.append(probe_case("nan_through_interpolation", "x: .nan\nf64: ${x}\n", "rig.type.not_finite", 1, 4))
    return c


def compose_case(name, files, expected_id, line, column=None, args=(), source=Y):
    c = case(name, files["c.yaml"], expected_id, line, column, source=source,
             files={k: v.encode() for k, v in files.items() if k != "c.yaml"})
    c["cmd"] = ["{rig}", "print", "--config-dir", "{dir}", "c"] + list(args)
    return c


def defaults_cases():
    """Conflicting defaults lists, composed from a config directory."""
    m = {"model/mlp.yaml": "layers: 2\n", "model/cnn.yaml": "channels: 8\n", "opt/sgd.yaml": "lr: 1\n"}
    c = []
    t = [
        ("defaults_duplicate_group", "defaults:\n  - model: mlp\n  - model: cnn\n", "rig.compose.duplicate_group",
         {2, 3}, (), Y),
        ("defaults_duplicate_group_same", "defaults:\n  - model: mlp\n  - opt: sgd\n  - model: mlp\n",
         "rig.compose.duplicate_group", {2, 4}, (), Y),
        ("defaults_override_absent", "defaults:\n  - model: mlp\n  - override opt: sgd\n",
         "rig.compose.override_not_found", 3, (), Y),
        ("defaults_fixed_then_choice", "defaults:\n  - model/mlp\n  - _self_\n", "rig.compose.fixed_entry", 1,
         ("model=cnn",), "argv[5]"),
        ("defaults_fixed_then_override", "defaults:\n  - model/mlp\n  - override model: cnn\n",
         "rig.compose.fixed_entry", 3, (), Y),
        ("defaults_choose_absent_group", "defaults:\n  - model: mlp\n", "rig.compose.override_not_found", 1,
         ("opt=sgd",), "argv[5]"),
        ("defaults_add_existing", "defaults:\n  - model: mlp\n", "rig.compose.add_exists", 1, ("+model=cnn",),
         "argv[5]"),
        ("defaults_delete_absent", "defaults:\n  - model: mlp\n", "rig.compose.delete_not_found", 1, ("~opt",),
         "argv[5]"),
        ("defaults_delete_wrong_choice", "defaults:\n  - model: mlp\n", "rig.compose.delete_not_found", 1,
         ("~model=cnn",), "argv[5]"),
        ("defaults_two_selfs", "defaults:\n  - _self_\n  - model: mlp\n  - _self_\n", "rig.compose.duplicate_self",
         4, (), Y),
        ("defaults_missing_choice", "defaults:\n  - model: ???\n", "rig.compose.missing_choice", 2, (), Y),
        ("defaults_unknown_option", "defaults:\n  - model: rnn\n", "rig.compose.unknown_option", 2, (), Y),
        ("defaults_unknown_fixed", "defaults:\n  - model/rnn\n", "rig.compose.unknown_config", 2, (), Y),
        ("defaults_not_a_list", "defaults: {model: mlp}\n", "rig.compose.bad_defaults", 1, (), Y),
        ("defaults_bad_keyword", "defaults:\n  - optinal model: mlp\n", "rig.compose.bad_entry", 2, (), Y),
        ("defaults_choice_not_a_name", "defaults:\n  - model: {a: 1}\n", "rig.compose.bad_entry", 2, (), Y),
        ("defaults_unknown_option_argv", "defaults:\n  - model: mlp\n", "rig.compose.unknown_option", 1,
         ("model=rnn",), "argv[5]"),
    ]
    for name, text, eid, line, args, source in t:
        c.append(compose_case(name, {"c.yaml": text, **m}, eid, line, None, args, source))
    cyc = {"c.yaml": "defaults:\n  - a\n", "a.yaml": "defaults:\n  - b\n", "b.yaml": "defaults:\n  - a\n"}
    c.append(compose_case("defaults_cycle", cyc, "rig.compose.cycle", 2, None, source="{dir}/b.yaml"))
    return c


def dotdot_cases():
    """Names that would leave the search path: `..` and `.` segments in config and group names are errors."""
    m = {"model/mlp.yaml": "layers: 2\n", "outside.yaml": "secret: 1\n"}
    c = []
    t = [
        ("dotdot_fixed_entry", "defaults:\n  - model/../outside\n", 2, (), Y),
        ("dotdot_option", "defaults:\n  - model: ../outside\n", 2, (), Y),
        ("dotdot_group", "defaults:\n  - ../model: mlp\n", 2, (), Y),
        ("dotdot_deep", "defaults:\n  - model: ../../../../etc/passwd\n", 2, (), Y),
        ("dot_segment", "defaults:\n  - model/./mlp\n", 2, (), Y),
        ("dotdot_argv", "defaults:\n  - model: mlp\n", 1, ("model=../outside",), "argv[5]"),
        ("dotdot_multiselect", "defaults:\n  - model: [mlp, ../outside]\n", 2, (), Y),
        ("backslash_name", "defaults:\n  - model: ..\\\\outside\n", 2, (), Y),
    ]
    for name, text, line, args, source in t:
        c.append(compose_case(name, {"c.yaml": text, **m}, "rig.compose.bad_name", line, None, args, source))
    # The primary config's name, too (a path with an extension is a path the user typed, and is allowed).
    x = case("dotdot_primary_name", "a: 1\n", "rig.compose.bad_name", None, source="../c")
    x["cmd"] = ["{rig}", "print", "--config-dir", "{dir}", "../c"]
    c.append(x)
    return c


def package_cases():
    """Empty or malformed packages, one group spelled two ways, a header that is not `# @KEY VALUE`, and config files
    reached through symlinks that leave the search path."""
    m = {"model/mlp.yaml": "layers: 2\n", "model/cnn.yaml": "channels: 8\n"}
    c = []
    t = [
        ("package_dotdot_entry", "defaults:\n  - model@..: mlp\n", "rig.compose.bad_package", 2, (), Y),
        ("package_empty_segment_entry", "defaults:\n  - model@a..b: mlp\n", "rig.compose.bad_package", 2, (), Y),
        ("package_leading_dot_entry", "defaults:\n  - model@.a: mlp\n", "rig.compose.bad_package", 2, (), Y),
        ("package_at_twice_entry", "defaults:\n  - model@a@b: mlp\n", "rig.compose.bad_package", 2, (), Y),
        ("package_fixed_entry", "defaults:\n  - model/mlp@x..y\n", "rig.compose.bad_package", 2, (), Y),
        ("package_at_at_argv", "defaults:\n  - model: mlp\n", "rig.override.bad_package", 1, ("model@@x=cnn",),
         "argv[5]"),
        ("package_empty_segment_argv", "defaults:\n  - model: mlp\n", "rig.override.bad_package", 1,
         ("model@a..b=cnn",), "argv[5]"),
        ("package_dotdot_argv", "defaults:\n  - model: mlp\n", "rig.override.bad_package", 1, ("model@..=cnn",),
         "argv[5]"),
        ("group_double_slash_twice", "defaults:\n  - model: mlp\n  - model//: cnn\n", "rig.compose.duplicate_group",
         {2, 3}, (), Y),
        ("group_trailing_slash_twice", 'defaults:\n  - "model/": mlp\n  - model: mlp\n',
         "rig.compose.duplicate_group", {2, 3}, (), Y),
    ]
    for name, text, eid, line, args, source in t:
        c.append(compose_case(name, {"c.yaml": text, **m}, eid, line, None, args, source))
    for name, header, eid, column in [("header_dotdot", "# @package ..", "rig.compose.bad_package", 12),
                                      ("header_empty_segment", "# @package a..b", "rig.compose.bad_package", 12),
                                      ("header_two_words", "# @package a b", "rig.compose.bad_header", 3),
                                      ("header_interpolation", "# @package ${x.y}", "rig.compose.bad_package", 12),
                                      ("header_no_value", "# @package", "rig.compose.bad_header", 3)]:
        files = {"c.yaml": "defaults:\n  - model: mlp\n", "model/mlp.yaml": header + "\nlayers: 2\n"}
        c.append(compose_case(name, files, eid, 1, column, source="{dir}/model/mlp.yaml"))
    # An unknown primary config name: located at its argument.
    x = case("unknown_primary_name", "a: 1\n", "rig.compose.unknown_config", 1, 1, source="argv[4]")
    x["cmd"] = ["{rig}", "print", "--config-dir", "{dir}", "cc"]
    c.append(x)
    # Two files of one option: located at the entry that chose it.
    amb = {"c.yaml": "defaults:\n  - _self_\n  - model: mlp\n", "model/mlp.yaml": "a: 1\n", "model/mlp.json": "{}"}
    c.append(compose_case("ambiguous_option_at_entry", amb, "rig.compose.ambiguous_name", 3, 5))
    # Symlinks out of the search path: a file, a linked directory, /etc/shadow.
    for name, links in [("symlink_file_outside", {"model/mlp.yaml": "{outside}/secret.yaml"}),
                        ("symlink_dir_outside", {"model": "{outside}"}),
                        ("symlink_etc_shadow", {"model/mlp.yaml": "/etc/shadow"})]:
        files = {"c.yaml": "defaults:\n  - model: mlp\n"}
        if "model" not in links:
            files["model/cnn.yaml"] = "channels: 8\n"
        x = compose_case(name, files, "rig.compose.outside_search_path", 2, 5)
        x["links"] = links
        x["outside"] = {"secret.yaml": "password: hunter2\n", "mlp.yaml": "password: hunter2\n"}
        c.append(x)
    return c


def all_cases():
    from hostile import hostile_cases  # tests/bad_inputs/hostile.py: special files, depth, expansion, float range
    return hostile_cases() + (yaml_cases() + limit_cases() + interpolation_cases() + override_cases() +
                              conversion_cases() + overflow_cases() + non_finite_cases() + defaults_cases() +
                              dotdot_cases() + package_cases())
