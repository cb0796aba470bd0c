// Property: whatever loads, dumps to YAML (and JSON, when finite) that reloads to an equal tree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "rig/yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rig::Node tree;
  try {
    tree = rig::load_yaml(text, "fuzz.yaml");
  } catch (const rig::Error&) {
    return 0;
  }
  std::string dumped = rig::dump_yaml(tree);
  rig::Node back;
  try {
    back = rig::load_yaml(dumped, "dumped.yaml");
  } catch (const rig::Error& e) {
    std::fprintf(stderr, "dump did not reload:\n%s\n%s", dumped.c_str(), rig::format(e).c_str());
    __builtin_trap();
  }
  if (!(back == tree)) {
    std::fprintf(stderr, "dump changed the tree:\n%s", dumped.c_str());
    __builtin_trap();
  }
  try {
    if (!(rig::load_json(rig::dump_json(tree), "dumped.json") == tree)) __builtin_trap();
  } catch (const rig::Error& e) {
    if (e.id() != "rig.json.non_finite") __builtin_trap();
  }
  return 0;
}
