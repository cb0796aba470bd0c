// List merge policies, rig's extension to OmegaConf merging (docs/composition.md): inside a config body a key
// written `name+:` appends its list to the list `name` composed so far, `+name:` prepends it.
#pragma once

#include <string_view>

#include "rig/node.hpp"

namespace rig::detail {

enum class ListPolicy { None, Append, Prepend };

// The policy a key spells, and the key it applies to.
ListPolicy list_policy(std::string_view key, std::string_view* target = nullptr);

// True when some map key in `tree` spells a list policy.
bool has_list_policies(const Node& tree);

// rig::merge_with_history, except that policy keys extend lists instead of replacing them. Errors (rig.compose.*) are located at
// the policy key.
void merge_with_policies(Node& dst, const Node& src);

}  // namespace rig::detail
