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


def all_cases():
    return yaml_cases() + limit_cases() + interpolation_cases() + override_cases()
