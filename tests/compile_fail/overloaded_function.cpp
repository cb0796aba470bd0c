// Must NOT compile: RIG_FUNCTION on an overloaded function (tests/CMakeLists.txt checks that the diagnostic
// points the user to RIG_FUNCTION_AS).
#include "rig/registry.hpp"

namespace cf {
int area(int side) { return side * side; }
int area(int w, int h) { return w * h; }
}  // namespace cf

RIG_FUNCTION(cf::area, rig::params("side"));
