# Installs rig for out-of-tree projects: find_package(rig) gives rig::rig, rig_add_recipe and rig_add_component_library.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

target_include_directories(rig PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_definitions(rig PRIVATE RIG_VERSION="${PROJECT_VERSION}")
install(TARGETS rig EXPORT rigTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/rig DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT rigTargets NAMESPACE rig:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rig)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/rigConfig.cmake.in ${PROJECT_BINARY_DIR}/rigConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rig)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/rigConfigVersion.cmake COMPATIBILITY SameMinorVersion)
# pkg-config: rig.pc (and rig-torch.pc from torch/), relocatable (paths relative to the .pc file's directory).
file(RELATIVE_PATH RIG_PC_PREFIX_FROM_PCDIR "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
set(RIG_PKGCONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
configure_file(${PROJECT_SOURCE_DIR}/cmake/pkgconfig/rig.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/rig.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/rig.pc DESTINATION ${RIG_PKGCONFIG_DIR})
# The license travels with the package.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_BINARY_DIR}/rigConfig.cmake ${PROJECT_BINARY_DIR}/rigConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/RigRecipe.cmake ${PROJECT_SOURCE_DIR}/cmake/RigComponents.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rig)
# A sanitized librig.a needs the sanitizer runtime in whatever links it (cp --project tests build against it).
if(RIG_SANITIZE)
  target_link_options(rig INTERFACE $<INSTALL_INTERFACE:-fsanitize=address,undefined>)
endif()
