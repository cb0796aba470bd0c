// rig/torch/tensorboard.hpp — a metric logger writing TensorBoard event files (no LibTorch needed).
//
//   loggers:
//     - _component_: rig.torch.TensorBoardLogger
//       log_dir: ${run_dir}/tensorboard
//
//   tensorboard --logdir outputs/          # every run under outputs/, one curve per run
//   wandb sync --sync-tensorboard outputs/classify/<run>/tensorboard     # the same files into Weights & Biases
//
// The file is <log_dir>/events.out.tfevents.<unix time>.<host>: TFRecord framing (little-endian length, its masked
// CRC32C, the serialized event, its masked CRC32C) around protobuf Event messages (torch/proto/tensorboard_event.proto,
// serialized by libprotobuf). The first event carries file_version "brain.Event:2"; then one event per log call with
// wall_time, step and a Summary holding each metric as a scalar (simple_value: TensorBoard's scalars are float32).
// Written through a buffer; flushed at most every flush_secs seconds, on flush() and when the logger ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "rig/constraints.hpp"
#include "rig/torch/logger.hpp"

namespace rig::torch {

struct TensorBoardLoggerOptions {
  std::string log_dir = "tensorboard";  // the recipes' configs: ${run_dir}/tensorboard
  double flush_secs = 2;               // a live TensorBoard sees new points this often
  static constexpr auto checks =
      rig::checks(rig::require("log_dir", rig::non_empty()), rig::require("flush_secs", rig::non_negative()));
};

class TensorBoardLogger : public MetricLogger {
 public:
  explicit TensorBoardLogger(TensorBoardLoggerOptions options = {});
  ~TensorBoardLogger() override;
  TensorBoardLogger(const TensorBoardLogger&) = delete;
  TensorBoardLogger& operator=(const TensorBoardLogger&) = delete;
  void log(int64_t step, const Metrics& metrics) override;
  void flush() override;
  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& data);
  TensorBoardLoggerOptions options_;
  std::string path_;
  std::FILE* out_ = nullptr;
  std::chrono::steady_clock::time_point last_flush_;
};

// CRC-32C (Castagnoli) of `data`, and TFRecord's mask of it: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t crc32c(std::string_view data);
uint32_t masked_crc32c(std::string_view data);

}  // namespace rig::torch
