// The component-node module: lookup of the component a node names, binding of its arguments, and every check of
// them. instantiate (src/instantiate.cpp) builds with it; validate (src/validate.cpp) runs the same code in a dry
// session, which builds nothing — so the two report the same errors, by construction.
#pragma once

#include "rig/registry.hpp"

namespace rig::detail {

// Throws Failed after recording `e` in the session.
[[noreturn]] void fail(Session& s, Error e);

// The component `node` names, checked against the request: a map, one name key, a registered name, the interface
// asked for, the return form, `_partial_`, `_convert_`. On failure the error is in the session and Failed is thrown.
struct LookedUp {
  const detail::ComponentDef* def = nullptr;
  const MapEntry* named = nullptr;
  const detail::InterfaceDef* interface = nullptr;
};
LookedUp look_up(const Node& node, const Request& req, Session& s, const KeyPath& path);

// Decides where each parameter's value comes from (c.sources); records unknown, duplicate, surplus and missing
// arguments in the session.
void bind(Call& c, const Node& node, const Request& req, const MapEntry& named);

// A dry session's reading of the arguments: every check take<P> makes, nested components included, constructing
// nothing; then check_declared. Errors are recorded in the session.
void check_arguments(Call& c, const MapEntry& named);

// The component's declared value checks (detail::ComponentDef::constraints) over its arguments as given — config values,
// call-site arguments, defaults (located at the name entry). A value whose conversion failed is not checked again.
void check_declared(Call& c, const MapEntry& named);

std::string child_path(const KeyPath& path, std::string_view key);

}  // namespace rig::detail
