// rig/sweep.hpp — multirun sweeps: from overrides (and a config's `sweep:` section) to a list of jobs.
//
//   rig::SweepSpec spec;
//   spec.overrides = {"optimizer.lr=1e-3,1e-4", "model=mlp,convnet", "epochs=3",
//                     "zip(lr=[1e-3,1e-4], warmup=[100,50])"};
//   rig::SweepPlan plan = rig::expand_sweep(spec);
//   for (const rig::SweepJob& job : plan.jobs) run(job.overrides);   // "epochs=3", "optimizer.lr=0.001", ...
//
// Every sweep of the override grammar is an axis: `a=1,2`, choice(), range() (ints or floats), sort(), shuffle()
// (shuffled with SweepSpec::seed, the same on every machine), tag() (kept in the plan), glob() (over the options
// SweepSpec::group_options lists for that config group). interval() has no finite value list: a grid sweep rejects it
// (rig.sweep.interval). `zip(k1=[...], k2=[...])` is ONE axis that pairs its keys element by element (every part a
// list or a sweep of the same length). The jobs are the Cartesian product of the axes, the last axis varying
// fastest (Hydra's order). Ordinary overrides are passed to every job, first.
//
// A config's `sweep:` section (docs/sweeps.md) holds the same axes, so an experiment is one file:
//
//   sweep:
//     params: {optimizer.lr: "1e-3,1e-4", model: [mlp, convnet]}   # grammar text, or a YAML list (a choice)
//     zip: [{lr: [1e-3, 1e-4], warmup: [100, 50]}]
//
// A command-line override of a key the section sweeps replaces that axis (the command line wins).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <utility>
#include <string>
#include <vector>

#include "rig/node.hpp"

namespace rig {

// One swept dimension: one key, or several zipped keys that move together.
struct SweepAxis {
  std::vector<std::string> keys;                 // as written, with any +/++ prefix: "optimizer.lr", "+extra"
  std::vector<std::vector<std::string>> points;  // points[i][k]: the override for keys[k] at step i ("lr=0.001")
  std::vector<std::string> tags;                 // tag(...)
};

struct SweepJob {
  size_t index = 0;
  std::vector<std::string> overrides;  // every override the job gets: the fixed ones, then one per swept key
  std::vector<std::string> swept;      // only the swept ones
  std::string name;                    // its run directory: "<index>_<short summary of swept>"
};

// Where a config's sweep: section wrote each key it gives the jobs (and the command line does not replace): the key
// (bare: no +/~ prefix, no @package) and the origin of its value in sweep.params or a sweep.zip group; for a list of
// values, also each element's own origin, under the job override it becomes ("lr=0.1"). A job's override of such a
// key is reported there when the job's config is invalid (rig's fail-fast check).
using SectionOrigins = std::vector<std::pair<std::string, Origin>>;

// The origin `origins` holds for override `text`: the element that became it, else its key's value; unknown when
// the section did not write it.
Origin section_origin(const SectionOrigins& origins, std::string_view text);

struct Override;

// Records where the section wrote `o` (made by section_override from `value`): its key, and each element of a list.
void add_section_origins(SectionOrigins& origins, const Override& o, const Node& value);

// `key: value` of sweep.params (or of a sweep.zip group) as an override: a string is grammar text, a list a choice,
// anything else its value. rig.sweep.section for an empty list. Grid sweeps and searches read the section with it.
Override section_override(const std::string& key, const Node& value);

// The same override with every origin (the argument, its key, each value node, a sweep and its choices) moved to
// `at`: for an override rig wrote itself from a value of the sweep: section, so that what goes wrong with it is
// reported where that value was written.
Override written_at(Override o, const Origin& at);

struct SweepPlan {
  std::vector<std::string> fixed;  // overrides given to every job, in order
  std::vector<SweepAxis> axes;
  std::vector<SweepJob> jobs;
  SectionOrigins section_origins;  // not saved in sweep.yaml: only the check before launching reads it
};

struct SweepSpec {
  std::vector<std::string> overrides;  // command-line arguments: overrides, sweeps, zip(...)
  int first_argv_index = -1;           // argv index of overrides[0], for located errors (-1: unknown)
  Node section;                        // the config's `sweep:` section; null when there is none
  uint64_t seed = 0;                   // for shuffle()
  size_t max_jobs = 100'000;           // more is rig.sweep.too_many_jobs
  // Options of a config group, for glob(); unset: glob() is rig.sweep.glob.
  std::function<std::vector<std::string>(const std::string& group)> group_options;
};

// Throws rig::Error: the override grammar's own ParseErrors, rig.sweep.interval, rig.sweep.glob, rig.sweep.zip
// (malformed zip or lengths differ), rig.sweep.section (a malformed `sweep:` section), rig.sweep.too_many_jobs.
SweepPlan expand_sweep(const SweepSpec& spec);

// True for an argument expand_sweep reads as a paired sweep: `zip(...)`.
bool is_zip_argument(std::string_view arg);

// The override-grammar text that reads back as `value` (rig::parse_override_value(text) == value):
// 0.001, 'a,b', [1, 2], {a: 1}, null.
std::string override_value_text(const Node& value);

// "<index, zero-padded to `width`>_<swept overrides joined by ',', unsafe characters as '_', at most 60 bytes>".
std::string job_dir_name(size_t index, std::span<const std::string> swept, size_t width);

// sweep.yaml's tree (fixed, axes, jobs) and back. from_node throws rig.sweep.plan on a malformed tree.
Node plan_to_node(const SweepPlan& plan);
SweepPlan plan_from_node(const Node& node);

}  // namespace rig
