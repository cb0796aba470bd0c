// Components compiled into a static library and an OBJECT library (tests/CMakeLists.txt), to check that
// rig_link_components keeps their registrars. Nothing in the tests refers to their .cpp files.
#pragma once

namespace rigtest_linked {

struct FromStaticLib {
  struct Options {
    int x = 1;
  };
  explicit FromStaticLib(Options o) : x(o.x) {}
  int x;
};

struct FromObjectLib {
  int y = 2;
};

}  // namespace rigtest_linked
