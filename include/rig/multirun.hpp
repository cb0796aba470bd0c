// rig/multirun.hpp — a sweep directory: the expansion, one run directory per job, each job's status and metrics.
//
//   multirun/<name>/<timestamp>/
//     sweep.yaml            the plan (rig/sweep.hpp), the job command and the sweep settings (launcher, ...)
//     summary.jsonl         one JSON object per job: job, name, overrides, status, exit_code, duration_s, metrics,
//                           log_tail (written by collect())
//     slurm/                the sbatch script, submissions.yaml, SLURM's own output (SLURM launcher only)
//     003_lr=0.1,model=mlp/ a job's run directory:
//       started.json        written by rig when the job starts (start time, host)
//       status.json         written by rig when it ends: state, exit code, times (the source of truth)
//       stdout.log, stderr.log
//       metrics.jsonl       written by the job: the metrics contract, below
//
// Metrics contract: a job appends JSON objects, one per line, to $RIG_RUN_DIR/metrics.jsonl; the LAST complete line
// is its final metrics (`{"step": 100, "loss": 0.31}`). A job learns its directory from the environment: RIG_RUN_DIR,
// RIG_SWEEP_DIR, RIG_JOB_INDEX. Every file rig writes here is written atomically (rig::write_file_atomic).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rig/node.hpp"
#include "rig/sweep.hpp"

namespace rig {

// Pending: never started. Unknown: started somewhere, but neither it nor the scheduler says how it ended. Pruned:
// stopped early by a search's pruner (it wrote kPrunedFile into the job's run directory before stopping the job).
enum class JobState : uint8_t { Pending, Queued, Running, Succeeded, Failed, Interrupted, Unknown, Pruned };

// Written into a job's run directory by a search when its pruner's rule fires on the job's reports: before it stops
// the job, or after the job ended when it ended before the pruner reached that report. Either way the job ended
// Pruned (SweepDir::ended_state), and a search never runs it again.
inline constexpr std::string_view kPrunedFile = "pruned.json";

// "pending", "queued", "running", "succeeded", "failed", "interrupted", "unknown", "pruned".
std::string_view job_state_name(JobState state);
std::optional<JobState> job_state_from_name(std::string_view name);

// <run_dir>/started.json (state running) or status.json (a final state).
struct JobStatus {
  size_t index = 0;
  JobState state = JobState::Pending;
  int exit_code = -1;  // the program's exit status; 128+N when killed by signal N
  double start = 0;    // seconds since the epoch
  double end = 0;
  std::string host;
  std::string scheduler_id;  // "1234_5" under SLURM
};

// One row of the summary.
struct JobResult {
  size_t index = 0;
  std::string name;
  std::vector<std::string> swept;
  JobState state = JobState::Pending;
  int exit_code = -1;
  double duration_s = 0;
  Node metrics;          // the last line of metrics.jsonl, or null
  std::string log_tail;  // the last lines of stderr.log (then stdout.log) for a job that did not succeed
};

class SweepDir {
 public:
  // Creates <root>/<name>/<UTC timestamp>[-N]/ with sweep.yaml and every job's run directory.
  static SweepDir create(const std::filesystem::path& root, std::string_view name, SweepPlan plan,
                         std::vector<std::string> command, Node settings);
  // Reads an existing sweep directory (rig.sweep.dir when it is not one).
  static SweepDir open(const std::filesystem::path& dir);

  const std::filesystem::path& path() const { return path_; }
  const SweepPlan& plan() const { return plan_; }
  const std::vector<std::string>& command() const { return command_; }
  const Node& settings() const { return settings_; }  // the sweep: section as run, launcher settings included
  size_t size() const { return plan_.jobs.size(); }

  // Appends jobs (their index must be size(), size()+1, ...): creates their run directories — refusing one that
  // exists (rig.sweep.dir_exists: a job directory is never reused for another job) — and rewrites sweep.yaml.
  void add_jobs(std::vector<SweepJob> jobs);

  std::filesystem::path run_dir(size_t job) const;
  std::vector<std::string> job_argv(size_t job) const;  // command, then the job's overrides
  // The environment additions of a job: RIG_RUN_DIR, RIG_SWEEP_DIR, RIG_JOB_INDEX.
  std::vector<std::pair<std::string, std::string>> job_environment(size_t job) const;

  std::optional<JobStatus> read_status(size_t job) const;  // status.json, else started.json, else nullopt
  void write_status(const JobStatus& status) const;         // started.json for Running, else status.json
  void clear_status(size_t job) const;                      // before a re-run
  // The one rule for how a job ended, applied by every writer (status.json) and reader (read_status, hence
  // trials.jsonl, summary.jsonl and the tables): a final state becomes Pruned when the job's run directory holds
  // kPrunedFile, whatever the job's exit; any other state is returned as it is.
  JobState ended_state(size_t job, JobState state) const;

  // Every job's result from its status file, metrics and logs. `scheduler` fills in jobs that wrote no final
  // status (SLURM's view of queued, running and vanished tasks); may be empty.
  std::vector<JobResult> results(const std::vector<std::optional<JobState>>& scheduler = {}) const;
  void write_summary(const std::vector<JobResult>& results) const;  // summary.jsonl

 private:
  // Writes sweep.yaml: head_, then the jobs. The jobs' text is kept and only new jobs are dumped, so a search adding
  // one trial at a time does not re-read and re-dump every trial before it.
  void write_plan_file();

  std::filesystem::path path_;
  SweepPlan plan_;
  std::vector<std::string> command_;
  Node settings_;
  Node head_;              // sweep.yaml without `jobs`
  std::string jobs_text_;  // the `jobs:` items of plan_.jobs[0, jobs_in_text_)
  size_t jobs_in_text_ = 0;
  bool written_ = false;   // sweep.yaml was written by this object
};

// The last complete JSON line of <run_dir>/metrics.jsonl, or null when there is none.
Node read_final_metrics(const std::filesystem::path& run_dir);

// The last `lines` lines of a file ("" when it does not exist).
std::string tail_of_file(const std::filesystem::path& file, size_t lines = 5);

// The table printed after a sweep: job, overrides, status, duration, then one column per final metric; a failed
// job's log tail below its row; a count per state; `best` is marked with '*'.
std::string format_results_table(const std::vector<JobResult>& results, std::optional<size_t> best = {});

// A metric value as the tables show it: floats with 6 significant digits, strings as they are, others as JSON.
std::string metric_text(const Node& value);
// Every final-metric key the jobs reported, in order of first appearance.
std::vector<std::string> metric_columns(const std::vector<JobResult>& results);

// Runs job `job` of `dir` here, to completion: stdout/stderr into its run directory, status.json at start and end,
// OMP_NUM_THREADS from SLURM_CPUS_PER_TASK when set. Returns the job's exit status. Used by SLURM array tasks.
int run_job_here(const SweepDir& dir, size_t job);

// Starts job `job` of `dir` as a child process (posix_spawnp) with its logs in its run directory and `extra_env`
// added to the environment; writes the running status. rig.sweep.spawn when the program cannot be started.
pid_t spawn_job(const SweepDir& dir, size_t job, const std::vector<std::pair<std::string, std::string>>& extra_env,
                double start_time);

// Converts a waitpid status to an exit code (128+signal when killed) and records the job's final status.
JobStatus finish_job(const SweepDir& dir, size_t job, int wait_status, double start_time, bool interrupted);

double unix_now();

}  // namespace rig
