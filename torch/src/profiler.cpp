// The training-step profiler: LibTorch's legacy autograd profiler, a wait/warmup/active schedule, a Chrome trace and
// a per-op summary written by rig (so that names are JSON-escaped and the table is sorted by self time).
#include "rig/torch/profiler.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <ATen/record_function.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "rig/error.hpp"
#include "rig/registry.hpp"

namespace rig::torch {
namespace legacy = ::torch::autograd::profiler;
namespace fs = std::filesystem;

namespace {

// One op's call: a matched push/pop pair of the legacy profiler, in microseconds from the first event.
struct Span {
  std::string name;
  uint64_t thread = 0;
  double start_us = 0, duration_us = 0, self_us = 0;
};

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

// Pairs each thread's push and pop events (LIFO: record functions nest) into spans with their self time.
std::vector<Span> spans_of(const legacy::thread_event_lists& lists) {
  double origin = -1;
  for (const auto& events : lists)
    for (const auto& e : events)
      if (e.kind() == legacy::EventKind::PushRange && (origin < 0 || e.cpuUs() < origin)) origin = e.cpuUs();
  std::vector<Span> spans;
  for (const auto& events : lists) {
    struct Open { const legacy::LegacyEvent* push; double children_us; };
    std::vector<Open> stack;
    for (const auto& e : events) {
      if (e.kind() == legacy::EventKind::PushRange) {
        stack.push_back({&e, 0});
      } else if (e.kind() == legacy::EventKind::PopRange && !stack.empty()) {
        // A pop closes the innermost open range with its handle (ranges of one thread nest).
        auto it = std::find_if(stack.rbegin(), stack.rend(), [&](const Open& o) { return o.push->handle() == e.handle(); });
        if (it == stack.rend()) continue;
        Open open = *it;
        stack.erase(std::next(it).base(), stack.end());
        const double duration = open.push->cpuElapsedUs(e);
        spans.push_back({open.push->name(), open.push->threadId(), open.push->cpuUs() - origin, duration,
                         duration - open.children_us});
        if (!stack.empty()) stack.back().children_us += duration;
      }
    }
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start_us < b.start_us; });
  return spans;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw IoError("rig.io.write", "cannot write '" + path.string() + "'", {}, "profiler.dir");
}

// Chrome's trace event format (the JSON object form): complete ("X") events, microseconds.
std::string chrome_trace(const std::vector<Span>& spans) {
  std::string out = "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [";
  const int pid = static_cast<int>(::getpid());
  for (size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    const bool step = s.name.starts_with("ProfilerStep#");
    out += fmt::format("{}\n{{\"name\": {}, \"cat\": \"{}\", \"ph\": \"X\", \"ts\": {:.3f}, \"dur\": {:.3f}, "
                       "\"pid\": {}, \"tid\": {}}}",
                       i ? "," : "", json_string(s.name), step ? "user_annotation" : "cpu_op", s.start_us,
                       s.duration_us, pid, s.thread);
  }
  return out + "\n]}\n";
}

// Per op: calls, self and total CPU time, sorted by self time (the step ranges are left out: they hold everything).
std::string summary_table(const std::vector<Span>& spans, int64_t row_limit) {
  struct Row { int64_t calls = 0; double self_us = 0, total_us = 0; };
  std::map<std::string, Row> by_name;
  double all_self = 0;
  for (const Span& s : spans) {
    if (s.name.starts_with("ProfilerStep#")) continue;
    Row& r = by_name[s.name];
    ++r.calls, r.self_us += s.self_us, r.total_us += s.duration_us;
    all_self += s.self_us;
  }
  std::vector<std::pair<std::string, Row>> rows(by_name.begin(), by_name.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
  if (row_limit > 0 && static_cast<int64_t>(rows.size()) > row_limit) rows.resize(static_cast<size_t>(row_limit));
  size_t width = 4;
  for (const auto& [name, row] : rows) width = std::max(width, name.size());
  std::string out = fmt::format("{:<{}}  {:>8}  {:>14}  {:>7}  {:>14}  {:>12}\n", "Name", width, "Calls", "Self CPU (us)",
                                "Self %", "CPU total (us)", "CPU avg (us)");
  for (const auto& [name, row] : rows)
    out += fmt::format("{:<{}}  {:>8}  {:>14.1f}  {:>6.2f}%  {:>14.1f}  {:>12.2f}\n", name, width, row.calls, row.self_us,
                       all_self > 0 ? 100 * row.self_us / all_self : 0.0, row.total_us,
                       row.total_us / static_cast<double>(row.calls));
  out += fmt::format("Self CPU time total: {:.1f} us\n", all_self);
  return out;
}

}  // namespace

struct Profiler::State {
  enum class Phase { off, warmup, active, done } phase = Phase::off;
  std::unique_ptr<at::RecordFunction> step_range;  // ProfilerStep#N while active
  std::string unrun_step;                           // stop(): the range opened for a step that never ran
};

Profiler::Profiler(ProfilerOptions options) : options_(std::move(options)), state_(std::make_unique<State>()) {}
Profiler::~Profiler() {
  if (!state_ || state_->phase == State::Phase::off || state_->phase == State::Phase::done) return;
  state_->step_range.reset();
  try {
    (void)legacy::disableProfilerLegacy();
  } catch (...) {  // a destructor: the profile of an interrupted loop is dropped
  }
}
Profiler::Profiler(Profiler&&) noexcept = default;
Profiler& Profiler::operator=(Profiler&&) noexcept = default;

void Profiler::start() {
  if (!options_.enabled) return;
  steps_ = 0;
  enter_phase();
}

void Profiler::step() {
  if (!options_.enabled) return;
  ++steps_;
  enter_phase();
}

void Profiler::stop() {
  if (!options_.enabled || state_->phase == State::Phase::off || state_->phase == State::Phase::done) return;
  // The step range step() opened for a step that will not run is left out; whatever was recorded is the profile.
  state_->unrun_step = fmt::format("ProfilerStep#{}", steps_);
  steps_ = options_.wait + options_.warmup + options_.active;
  enter_phase();
}

// Moves into the phase of step steps_ (0-based), switching the profiler and writing the files on the way.
void Profiler::enter_phase() {
  using Phase = State::Phase;
  const int64_t warmup_from = options_.wait, active_from = warmup_from + options_.warmup,
                done_from = active_from + options_.active;
  const Phase next = steps_ < warmup_from ? Phase::off
                     : steps_ < active_from ? Phase::warmup
                     : steps_ < done_from   ? Phase::active
                                            : Phase::done;
  Phase& now = state_->phase;
  state_->step_range.reset();  // the step that just ended
  if (now == Phase::warmup && next != Phase::warmup) (void)legacy::disableProfilerLegacy();  // discarded
  if (now == Phase::active && next != Phase::active) {
    legacy::thread_event_lists lists = legacy::disableProfilerLegacy();
    std::vector<Span> spans = spans_of(lists);
    std::erase_if(spans, [&](const Span& s) { return s.name == state_->unrun_step; });
    const fs::path dir = options_.dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw IoError("rig.io.write", "cannot create '" + dir.string() + "': " + ec.message(), {}, "profiler.dir");
    write_file(dir / "trace.json", chrome_trace(spans));
    write_file(dir / "summary.txt", summary_table(spans, options_.row_limit));
    trace_path_ = (dir / "trace.json").string();
  }
  if (next == Phase::warmup && now != Phase::warmup)
    legacy::enableProfilerLegacy(::torch::profiler::impl::ProfilerConfig(::torch::profiler::impl::ProfilerState::CPU));
  if (next == Phase::active) {
    if (now != Phase::active)
      legacy::enableProfilerLegacy(::torch::profiler::impl::ProfilerConfig(::torch::profiler::impl::ProfilerState::CPU));
    state_->step_range = std::make_unique<at::RecordFunction>(at::RecordScope::USER_SCOPE);
    if (state_->step_range->isActive()) state_->step_range->before(fmt::format("ProfilerStep#{}", steps_));
  }
  now = next;
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::Profiler, rig::options<rig::torch::ProfilerOptions>,
              rig::doc("LibTorch's profiler on a wait/warmup/active step schedule: Chrome trace and per-op summary"));
