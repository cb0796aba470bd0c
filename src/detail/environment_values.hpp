// Values rig read from the environment (`${oc.env:VAR}`, the RIG_* layer), remembered so that no diagnostic quotes
// one: an error's message, hint, notes and source excerpt show `<env:VAR>` in its place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rig/origin.hpp"

namespace rig::detail {

// Values shorter than this are not hidden in free text (`1`, `on` would hide unrelated text); the resolution engine
// still never quotes them (it knows which values came from the environment).
inline constexpr size_t kMinHiddenLength = 4;

void note_environment_value(std::string_view variable, std::string_view value);

// The RIG_* layer names the source of each value it writes after its variable: "env VAR". Every reader of that
// convention (redaction, taints, diagnostics, setter names) asks here.
std::string environment_source_name(std::string_view variable);
// The variable of a source the layer named; nullopt for any other source (or none).
std::optional<std::string_view> environment_variable_of(const Source* source);
std::string hide_environment_values(std::string text);

}  // namespace rig::detail
