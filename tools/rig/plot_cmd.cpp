// `rig plot RUN_DIR... | SWEEP_DIR [-o FILE.html] [--metric NAME...]`: metric curves in one offline HTML page, and a
// static SVG per metric next to it.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "rig/error.hpp"
#include "rig/multirun.hpp"
#include "rig/plot.hpp"
#include "rig/runs.hpp"
#include "runs_cmd.hpp"
#include "sweep_cmd.hpp"

namespace rig_cli {

namespace {

namespace fs = std::filesystem;

struct PlotArgs {
  std::vector<std::string> dirs;
  std::string output;
  std::vector<std::string> metrics;
  std::string best;
  bool maximize = false, log = false;
};

int plot(const PlotArgs& a) {
  std::vector<rig::PlotRun> runs;
  fs::path default_out = "plots.html";
  std::string title;
  std::error_code ec;
  if (a.dirs.size() == 1 && fs::is_regular_file(fs::path(a.dirs[0]) / "sweep.yaml", ec)) {
    rig::SweepDir dir = rig::SweepDir::open(a.dirs[0]);
    runs = rig::sweep_plot_runs(dir, a.best, a.maximize);
    default_out = dir.path() / "plots.html";
    title = "sweep " + dir.path().string();
  } else {
    std::optional<double> best_value;
    for (const auto& d : a.dirs) {
      rig::RunInfo info = rig::read_run(d);  // rig.runs.dir when it is not a run directory
      rig::PlotRun r{info.label, rig::read_metric_series(d), false};
      if (!a.best.empty())
        if (auto it = r.series.find(a.best); it != r.series.end() && !it->second.empty()) {
          double v = it->second.back().second;
          if (!best_value || (a.maximize ? v > *best_value : v < *best_value)) {
            best_value = v;
            for (auto& o : runs) o.best = false;
            r.best = true;
          }
        }
      runs.push_back(std::move(r));
    }
    if (a.dirs.size() == 1) default_out = fs::path(a.dirs[0]) / "plots.html";
    title = a.dirs.size() == 1 ? "run " + a.dirs[0] : fmt::format("{} runs", a.dirs.size());
  }
  rig::PlotOptions options{.title = title, .metrics = a.metrics, .log_scale = a.log};
  for (const auto& m : a.metrics) {
    bool found = false;
    for (const auto& r : runs) found = found || r.series.contains(m);
    if (!found)
      throw rig::UsageError("rig.plot.metric", fmt::format("no run has the metric '{}'", m), {}, {},
                            "the metrics are the numeric fields of metrics.jsonl (rig runs shows the last values)");
  }
  fs::path out = a.output.empty() ? default_out : fs::path(a.output);
  std::vector<fs::path> files = rig::write_plots(runs, out, options);
  std::cout << fmt::format("{} ({} runs, {} metrics)\n", out.string(), runs.size(), files.size() - 1);
  for (size_t i = 1; i < files.size(); ++i) std::cout << "  " << files[i].string() << "\n";
  return rig::kExitOk;
}

}  // namespace

void add_plot_command(CLI::App& app, bool names_only) {
  auto a = std::make_shared<PlotArgs>();
  auto* cmd = app.add_subcommand(
      "plot", "Metric curves of runs or a sweep as one offline HTML page (plots.html) and an SVG per metric");
  if (names_only) return;
  cmd->add_option("dirs", a->dirs, "RUN_DIR... or one SWEEP_DIR")->required();
  cmd->add_option("-o,--output", a->output,
                  "The page (default plots.html in the run or sweep directory; here for several runs)");
  cmd->add_option("--metric", a->metrics, "Only this metric; repeatable")->allow_extra_args(false);
  cmd->add_option("--best", a->best,
                  "Highlight the run with the smallest last value of this metric (a sweep's best.json wins)");
  cmd->add_flag("--max", a->maximize, "With --best: the largest value is best");
  cmd->add_flag("--log", a->log, "Charts start in log scale (the page can switch)");
  cmd->callback([a] { std::exit(handle([&] { return plot(*a); })); });
}

}  // namespace rig_cli
