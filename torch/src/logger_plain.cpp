// Metric loggers. No LibTorch here: this TU skips the torch PCH.
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "rig/config.hpp"
#include "rig/console.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/registry.hpp"
#include "rig/runs.hpp"
#include "rig/yaml.hpp"
#include "rig/torch/logger.hpp"

namespace rig::torch {
namespace {

// Metrics files: the shortest text that reads back as the same double (fmt's `{}`), with a fraction or exponent so
// that JSON readers keep it a float: 12345678.0, -0.0, 0.1, 1e+21 (Python's repr but for the exponent's sign).
std::string exact_value(double v) {
  std::string text = fmt::format("{}", v);
  if (std::isfinite(v) && text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string json_number(double v) { return std::isfinite(v) ? exact_value(v) : "null"; }

// The console: enough digits to read.
std::string shown_value(double v) { return fmt::format("{:.5g}", v); }

std::string format_duration(double seconds) {
  long s = std::lround(seconds);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

std::ofstream open_output(const std::string& path, const char* field) {
  std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::app);
  if (!out) throw IoError("rig.io.write", "cannot open '" + path + "' for writing", {}, field);
  return out;
}

}  // namespace

double wall_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

bool is_training_only(const Metrics& metrics) {
  for (const auto& [name, value] : metrics)
    if (name != "loss" && name != "lr" && name != "grad_norm" && name != "tokens") return false;
  return true;
}

// A CSV field per RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// stdout's terminal is the console's, also while the run directory's stdout.log takes a copy (rig/console.hpp).
int fd_of(std::FILE* out) { return out == stdout ? rig::console_fd() : fileno(out); }

}  // namespace

int terminal_columns(std::FILE* out) {
  winsize size{};
  if (ioctl(fd_of(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0 && n < 100000) return static_cast<int>(n);
  }
  return 80;
}

ConsoleLogger::ConsoleLogger(ConsoleLoggerOptions options, std::FILE* out)
    : options_(options), out_(out),
      tty_(options.progress_bar && isatty(fd_of(out)) != 0 && std::getenv("RIG_SWEEP_DIR") == nullptr),
      start_(std::chrono::steady_clock::now()) {}

std::string ConsoleLogger::progress_line(int64_t step, const Metrics& metrics, double rate, int columns) const {
  const size_t room = static_cast<size_t>(std::max(columns - 1, 1));
  const int64_t total = options_.total_steps;
  std::string counter = total > 0 ? fmt::format("{}/{}", step, total) : fmt::format("step {}", step);
  std::string speed = fmt::format(" {:.1f} it/s", rate);
  if (total > 0 && rate > 0) speed += " eta " + format_duration(static_cast<double>(total - step) / rate);
  std::string values;
  for (const auto& [name, value] : metrics) {
    std::string item = " " + name + "=" + shown_value(value);
    if (counter.size() + values.size() + item.size() + speed.size() > room) break;  // the metrics that fit, in order
    values += item;
  }
  std::string text = counter + values + speed;
  if (text.size() > room) text = counter + values;
  if (text.size() > room) text.resize(room);
  // The bar takes what is left, when that is at least 10 columns: "[####......] ".
  constexpr size_t kMinBar = 10, kMaxBar = 30;
  if (total > 0 && text.size() + kMinBar + 3 <= room) {
    size_t width = std::min(kMaxBar, room - text.size() - 3);
    auto filled = static_cast<size_t>(static_cast<double>(width) * static_cast<double>(std::min(step, total)) /
                                      static_cast<double>(total));
    text = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " + text;
  }
  return text;
}

void ConsoleLogger::log(int64_t step, const Metrics& metrics) {
  auto now = std::chrono::steady_clock::now();
  if (first_step_ < 0) first_step_ = step, start_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double rate = step > first_step_ && elapsed > 0 ? static_cast<double>(step - first_step_) / elapsed : 0;
  bool training = is_training_only(metrics);

  if (tty_ && training) {
    bool last = options_.total_steps > 0 && step >= options_.total_steps;
    if (bar_open_ && !last && std::chrono::duration<double>(now - last_draw_).count() * options_.max_redraws_per_second < 1)
      return;
    last_draw_ = now;
    std::string line = progress_line(step, metrics, rate, terminal_columns(out_));
    std::fprintf(out_, "\r%s\033[K", line.c_str());
    bar_open_ = true;
    std::fflush(out_);
    return;
  }
  if (training && options_.every_n_steps > 1 && step % options_.every_n_steps != 0 && step != options_.total_steps)
    return;
  std::string line = fmt::format("step {}", step);
  for (const auto& [name, value] : metrics) line += " " + name + "=" + shown_value(value);
  if (training) line += fmt::format(" it/s={:.1f}", rate);
  if (bar_open_) std::fputc('\n', out_), bar_open_ = false;
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void ConsoleLogger::flush() {
  if (bar_open_) std::fputc('\n', out_), bar_open_ = false;
  std::fflush(out_);
}

JSONLLogger::JSONLLogger(JSONLLoggerOptions options) : out_(open_output(options.path, "path")) {}

void JSONLLogger::log(int64_t step, const Metrics& metrics) {
  std::string line = fmt::format("{{\"{}\":{},\"{}\":{}", kMetricsStepKey, step, kMetricsWallTimeKey,
                                 exact_value(wall_time()));
  for (const auto& [name, value] : metrics) {
    auto key = std::find_if(keys_.begin(), keys_.end(), [&](const auto& k) { return k.first == name; });
    if (key == keys_.end()) key = keys_.insert(keys_.end(), {name, dump_json(Node(name), -1)});
    line += ',';
    line += key->second;
    line += ':';
    line += json_number(value);
  }
  line += "}\n";
  out_ << line;
}

void JSONLLogger::flush() { out_.flush(); }

CSVLogger::CSVLogger(CSVLoggerOptions options) {
  std::error_code ec;
  bool fresh = std::filesystem::file_size(options.path, ec) == 0 || ec;  // a resumed run appends
  out_ = open_output(options.path, "path");
  if (fresh) out_ << kMetricsStepKey << ',' << kMetricsWallTimeKey << ",metric,value\n";
}

void CSVLogger::log(int64_t step, const Metrics& metrics) {
  const std::string time = exact_value(wall_time());
  for (const auto& [name, value] : metrics) out_ << step << ',' << time << ',' << csv_field(name) << ',' << exact_value(value) << '\n';
}

void CSVLogger::flush() { out_.flush(); }

void MultiLogger::log(int64_t step, const Metrics& metrics) {
  for (auto& l : loggers_) l->log(step, metrics);
}

void MultiLogger::flush() {
  for (auto& l : loggers_) l->flush();
}

MultiLogger make_loggers(const rig::Config& loggers) {
  MultiLogger logger;
  for (size_t i = 0; i < loggers.node().size(); ++i)
    logger.add(rig::instantiate<std::shared_ptr<MetricLogger>>(loggers[i]));
  return logger;
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::ConsoleLogger, rig::options<rig::torch::ConsoleLoggerOptions>,
              rig::interfaces<rig::torch::MetricLogger>, rig::doc("Progress bar fitted to the terminal, plain lines otherwise"));
RIG_COMPONENT(rig::torch::JSONLLogger, rig::options<rig::torch::JSONLLoggerOptions>,
              rig::interfaces<rig::torch::MetricLogger>, rig::doc("One JSON object per log call: step, wall_time, the metrics"));
RIG_COMPONENT(rig::torch::CSVLogger, rig::options<rig::torch::CSVLoggerOptions>,
              rig::interfaces<rig::torch::MetricLogger>, rig::doc("step,wall_time,metric,value rows"));
