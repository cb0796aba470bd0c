#include "rig/runs.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>

#include "rig/error.hpp"
#include "rig/multirun.hpp"
#include "rig/yaml.hpp"

namespace rig {

namespace fs = std::filesystem;

namespace {

std::optional<Node> load_json_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  try {
    return load_json(read_file(file), file.string());
  } catch (const Error&) {
    return std::nullopt;
  }
}

// "2026-12-06T03:00:00.123Z" -> seconds since the epoch; 0 when it does not parse.
double parse_utc(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return 0;
  double frac = 0;
  if (*rest == '.') frac = std::atof(rest);
  return static_cast<double>(timegm(&tm)) + frac;
}

std::string format_utc(double t) {
  if (t <= 0) return "";
  std::time_t s = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string text_of(const Node& n) {
  if (n.is_string()) return n.str();
  try {
    return dump_json(n, -1);
  } catch (const Error&) {
    return "nan";
  }
}

bool process_alive(int pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

std::string this_host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// A status from an exit code: 0 succeeded; killed by SIGTERM/SIGINT/SIGHUP interrupted; SIGKILL killed; else failed.
std::string status_of_exit(int code) {
  if (code == 0) return "succeeded";
  if (code == 128 + SIGKILL) return "killed";
  if (code == 128 + SIGTERM || code == 128 + SIGINT || code == 128 + SIGHUP) return "interrupted";
  return fmt::format("failed({})", code);
}

void flatten(const Node& n, std::string& path, const std::function<void(const std::string&, const Node&)>& leaf) {
  if (n.is_map() && !n.empty()) {
    for (const auto& e : n.entries()) {
      size_t keep = path.size();
      if (!path.empty()) path += '.';
      path += e.key;
      flatten(e.value, path, leaf);
      path.resize(keep);
    }
  } else if (n.is_list() && !n.empty()) {
    size_t i = 0;
    for (const auto& e : n.elements()) {
      size_t keep = path.size();
      path += fmt::format("[{}]", i++);
      flatten(e, path, leaf);
      path.resize(keep);
    }
  } else {
    leaf(path, n);
  }
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

}  // namespace

bool is_run_dir(const fs::path& dir) {
  std::error_code ec;
  for (const char* f : {"run.json", "started.json", "status.json", "metrics.jsonl"})
    if (fs::is_regular_file(dir / f, ec)) return true;
  return false;
}

RunInfo read_run(const fs::path& dir, const fs::path& relative_to) {
  if (!is_run_dir(dir))
    throw UsageError("rig.runs.dir",
                     fmt::format("'{}' is not a run directory: it has no run.json, status.json or metrics.jsonl",
                                 dir.string()),
                     {}, {}, "give a run directory (outputs/RECIPE/TIME) or a sweep job's directory");
  RunInfo r;
  r.dir = dir;
  std::error_code ec;
  r.label = relative_to.empty() ? dir.string() : fs::relative(dir, relative_to, ec).string();
  if (r.label.empty() || r.label == ".") r.label = dir.filename().string();
  r.status = "unknown";
  if (auto run = load_json_file(dir / "run.json")) {
    r.recipe = run->get_or<std::string>("recipe", "");
    r.own_dir = run->get_or<std::string>("run_dir", "");
    std::string start = run->get_or<std::string>("start_time", "");
    r.start_unix = parse_utc(start);
    r.start = format_utc(r.start_unix);
    const Node* status = run->find("exit_status");
    const Node* end = run->find("end_time");
    if (status && status->is_int()) {
      r.status = status_of_exit(static_cast<int>(status->int_value()));
      if (end && end->is_string()) r.duration_s = parse_utc(end->str()) - r.start_unix;
    } else {
      int pid = run->get_or<int>("pid", 0);
      bool here = run->get_or<std::string>("host", "") == this_host();
      r.status = here && pid > 0 && !process_alive(pid) ? "killed" : (pid > 0 || !here ? "running" : "unknown");
      if (r.status == "running" && r.start_unix > 0) r.duration_s = unix_now() - r.start_unix;
    }
    for (auto& l : read_lines(dir / "overrides.txt")) r.overrides.push_back(l);
  }
  // A sweep job: its status files win (they outlive a recipe killed mid-run), its overrides are in sweep.yaml.
  std::optional<Node> st = load_json_file(dir / "status.json");
  if (!st) st = load_json_file(dir / "started.json");
  if (st) {
    std::string state = st->get_or<std::string>("status", "unknown");
    int code = st->get_or<int>("exit_code", -1);
    double start = st->get_or<double>("start", 0), end = st->get_or<double>("end", 0);
    if (state == "failed" || state == "interrupted") r.status = status_of_exit(code);
    else r.status = state;
    if (r.start_unix <= 0) {
      r.start_unix = start;
      r.start = format_utc(start);
    }
    if (end > 0) r.duration_s = end - start;
    else if (start > 0 && state == "running") r.duration_s = unix_now() - start;
    if (fs::is_regular_file(dir.parent_path() / "sweep.yaml", ec)) {
      try {
        SweepDir sweep = SweepDir::open(dir.parent_path());
        if (r.recipe.empty()) r.recipe = sweep.settings().get_or<std::string>("name", "");
        if (r.recipe.empty() && !sweep.command().empty()) r.recipe = fs::path(sweep.command()[0]).filename().string();
        std::string name = dir.filename().string();
        for (const auto& job : sweep.plan().jobs)
          if (job.name == name && r.overrides.empty()) r.overrides = job.overrides;
      } catch (const Error&) {
      }
    }
  }
  r.metrics = read_final_metrics(dir);
  return r;
}

std::vector<RunInfo> list_runs(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw UsageError("rig.runs.dir", fmt::format("'{}' is not a directory", root.string()), {}, {},
                     "rig runs [DIR]: DIR defaults to outputs/");
  std::vector<RunInfo> out;
  if (is_run_dir(root)) {
    out.push_back(read_run(root, root.parent_path()));
    return out;
  }
  std::vector<fs::path> stack{root};
  while (!stack.empty()) {
    fs::path d = stack.back();
    stack.pop_back();
    std::vector<fs::path> children;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.is_directory(ec) && !e.is_symlink(ec)) children.push_back(e.path());
    for (auto& c : children) {
      if (is_run_dir(c)) out.push_back(read_run(c, root));
      else stack.push_back(c);
    }
  }
  std::sort(out.begin(), out.end(), [](const RunInfo& a, const RunInfo& b) {
    return std::tie(a.start_unix, a.label) < std::tie(b.start_unix, b.label);
  });
  return out;
}

MetricSeries read_metric_series(const fs::path& run_dir) {
  MetricSeries out;
  std::ifstream in(run_dir / "metrics.jsonl", std::ios::binary);
  std::string line;
  size_t position = 0;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // an unterminated last line may be half-written
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Node n;
    try {
      n = load_json(line, "metrics.jsonl");
    } catch (const Error&) {
      continue;
    }
    if (!n.is_map()) continue;
    double x = static_cast<double>(position++);
    if (const Node* step = n.find(kMetricsStepKey); step && (step->is_int() || step->is_float())) x = step->as<double>();
    for (const auto& e : n.entries()) {
      if (e.key == kMetricsStepKey || e.key == kMetricsWallTimeKey || !(e.value.is_int() || e.value.is_float())) continue;
      out[e.key].emplace_back(x, e.value.as<double>());
    }
  }
  return out;
}

Node origin_map(const Node& config) {
  Node out = Node::map();
  std::string path;
  flatten(config, path, [&](const std::string& key, const Node& leaf) {
    if (leaf.origin().known()) out.set(key, Node(leaf.origin().to_string()));
  });
  return out;
}

std::map<std::string, FlatValue> read_flat_config(const fs::path& run_dir) {
  std::map<std::string, FlatValue> out;
  std::error_code ec;
  fs::path file = run_dir / "resolved.yaml";
  if (!fs::is_regular_file(file, ec)) file = run_dir / "config.yaml";
  if (!fs::is_regular_file(file, ec)) return out;
  Node cfg = load_yaml_file(file);
  Node origins = load_json_file(run_dir / "origins.json").value_or(Node::map());
  std::string path;
  flatten(cfg, path, [&](const std::string& key, const Node& leaf) {
    FlatValue v{text_of(leaf), ""};
    if (const Node* o = origins.is_map() ? origins.find(key) : nullptr; o && o->is_string()) v.origin = o->str();
    out[key] = std::move(v);
  });
  return out;
}

std::optional<std::string> run_field(const RunInfo& run, const std::string& key) {
  if (key == "recipe") return run.recipe;
  if (key == "status") return run.status;
  if (key == "start") return run.start;
  if (key == "label" || key == "run") return run.label;
  if (key == "duration") return run.duration_s < 0 ? std::nullopt : std::optional(fmt::format("{}", run.duration_s));
  if (run.metrics.is_map())
    if (const Node* m = run.metrics.find(key)) return text_of(*m);
  for (auto it = run.overrides.rbegin(); it != run.overrides.rend(); ++it) {
    std::string_view o = *it;
    while (o.starts_with('+') || o.starts_with('~')) o.remove_prefix(1);
    if (o.starts_with(key) && o.size() > key.size() && o[key.size()] == '=')
      return std::string(o.substr(key.size() + 1));
  }
  auto cfg = read_flat_config(run.dir);
  if (auto it = cfg.find(key); it != cfg.end()) return it->second.value;
  return std::nullopt;
}

}  // namespace rig
