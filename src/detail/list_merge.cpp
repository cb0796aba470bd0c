#include "detail/list_merge.hpp"

#include <fmt/format.h>

#include "rig/overrides.hpp"

namespace rig::detail {

ListPolicy list_policy(std::string_view key, std::string_view* target) {
  if (key.size() < 2) return ListPolicy::None;
  bool front = key.front() == '+', back = key.back() == '+';
  if (front == back) return ListPolicy::None;  // neither, or `+x+` (not a policy: an ordinary, odd key)
  if (target) *target = front ? key.substr(1) : key.substr(0, key.size() - 1);
  return front ? ListPolicy::Prepend : ListPolicy::Append;
}

bool has_list_policies(const Node& tree) {
  for (const auto& e : tree.entries())
    if (list_policy(e.key) != ListPolicy::None || has_list_policies(e.value)) return true;
  return false;  // lists are values: keys inside list elements are not policies
}

namespace {

void extend(Node& dst, const MapEntry& e, ListPolicy policy, std::string_view target) {
  const Node& extra = e.value;
  std::string spelled(e.key);
  if (!extra.is_list())
    throw Error("rig.compose.merge_policy",
                    fmt::format("'{}' {}s to a list, so its value must be a list, not a {}", spelled,
                                policy == ListPolicy::Append ? "append" : "prepend", kind_name(extra.kind())),
                    extra.origin().known() ? extra.origin() : e.key_origin, spelled,
                    fmt::format("write {}: [{}]", spelled, extra.is_scalar() ? "..." : ""));
  if (dst.find(target) == nullptr) {
    dst.set(std::string(target), extra, e.key_origin);
    return;
  }
  Node* base = dst.find_mut(target);
  if (base->is_null() || base->is_missing()) {
    *base = extra;
    return;
  }
  if (!base->is_list()) {
    Error err("rig.compose.merge_policy",
                  fmt::format("'{}' cannot {} to '{}': it is a {}, not a list", spelled,
                              policy == ListPolicy::Append ? "append" : "prepend", target, kind_name(base->kind())),
                  e.key_origin, std::string(target));
    err.add_note(base->origin(), "the value it would extend was set here");
    throw err;
  }
  Node joined = Node::list(extra.origin());
  joined.push_history(*base);
  const Node& first = policy == ListPolicy::Append ? *base : extra;
  const Node& second = policy == ListPolicy::Append ? extra : *base;
  for (const auto& x : first.elements()) joined.push_back(x);
  for (const auto& x : second.elements()) joined.push_back(x);
  *base = std::move(joined);
}

}  // namespace

void merge_with_policies(Node& dst, const Node& src) {
  if (!src.is_map() || !has_list_policies(src)) {
    merge_with_history(dst, src);
    return;
  }
  if (!dst.is_map()) dst = Node::map(src.origin());
  for (const auto& e : src.entries()) {
    std::string_view target;
    ListPolicy policy = list_policy(e.key, &target);
    if (policy != ListPolicy::None) {
      if (src.find(target) != nullptr)
        throw Error("rig.compose.merge_conflict",
                       fmt::format("'{}' and '{}' are both set in one map: set the list, or extend it, not both",
                                   e.key, target),
                       e.key_origin, std::string(target));
      extend(dst, e, policy, target);
      continue;
    }
    Node* mine = dst.find_mut(e.key);
    if (!mine) {
      if (!has_list_policies(e.value)) {
        dst.set(e.key, e.value, e.key_origin);
        continue;
      }
      mine = &dst.set(e.key, e.value.is_map() ? Node::map(e.value.origin()) : Node(), e.key_origin);
    }
    merge_with_policies(*mine, e.value);
  }
}

}  // namespace rig::detail
