// rig/plot.hpp — metric curves as one self-contained HTML page (inline script and SVG, no network, works from
// file://) and as static SVG files.
//
//   std::vector<rig::PlotRun> runs{{"lr=0.1", rig::read_metric_series("multirun/exp/t/0_lr=0.1"), false},
//                                  {"lr=0.01", rig::read_metric_series("multirun/exp/t/1_lr=0.01"), true}};
//   rig::write_file_atomic("plots.html", rig::plot_html(runs, {.title = "exp"}));
//   rig::write_file_atomic("loss.svg", rig::plot_svg(runs, "loss", {}));
//
// The page has one chart per metric, one curve per run (x = step), hover (run, step, value), a log-scale switch per
// chart, and the best run drawn thick. It carries the plotted series as JSON in <script id="rig-data">:
//   {"metrics": {NAME: {RUN_LABEL: [[step, value], ...]}}}
// so what is shown can be checked against metrics.jsonl.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rig/node.hpp"
#include "rig/runs.hpp"

namespace rig {

struct PlotRun {
  std::string label;    // unique among the runs of a page (plot_html makes duplicates unique with " #2", ...)
  MetricSeries series;  // rig::read_metric_series
  bool best = false;
};

struct PlotOptions {
  std::string title = "rig metrics";
  std::vector<std::string> metrics;  // only these, in this order; empty: every metric any run has, sorted
  bool log_scale = false;            // charts start in log scale (the page can switch)
};

// The metric names plotted, in order.
std::vector<std::string> plot_metrics(const std::vector<PlotRun>& runs, const PlotOptions& options);

// The rig-data tree: {"metrics": {NAME: {LABEL: [[step, value], ...]}}}; non-finite values are left out.
Node plot_data(const std::vector<PlotRun>& runs, const PlotOptions& options);

std::string plot_html(const std::vector<PlotRun>& runs, const PlotOptions& options);

// One metric as a static SVG (axes, ticks, a legend); curves are reduced to at most 2 points per pixel column (the
// minimum and maximum), so the file stays small whatever the number of steps.
std::string plot_svg(const std::vector<PlotRun>& runs, const std::string& metric, const PlotOptions& options);

// Writes `html` (plot_html) and, next to it, one static SVG per metric: <stem>-<metric>.svg (unsafe characters of the
// metric as '_'). Returns the files written.
std::vector<std::filesystem::path> write_plots(const std::vector<PlotRun>& runs, const std::filesystem::path& html,
                                               const PlotOptions& options);

class SweepDir;
// A sweep's jobs as curves labelled by their swept values ("lr=0.1 opt=adam"; the job's name when nothing is swept).
// The best job: the one named by best.json (rig sweep collect --sort), else the job with the smallest (largest with
// maximize) last value of `objective` in metrics.jsonl among those that succeeded, when `objective` is given.
std::vector<PlotRun> sweep_plot_runs(const SweepDir& dir, const std::string& objective = {}, bool maximize = false);

}  // namespace rig
