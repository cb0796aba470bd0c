// rig/runs.hpp — reading run directories back: what ran, how it ended, its metrics over time, and how two differ.
//
//   for (const rig::RunInfo& r : rig::list_runs("outputs")) std::cout << r.label << " " << r.status << "\n";
//   rig::MetricSeries s = rig::read_metric_series("outputs/classify/2026-12-06_03-00-00");
//   s["loss"];                                   // [(step, value), ...] in file order
//
// A run directory is either a recipe's (run.json, config.yaml, resolved.yaml, overrides.txt, origins.json) or a sweep
// job's (started.json / status.json, its overrides in the sweep's sweep.yaml); both may hold metrics.jsonl (one JSON
// object per line; docs/sweeps.md has the contract).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rig/node.hpp"

namespace rig {

// The fields of a metrics.jsonl record that are not metrics: the training step, and the wall time it was logged at
// (seconds since the epoch). Written by rig::torch's JSONLLogger; rig runs, diff and plot leave them out of the metrics.
inline constexpr std::string_view kMetricsStepKey = "step";
inline constexpr std::string_view kMetricsWallTimeKey = "wall_time";

struct RunInfo {
  std::filesystem::path dir;
  std::string label;    // dir relative to the directory searched ("classify/2026-...", "exp/<time>/3_lr=0.1")
  std::string recipe;   // run.json's recipe, or the sweep's name for a sweep job
  std::string start;    // UTC, "2026-12-06T03:00:00Z"; "" when unknown
  double start_unix = 0;
  // succeeded, failed(N), interrupted, killed (no end recorded and its process is gone), running, pending, unknown
  std::string status;
  double duration_s = -1;  // -1 when unknown
  std::vector<std::string> overrides;
  Node metrics;  // the final metrics (last complete line of metrics.jsonl), or null
  std::string own_dir;  // the run directory as the run itself named it (run.json's run_dir), or ""
};

// True when `dir` holds a run: run.json, started.json, status.json or metrics.jsonl.
bool is_run_dir(const std::filesystem::path& dir);

// Every run directory under `root` (root itself when it is one), sorted by start time then path. Does not descend
// into a run directory. Throws rig.runs.dir when root does not exist.
std::vector<RunInfo> list_runs(const std::filesystem::path& root);

// One run directory; throws rig.runs.dir when it is not one.
RunInfo read_run(const std::filesystem::path& dir, const std::filesystem::path& relative_to = {});

// metric name -> [(step, value)] from every complete line of metrics.jsonl: numeric fields other than `step` and
// `wall_time`; x is
// `step` when the line has one, else the line's position. Lines that are not JSON objects are skipped.
using MetricSeries = std::map<std::string, std::vector<std::pair<double, double>>>;
MetricSeries read_metric_series(const std::filesystem::path& run_dir);

// The run's config, flattened to leaf key path -> value text (JSON of the value), and where each was set:
// resolved.yaml (else config.yaml); origins from origins.json when the run wrote one. Empty for a run with no config.
struct FlatValue {
  std::string value;
  std::string origin;  // "configs/x.yaml:3:5", "argv[2]:1:14", or "" when unknown
};
std::map<std::string, FlatValue> read_flat_config(const std::filesystem::path& run_dir);

// leaf key path -> where the value was written, for a config tree (what the recipe runtime writes to origins.json).
Node origin_map(const Node& config);

// The value of a sort/filter key for a run: a column (recipe, status, start, duration, label), a final metric, an
// override's value, or a config key; nullopt when the run has none.
std::optional<std::string> run_field(const RunInfo& run, const std::string& key);

}  // namespace rig
