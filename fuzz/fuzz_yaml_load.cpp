// Any bytes: rig either loads them or throws a located rig::Error. Never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rig/yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto docs = rig::load_yaml_all(text, "fuzz.yaml");
    for (const auto& d : docs) (void)d.node_count();
  } catch (const rig::Error& e) {
    if (!e.origin().known()) __builtin_trap();  // every load error names where
  }
  return 0;
}
