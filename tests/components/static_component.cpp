#include "components.hpp"
#include "rig/registry.hpp"

RIG_COMPONENT(rigtest_linked::FromStaticLib, rig::doc("registered from a static library"));
