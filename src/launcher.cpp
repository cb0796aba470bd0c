#include "rig/launcher.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <cstdio>
#include <map>
#include <ostream>
#include <sstream>
#include <thread>

#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/io.hpp"
#include "rig/registry.hpp"
#include "rig/yaml.hpp"
#include "detail/stop_signals.hpp"

RIG_COMPONENT(rig::LocalLauncher, rig::interfaces<rig::Launcher>, rig::aliases("local"),
              rig::doc("runs a sweep's jobs as local processes, a few at once"));
RIG_COMPONENT(rig::SlurmLauncher, rig::interfaces<rig::Launcher>, rig::aliases("slurm"),
              rig::doc("submits a sweep to SLURM as one job array"));

namespace rig {

namespace fs = std::filesystem;

namespace {

using detail::StopSignals;

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

struct CommandOutput {
  int status = -1;  // exit status, -1 when it could not run
  std::string text;
};

// Runs a shell command line and captures its stdout (stderr too when `with_stderr`).
CommandOutput run_capture(const std::string& command, bool with_stderr) {
  CommandOutput out;
  std::string line = command + (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = ::popen(line.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.text.append(buf, n);
  int st = ::pclose(p);
  out.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::string self_executable() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("rig") : p.string();
}

fs::path submissions_file(const SweepDir& dir) { return dir.path() / "slurm" / "submissions.yaml"; }

struct Submission {
  std::string job_id;
  std::vector<size_t> jobs;
};

std::vector<Submission> read_submissions(const SweepDir& dir) {
  std::vector<Submission> out;
  fs::path file = submissions_file(dir);
  if (!fs::is_regular_file(file)) return out;
  Node doc = load_yaml_file(file);
  for (const Node& s : doc.elements())
    out.push_back({s.get<std::string>("job_id"), s.get<std::vector<size_t>>("jobs")});
  return out;
}

std::optional<JobState> slurm_state(std::string_view s) {
  if (s.starts_with("PENDING") || s.starts_with("REQUEUED") || s.starts_with("RESV_DEL_HOLD")) return JobState::Queued;
  if (s.starts_with("RUNNING") || s.starts_with("COMPLETING") || s.starts_with("CONFIGURING") ||
      s.starts_with("SUSPENDED") || s.starts_with("STAGE_OUT"))
    return JobState::Running;
  if (s.starts_with("COMPLETED")) return JobState::Succeeded;
  if (s.starts_with("CANCELLED") || s.starts_with("PREEMPTED")) return JobState::Interrupted;
  if (s.empty()) return std::nullopt;
  return JobState::Failed;  // FAILED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE
}

// "KEY=value" out of one `scontrol show job -o` line.
std::string field_of(const std::string& line, std::string_view key) {
  std::string needle = " " + std::string(key) + "=";
  size_t pos = (" " + line).find(needle);
  if (pos == std::string::npos) return "";
  pos += needle.size() - 1;
  return line.substr(pos, line.find(' ', pos) - pos);
}

// "Key = value" out of `scontrol show config`.
std::string field_of_config(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(key) || line.size() == key.size() || line[key.size()] != ' ') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    size_t v = line.find_first_not_of(' ', eq + 1);
    return v == std::string::npos ? "" : line.substr(v, line.find_last_not_of(" \r") + 1 - v);
  }
  return "";
}

// task id -> state, for the tasks of array job `id` in squeue.
std::map<size_t, JobState> squeue_tasks(const std::string& id) {
  std::map<size_t, JobState> out;
  CommandOutput q = run_capture("squeue -h -r -j " + shell_quote(id) + " -o '%K %T'", false);
  std::istringstream lines(q.text);
  for (std::string task, state; lines >> task >> state;) {
    if (task.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto s = slurm_state(state)) out[std::stoul(task)] = *s;
  }
  return out;
}

// task id -> final state from sacct (a cluster with accounting) or scontrol (recently finished jobs).
std::map<size_t, JobState> finished_tasks(const std::string& id) {
  std::map<size_t, JobState> out;
  CommandOutput acct = run_capture("sacct -n -P -X -j " + shell_quote(id) + " --format=JobID,State", false);
  if (acct.status == 0) {
    std::istringstream lines(acct.text);
    for (std::string line; std::getline(lines, line);) {
      size_t us = line.find('_'), bar = line.find('|');
      if (us == std::string::npos || bar == std::string::npos || us > bar) continue;
      std::string task = line.substr(us + 1, bar - us - 1);
      if (task.empty() || task.find_first_not_of("0123456789") != std::string::npos) continue;
      if (auto s = slurm_state(line.substr(bar + 1))) out[std::stoul(task)] = *s;
    }
    if (!out.empty()) return out;
  }
  out = slurm_task_states(run_capture("scontrol show job -o " + shell_quote(id), false).text, id);
  // scontrol forgets a job MinJobAge (default 300 s) after it ends; jobcomp/filetxt keeps every finished task.
  if (!out.empty()) return out;
  CommandOutput config = run_capture("scontrol show config", false);
  if (field_of_config(config.text, "JobCompType") == "jobcomp/filetxt") {
    std::ifstream in(field_of_config(config.text, "JobCompLoc"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    out = slurm_task_states(text, id);
  }
  return out;
}

}  // namespace

std::map<size_t, JobState> slurm_task_states(const std::string& text, const std::string& array_job_id) {
  std::map<size_t, JobState> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (field_of(line, "ArrayJobId") != array_job_id) continue;
    std::string task = field_of(line, "ArrayTaskId");
    if (task.empty() || task.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto s = slurm_state(field_of(line, "JobState"))) out[std::stoul(task)] = *s;
  }
  return out;
}

// ---- local --------------------------------------------------------------------------------------------------------

int LocalLauncher::parallelism() const {
  if (options_.max_parallel > 0) return options_.max_parallel;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, options_.threads_per_job));
}

LaunchReport LocalLauncher::launch(const SweepDir& dir, std::span<const size_t> jobs, const LaunchOptions& options) {
  StopSignals signals;
  LaunchReport report;
  const size_t limit = static_cast<size_t>(parallelism());
  const std::vector<std::pair<std::string, std::string>> env = {
      {"OMP_NUM_THREADS", std::to_string(std::max(1, options_.threads_per_job))}};
  struct Running {
    size_t job;
    double start;
  };
  std::map<pid_t, Running> running;
  size_t next = 0, done = 0;
  bool stop_sent = false;
  double next_check = 0;
  auto report_line = [&](const JobStatus& s) {
    ++done;
    if (!options.progress) return;
    Node metrics = read_final_metrics(dir.run_dir(s.index));
    std::string state(job_state_name(s.state));
    if (s.state == JobState::Failed) state += fmt::format(" (exit {})", s.exit_code);
    *options.progress << fmt::format("[{}/{}] {} {} in {:.2f}s{}{}\n", done, jobs.size(), dir.plan().jobs[s.index].name,
                                     state, s.end - s.start, metrics.is_null() ? "" : "  ",
                                     metrics.is_null() ? "" : dump_json(metrics, -1))
                      << std::flush;
  };
  while (true) {
    while (!signals.stopped() && next < jobs.size() && running.size() < limit) {
      size_t job = jobs[next++];
      double start = unix_now();
      pid_t pid = spawn_job(dir, job, env, start);
      ++report.launched;
      if (pid < 0)
        report_line(finish_job(dir, job, -1, start, false));
      else
        running[pid] = {job, start};
    }
    if (running.empty()) break;
    if (signals.stopped() && !stop_sent) {
      for (const auto& [pid, r] : running) ::kill(-pid, SIGTERM);  // each job's whole process group
      stop_sent = true;
    }
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, options.monitor ? WNOHANG : 0);
    if (pid == 0) {  // a monitor: poll, asking it every monitor_seconds which jobs to stop
      if (unix_now() >= next_check) {
        std::vector<size_t> now;
        for (const auto& [p, r] : running) now.push_back(r.job);
        for (size_t stop : options.monitor(now))
          for (const auto& [p, r] : running)
            if (r.job == stop) ::kill(-p, SIGTERM);
        next_check = unix_now() + options.monitor_seconds;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left (should not happen while `running` is not empty)
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;  // not ours
    bool interrupted = stop_sent && !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    report_line(finish_job(dir, it->second.job, status, it->second.start, interrupted));
    running.erase(it);
  }
  report.interrupted = signals.stopped();
  report.finished = !report.interrupted;
  if (report.interrupted && options.progress)
    *options.progress << fmt::format("interrupted: {} of {} jobs did not finish\n", jobs.size() - done + 0,
                                     jobs.size());
  return report;
}

// ---- slurm --------------------------------------------------------------------------------------------------------

std::string array_ranges(std::span<const size_t> jobs) {
  std::string out;
  for (size_t i = 0; i < jobs.size();) {
    size_t j = i;
    while (j + 1 < jobs.size() && jobs[j + 1] == jobs[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? std::to_string(jobs[i]) : fmt::format("{}-{}", jobs[i], jobs[j]);
    i = j + 1;
  }
  return out;
}

std::string SlurmLauncher::sbatch_script(const SweepDir& dir, std::span<const size_t> jobs,
                                         const std::vector<std::string>& runner) const {
  const Options& o = options_;
  fs::path sweep = fs::absolute(dir.path());
  std::string s = "#!/bin/bash\n";
  auto line = [&](std::string_view text) { s += fmt::format("#SBATCH {}\n", text); };
  line("--job-name=rig-" + sweep.parent_path().filename().string());
  line("--array=" + array_ranges(jobs) + (o.max_concurrent > 0 ? fmt::format("%{}", o.max_concurrent) : ""));
  line("--output=" + (sweep / "slurm" / "%A_%a.out").string());
  line(fmt::format("--cpus-per-task={}", std::max(1, o.cpus_per_task)));
  if (!o.partition.empty()) line("--partition=" + o.partition);
  if (!o.time.empty()) line("--time=" + o.time);
  if (!o.mem.empty()) line("--mem=" + o.mem);
  if (!o.gres.empty()) line("--gres=" + o.gres);
  if (!o.account.empty()) line("--account=" + o.account);
  for (const auto& extra : o.sbatch_lines) {
    if (extra.starts_with("#SBATCH")) s += extra + "\n";
    else line(extra);
  }
  s += "# Generated by rig for " + sweep.string() + ": one array task per job.\n";
  s += "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n";
  for (const auto& cmd : o.setup) s += cmd + "\n";
  s += "exec";
  for (const auto& r : runner) s += " " + shell_quote(r);
  s += " " + shell_quote(sweep.string()) + " \"$SLURM_ARRAY_TASK_ID\"\n";
  return s;
}

LaunchReport SlurmLauncher::launch(const SweepDir& dir, std::span<const size_t> jobs, const LaunchOptions& options) {
  LaunchReport report;
  if (jobs.empty()) return report;
  std::vector<std::string> runner = options.runner;
  if (runner.empty()) runner = {self_executable(), "sweep", "job"};
  fs::create_directories(dir.path() / "slurm");
  std::vector<Submission> subs = read_submissions(dir);
  fs::path script = dir.path() / "slurm" / fmt::format("array-{}.sbatch", subs.size());
  write_file_atomic(script, sbatch_script(dir, jobs, runner));
  for (size_t j : jobs) dir.clear_status(j);  // a re-run starts over

  CommandOutput out = run_capture("sbatch --parsable " + shell_quote(fs::absolute(script).string()), true);
  std::string id = out.text.substr(0, out.text.find_first_of(";\n"));
  if (out.status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw Error("rig.sweep.sbatch",
                fmt::format("sbatch {} the sweep: {}", out.status < 0 ? "could not run for" : "refused",
                            out.text.empty() ? "no output" : out.text),
                Origin{Source::make(script.string())}, {},
                out.status == 127 ? "is SLURM installed? sbatch is not on PATH" : "see the script it was given");
  subs.push_back({id, {jobs.begin(), jobs.end()}});
  Node doc = Node::list();
  for (const auto& s : subs) {
    Node entry = Node::map();
    entry.set("job_id", Node(s.job_id));
    entry.set("jobs", Node::from(s.jobs));
    doc.push_back(std::move(entry));
  }
  write_file_atomic(submissions_file(dir), dump_yaml(doc));
  report.scheduler_ids.push_back(id);
  report.launched = jobs.size();
  if (options.progress)
    *options.progress << fmt::format("submitted array job {} ({} tasks) for {}\n", id, jobs.size(),
                                     dir.path().string())
                      << std::flush;
  if (!options.wait) return report;
  auto poll = std::chrono::duration<double>(std::max(0.05, options_.poll_seconds));
  while (slurm_has_queued_tasks(dir)) {
    if (options.monitor) {
      std::vector<size_t> open;
      for (size_t j : jobs)
        if (auto st = dir.read_status(j); !st || st->state == JobState::Running || st->state == JobState::Queued)
          open.push_back(j);
      for (size_t stop : options.monitor(open))
        run_capture(fmt::format("scancel {}_{}", shell_quote(id), stop), true);
    }
    std::this_thread::sleep_for(poll);
  }
  report.finished = true;
  return report;
}

bool slurm_has_queued_tasks(const SweepDir& dir) {
  for (const auto& s : read_submissions(dir))
    if (!squeue_tasks(s.job_id).empty()) return true;
  return false;
}

std::vector<std::optional<JobState>> slurm_job_states(const SweepDir& dir) {
  std::vector<Submission> subs = read_submissions(dir);
  if (subs.empty()) return {};
  std::vector<std::optional<JobState>> states(dir.size());
  for (const auto& sub : subs) {  // later submissions (resumes) win
    std::map<size_t, JobState> queued = squeue_tasks(sub.job_id);
    std::map<size_t, JobState> finished;
    bool asked_finished = false;
    for (size_t j : sub.jobs) {
      if (j >= states.size()) continue;
      if (auto it = queued.find(j); it != queued.end()) {
        states[j] = it->second;
        continue;
      }
      if (!asked_finished) finished = finished_tasks(sub.job_id), asked_finished = true;
      auto it = finished.find(j);
      states[j] = it == finished.end() ? std::optional<JobState>(JobState::Unknown) : it->second;
    }
  }
  return states;
}

std::vector<size_t> unfinished_jobs(const SweepDir& dir, const std::vector<std::optional<JobState>>& scheduler) {
  std::vector<size_t> out;
  for (size_t j = 0; j < dir.size(); ++j) {
    std::optional<JobStatus> s = dir.read_status(j);
    if (s && (s->state == JobState::Succeeded || s->state == JobState::Pruned)) continue;  // ended as meant
    std::optional<JobState> sched = j < scheduler.size() ? scheduler[j] : std::nullopt;
    if (sched && (*sched == JobState::Queued || *sched == JobState::Running)) continue;  // still on its way
    out.push_back(j);
  }
  return out;
}

std::unique_ptr<Launcher> make_launcher(const Node& settings) {
  std::string name = "local";
  if (const Node* l = settings.find("launcher")) name = l->as<std::string>();
  Node spec = Node::map();
  spec.set("_component_", Node(name), settings.find("launcher") ? settings.find("launcher")->origin() : Origin{});
  if (const Node* options = settings.find(name); options && options->is_map()) spec.merge(*options);
  spec.set("_component_", settings.find("launcher") ? *settings.find("launcher") : Node(name));
  return instantiate<std::unique_ptr<Launcher>>(spec);
}

}  // namespace rig
