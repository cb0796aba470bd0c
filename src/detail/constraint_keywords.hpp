// Declared value checks (rig/constraints.hpp) as JSON Schema keywords, for `rig schema` (src/registry.cpp).
#pragma once

#include "rig/constraints.hpp"
#include "rig/node.hpp"

namespace rig::detail {

// The JSON Schema (draft 2020-12) keywords stating a one-value constraint: minimum / maximum (or exclusive), enum,
// pattern (anchored: the whole value must match), minLength / minItems / minProperties. Like the check, each keyword
// applies to values of its own kind only. An empty map for what JSON Schema cannot state (finite; the comparisons
// across parameters): describe() names those in the parameter's description.
Node json_schema_keywords(const Constraint& c);

}  // namespace rig::detail
