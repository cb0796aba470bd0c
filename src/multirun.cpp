#include "rig/multirun.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "rig/error.hpp"
#include "rig/io.hpp"
#include "rig/runs.hpp"
#include "rig/yaml.hpp"
#include "detail/stop_signals.hpp"

extern char** environ;

namespace rig {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStateNames[] = {"pending", "queued",      "running", "succeeded",
                                            "failed",  "interrupted", "unknown", "pruned"};

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d_%H-%M-%S", &tm);
  return buf;
}

Node string_list(const std::vector<std::string>& items) {
  Node out = Node::list();
  for (const auto& s : items) out.push_back(Node(s));
  return out;
}

// The environment of the current process with `extra` set (replacing variables of the same name).
std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : extra) replaced = replaced || k == name;
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string_view job_state_name(JobState state) { return kStateNames[static_cast<size_t>(state)]; }

std::optional<JobState> job_state_from_name(std::string_view name) {
  for (size_t i = 0; i < std::size(kStateNames); ++i)
    if (kStateNames[i] == name) return static_cast<JobState>(i);
  return std::nullopt;
}

// ---- the directory ----------------------------------------------------------------------------------------------

SweepDir SweepDir::create(const fs::path& root, std::string_view name, SweepPlan plan,
                          std::vector<std::string> command, Node settings) {
  SweepDir d;
  fs::path base = root / std::string(name);
  std::string stamp = utc_timestamp();
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec)
    throw IoError("rig.io.write", fmt::format("cannot create '{}': {}", base.string(), ec.message()),
                  Origin{Source::make(base.string())});
  for (int n = 0;; ++n) {  // a second sweep in the same second gets a suffix
    d.path_ = base / (n == 0 ? stamp : fmt::format("{}-{}", stamp, n));
    if (fs::create_directory(d.path_, ec)) break;
    if (ec)
      throw IoError("rig.io.write", fmt::format("cannot create '{}': {}", d.path_.string(), ec.message()),
                    Origin{Source::make(d.path_.string())});
  }
  d.plan_ = std::move(plan);
  d.command_ = std::move(command);
  d.settings_ = std::move(settings);
  for (size_t j = 0; j < d.plan_.jobs.size(); ++j) fs::create_directory(d.run_dir(j));
  d.head_ = Node::map();
  d.head_.set("name", Node(std::string(name)));
  d.head_.set("command", string_list(d.command_));
  d.head_.set("settings", d.settings_.is_null() ? Node::map() : d.settings_);
  d.write_plan_file();
  return d;
}

void SweepDir::write_plan_file() {
  for (; jobs_in_text_ < plan_.jobs.size(); ++jobs_in_text_) {
    SweepPlan one;
    one.jobs.push_back(plan_.jobs[jobs_in_text_]);
    Node doc = Node::map();
    doc.set("jobs", plan_to_node(one)["jobs"]);
    std::string text = dump_yaml(doc);
    jobs_text_ += text.substr(text.find('\n') + 1);  // the item, without the `jobs:` line
  }
  Node plan = plan_to_node(SweepPlan{plan_.fixed, plan_.axes, {}, {}});
  Node head = head_;
  head.set("fixed", plan["fixed"]);
  head.set("axes", plan["axes"]);
  head.erase("jobs");
  std::string text = dump_yaml(head) + (jobs_text_.empty() ? "jobs: []\n" : "jobs:\n" + jobs_text_);
  // Atomic always; fsync'd when the sweep is created. A search adds its trials one batch at a time, and an fsync per
  // trial (~9 ms on a loaded VM) would dominate short trials: after a power loss (not a crash or kill -9, which leave
  // the page cache to the kernel) the last trials may be missing from sweep.yaml, and resume then refuses their
  // directories (rig.sweep.dir_exists) rather than reuse them.
  write_file_atomic(path_ / "sweep.yaml", text, {.durable = !written_});
  written_ = true;
}

SweepDir SweepDir::open(const fs::path& dir) {
  fs::path file = dir / "sweep.yaml";
  if (!fs::is_regular_file(file))
    throw UsageError("rig.sweep.dir", fmt::format("'{}' is not a sweep directory: it has no sweep.yaml", dir.string()),
                     Origin{Source::make(dir.string())}, {}, "pass multirun/<name>/<timestamp>");
  Node doc = load_yaml_file(file);
  SweepDir d;
  d.path_ = dir;
  d.plan_ = plan_from_node(doc);
  d.command_ = doc.get_or<std::vector<std::string>>("command", {});
  if (const Node* s = doc.find("settings")) d.settings_ = *s;
  d.head_ = doc;
  d.head_.erase("jobs");
  return d;
}

void SweepDir::add_jobs(std::vector<SweepJob> jobs) {
  for (auto& j : jobs) {
    if (j.index != plan_.jobs.size())
      throw UsageError("rig.sweep.plan", fmt::format("job {} added as job {}", j.index, plan_.jobs.size()));
    std::error_code ec;
    // A directory left by a proposal that crashed before sweep.yaml listed it holds no job files: it is taken over.
    bool leftover = fs::is_directory(path_ / j.name, ec) && fs::is_empty(path_ / j.name, ec);
    if (!leftover && !fs::create_directory(path_ / j.name, ec))
      throw UsageError("rig.sweep.dir_exists",
                    fmt::format("cannot create the job directory '{}': {}", (path_ / j.name).string(),
                                ec ? ec.message() : "it exists"),
                    Origin{Source::make((path_ / j.name).string())}, {},
                    "a job directory is never reused: move it away, or start a new sweep");
    plan_.jobs.push_back(std::move(j));
  }
  write_plan_file();
}

fs::path SweepDir::run_dir(size_t job) const { return path_ / plan_.jobs.at(job).name; }

std::vector<std::string> SweepDir::job_argv(size_t job) const {
  std::vector<std::string> argv = command_;
  const auto& o = plan_.jobs.at(job).overrides;
  argv.insert(argv.end(), o.begin(), o.end());
  return argv;
}

std::vector<std::pair<std::string, std::string>> SweepDir::job_environment(size_t job) const {
  return {{"RIG_RUN_DIR", fs::absolute(run_dir(job)).string()},
          {"RIG_SWEEP_DIR", fs::absolute(path_).string()},
          {"RIG_JOB_INDEX", std::to_string(job)}};
}

std::optional<JobStatus> SweepDir::read_status(size_t job) const {
  std::error_code ec;
  for (const char* name : {"status.json", "started.json"}) {  // the final status wins
    fs::path file = run_dir(job) / name;
    if (!fs::is_regular_file(file, ec)) continue;
    Node n = load_json(read_file(file), file.string());
    JobStatus s;
    s.index = job;
    s.state = ended_state(job, job_state_from_name(n.get<std::string>("status")).value_or(JobState::Unknown));
    s.exit_code = n.get_or<int>("exit_code", -1);
    s.start = n.get_or<double>("start", 0);
    s.end = n.get_or<double>("end", 0);
    s.host = n.get_or<std::string>("host", "");
    s.scheduler_id = n.get_or<std::string>("scheduler_id", "");
    return s;
  }
  return std::nullopt;
}

JobState SweepDir::ended_state(size_t job, JobState state) const {
  if (state == JobState::Pending || state == JobState::Queued || state == JobState::Running) return state;
  std::error_code ec;
  return fs::exists(run_dir(job) / kPrunedFile, ec) ? JobState::Pruned : state;
}

void SweepDir::clear_status(size_t job) const {
  std::error_code ec;
  fs::remove(run_dir(job) / "status.json", ec);
  fs::remove(run_dir(job) / "started.json", ec);
}

void SweepDir::write_status(const JobStatus& s) const {
  Node n = Node::map();
  n.set("job", Node(s.index));
  n.set("status", Node(job_state_name(s.state)));
  n.set("exit_code", Node(s.exit_code));
  n.set("start", Node(s.start));
  n.set("end", Node(s.end));
  n.set("host", Node(s.host));
  if (!s.scheduler_id.empty()) n.set("scheduler_id", Node(s.scheduler_id));
  // Atomic for readers (status, collect) but not fsync'd: two fsyncs per job would dominate a sweep of short jobs.
  // Each file is written once per run (never renamed over an existing one: ext4 flushes such a replacement).
  const char* name = s.state == JobState::Running ? "started.json" : "status.json";
  write_file_atomic(run_dir(s.index) / name, dump_json(n, -1) + "\n", {.durable = false});
}

std::vector<JobResult> SweepDir::results(const std::vector<std::optional<JobState>>& scheduler) const {
  std::vector<JobResult> out;
  for (size_t j = 0; j < size(); ++j) {
    JobResult r;
    r.index = j;
    r.name = plan_.jobs[j].name;
    r.swept = plan_.jobs[j].swept;
    std::optional<JobStatus> s = read_status(j);
    if (s) {
      r.state = s->state;
      r.exit_code = s->exit_code;
      r.duration_s = s->end > 0 ? s->end - s->start : (s->start > 0 ? unix_now() - s->start : 0);
    }
    bool final = s && s->state != JobState::Running && s->state != JobState::Queued;
    if (!final && j < scheduler.size() && scheduler[j]) r.state = *scheduler[j];
    fs::path rd = run_dir(j);
    r.metrics = read_final_metrics(rd);
    if (r.state == JobState::Failed || r.state == JobState::Interrupted || r.state == JobState::Unknown) {
      r.log_tail = tail_of_file(rd / "stderr.log");
      if (r.log_tail.empty()) r.log_tail = tail_of_file(rd / "stdout.log");
    }
    out.push_back(std::move(r));
  }
  return out;
}

void SweepDir::write_summary(const std::vector<JobResult>& results) const {
  std::string text;
  for (const auto& r : results) {
    Node n = Node::map();
    n.set("job", Node(r.index));
    n.set("name", Node(r.name));
    n.set("overrides", string_list(r.swept));
    n.set("status", Node(job_state_name(r.state)));
    n.set("exit_code", Node(r.exit_code));
    n.set("duration_s", Node(std::round(r.duration_s * 1000) / 1000));
    n.set("metrics", r.metrics);
    if (!r.log_tail.empty()) n.set("log_tail", Node(r.log_tail));
    try {
      text += dump_json(n, -1);
    } catch (const Error&) {  // a NaN metric: keep the row, drop the metrics
      n.set("metrics", Node());
      text += dump_json(n, -1);
    }
    text += '\n';
  }
  write_file_atomic(path_ / "summary.jsonl", text);
}

// ---- files a job leaves -----------------------------------------------------------------------------------------

Node read_final_metrics(const fs::path& run_dir) {
  std::ifstream in(run_dir / "metrics.jsonl", std::ios::binary);
  if (!in) return Node();
  std::string line, last;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // an unterminated last line may be half-written
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  if (last.empty()) return Node();
  try {
    Node record = load_json(last, (run_dir / "metrics.jsonl").string());
    if (record.is_map()) record.erase(kMetricsWallTimeKey);  // when it was logged: not a metric
    return record;
  } catch (const Error&) {
    return Node();
  }
}

std::string tail_of_file(const fs::path& file, size_t lines) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  auto size = static_cast<std::streamoff>(in.tellg());
  std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t pos = text.size();
  for (size_t n = 0; n < lines && pos != std::string::npos && pos > 0; ++n) pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

std::string metric_text(const Node& value) {
  if (value.is_float()) return fmt::format("{:.6g}", value.float_value());
  if (value.is_string()) return value.str();
  try {
    return dump_json(value, -1);
  } catch (const Error&) {
    return "nan";
  }
}

std::vector<std::string> metric_columns(const std::vector<JobResult>& results) {
  std::vector<std::string> columns;
  for (const auto& r : results)
    for (const auto& e : r.metrics.entries())
      if (std::find(columns.begin(), columns.end(), e.key) == columns.end()) columns.push_back(e.key);
  return columns;
}

std::string format_results_table(const std::vector<JobResult>& results, std::optional<size_t> best) {
  size_t name_w = 4, over_w = 9;
  for (const auto& r : results) {
    size_t over = 0;
    for (const auto& s : r.swept) over += s.size() + 1;
    over_w = std::max(over_w, std::min<size_t>(over, 60));
    name_w = std::max(name_w, std::to_string(r.index).size() + 1);
  }
  // Metrics are columns, one per key any job reported, each as wide as its widest value.
  std::vector<std::string> columns = metric_columns(results);
  std::vector<size_t> widths;
  for (const auto& c : columns) {
    size_t w = c.size();
    for (const auto& r : results)
      if (const Node* v = r.metrics.find(c)) w = std::max(w, metric_text(*v).size());
    widths.push_back(w);
  }
  std::string out = fmt::format("{:>{}}  {:<{}}  {:<11}  {:>9}", "job", name_w, "overrides", over_w, "status",
                                "duration");
  for (size_t c = 0; c < columns.size(); ++c) out += fmt::format("  {:>{}}", columns[c], widths[c]);
  out += "\n";
  std::array<size_t, std::size(kStateNames)> counts{};
  for (const auto& r : results) {
    std::string over;
    for (const auto& s : r.swept) over += (over.empty() ? "" : " ") + s;
    std::string state(job_state_name(r.state));
    if (r.state == JobState::Failed) state += fmt::format("({})", r.exit_code);
    std::string job = (best && *best == r.index ? "*" : "") + std::to_string(r.index);
    out += fmt::format("{:>{}}  {:<{}}  {:<11}  {:>8.2f}s", job, name_w, over, over_w, state, r.duration_s);
    for (size_t c = 0; c < columns.size(); ++c) {
      const Node* v = r.metrics.find(columns[c]);
      out += fmt::format("  {:>{}}", v ? metric_text(*v) : "", widths[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
    if (!r.log_tail.empty()) {
      std::istringstream lines(r.log_tail);
      for (std::string l; std::getline(lines, l);) out += fmt::format("{:>{}}  | {}\n", "", name_w, l);
    }
    ++counts[static_cast<size_t>(r.state)];
  }
  std::string totals;
  for (size_t i = 0; i < counts.size(); ++i)
    if (counts[i]) totals += fmt::format("{}{} {}", totals.empty() ? "" : ", ", counts[i], kStateNames[i]);
  out += fmt::format("{} jobs: {}\n", results.size(), totals);
  if (best) out += fmt::format("best: job {} (marked *)\n", *best);
  return out;
}

// ---- running a job ----------------------------------------------------------------------------------------------

pid_t spawn_job(const SweepDir& dir, size_t job, const std::vector<std::pair<std::string, std::string>>& extra_env,
                double start_time) {
  fs::path rd = dir.run_dir(job);
  std::vector<std::string> argv_s = dir.job_argv(job);
  auto env_pairs = dir.job_environment(job);
  env_pairs.insert(env_pairs.end(), extra_env.begin(), extra_env.end());
  std::vector<std::string> env_s = environment_with(env_pairs);
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string out = (rd / "stdout.log").string(), err = (rd / "stderr.log").string();
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Each job leads its own process group, so a stop request reaches the whole job (a shell and its children), not
  // just its first process.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  int rc = argv_s.empty() ? ENOENT : posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  JobStatus s;
  s.index = job;
  s.start = start_time;
  s.host = hostname();
  dir.clear_status(job);  // a re-run starts over
  if (rc != 0) {
    std::ofstream(err) << fmt::format("rig: cannot start '{}': {}\n", argv_s.empty() ? "" : argv_s[0],
                                      std::strerror(rc));
    return -1;
  }
  s.state = JobState::Running;
  dir.write_status(s);
  return pid;
}

JobStatus finish_job(const SweepDir& dir, size_t job, int wait_status, double start_time, bool interrupted) {
  JobStatus s;
  s.index = job;
  s.start = start_time;
  s.end = unix_now();
  s.host = hostname();
  if (const char* id = std::getenv("SLURM_ARRAY_JOB_ID"))
    s.scheduler_id = fmt::format("{}_{}", id, std::getenv("SLURM_ARRAY_TASK_ID") ? std::getenv("SLURM_ARRAY_TASK_ID") : "");
  if (wait_status < 0) {
    s.exit_code = 127;  // could not start
  } else if (WIFEXITED(wait_status)) {
    s.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    s.exit_code = 128 + WTERMSIG(wait_status);
  }
  // Killed by a stop request (Ctrl-C, scancel, a time limit) rather than failing by itself: interrupted. The job may
  // get the scheduler's SIGTERM before we do, so its own death by SIGTERM counts too.
  bool stopped_by_signal = wait_status >= 0 && WIFSIGNALED(wait_status) &&
                           (WTERMSIG(wait_status) == SIGTERM || WTERMSIG(wait_status) == SIGINT ||
                            WTERMSIG(wait_status) == SIGHUP);
  s.state = interrupted || stopped_by_signal ? JobState::Interrupted
                                             : (s.exit_code == 0 ? JobState::Succeeded : JobState::Failed);
  s.state = dir.ended_state(job, s.state);
  dir.write_status(s);
  return s;
}

int run_job_here(const SweepDir& dir, size_t job) {
  if (job >= dir.size())
    throw UsageError("rig.sweep.job", fmt::format("job {} does not exist: the sweep has {} jobs", job, dir.size()));
  std::vector<std::pair<std::string, std::string>> env;
  if (const char* cpus = std::getenv("SLURM_CPUS_PER_TASK")) env.emplace_back("OMP_NUM_THREADS", cpus);
  // scancel and time limits send SIGTERM: pass it on to the job and record it interrupted.
  detail::StopSignals signals;
  double start = unix_now();
  pid_t pid = spawn_job(dir, job, env, start);
  int status = -1;
  bool forwarded = false;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    if (signals.stopped() && !forwarded) {
      ::kill(-pid, SIGTERM);  // the job's whole process group
      forwarded = true;
    }
  }
  bool interrupted = signals.stopped() && !(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return finish_job(dir, job, status, start, interrupted).exit_code;
}

}  // namespace rig
