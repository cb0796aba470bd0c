#include "components.hpp"
#include "rig/registry.hpp"

RIG_COMPONENT(rigtest_linked::FromObjectLib, rig::doc("registered from an OBJECT library"));
