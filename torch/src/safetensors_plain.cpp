// safetensors: header parsing and validation, memory-mapped reading, atomic writing. No LibTorch.
#include "rig/torch/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include "rig/error.hpp"
#include "rig/yaml.hpp"

namespace rig::torch::safetensors {
namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;
};
constexpr std::array<DTypeInfo, 12> kDTypes = {{{DType::F64, "F64", 8},
                                               {DType::F32, "F32", 4},
                                               {DType::F16, "F16", 2},
                                               {DType::BF16, "BF16", 2},
                                               {DType::I64, "I64", 8},
                                               {DType::I32, "I32", 4},
                                               {DType::I16, "I16", 2},
                                               {DType::I8, "I8", 1},
                                               {DType::U8, "U8", 1},
                                               {DType::BOOL, "BOOL", 1},
                                               {DType::F8_E4M3, "F8_E4M3", 1},
                                               {DType::F8_E5M2, "F8_E5M2", 1}}};

// The largest header the reader accepts (the format's own reference implementation allows 100 MB).
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

[[noreturn]] void fail(const char* id, std::string message, Origin at, std::string key = {}, std::string hint = {}) {
  throw Error(id, std::move(message), std::move(at), std::move(key), std::move(hint));
}

std::string dtype_list() {
  std::string s;
  for (const auto& d : kDTypes) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

}  // namespace

bool parse_dtype(std::string_view name, DType& out) {
  for (const auto& d : kDTypes)
    if (d.name == name) {
      out = d.dtype;
      return true;
    }
  return false;
}

std::string_view dtype_name(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.name;
  return "?";
}

size_t dtype_size(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.size;
  return 0;
}

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Header parse_header(std::string_view prefix, uint64_t file_size, const std::string& name) {
  Origin file_origin{Source::make(name)};
  if (file_size < 8 || prefix.size() < 8)
    fail("rig.torch.safetensors.truncated",
         "'" + name + "' is " + std::to_string(file_size) + " bytes: too short for a safetensors file (an 8-byte "
             "header length, then the header)",
         file_origin);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(prefix[static_cast<size_t>(i)]);
  if (n > file_size - 8)
    fail("rig.torch.safetensors.truncated",
         "the header of '" + name + "' claims " + std::to_string(n) + " bytes but the file has only " +
             std::to_string(file_size - 8) + " after the length field",
         file_origin, {}, "the file is truncated or not a safetensors file");
  if (n > kMaxHeaderBytes)
    fail("rig.torch.safetensors.header",
         "the header of '" + name + "' is " + std::to_string(n) + " bytes (more than the " +
             std::to_string(kMaxHeaderBytes) + " this reader accepts)",
         file_origin);
  if (prefix.size() < 8 + n)
    fail("rig.torch.safetensors.truncated", "only " + std::to_string(prefix.size()) + " bytes of '" + name +
                                                "' were given for a header ending at byte " + std::to_string(8 + n),
         file_origin);
  std::string_view text = prefix.substr(8, static_cast<size_t>(n));
  // Trailing spaces pad the header to an alignment; strict JSON allows them.
  Node root;
  try {
    root = load_json(text, name);
  } catch (Error& e) {
    throw Error("rig.torch.safetensors.header", "the header of '" + name + "' is not valid JSON: " + e.message(),
                e.origin());
  }
  if (!root.is_map())
    fail("rig.torch.safetensors.header", "the header of '" + name + "' must be a JSON object", root.origin());

  Header header;
  header.data_start = 8 + n;
  const uint64_t data_size = file_size - header.data_start;
  for (const auto& entry : root.entries()) {
    const Node& v = entry.value;
    if (entry.key == "__metadata__") {
      if (!v.is_map())
        fail("rig.torch.safetensors.header", "__metadata__ must be an object of strings", v.origin(), entry.key);
      for (const auto& m : v.entries()) {
        if (!m.value.is_string())
          fail("rig.torch.safetensors.header", "__metadata__ values must be strings", m.value.origin(),
               "__metadata__." + m.key);
        header.metadata[m.key] = m.value.str();
      }
      continue;
    }
    TensorInfo t;
    t.name = entry.key;
    t.origin = v.origin().known() ? v.origin() : entry.key_origin;
    if (!v.is_map())
      fail("rig.torch.safetensors.header", "tensor '" + t.name + "': expected an object with dtype, shape and "
                                           "data_offsets",
           t.origin, t.name);
    const Node* dtype = v.find("dtype");
    const Node* shape = v.find("shape");
    const Node* offsets = v.find("data_offsets");
    if (!dtype || !shape || !offsets)
      fail("rig.torch.safetensors.header",
           "tensor '" + t.name + "' lacks " + (!dtype ? "dtype" : !shape ? "shape" : "data_offsets"), t.origin,
           t.name);
    if (!dtype->is_string() || !parse_dtype(dtype->str(), t.dtype))
      fail("rig.torch.safetensors.dtype",
           "tensor '" + t.name + "' has dtype " + (dtype->is_string() ? "'" + dtype->str() + "'" : "of a wrong kind") +
               ", which the safetensors format does not define",
           dtype->origin(), t.name + ".dtype", "one of " + dtype_list());
    if (!shape->is_list())
      fail("rig.torch.safetensors.shape", "tensor '" + t.name + "': shape must be a list of integers",
           shape->origin(), t.name + ".shape");
    uint64_t numel = 1;
    bool overflow = false;
    for (const Node& d : shape->elements()) {
      if (!d.is_int() || d.int_value() < 0)
        fail("rig.torch.safetensors.shape", "tensor '" + t.name + "': shape entries must be non-negative integers",
             d.origin(), t.name + ".shape");
      uint64_t dim = static_cast<uint64_t>(d.int_value());
      if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim) overflow = true;
      numel *= dim;
      t.shape.push_back(d.int_value());
    }
    if (!offsets->is_list() || offsets->size() != 2 || !(*offsets)[0].is_int() || !(*offsets)[1].is_int() ||
        (*offsets)[0].int_value() < 0 || (*offsets)[1].int_value() < (*offsets)[0].int_value())
      fail("rig.torch.safetensors.offsets",
           "tensor '" + t.name + "': data_offsets must be [begin, end] with 0 <= begin <= end", offsets->origin(),
           t.name + ".data_offsets");
    t.begin = static_cast<uint64_t>((*offsets)[0].int_value());
    t.end = static_cast<uint64_t>((*offsets)[1].int_value());
    uint64_t size = dtype_size(t.dtype);
    if (overflow || numel > std::numeric_limits<uint64_t>::max() / size || numel * size != t.end - t.begin)
      fail("rig.torch.safetensors.offsets",
           "tensor '" + t.name + "': data_offsets span " + std::to_string(t.end - t.begin) + " bytes but " +
               std::string(dtype_name(t.dtype)) + " x " + std::to_string(t.shape.size()) + "-d shape needs " +
               (overflow ? std::string("more than 2^64") : std::to_string(numel * size)),
           offsets->origin(), t.name + ".data_offsets");
    if (t.end > data_size)
      fail("rig.torch.safetensors.truncated",
           "tensor '" + t.name + "' ends at byte " + std::to_string(t.end) + " of the data section, which has only " +
               std::to_string(data_size) + " bytes",
           offsets->origin(), t.name + ".data_offsets", "the file is truncated");
    header.tensors.push_back(std::move(t));
  }
  std::sort(header.tensors.begin(), header.tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  for (size_t i = 1; i < header.tensors.size(); ++i) {
    const TensorInfo& a = header.tensors[i - 1];
    const TensorInfo& b = header.tensors[i];
    if (b.begin < a.end) {
      Error e("rig.torch.safetensors.overlap",
              "tensors '" + a.name + "' [" + std::to_string(a.begin) + ", " + std::to_string(a.end) + ") and '" +
                  b.name + "' [" + std::to_string(b.begin) + ", " + std::to_string(b.end) + ") overlap",
              b.origin, b.name + ".data_offsets");
      e.add_note(a.origin, "'" + a.name + "' is here");
      throw e;
    }
  }
  return header;
}

MappedFile::MappedFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("rig.io.read", "cannot open '" + path.string() + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw IoError("rig.io.read", "cannot stat '" + path.string() + "': " + std::strerror(err));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw IoError("rig.io.read", "cannot map '" + path.string() + "': " + std::strerror(err));
    }
    data_ = static_cast<const unsigned char*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
}

void MappedFile::release(size_t offset, size_t length) const {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t begin = (offset + page - 1) / page * page, end = (offset + length) / page * page;
  if (data_ && end > begin) ::madvise(const_cast<unsigned char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

File::File(const std::filesystem::path& path) : path_(path), map_(path) {
  header_ = parse_header(std::string_view(reinterpret_cast<const char*>(map_.data()), map_.size()), map_.size(),
                         path.string());
}

const TensorInfo* File::find(std::string_view name) const {
  for (const auto& t : header_.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

namespace {
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}
}  // namespace

void write(const std::filesystem::path& path, const std::vector<TensorView>& tensors,
           const std::map<std::string, std::string>& metadata) {
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      header += (first ? "" : ",") + json_string(k) + ":" + json_string(v);
      first = false;
    }
    header += "}";
  }
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (header.size() > 1) header += ",";
    header += json_string(t.name) + ":{\"dtype\":\"" + std::string(dtype_name(t.dtype)) + "\",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i) header += (i ? "," : "") + std::to_string(t.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + t.bytes) + "]}";
    offset += t.bytes;
  }
  header += "}";
  while ((header.size() + 8) % 8 != 0) header += ' ';
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw IoError("rig.io.write", "cannot create '" + tmp.string() + "': " + std::strerror(errno));
  bool ok = true;
  unsigned char len[8];
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  ok = ok && std::fwrite(len, 1, 8, f) == 8;
  ok = ok && std::fwrite(header.data(), 1, header.size(), f) == header.size();
  for (const auto& t : tensors) ok = ok && (t.bytes == 0 || std::fwrite(t.data, 1, t.bytes, f) == t.bytes);
  ok = ok && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw IoError("rig.io.write", "cannot write '" + path.string() + "': " + std::strerror(err));
  }
}

}  // namespace rig::torch::safetensors
