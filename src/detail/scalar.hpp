// Scalar text <-> values, shared by the YAML loader, the dumpers and the override parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rig/node.hpp"

namespace rig::detail {

// The YAML 1.2 core-schema reading of a plain scalar: null, bool, int, float, MISSING (`???`) or, failing all, a
// string. An integer literal outside int64, or a float literal too large for a double, yields nullopt (the caller
// reports it where the text is: rig.yaml.int_range, rig.yaml.float_range).
std::optional<Node> resolve_plain(std::string_view text);

// Parsers for explicitly tagged scalars (!!int, !!float, !!bool, !!null); nullopt when `text` is not one.
std::optional<int64_t> parse_int(std::string_view text);
std::optional<double> parse_float(std::string_view text);  // nullopt for a literal too large for a double
// A decimal float literal whose value overflows a double (1e400): callers report rig.yaml.float_range.
bool float_out_of_range(std::string_view text);
// The message and hint of rig.yaml.float_range, written once for every reader.
std::string float_range_message(std::string_view text);
inline constexpr std::string_view kFloatRangeHint = "write .inf (or -.inf) for infinity, or quote it to keep a string";
std::optional<bool> parse_bool(std::string_view text);
bool is_null_text(std::string_view text);

// Shortest text that reads back as the same double and as a float (never as an int): 1.0, 1e-05, .inf, .nan.
std::string format_float(double value);

// True when `text` written plain would read back as exactly this string.
bool plain_safe(std::string_view text);

}  // namespace rig::detail
