// Components from a static library (linked with rig_link_components, whole-archive) and from an OBJECT library must
// be registered: this fails when registrars are dropped. The control, rig_dropped_registrars_control (ctest), links
// the same static library the ordinary way and checks that the linker does drop it there.
#include <gtest/gtest.h>

#include "components/components.hpp"
#include "rig/instantiate.hpp"
#include "rig/yaml.hpp"

namespace {

TEST(RegistryLinking, StaticLibraryComponentsLinkedWholeArchiveAreRegistered) {
  const rig::detail::ComponentDef* d = rig::registry().find("rigtest_linked.FromStaticLib");
  ASSERT_NE(d, nullptr) << "the static library's registrar was dropped: link it with rig_link_components()";
  EXPECT_TRUE(std::string_view(d->file).ends_with("static_component.cpp"));
  auto made = rig::instantiate<rigtest_linked::FromStaticLib>(rig::load_yaml("{_component_: rigtest_linked.FromStaticLib, x: 5}"));
  EXPECT_EQ(made.x, 5);
}

TEST(RegistryLinking, ObjectLibraryComponentsAreRegistered) {
  ASSERT_NE(rig::registry().find("rigtest_linked::FromObjectLib"), nullptr);
  auto made = rig::instantiate<rigtest_linked::FromObjectLib>(rig::load_yaml("{_component_: rigtest_linked.FromObjectLib}"));
  EXPECT_EQ(made.y, 2);
}

}  // namespace
