"""Hostile inputs: special files, depth built every way, interpolation expansion, floats past double, in the format of
cases.py (each must exit 2 with the expected id and place, within 2 s and 512 MB). Expected places are derived from
each input's construction."""

from cases import Y, case, compose_case


def special(name, first, expected_id="rig.io.not_a_file", **kw):
    c = dict(name=name, files={}, args=[], id=expected_id, where=(Y, None, None), first=first)
    c.update(kw)
    return c


def io_cases():
    c = []
    c.append(special("fifo_config", "pipe.yaml", fifos=["pipe.yaml"]))
    c.append(special("fifo_json_config", "pipe.json", fifos=["pipe.json"]))
    c.append(special("socket_config", "sock.yaml", sockets=["sock.yaml"]))
    c.append(special("directory_config", "conf.yaml", dirs=["conf.yaml"]))
    c.append(special("dev_null_link", "null.yaml", links={"null.yaml": "/dev/null"}))
    c.append(special("dev_zero_link", "zero.yaml", links={"zero.yaml": "/dev/zero"}))
    c.append(special("dev_urandom_link", "rand.json", links={"rand.json": "/dev/urandom"}))
    c.append(special("link_to_fifo", "l.yaml", fifos=["p"], links={"l.yaml": "p"}))
    c.append(special("link_chain_to_zero", "a.yaml", links={"b": "/dev/zero", "a.yaml": "b"}))
    # Devices named directly (no extension: a path that exists is read as a file, not looked up as a name).
    for dev in ("/dev/zero", "/dev/urandom", "/dev/full"):
        x = dict(name=f"device_{dev[5:]}", files={}, args=[], id="rig.io.not_a_file", where=(dev, None, None),
                 cmd=["{rig}", "print", dev])
        c.append(x)
    # A second config file on the command line that is a FIFO: refused as well, never waited on.
    x = special("fifo_second_file", "c.yaml", fifos=["p.yaml"])
    x["files"] = {"c.yaml": b"a: 1\n"}
    x["cmd"] = ["{rig}", "print", "{file}", "{dir}/p.yaml"]
    x["where"] = ("{dir}/p.yaml", None, None)
    c.append(x)
    return c


def key(n, seg="k"):
    return ".".join([seg] * n)


def depth_cases():
    c = []
    # A key of N segments makes N levels of maps (the root is level 1): the 257th segment crosses the limit of 256.
    # Column: after the prefix, 256 segments of len(seg) + 1 characters.
    for n, seg, prefix in [(257, "k", "+"), (2_000, "ab", "++"), (50_000, "x", "+"), (20_000, "key", "++")]:
        col = len(prefix) + 256 * (len(seg) + 1) + 1
        c.append(case(f"override_key_{n}_segments", "a: 1\n", "rig.limit.depth", 1, col,
                      args=[f"{prefix}{key(n, seg)}=1"], source="argv[3]"))
    # The key's levels and the value's add up: 200 segments and 60 nested lists.
    c.append(case("override_key_and_value_depth", "a: 1\n", "rig.limit.depth", 1, None,
                  args=[f"+{key(200)}=" + "[" * 60 + "]" * 60], source="argv[3]"))
    # A defaults chain c0 -> c1 -> ...: the entry that leads 257 configs deep is refused where it is written.
    for n in (300, 2_000):
        files = {"c.yaml": "defaults:\n  - c1\n"}
        for i in range(1, n):
            files[f"c{i}.yaml"] = f"defaults:\n  - c{i + 1}\nv{i}: {i}\n"
        c.append(compose_case(f"defaults_chain_{n}", files, "rig.limit.depth", 2, 5, source="{dir}/c255.yaml"))
    # A chain through groups: each option of group g{i} chooses an option of g{i}/g{i+1}... by a package header.
    pkg = ".".join(["p"] * 300)
    c.append(compose_case("package_300_levels", {"c.yaml": "defaults:\n  - g: o\n", "g/o.yaml": f"# @package {pkg}\nx: 1\n"},
                          "rig.limit.depth", 2, None))
    # Interpolations that nest containers: each x_i is 100 levels of maps around ${x_{i+1}}.
    text = ""
    for i in range(6):
        inner = f"'${{x{i + 1}}}'" if i < 5 else "end"
        text += f"x{i}: " + "{k: " * 100 + inner + "}" * 100 + "\n"
    c.append(case("interpolated_nesting", text, "rig.limit.depth", set(range(1, 7)), args=["--resolve"]))
    return c


def expansion_cases():
    c = []
    # Lists of 8 copies over 10 levels: 8^10 nodes.
    t = "l0: [a, b]\n" + "".join(f"l{i}: [" + ", ".join([f"'${{l{i - 1}}}'"] * 8) + "]\n" for i in range(1, 11))
    c.append(case("list_expansion_8x10", t, "rig.limit.interpolation_expansion", set(range(2, 12)),
                  args=["--resolve"]))
    # Maps of 6 keys over 12 levels.
    t = "m0: {v: 1}\n" + "".join(f"m{i}: {{" + ", ".join(f"k{j}: '${{m{i - 1}}}'" for j in range(6)) + "}\n"
                                 for i in range(1, 13))
    c.append(case("map_expansion_6x12", t, "rig.limit.interpolation_expansion", set(range(2, 14)),
                  args=["--resolve"]))
    # Strings tripled over 30 lines: 3^30 bytes.
    t = "s0: abc\n" + "".join(f"s{i}: ${{s{i - 1}}}-${{s{i - 1}}}-${{s{i - 1}}}\n" for i in range(1, 31))
    c.append(case("string_tripling_30", t, "rig.limit.interpolation_expansion", set(range(2, 32)),
                  args=["--resolve"]))
    # Strings copied into lists of strings: each element a concatenation of the previous strings.
    t = "a0: xyz\nb0: uvw\n" + "".join(f"a{i}: ${{a{i - 1}}}${{b{i - 1}}}\nb{i}: ${{b{i - 1}}}${{a{i - 1}}}\n"
                                         for i in range(1, 40))
    c.append(case("string_pair_doubling", t, "rig.limit.interpolation_expansion", set(range(3, 81)),
                  args=["--resolve"]))
    # A chain through maps, each level copying the previous twice under nested keys.
    t = "n0: {a: 1}\n" + "".join(f"n{i}: {{x: {{y: '${{n{i - 1}}}'}}, z: '${{n{i - 1}}}'}}\n" for i in range(1, 45))
    c.append(case("map_chain_doubling_44", t, "rig.limit.interpolation_expansion", set(range(2, 46)),
                  args=["--resolve"]))
    # Through the lazy reads of a recipe (--validate reads every key).
    t = "l0: [a, b, c]\n" + "".join(f"l{i}: [" + ", ".join([f"'${{l{i - 1}}}'"] * 10) + "]\n" for i in range(1, 10))
    x = case("list_expansion_validate", t, "rig.limit.interpolation_expansion", set(range(2, 11)))
    x["cmd"] = ["{probe}", "--config", "{file}", "--validate"]
    c.append(x)
    return c


def float_cases():
    c = []
    for i, (text, col) in enumerate([("a: 1e400\n", 4), ("a: [1, -2.5e309]\n", 8), ("a: {b: 1.7976931348623159e308}\n", 8),
                                     ("x: 1\nb: +9e999\n", 4), ("a: 123456789e305\n", 4)]):
        c.append(case(f"float_range_yaml_{i}", text, "rig.yaml.float_range", text.count("\n"), col))
    c.append(case("float_range_tagged", "a: !!float 1e999\n", "rig.yaml.float_range", 1, 12))
    doc = '{"a": [1, 2], "b": 1e400}'
    x = case("float_range_json", "", "rig.yaml.float_range", 1, doc.index("1e400") + 1)
    x["files"] = {"c.json": doc.encode()}
    c.append(x)
    c.append(case("float_range_override", "lr: 0.1\n", "rig.yaml.float_range", 1, 4, args=["lr=1e400"],
                  source="argv[3]"))
    c.append(case("float_range_override_list", "lr: 0.1\n", "rig.yaml.float_range", 1, 10, args=["lr=[1.0, -1e310]"],
                  source="argv[3]"))
    c.append(case("float_range_float_cast", "lr: 0.1\n", "rig.yaml.float_range", 1, None,
                  args=["lr=float('2e308')"], source="argv[3]"))
    c.append(case("float_range_json_cast", "lr: 0.1\n", "rig.yaml.float_range", 1, None,
                  args=["lr=json('[1e500]')"], source="argv[3]"))
    c.append(case("float_range_resolver_arg", "a: ${oc.select:b,1e400}\n", "rig.yaml.float_range", 1, None,
                  args=["--resolve"]))
    return c


def hostile_cases():
    return io_cases() + depth_cases() + expansion_cases() + float_cases() + yaml_spec_cases() + override_index_cases() + decode_cases()


def yaml_spec_cases():
    c = []
    # Content after the document end marker `...`: at the content.
    for i, (text, line) in enumerate([("a: 1\n...\nb: 2\n", 3), ("- x\n...\n- y\n", 3),
                                      ("a: 1\n...\n# note\n\nz: [1]\n", 5), ("a: {b: 1}\n...\nplain\n", 3)]):
        c.append(case(f"content_after_document_end_{i}", text, "rig.yaml.multi_document", line, 1))
    # A byte order mark inside a document, outside quotes: at the mark.
    c.append(case("bom_before_second_key", b"a: 1\n\xef\xbb\xbfb: 2\n", "rig.yaml.bom", 2, 1))
    c.append(case("bom_inside_plain_value", b"a: x\xef\xbb\xbfy\n", "rig.yaml.bom", 1, 5))
    c.append(case("bom_in_list_item", b"l:\n  - \xef\xbb\xbfv\n", "rig.yaml.bom", 2, 5))
    # Implicit keys longer than 1024 characters (quotes count).
    c.append(case("implicit_key_1025", "k" * 1025 + ": 1\n", "rig.yaml.key_too_long", 1, 1))
    c.append(case("implicit_quoted_key_1025", "'" + "q" * 1023 + "': 1\n", "rig.yaml.key_too_long", 1, 1))
    c.append(case("implicit_nested_key_2000", "a:\n  " + "x" * 2000 + ": 1\n", "rig.yaml.key_too_long", 2, 3))
    # %YAML 1.1 is refused at its version; directives must be followed by `---`.
    c.append(case("yaml_1_1_directive", "%YAML 1.1\n---\na: yes\n", "rig.yaml.version", 1, 7))
    c.append(case("yaml_1_1_after_comment", "# old\n%YAML 1.1\n---\nb: 0b1\n", "rig.yaml.version", 2, 7))
    c.append(case("yaml_1_0_directive", "%YAML 1.0\n---\nc: 1\n", "rig.yaml.version", 1, 7))
    c.append(case("directive_without_start", "%YAML 1.2\na: 1\n", "rig.yaml.syntax", 2, 1))
    c.append(case("directive_comment_no_start", "%YAML 1.2\n# c\nb: 2\n", "rig.yaml.syntax", 3, 1))
    c.append(case("tag_directive_without_start", "%TAG !e! tag:example.com,2000:\nx: 1\n", "rig.yaml.syntax", 2, 1))
    # ${oc.select:.} selects the root from inside it: at the interpolation.
    c.append(case("select_root_from_inside", "a: 1\nb: ${oc.select:.}\n", "rig.interpolation.cycle", 2, 4,
                  args=["--resolve"]))
    c.append(case("select_root_nested", "a:\n  b: [1, '${oc.select:.}']\n", "rig.interpolation.cycle", 2, None,
                  args=["--resolve"]))
    return c


def override_index_cases():
    base = "a:\n  b: [x, y]\nl: [1, 2]\nm: {k: [0]}\n"
    c = []
    for i, arg in enumerate(["+a.b[2]=z", "++l[5]=z", "++l.7=z", "+m.k[1]=2", "++a.b[99999999999999999999999]=1"]):
        c.append(case(f"override_index_{i}", base, "rig.key.index_range", 1, None, args=[arg], source="argv[3]"))
    return c


def decode_cases():
    """Errors inside the text given to oc.decode: located at the call (line of the value), not nowhere."""
    c = []
    for i, text in enumerate(["a: 1\nb: \"${oc.decode:'${nope}'}\"\n", "a: 1\nb: \"${oc.decode:'[1, ${nope.x}]'}\"\n",
                              "a: 1\nb: \"${oc.decode:'{k: ${oc.select:zz.y.z}, j: ${missing}}'}\"\n"]):
        c.append(case(f"decode_inner_error_{i}", text, "rig.interpolation.key_not_found", 2, None,
                      args=["--resolve"]))
    c.append(case("decode_syntax_error", "a: 1\nb: \"${oc.decode:'[1, 2'}\"\n", "rig.interpolation.syntax", 2, None,
                  args=["--resolve"]))
    return c
