// TensorBoard event files. No LibTorch here: this TU skips the torch PCH.
#include "rig/torch/tensorboard.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "tensorboard_event.pb.h"

namespace rig::torch {
namespace {

constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  // the reflected Castagnoli polynomial
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = make_crc32c_table();

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// <log_dir>/events.out.tfevents.<unix time>.<host>, created exclusively (a second logger in the same second gets
// .<pid>, then .<pid>.<n>, appended).
std::pair<std::string, std::FILE*> create_event_file(const std::string& log_dir) {
  std::error_code ec;
  std::filesystem::create_directories(log_dir, ec);
  const std::string base = fmt::format("{}/events.out.tfevents.{}.{}", log_dir, std::time(nullptr), host_name());
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string path = attempt == 0 ? base
                       : attempt == 1 ? fmt::format("{}.{}", base, ::getpid())
                                      : fmt::format("{}.{}.{}", base, ::getpid(), attempt);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return {path, ::fdopen(fd, "wb")};
    if (errno != EEXIST)
      throw IoError("rig.io.write", fmt::format("cannot create '{}': {}", path, std::strerror(errno)), {}, "log_dir");
  }
  throw IoError("rig.io.write", fmt::format("cannot create an event file in '{}'", log_dir), {}, "log_dir");
}

}  // namespace

uint32_t crc32c(std::string_view data) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = kCrc32cTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return ~c;
}

uint32_t masked_crc32c(std::string_view data) {
  uint32_t c = crc32c(data);
  return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

TensorBoardLogger::TensorBoardLogger(TensorBoardLoggerOptions options) : options_(std::move(options)) {
  std::tie(path_, out_) = create_event_file(options_.log_dir);
  last_flush_ = std::chrono::steady_clock::now();
  rig::tensorboard::Event first;
  first.set_wall_time(wall_time());
  first.set_file_version("brain.Event:2");
  write_record(first.SerializeAsString());
  flush();
}

TensorBoardLogger::~TensorBoardLogger() {
  if (out_) std::fclose(out_);
}

void TensorBoardLogger::write_record(const std::string& data) {
  // TFRecord: uint64 length, uint32 masked CRC of those 8 bytes, the data, uint32 masked CRC of the data (little-endian).
  char header[12];
  const uint64_t length = data.size();
  for (int i = 0; i < 8; ++i) header[i] = static_cast<char>(length >> (8 * i));
  const uint32_t length_crc = masked_crc32c({header, 8});
  const uint32_t data_crc = masked_crc32c(data);
  for (int i = 0; i < 4; ++i) header[8 + i] = static_cast<char>(length_crc >> (8 * i));
  char footer[4];
  for (int i = 0; i < 4; ++i) footer[i] = static_cast<char>(data_crc >> (8 * i));
  if (std::fwrite(header, 1, sizeof header, out_) != sizeof header || std::fwrite(data.data(), 1, data.size(), out_) != data.size() ||
      std::fwrite(footer, 1, sizeof footer, out_) != sizeof footer)
    throw IoError("rig.io.write", fmt::format("cannot write '{}': {}", path_, std::strerror(errno)), {}, "log_dir");
}

void TensorBoardLogger::log(int64_t step, const Metrics& metrics) {
  rig::tensorboard::Event event;
  event.set_wall_time(wall_time());
  event.set_step(step);
  auto* summary = event.mutable_summary();
  for (const auto& [name, value] : metrics) {
    auto* v = summary->add_value();
    v->set_tag(name);
    v->set_simple_value(static_cast<float>(value));
  }
  write_record(event.SerializeAsString());
  auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_flush_).count() >= options_.flush_secs) flush();
}

void TensorBoardLogger::flush() {
  std::fflush(out_);
  last_flush_ = std::chrono::steady_clock::now();
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::TensorBoardLogger, rig::options<rig::torch::TensorBoardLoggerOptions>,
              rig::interfaces<rig::torch::MetricLogger>,
              rig::doc("TensorBoard event files in log_dir (tensorboard --logdir; wandb sync --sync-tensorboard)"));
