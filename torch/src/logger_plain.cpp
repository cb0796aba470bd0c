// Metric loggers. No LibTorch here: this TU skips the torch PCH.
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "rig/config.hpp"
#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/registry.hpp"
#include "rig/torch/logger.hpp"

namespace rig::torch {
namespace {

std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string json_number(double v) { return std::isfinite(v) ? format_value(v) : "null"; }

std::string format_duration(double seconds) {
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

std::ofstream open_output(const std::string& path, const char* field) {
  std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::app);
  if (!out) throw IoError("rig.io.write", "cannot open '" + path + "' for writing", {}, field);
  return out;
}

bool is_training_only(const Metrics& metrics) {
  for (const auto& [name, value] : metrics)
    if (name != "loss" && name != "lr" && name != "grad_norm") return false;
  return true;
}

}  // namespace

ConsoleLogger::ConsoleLogger(ConsoleLoggerOptions options, std::FILE* out)
    : options_(options), out_(out), tty_(options.progress_bar && isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ConsoleLogger::log(int64_t step, const Metrics& metrics) {
  auto now = std::chrono::steady_clock::now();
  if (first_step_ < 0) first_step_ = step, start_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double rate = step > first_step_ && elapsed > 0 ? static_cast<double>(step - first_step_) / elapsed : 0;
  std::string values;
  for (const auto& [name, value] : metrics) values += " " + name + "=" + format_value(value);
  bool training = is_training_only(metrics);

  if (tty_ && training) {
    std::string bar;
    if (options_.total_steps > 0) {
      constexpr int kWidth = 24;
      int filled = static_cast<int>(kWidth * std::min<int64_t>(step, options_.total_steps) / options_.total_steps);
      bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kWidth - filled), '.') + "] ";
    }
    std::string eta = options_.total_steps > 0 && rate > 0
                          ? " eta " + format_duration(static_cast<double>(options_.total_steps - step) / rate)
                          : "";
    std::fprintf(out_, "\r\033[K%sstep %lld%s%s %.1f it/s%s", bar.c_str(), static_cast<long long>(step),
                 options_.total_steps > 0 ? ("/" + std::to_string(options_.total_steps)).c_str() : "",
                 values.c_str(), rate, eta.c_str());
    bar_open_ = true;
    std::fflush(out_);
    return;
  }
  if (training && options_.every_n_steps > 1 && step % options_.every_n_steps != 0 && step != options_.total_steps)
    return;
  if (bar_open_) std::fputc('\n', out_), bar_open_ = false;
  std::fprintf(out_, "step %lld%s", static_cast<long long>(step), values.c_str());
  if (training) std::fprintf(out_, " it/s=%.1f", rate);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void ConsoleLogger::flush() {
  if (bar_open_) std::fputc('\n', out_), bar_open_ = false;
  std::fflush(out_);
}

JSONLLogger::JSONLLogger(JSONLLoggerOptions options) : out_(open_output(options.path, "path")) {}

void JSONLLogger::log(int64_t step, const Metrics& metrics) {
  out_ << "{\"step\":" << step;
  for (const auto& [name, value] : metrics) {
    out_ << ",\"";
    for (char c : name) {
      if (c == '"' || c == '\\') out_ << '\\';
      out_ << c;
    }
    out_ << "\":" << json_number(value);
  }
  out_ << "}\n";
}

void JSONLLogger::flush() { out_.flush(); }

CSVLogger::CSVLogger(CSVLoggerOptions options) {
  std::error_code ec;
  bool fresh = std::filesystem::file_size(options.path, ec) == 0 || ec;  // a resumed run appends
  out_ = open_output(options.path, "path");
  if (fresh) out_ << "step,metric,value\n";
}

void CSVLogger::log(int64_t step, const Metrics& metrics) {
  for (const auto& [name, value] : metrics) {
    bool quote = name.find_first_of(",\"\n") != std::string::npos;
    std::string cell = name;
    if (quote) {
      cell.clear();
      for (char c : name) cell += c == '"' ? std::string("\"\"") : std::string(1, c);
      cell = "\"" + cell + "\"";
    }
    out_ << step << ',' << cell << ',' << format_value(value) << '\n';
  }
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
              rig::interfaces<rig::torch::MetricLogger>, rig::doc("Progress bar on a TTY, plain lines otherwise"));
RIG_COMPONENT(rig::torch::JSONLLogger, rig::options<rig::torch::JSONLLoggerOptions>,
              rig::interfaces<rig::torch::MetricLogger>, rig::doc("One JSON object per log call"));
RIG_COMPONENT(rig::torch::CSVLogger, rig::options<rig::torch::CSVLoggerOptions>,
              rig::interfaces<rig::torch::MetricLogger>, rig::doc("step,metric,value rows"));
