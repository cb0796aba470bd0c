// Any bytes as a safetensors file: the header reader either accepts them, with every tensor's byte range inside the
// file and no two overlapping, or throws a located rig::Error. Never a crash, a hang or another exception.
// Built from torch/src/safetensors_plain.cpp alone (no LibTorch in the fuzz build).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rig/error.hpp"
#include "rig/torch/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto h = rig::torch::safetensors::parse_header(bytes, size, "fuzz.safetensors");
    uint64_t last_end = 0;
    for (const auto& t : h.tensors) {
      if (t.begin < last_end || t.end < t.begin || h.data_start + t.end > size) __builtin_trap();
      if (static_cast<uint64_t>(t.numel()) * rig::torch::safetensors::dtype_size(t.dtype) != t.end - t.begin)
        __builtin_trap();
      last_end = t.end;
    }
  } catch (const rig::Error& e) {
    if (!e.origin().known()) __builtin_trap();  // every error names where
  }
  return 0;
}
