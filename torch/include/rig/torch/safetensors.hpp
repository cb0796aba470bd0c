// rig/torch/safetensors.hpp — the safetensors file format (Hugging Face): read by memory-mapping, write atomically.
//
//   rig::torch::safetensors::File f("model.safetensors");          // mmap + header parsed and validated
//   for (const auto& t : f.tensors()) { t.name; t.dtype; t.shape; f.data(t); }   // bytes of one tensor, in place
//
// A safetensors file is an 8-byte little-endian header length N, N bytes of JSON ({"name": {"dtype": "F32",
// "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}), then the tensors' bytes; offsets
// are relative to the end of the header. parse_header validates everything before any tensor is touched: the header
// length against the file size, the JSON (rig's own JSON loader), each entry's dtype, shape and offsets (in range,
// exactly dtype size x element count, no two tensors overlapping). Every problem is a rig::Error located in the header
// (file:1:col, with the tensor name as key path): rig.torch.safetensors.{truncated, header, dtype, shape, offsets,
// overlap}.
//
// No LibTorch here: the fuzz target (fuzz/fuzz_safetensors_header.cpp) links this alone.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rig/origin.hpp"

namespace rig::torch::safetensors {

// The dtypes of the format; rig loads F32, F16 and BF16 into models (hf.hpp), the rest are parsed but refused there.
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, F8_E4M3, F8_E5M2 };
// "F32" -> DType::F32; false for a name the format does not define.
bool parse_dtype(std::string_view name, DType& out);
std::string_view dtype_name(DType dtype);
size_t dtype_size(DType dtype);

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets relative to the data section
  Origin origin;                // the tensor's entry in the header
  int64_t numel() const;
};

struct Header {
  std::vector<TensorInfo> tensors;  // in file order of their data
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // 8 + header length
};

// Parses and validates the first bytes of a safetensors file of `file_size` bytes: `prefix` holds at least the first
// min(file_size, 8 + header length) bytes (all of them is fine). `name` labels errors.
Header parse_header(std::string_view prefix, uint64_t file_size, const std::string& name);

// A read-only memory map of a whole file (empty files are allowed).
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }
  // Tells the kernel these pages are no longer needed (they leave the process's resident set).
  void release(size_t offset, size_t length) const;

 private:
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
};

// One safetensors file, mapped and validated.
class File {
 public:
  explicit File(const std::filesystem::path& path);
  const std::filesystem::path& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return header_.tensors; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
  const TensorInfo* find(std::string_view name) const;
  const unsigned char* data(const TensorInfo& t) const { return map_.data() + header_.data_start + t.begin; }
  // Drops the mapped pages of t's bytes [from, from + length) (all of them by default) from the resident set.
  void release(const TensorInfo& t, size_t from = 0, size_t length = SIZE_MAX) const {
    map_.release(header_.data_start + t.begin + from, std::min<size_t>(length, t.end - t.begin - from));
  }

 private:
  std::filesystem::path path_;
  MappedFile map_;
  Header header_;
};

// A tensor to write: its bytes (little-endian, row-major) are not copied.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  size_t bytes = 0;
};

// Writes a safetensors file (tensors in the given order, the header padded with spaces to a multiple of 8 bytes)
// to a temporary file then renames it over `path`.
void write(const std::filesystem::path& path, const std::vector<TensorView>& tensors,
           const std::map<std::string, std::string>& metadata = {});

}  // namespace rig::torch::safetensors
