// Any bytes as one override argument: rig parses it and applies it to a small config, or throws a located
// rig::Error. Never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rig/overrides.hpp"
#include "rig/yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const rig::Node base =
      rig::load_yaml("a: {b: [1, {c: 2}], d: x}\nopt: {_component_: A, lr: 1}\nl: [1, 2]\nm: ???\n", "base.yaml");
  std::string_view arg(reinterpret_cast<const char*>(data), size);
  try {
    rig::Override o = rig::parse_override(arg, 1);
    rig::Node cfg = base;
    rig::apply_override(cfg, o);
    (void)cfg.node_count();
  } catch (const rig::Error& e) {
    if (!e.origin().known()) __builtin_trap();  // every override error names where
  }
  return 0;
}
