// rig/torch/logger.hpp — metric loggers (no LibTorch needed).
//
//   rig::torch::MultiLogger log;
//   log.add(std::make_shared<rig::torch::ConsoleLogger>(rig::torch::ConsoleLoggerOptions{.total_steps = 1000}));
//   log.add(std::make_shared<rig::torch::JSONLLogger>(rig::torch::JSONLLoggerOptions{.path = "run/metrics.jsonl"}));
//   log.log(step, {{"loss", 0.31}, {"lr", 1e-3}});
//
//   rig::torch::MultiLogger from_config = rig::torch::make_loggers(config["loggers"]);  // a list of `_component_`s
//
// ConsoleLogger draws a one-line progress bar (bar, step/total, loss, it/s, ETA) fitted to the terminal's width and
// redrawn at most max_redraws_per_second times, when its stream is a terminal; plain lines every every_n_steps steps
// otherwise (a file, a pipe, a sweep job). JSONLLogger writes {"step":N,"wall_time":T,"loss":...} per call; CSVLogger
// long format (step,wall_time,metric,value) so that metrics logged at different steps (training loss, validation
// accuracy) share a file. Both write values in the shortest form that reads back as the same double, and wall_time in
// seconds since the epoch. TensorBoardLogger (tensorboard.hpp) writes TensorBoard event files.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "rig/constraints.hpp"

namespace rig {
class Config;
}  // namespace rig

namespace rig::torch {

using Metrics = std::vector<std::pair<std::string, double>>;

class MetricLogger {
 public:
  virtual ~MetricLogger() = default;
  virtual void log(int64_t step, const Metrics& metrics) = 0;
  virtual void flush() {}
};

struct ConsoleLoggerOptions {
  int64_t total_steps = 0;    // for the progress bar and ETA; 0 when unknown
  int64_t every_n_steps = 100;  // plain-line mode: print every N steps (and every call with non-training metrics)
  bool progress_bar = true;   // draw a bar when the stream is a terminal (never in a sweep job: RIG_SWEEP_DIR)
  double max_redraws_per_second = 10;  // the bar is redrawn at most this often (and at the last step)
  static constexpr auto checks =
      rig::checks(rig::require("total_steps", rig::non_negative()), rig::require("every_n_steps", rig::positive()),
                  rig::require("max_redraws_per_second", rig::positive()));
};
class ConsoleLogger : public MetricLogger {
 public:
  explicit ConsoleLogger(ConsoleLoggerOptions options = {}, std::FILE* out = stdout);
  void log(int64_t step, const Metrics& metrics) override;
  void flush() override;
  bool tty() const { return tty_; }
  // The progress line for `step` fitted to `columns` (at most columns - 1 characters, so that the terminal never
  // wraps it): bar, step/total, metrics, it/s, ETA; what does not fit is left out from the bar inwards.
  std::string progress_line(int64_t step, const Metrics& metrics, double rate, int columns) const;

 private:
  ConsoleLoggerOptions options_;
  std::FILE* out_;
  bool tty_;
  bool bar_open_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  int64_t first_step_ = -1;
};

// Seconds since the epoch (system clock), as every logger records a call's wall time.
double wall_time();

// The width of the terminal `out` writes to (TIOCGWINSZ), else $COLUMNS, else 80.
int terminal_columns(std::FILE* out);

struct JSONLLoggerOptions {
  std::string path = "metrics.jsonl";
  static constexpr auto checks = rig::checks(rig::require("path", rig::non_empty()));
};
class JSONLLogger : public MetricLogger {
 public:
  explicit JSONLLogger(JSONLLoggerOptions options = {});
  void log(int64_t step, const Metrics& metrics) override;
  void flush() override;

 private:
  std::ofstream out_;
  std::vector<std::pair<std::string, std::string>> keys_;  // metric name -> its JSON string, escaped once
};

struct CSVLoggerOptions {
  std::string path = "metrics.csv";
  static constexpr auto checks = rig::checks(rig::require("path", rig::non_empty()));
};
class CSVLogger : public MetricLogger {
 public:
  explicit CSVLogger(CSVLoggerOptions options = {});
  void log(int64_t step, const Metrics& metrics) override;
  void flush() override;

 private:
  std::ofstream out_;
};

// Forwards every call to each of its loggers.
class MultiLogger : public MetricLogger {
 public:
  MultiLogger() = default;
  explicit MultiLogger(std::vector<std::shared_ptr<MetricLogger>> loggers) : loggers_(std::move(loggers)) {}
  void add(std::shared_ptr<MetricLogger> logger) { loggers_.push_back(std::move(logger)); }
  void log(int64_t step, const Metrics& metrics) override;
  void flush() override;

 private:
  std::vector<std::shared_ptr<MetricLogger>> loggers_;
};

// Every logger of a config list (each element a `_component_` node registered as a MetricLogger), behind one
// MultiLogger. Errors are located at the element that names an unknown or unfit component.
MultiLogger make_loggers(const rig::Config& loggers);

}  // namespace rig::torch
