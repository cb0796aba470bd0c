// Values rig read from the environment (`${oc.env:VAR}`, the RIG_* layer), remembered so that no diagnostic quotes
// one: an error's message, hint, notes and source excerpt show `<env:VAR>` in its place.
#pragma once

#include <string>
#include <string_view>

namespace rig::detail {

// Values shorter than this are not hidden in free text (`1`, `on` would hide unrelated text); the resolution engine
// still never quotes them (it knows which values came from the environment).
inline constexpr size_t kMinHiddenLength = 4;

void note_environment_value(std::string_view variable, std::string_view value);
std::string hide_environment_values(std::string text);

}  // namespace rig::detail
