// TEMPORARY (issue 5 seam): the subset of the command-line override grammar that composition needs, until
// include/rig/overrides.hpp (rig::parse_override, rig::Override) lands on main. Delete this file then.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rig/node.hpp"

namespace rig::detail {

struct CliOverride {
  enum class Kind { Set, Add, ForceAdd, Delete, Append };  // k=v, +k=v, ++k=v, ~k[=v], k+=v
  Kind kind = Kind::Set;
  std::string key;                     // as written: `model`, `server/db`, `optimizer.lr`
  std::optional<std::string> package;  // `group@package=...`
  std::optional<Node> value;           // absent for `~key`
  Origin origin;                       // the whole argument
  Origin key_origin;
};

// Throws rig::UsageError rig.override.syntax located in the argument.
CliOverride parse_cli_override(std::string_view arg, int argv_index);

// Applies a non-group override to the composed tree (Hydra's rules: `k=v` needs k to exist, `+k=v` needs it absent,
// `++k=v` sets either way, `~k` removes, `k+=[x]` appends to a list).
void apply_value_override(Node& config, const CliOverride& override_);

}  // namespace rig::detail
