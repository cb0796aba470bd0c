// Any bytes as the values of a small config: each line of the input is one value (at the root, in a nested map and
// in a list, so absolute and relative references both have targets). rig resolves the whole tree, and reads each
// value lazily through rig::Config, or throws a located rig::Error. Never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rig/config.hpp"
#include "rig/interpolation.hpp"
#include "rig/yaml.hpp"

namespace {

constexpr size_t kValues = 6;

// The input's lines (at most kValues; the last one keeps the rest of the input, line breaks included).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < kValues) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  out.push_back(text);
  return out;
}

rig::Node value(const std::shared_ptr<const rig::Source>& src, std::vector<std::string_view>& lines, size_t i) {
  rig::Node n(i < lines.size() ? std::string(lines[i]) : std::string("plain"));
  n.set_origin(rig::Origin{src, static_cast<uint32_t>(i + 1), 1});
  return n;
}

// k0, d.k1, d.l[0], d.l[2].k3, k4, k5 hold the input; n, f, s, b, m and t are fixed targets of every kind.
rig::Node make_config(std::string_view text) {
  auto src = rig::Source::make("fuzz.yaml", std::string(text));
  auto lines = split_lines(text);
  rig::Node inner = rig::Node::map();
  inner.set("k3", value(src, lines, 3));
  rig::Node list = rig::Node::list();
  list.push_back(value(src, lines, 2));
  list.push_back(rig::Node(1));
  list.push_back(inner);
  rig::Node d = rig::Node::map();
  d.set("k1", value(src, lines, 1));
  d.set("l", list);
  d.set("n", rig::Node(7));
  rig::Node root = rig::Node::map();
  root.set("k0", value(src, lines, 0));
  root.set("d", d);
  root.set("k4", value(src, lines, 4));
  root.set("k5", value(src, lines, 5));
  root.set("n", rig::Node(3));
  root.set("f", rig::Node(1.5));
  root.set("s", rig::Node("text"));
  root.set("b", rig::Node(true));
  root.set("m", rig::Node::missing());
  root.set("t", rig::load_yaml("{x: [1, {y: z}], e: {}}", "fixed.yaml"));
  return root;
}

void expect_located(const rig::Error& e) {
  if (e.id().empty()) __builtin_trap();
  (void)rig::format(e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rig::Node cfg = make_config(text);
  try {
    rig::Node r = rig::resolve(cfg);
    (void)rig::dump_yaml(r);
  } catch (const rig::Error& e) {
    expect_located(e);
  }
  rig::Config lazy(cfg);
  for (const char* key : {"k0", "d.k1", "d.l[0]", "d.l[2].k3", "k4", "k5"}) {
    try {
      (void)lazy.get<rig::Node>(key);
    } catch (const rig::Error& e) {
      expect_located(e);
    }
  }
  return 0;
}
