// Must NOT compile: rig::params<int> where two constructors fit an int equally well (tests/CMakeLists.txt checks
// the diagnostic).
#include "rig/registry.hpp"

namespace cf {
struct Box {
  explicit Box(long side) : side(static_cast<int>(side)) {}
  explicit Box(short side) : side(side) {}
  int side;
};
}  // namespace cf

RIG_COMPONENT(cf::Box, rig::params<int>("side"));
