// The keys of a config that nothing read: what `--validate` warns about (rig.validate.unread_key, src/validate.cpp)
// and what run.json lists as `unread_keys` (src/app.cpp).
#pragma once

#include <string>
#include <vector>

#include "rig/node.hpp"

namespace rig::detail {

struct UnreadKey {
  std::string path;
  Origin origin;  // of the key
};

// The keys of `config` that nothing of `read` covers (a read key path covers everything under it; "" is the whole
// config) and no interpolation in `config` refers to: of each unread part, its topmost key, in the config's order.
std::vector<UnreadKey> unread_keys(const Node& config, const std::vector<std::string>& read);

}  // namespace rig::detail
