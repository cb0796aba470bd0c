// rig/limits.hpp — bounds on the trees rig builds and walks, process-wide (docs/reliability.md).
//
//   rig::set_tree_limits({.max_depth = 64});   // refuse configs nested deeper than 64 levels
//
// Every way a tree is built — YAML and JSON loads (LoadLimits::max_depth, per load), overrides (key and value
// levels together), compositions (defaults lists including one another, package levels plus the body's), the
// environment, resolved interpolations — and every recursive walk of one (dump_yaml, dump_json, merge, ==,
// validate_config, instantiate, with_defaults) is bounded by max_depth: past it, rig::LimitError rig.limit.depth at
// the place that crosses it. Interpolations that copy values into one another are bounded by an expansion budget:
// rig.limit.interpolation_expansion at the interpolation that crosses it. The defaults are far beyond real configs.
#pragma once

#include <cstddef>

#include "rig/node.hpp"

namespace rig {

// The default of TreeLimits::max_depth and of LoadLimits::max_depth (yaml.hpp writes the same number). The root
// container is level 1.
inline constexpr size_t kDefaultMaxDepth = 256;

struct TreeLimits {
  size_t max_depth = kDefaultMaxDepth;  // nesting of maps and lists: rig.limit.depth
  // The expansion budget of one resolution: nodes produced by interpolations (a subtree an interpolation copies counts
  // once per copy, as it would be printed) and bytes of strings they produce (concatenations, str() of values).
  size_t max_nodes = 10'000'000;
  size_t max_bytes = 16u << 20;
};
void set_tree_limits(const TreeLimits& limits);
TreeLimits tree_limits();

namespace detail {
// Throws LimitError rig.limit.depth at the first map or list nested deeper than `max_depth` levels (the root is
// level 1), located at that node (or at `fallback` when it has no origin) with its key path. Iterative.
void check_depth(const Node& root, size_t max_depth, const Origin& fallback = {});
}  // namespace detail

}  // namespace rig
