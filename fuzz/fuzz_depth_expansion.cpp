// Depth and expansion, the classes the byte-level fuzzers cannot reach (their inputs are too short to nest 256 levels
// or to double a value 30 times): the input is a small program that generates a config. Each 4-byte instruction
// picks a shape and its sizes — a chain of values that copy the previous one N times as a list, a map or a string
// (`x_i: [${x_{i-1}}, ...]`, `x_i: ${x_{i-1}}${x_{i-1}}`), maps nested around references, a long override key, an
// override value nested in lists, a deep tree built through the API — and rig resolves, dumps, merges, compares,
// validates and applies it. Each step returns or throws a rig::Error (the limit ids among them), within the time and
// memory of libFuzzer's limits. Never a crash, a stack overflow, an unbounded allocation or another exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rig/config.hpp"
#include "rig/interpolation.hpp"
#include "rig/limits.hpp"
#include "rig/overrides.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"

namespace {

struct Program {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;
  uint8_t next() { return pos < size ? data[pos++] : 0; }
  bool done() const { return pos >= size; }
};

std::string name(int level, char prefix) { return std::string(1, prefix) + std::to_string(level); }

// `levels` values, each made of `fan` copies of the previous one, as a list, a map or a string.
std::string copies(int levels, int fan, int shape) {
  std::string text = "x0: [a, b]\n";
  for (int i = 1; i <= levels; ++i) {
    std::string ref = "${" + name(i - 1, 'x') + "}";
    text += name(i, 'x') + ": ";
    if (shape == 0) {  // a list of copies
      text += "[";
      for (int j = 0; j < fan; ++j) text += (j ? ", '" : "'") + ref + "'";
      text += "]";
    } else if (shape == 1) {  // a map of copies
      text += "{";
      for (int j = 0; j < fan; ++j) text += (j ? ", k" : "k") + std::to_string(j) + ": '" + ref + "'";
      text += "}";
    } else {  // a string of copies (str() of the first list)
      text += "'";
      for (int j = 0; j < fan; ++j) text += ref;
      text += "'";
    }
    text += "\n";
  }
  return text;
}

// `levels` values, each `nest` maps around a reference to the next.
std::string nested_refs(int levels, int nest) {
  std::string text;
  for (int i = 0; i < levels; ++i) {
    text += name(i, 'y') + ": ";
    for (int j = 0; j < nest; ++j) text += "{k: ";
    text += i + 1 < levels ? "${" + name(i + 1, 'y') + "}" : "end";
    text += std::string(static_cast<size_t>(nest), '}') + "\n";
  }
  return text;
}

rig::Node deep_tree(int levels, bool lists) {
  rig::Node n(1);
  for (int i = 0; i < levels; ++i) {
    rig::Node c = lists ? rig::Node::list() : rig::Node::map();
    if (lists)
      c.push_back(std::move(n));
    else
      c.set("k", std::move(n));
    n = std::move(c);
  }
  return n;
}

void exercise(const rig::Node& cfg) {
  try {
    rig::Node r = rig::resolve(cfg);
    (void)rig::dump_yaml(r);
    (void)rig::dump_json(r, -1);
  } catch (const rig::Error&) {
  }
  try {
    rig::Config view(cfg);
    for (const auto& e : cfg.entries()) (void)view[e.key].resolved();
  } catch (const rig::Error&) {
  }
  try {
    (void)rig::validate_config(cfg);
  } catch (const rig::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The expansion budget scaled down 100 times: the defaults let a value grow to 10M nodes before it is refused, which
  // takes well under a second in a release build but longer than libFuzzer's timeout under ASan and coverage. The
  // mechanism is the same at any size; the depth limit stays at its default.
  static const bool scaled = [] {
    rig::TreeLimits limits;
    limits.max_nodes /= 100;
    limits.max_bytes /= 100;
    rig::set_tree_limits(limits);
    return true;
  }();
  (void)scaled;
  Program p{data, size};
  for (int step = 0; step < 4 && !p.done(); ++step) {
    uint8_t op = p.next() % 6;
    int a = p.next(), b = p.next(), c = p.next();
    try {
      switch (op) {
        case 0:  // copies: up to 40 levels, up to 16 copies each
          exercise(rig::load_yaml(copies(a % 41, 1 + b % 16, c % 3), "copies.yaml"));
          break;
        case 1:  // maps nested around references: up to 32 levels of up to 128 maps
          exercise(rig::load_yaml(nested_refs(1 + a % 32, b % 129), "nested.yaml"));
          break;
        case 2: {  // a long override key, then a value nested in lists
          std::string key = "k";
          for (int i = 1; i < a * 256 + b; ++i) key += ".k";
          rig::Node cfg = rig::Node::map();
          rig::apply_overrides(cfg, std::vector{rig::parse_override("+" + key + "=" + std::string(c, '[') +
                                                                        std::string(c, ']'),
                                                                    1)});
          exercise(cfg);
          break;
        }
        case 3: {  // a deep tree through the API, merged and compared
          // Up to 4,095 levels, 16 times the default limit (trees of a million levels are the unit tests' to build).
          rig::Node t = deep_tree(a * 16 + b % 16, c & 1);
          rig::Node u = deep_tree(a * 16 + b % 16, c & 1);
          try {
            t.merge(u);
          } catch (const rig::Error&) {
          }
          try {
            (void)(t == u);
          } catch (const rig::Error&) {
          }
          exercise(t);
          break;
        }
        case 4: {  // a tree just around the depth limit, through YAML
          int depth = 240 + a % 40;
          std::string text = "a: " + std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']');
          exercise(rig::load_yaml(text, "flow.yaml"));
          break;
        }
        default: {  // the rest of the input as YAML after a generated prefix
          std::string text = copies(a % 12, 1 + b % 6, c % 3);
          text.append(reinterpret_cast<const char*>(data + p.pos), size - p.pos);
          p.pos = size;
          exercise(rig::load_yaml(text, "mixed.yaml"));
          break;
        }
      }
    } catch (const rig::Error&) {
    }
  }
  return 0;
}
