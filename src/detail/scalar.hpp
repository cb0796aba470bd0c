// Scalar text <-> values, shared by the YAML loader, the dumpers and the override parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rig/node.hpp"

namespace rig::detail {

// The YAML 1.2 core-schema reading of a plain scalar: null, bool, int, float, MISSING (`???`) or, failing all, a
// string. An integer literal outside int64 yields nullopt (the caller reports it where the text is).
std::optional<Node> resolve_plain(std::string_view text);

// Parsers for explicitly tagged scalars (!!int, !!float, !!bool, !!null); nullopt when `text` is not one.
std::optional<int64_t> parse_int(std::string_view text);
std::optional<double> parse_float(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);
bool is_null_text(std::string_view text);

// Shortest text that reads back as the same double and as a float (never as an int): 1.0, 1e-05, .inf, .nan.
std::string format_float(double value);

// True when `text` written plain would read back as exactly this string.
bool plain_safe(std::string_view text);

}  // namespace rig::detail
