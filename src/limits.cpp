#include "rig/limits.hpp"

#include <fmt/format.h>

#include <atomic>
#include <vector>

namespace rig {

namespace {
std::atomic<size_t> g_max_depth{TreeLimits{}.max_depth};
std::atomic<size_t> g_max_nodes{TreeLimits{}.max_nodes};
std::atomic<size_t> g_max_bytes{TreeLimits{}.max_bytes};
}  // namespace

void set_tree_limits(const TreeLimits& limits) {
  g_max_depth = limits.max_depth;
  g_max_nodes = limits.max_nodes;
  g_max_bytes = limits.max_bytes;
}

TreeLimits tree_limits() { return {g_max_depth.load(), g_max_nodes.load(), g_max_bytes.load()}; }

namespace detail {

void check_depth(const Node& root, size_t max_depth, const Origin& fallback) {
  if (!root.is_container()) return;
  struct Frame {
    const Node* node;
    size_t next = 0;
  };
  std::vector<Frame> stack{{&root}};
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Node& n = *f.node;
    size_t count = n.is_map() ? n.entries().size() : n.elements().size();
    if (f.next >= count) {
      stack.pop_back();
      continue;
    }
    const Node& child = n.is_map() ? n.entries()[f.next].value : n.elements()[f.next];
    ++f.next;
    if (!child.is_container()) continue;
    if (stack.size() + 1 <= max_depth) {
      stack.push_back({&child});
      continue;
    }
    KeyPath path;
    for (const auto& fr : stack) {
      if (fr.node->is_map())
        path.push_key(fr.node->entries()[fr.next - 1].key);
      else
        path.push_index(fr.next - 1);
    }
    throw LimitError("rig.limit.depth",
                     fmt::format("'{}' nests deeper than the limit of {} levels", path.to_string(), max_depth),
                     child.origin().known() ? child.origin() : fallback, path.to_string(),
                     "rig::TreeLimits::max_depth bounds every tree rig builds");
  }
}

}  // namespace detail

}  // namespace rig
