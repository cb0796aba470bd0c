// What makes a config node a component, read by every part of rig that needs to know (instantiate, validate,
// introspection, recipe help, override handling): defined here once, implemented in src/detail/component_node.cpp.
//
// A component node is a map with exactly one name key:
//   _component_: my.optim.AdamW     rig's spelling
//   _target_: my.optim.AdamW        Hydra's spelling
//   target: "my.optim:AdamW"        config_spec's spelling (a module-style value: one colon between two names;
//                                   only when neither key above is present — otherwise `target` is an argument)
// Two of the first two in one node is an error (rig.component.two_names). Its other reserved keys:
//   _args_ (positional arguments), _partial_ (a std::function that calls it later), _recursive_ (false: nested
//   component configs are passed as nodes), _convert_ (Hydra's conversion mode: rig always converts each argument to
//   its parameter's C++ type, so any of Hydra's values — none, partial, object, all — is accepted and changes nothing).
#pragma once

#include <span>
#include <string_view>

namespace rig {
class Node;
struct MapEntry;
namespace detail {
struct ComponentDef;
}
}  // namespace rig

namespace rig::detail {

// `_component_`, `_target_`, `target` (the last only in its module form), in order of precedence.
inline constexpr std::string_view kNameKeys[] = {"_component_", "_target_", "target"};

// The values `_convert_` accepts (Hydra's ConvertMode, case-insensitive).
inline constexpr std::string_view kConvertModes[] = {"none", "partial", "object", "all"};

// A key of a component node that is not an argument: the name keys and `_args_`, `_partial_`, `_recursive_`,
// `_convert_`.
bool is_reserved_key(std::string_view key);
// The entry naming the component, or nullptr when `n` is not a component node.
const MapEntry* component_name_entry(const Node& n);
bool is_component_node(const Node& n);
// A boolean flag (`_partial_`, `_recursive_`): its value when it is a bool, else `fallback`.
bool component_flag(const Node& n, std::string_view key, bool fallback);

}  // namespace rig::detail
