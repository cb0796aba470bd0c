// The control experiment for registry_link_test.cpp: the same static library linked the ordinary way. The linker
// drops the unreferenced object file and its registrar with it. Exit 0 when that happened (the behaviour
// rig_link_components exists to prevent), 1 when the component is there after all.
#include <cstdio>

#include "rig/registry.hpp"

int main() {
  bool present = rig::registry().find("rigtest_linked.FromStaticLib") != nullptr;
  std::printf("rigtest_linked.FromStaticLib %s\n", present ? "is registered" : "was dropped by the linker");
  return present ? 1 : 0;
}
