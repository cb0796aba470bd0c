// `rig runs [DIR]` (a table of run directories) and `rig diff RUN_A RUN_B` (what differs between two runs).
#include "runs_cmd.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "rig/error.hpp"
#include "rig/multirun.hpp"
#include "rig/runs.hpp"
#include "rig/yaml.hpp"
#include "sweep_cmd.hpp"
#include "table.hpp"

namespace rig_cli {

namespace {

namespace fs = std::filesystem;

struct RunsArgs {
  std::string dir = "outputs";
  std::string sort;
  bool desc = false;
  std::vector<std::string> filters;
  bool json = false;
};

std::string duration_text(double s) {
  if (s < 0) return "";
  if (s < 120) return fmt::format("{:.1f}s", s);
  if (s < 7200) return fmt::format("{:.1f}m", s / 60);
  return fmt::format("{:.1f}h", s / 3600);
}

rig::JobResult with_metrics(const rig::Node& metrics) {
  rig::JobResult r;
  r.metrics = metrics;
  return r;
}

int runs(const RunsArgs& a) {
  std::vector<rig::RunInfo> all = rig::list_runs(a.dir);
  std::vector<rig::RunInfo> shown;
  for (auto& r : all) {
    bool keep = true;
    for (const auto& f : a.filters) {
      size_t eq = f.find('=');
      if (eq == std::string::npos || eq == 0)
        throw rig::UsageError("rig.usage.filter", fmt::format("--filter '{}' is not KEY=VALUE", f), {}, {},
                              "--filter status=failed, --filter optimizer.lr=0.001, --filter recipe=classify");
      std::optional<std::string> v = rig::run_field(r, f.substr(0, eq));
      if (!v || !same_value(*v, f.substr(eq + 1))) keep = false;
    }
    if (keep) shown.push_back(std::move(r));
  }
  if (!a.sort.empty()) {
    std::vector<std::optional<std::string>> keys;
    for (const auto& r : shown) keys.push_back(rig::run_field(r, a.sort));
    std::vector<size_t> order = sorted_order(keys, a.desc);
    std::vector<rig::RunInfo> sorted;
    for (size_t i : order) sorted.push_back(std::move(shown[i]));
    shown = std::move(sorted);
  }
  if (a.json) {
    rig::Node list = rig::Node::list();
    for (const auto& r : shown) {
      rig::Node n = rig::Node::map();
      n.set("run", rig::Node(r.label));
      n.set("dir", rig::Node(r.dir.string()));
      n.set("recipe", rig::Node(r.recipe));
      n.set("start", r.start.empty() ? rig::Node() : rig::Node(r.start));
      n.set("status", rig::Node(r.status));
      n.set("duration_s", r.duration_s < 0 ? rig::Node() : rig::Node(r.duration_s));
      rig::Node o = rig::Node::list();
      for (const auto& s : r.overrides) o.push_back(rig::Node(s));
      n.set("overrides", o);
      n.set("metrics", r.metrics);
      list.push_back(n);
    }
    std::cout << rig::dump_json(list) << "\n";
    return rig::kExitOk;
  }
  std::vector<rig::JobResult> metrics_only;
  for (const auto& r : shown) metrics_only.push_back(with_metrics(r.metrics));
  std::vector<std::string> columns = rig::metric_columns(metrics_only);
  Table t;
  t.header = {"run", "recipe", "start", "status", "duration", "overrides"};
  t.right = {false, false, false, false, true, false};
  for (const auto& c : columns) {
    t.header.push_back(c);
    t.right.push_back(true);
  }
  for (const auto& r : shown) {
    std::vector<std::string> row{r.label, r.recipe, r.start, r.status, duration_text(r.duration_s),
                                 join(r.overrides, " ")};
    for (const auto& c : columns) {
      const rig::Node* v = r.metrics.find(c);
      row.push_back(v ? rig::metric_text(*v) : "");
    }
    t.rows.push_back(std::move(row));
  }
  std::cout << t.text();
  std::cout << fmt::format("{} of {} runs under {}\n", shown.size(), all.size(), a.dir);
  return rig::kExitOk;
}

// ---- diff --------------------------------------------------------------------------------------------------------

int diff(const std::string& dir_a, const std::string& dir_b) {
  rig::RunInfo a = rig::read_run(dir_a), b = rig::read_run(dir_b);
  auto ca = rig::read_flat_config(a.dir), cb = rig::read_flat_config(b.dir);
  // A value naming the run's own directory (run_dir, ${hydra:runtime.output_dir}) differs in every pair of runs:
  // compared as `<run_dir>`.
  auto own = [](std::map<std::string, rig::FlatValue>& c, const std::string& dir) {
    if (dir.empty()) return;
    for (auto& [k, v] : c)
      for (size_t at = v.value.find(dir); at != std::string::npos; at = v.value.find(dir, at + 9))
        v.value.replace(at, dir.size(), "<run_dir>");
  };
  own(ca, a.own_dir);
  own(cb, b.own_dir);
  bool have_config = !ca.empty() || !cb.empty();
  if (!have_config) {  // programs that write no config (a sweep of any PROG): their overrides are their config
    auto as_config = [](const std::vector<std::string>& overrides) {
      std::map<std::string, rig::FlatValue> out;
      for (const auto& o : overrides)
        if (size_t eq = o.find('='); eq != std::string::npos) out[o.substr(0, eq)] = {o.substr(eq + 1), "override"};
      return out;
    };
    ca = as_config(a.overrides);
    cb = as_config(b.overrides);
  }
  std::set<std::string> keys;
  for (const auto& [k, v] : ca) keys.insert(k);
  for (const auto& [k, v] : cb) keys.insert(k);
  std::cout << fmt::format("A: {}\nB: {}\n", a.dir.string(), b.dir.string());
  size_t differ = 0;
  std::string body;
  auto side = [](const std::map<std::string, rig::FlatValue>& c, const std::string& k) {
    auto it = c.find(k);
    if (it == c.end()) return std::string("(absent)");
    return it->second.origin.empty() ? it->second.value : fmt::format("{}    ({})", it->second.value, it->second.origin);
  };
  for (const auto& k : keys) {
    auto ia = ca.find(k), ib = cb.find(k);
    bool same = ia != ca.end() && ib != cb.end() && ia->second.value == ib->second.value;
    if (same) continue;
    ++differ;
    body += fmt::format("  {}\n    A: {}\n    B: {}\n", k, side(ca, k), side(cb, k));
  }
  std::cout << fmt::format("{} ({} of {} keys differ):\n{}", have_config ? "config" : "overrides as config", differ,
                           keys.size(), body);
  std::cout << "overrides:\n";
  std::cout << fmt::format("  A: {}\n  B: {}\n", a.overrides.empty() ? "(none)" : join(a.overrides, " "),
                           b.overrides.empty() ? "(none)" : join(b.overrides, " "));
  std::vector<rig::JobResult> both{with_metrics(a.metrics), with_metrics(b.metrics)};
  std::vector<std::string> columns = rig::metric_columns(both);
  std::cout << fmt::format("status: A {}, B {}\n", a.status, b.status);
  if (!columns.empty()) {
    Table t;
    t.header = {"final metric", "A", "B"};
    t.right = {false, true, true};
    for (const auto& c : columns) {
      const rig::Node* va = a.metrics.find(c);
      const rig::Node* vb = b.metrics.find(c);
      t.rows.push_back({c, va ? rig::metric_text(*va) : "", vb ? rig::metric_text(*vb) : ""});
    }
    std::cout << t.text("  ");
  }
  return differ == 0 ? rig::kExitOk : rig::kExitFailure;
}

}  // namespace

void add_runs_commands(CLI::App& app, bool names_only) {
  auto a = std::make_shared<RunsArgs>();
  auto* runs_cmd = app.add_subcommand("runs", "A table of the runs under outputs/ (or DIR): status, duration, metrics");
  if (!names_only) {
    runs_cmd->add_option("dir", a->dir, "Where to look (default outputs; a sweep directory works too)");
    runs_cmd->add_option("--sort", a->sort,
                         "Sort by a column (recipe, start, status, duration), a final metric, an override or config key");
    runs_cmd->add_flag("--desc", a->desc, "Sort descending");
    runs_cmd->add_option("--filter", a->filters, "KEY=VALUE: only runs whose KEY (as for --sort) has VALUE; repeatable")
        ->allow_extra_args(false);
    runs_cmd->add_flag("--json", a->json, "Print a JSON list instead of the table");
    runs_cmd->callback([a] { std::exit(handle([&] { return runs(*a); })); });
  }

  auto d = std::make_shared<std::pair<std::string, std::string>>();
  auto* diff_cmd = app.add_subcommand(
      "diff", "Compare two runs (or sweep jobs): config keys that differ and where each was set, overrides, final "
              "metrics; exit 0 when the configs are equal, 1 when they differ");
  if (names_only) return;
  diff_cmd->add_option("run_a", d->first, "A run directory")->required();
  diff_cmd->add_option("run_b", d->second, "Another run directory")->required();
  diff_cmd->callback([d] { std::exit(handle([&] { return diff(d->first, d->second); })); });
}

}  // namespace rig_cli
