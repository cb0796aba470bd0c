#include "rig/limits.hpp"

#include <fmt/format.h>

#include <atomic>
#include <span>
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
  // Each container's children are taken as one span when it is entered: a leaf then costs one kind test (this walks
  // every node of every config a program builds).
  struct Frame {
    std::span<const MapEntry> entries;
    std::span<const Node> elements;
    size_t next = 0;
    const Node& child(size_t i) const { return entries.empty() ? elements[i] : entries[i].value; }
    size_t size() const { return entries.empty() ? elements.size() : entries.size(); }
  };
  auto frame = [](const Node& n) { return n.is_map() ? Frame{n.entries(), {}} : Frame{{}, n.elements()}; };
  std::vector<Frame> stack{frame(root)};
  while (!stack.empty()) {
    Frame& f = stack.back();
    const size_t count = f.size();
    while (f.next < count && !f.child(f.next).is_container()) ++f.next;
    if (f.next == count) {
      stack.pop_back();
      continue;
    }
    const Node& child = f.child(f.next++);
    if (stack.size() + 1 <= max_depth) {
      stack.push_back(frame(child));
      continue;
    }
    KeyPath path;
    for (const auto& fr : stack) {
      if (!fr.entries.empty())
        path.push_key(fr.entries[fr.next - 1].key);
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
