// rig/launcher.hpp — launchers run the jobs of a sweep directory (rig/multirun.hpp). A registered component
// interface: the config chooses one by name (`sweep.launcher: local` or `slurm`) and its options come from the
// section of the same name (`sweep.slurm.partition: gpu`).
//
//   std::unique_ptr<rig::Launcher> l = rig::make_launcher(settings);   // settings = the sweep: section
//   std::vector<size_t> jobs = rig::unfinished_jobs(dir, {});         // dir: a rig::SweepDir
//   rig::LaunchReport r = l->launch(dir, jobs, {.wait = true});
//
// local: runs the jobs here as processes, at most max_parallel at once (0: cores / threads_per_job), one status
//        line per finished job; Ctrl-C (SIGINT/SIGTERM) stops the running jobs and marks them interrupted.
// slurm: writes ONE sbatch script running the jobs as a job array (--array=LIST%max_concurrent), submits it with one
//        sbatch call and returns (asynchronous) unless wait; each array task runs `RUNNER... DIR $SLURM_ARRAY_TASK_ID`
//        (by default this rig binary: `rig sweep job`), which writes the job's logs and status.json in its run
//        directory. Job ids go to <sweep>/slurm/submissions.yaml, so status and collect work from any shell later.
// A failed job never stops the others.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rig/multirun.hpp"
#include "rig/node.hpp"

namespace rig {

struct LaunchOptions {
  bool wait = false;                // slurm: poll until every task has left the queue (local always waits)
  std::ostream* progress = nullptr; // one line per job / submission; null: silent
  // slurm: the program each array task runs, followed by the sweep directory and the task id.
  std::vector<std::string> runner;  // empty: {this executable, "sweep", "job"}
  // Called while jobs run (local: every monitor_seconds; slurm with wait: at each poll) with the jobs of this launch
  // that have not ended; returns the ones to stop now (local: SIGTERM to the job's process group; slurm: scancel of
  // its array task). A stopped job ends as the signal makes it end (finish_job: interrupted, or pruned).
  std::function<std::vector<size_t>(std::span<const size_t> running)> monitor;
  double monitor_seconds = 0.1;
};

struct LaunchReport {
  std::vector<std::string> scheduler_ids;  // slurm: the array job id
  size_t launched = 0;                     // jobs started (local) or submitted (slurm)
  bool interrupted = false;                // local: stopped by a signal
  bool finished = false;                   // every launched job has ended (local; slurm with wait)
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  virtual std::string_view name() const = 0;
  // Runs or submits `jobs` of `dir`. Throws rig::Error when the launch itself fails (sbatch missing or refusing).
  virtual LaunchReport launch(const SweepDir& dir, std::span<const size_t> jobs, const LaunchOptions& options) = 0;
};

// The `local` launcher's options.
struct LocalOptions {
  int max_parallel = 0;     // jobs at once; 0: hardware threads / threads_per_job (at least 1)
  int threads_per_job = 1;  // OMP_NUM_THREADS of each job
};

// The `slurm` launcher's options (each becomes an #SBATCH line when set).
struct SlurmOptions {
  std::string partition;
  std::string time;                 // "01:00:00"
  int cpus_per_task = 1;            // also OMP_NUM_THREADS
  std::string mem;                  // "4G"
  std::string gres;                 // "gpu:1"
  std::string account;
  int max_concurrent = 0;           // %K of --array; 0: no limit
  std::vector<std::string> sbatch_lines;  // extra lines, "--qos=high" or "#SBATCH --qos=high"
  std::vector<std::string> setup;   // shell commands run before the job (module load, source venv)
  double poll_seconds = 2;          // --wait polling interval
};

class LocalLauncher : public Launcher {
 public:
  using Options = LocalOptions;
  explicit LocalLauncher(Options options) : options_(options) {}
  std::string_view name() const override { return "local"; }
  LaunchReport launch(const SweepDir& dir, std::span<const size_t> jobs, const LaunchOptions& options) override;
  int parallelism() const;

 private:
  Options options_;
};

class SlurmLauncher : public Launcher {
 public:
  using Options = SlurmOptions;
  explicit SlurmLauncher(Options options) : options_(std::move(options)) {}
  std::string_view name() const override { return "slurm"; }
  LaunchReport launch(const SweepDir& dir, std::span<const size_t> jobs, const LaunchOptions& options) override;
  // The sbatch script for `jobs` (written to <sweep>/slurm/array-<n>.sbatch by launch()).
  std::string sbatch_script(const SweepDir& dir, std::span<const size_t> jobs,
                            const std::vector<std::string>& runner) const;

 private:
  Options options_;
};

// The launcher the sweep settings name (`launcher: local|slurm`, default local), built through the component
// registry with the options in settings[<name>]. rig.component.unknown (did-you-mean) for another name.
std::unique_ptr<Launcher> make_launcher(const Node& settings);

// "0-3,7,9-10": the --array list of sorted job indices.
std::string array_ranges(std::span<const size_t> jobs);

// SLURM's view of the sweep's submitted tasks (from <sweep>/slurm/submissions.yaml): squeue for queued and running
// tasks, then sacct when it works, else `scontrol show job` (jobs the controller still remembers), else the
// jobcomp/filetxt log when the cluster writes one (JobCompLoc of `scontrol show config`). One entry per
// job; nullopt where SLURM says nothing. Empty when the sweep was never submitted to SLURM.
std::vector<std::optional<JobState>> slurm_job_states(const SweepDir& dir);

// task id -> state of array job `array_job_id`, from `KEY=value ...` lines: `scontrol show job -o` output or a
// jobcomp/filetxt log (both carry ArrayJobId, ArrayTaskId and JobState).
std::map<size_t, JobState> slurm_task_states(const std::string& text, const std::string& array_job_id);

// True while any task of the sweep's submissions is still in squeue.
bool slurm_has_queued_tasks(const SweepDir& dir);

// Jobs that did not succeed (to re-run; pruned ones are not): no status, or failed / interrupted / unknown, or still
// "running" with no process behind it (the scheduler says nothing about it).
std::vector<size_t> unfinished_jobs(const SweepDir& dir, const std::vector<std::optional<JobState>>& scheduler);

}  // namespace rig
