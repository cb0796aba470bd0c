// Python's str() and repr() of config values, which OmegaConf uses when an interpolation is part of a longer string
// ("lr=${lr}" with lr: 1e-5 gives "lr=1e-05"; true gives "True"; a map gives "{'a': 1}").
#pragma once

#include <string>

#include "rig/node.hpp"

namespace rig::detail {

std::string python_float_repr(double value);  // 1e-05, 0.0001, 1e+16, 123456789.0, inf, nan
std::string python_str(const Node& value);    // str(): strings as they are, containers as repr
std::string python_repr(const Node& value);   // repr(): strings quoted

}  // namespace rig::detail
