# Linking component libraries so that their registrars survive.
#
# RIG_COMPONENT / RIG_FUNCTION register from a static initialiser in the component's own object file. Nothing else
# refers to that file, so a linker pulling objects out of a static archive drops it, registrar included, and the
# component silently disappears. Two cures:
#
#   rig_add_component_library(my_components OBJECT a.cpp b.cpp)   # object files are always linked whole
#   rig_add_component_library(my_components STATIC a.cpp b.cpp)   # or an archive...
#   rig_link_components(my_app PRIVATE my_components)             # ...linked whole-archive (CMake >= 3.24)
#
# rig_link_components works for both kinds (an OBJECT library is linked as is).

# rig_add_component_library(<name> [STATIC|OBJECT] <sources>...): a library of components, linked to rig.
function(rig_add_component_library name kind)
  if(NOT kind STREQUAL "STATIC" AND NOT kind STREQUAL "OBJECT")
    message(FATAL_ERROR "rig_add_component_library(${name} ...): kind must be STATIC or OBJECT, got '${kind}'")
  endif()
  add_library(${name} ${kind} ${ARGN})
  target_link_libraries(${name} PUBLIC rig::rig)
endfunction()

# rig_link_components(<target> <PRIVATE|PUBLIC|INTERFACE> <library>...): links every object file of each library.
function(rig_link_components target scope)
  foreach(lib IN LISTS ARGN)
    get_target_property(type ${lib} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      target_link_libraries(${target} ${scope} "$<LINK_LIBRARY:WHOLE_ARCHIVE,${lib}>")
    else()
      target_link_libraries(${target} ${scope} ${lib})
    endif()
  endforeach()
endfunction()

# Plugins (rig/plugins.hpp): shared libraries of components loaded at start-up with --plugin or RIG_PLUGIN_PATH.
#
#   rig_add_plugin(my_plugin my_components.cpp ...)   # builds libmy_plugin.so (a MODULE library)
#   rig run RECIPE --plugin path/to/libmy_plugin.so ...
#
# A plugin is compiled against rig's headers but does not link librig: it uses the host's rig (one registry), which
# rig_host_plugins gives a program — all of librig linked in and its symbols exported. rig_add_recipe and the rig
# tool are hosts.
function(rig_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_include_directories(${name} PRIVATE $<TARGET_PROPERTY:rig::rig,INTERFACE_INCLUDE_DIRECTORIES>)
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_link_libraries(${name} PRIVATE fmt::fmt)
endfunction()

# rig_host_plugins(<executable>): the program links every object of librig and exports its symbols, so that a
# plugin's references to rig resolve to the program's own rig (and its registry).
function(rig_host_plugins target)
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
  target_link_options(${target} PRIVATE "LINKER:--whole-archive" "$<TARGET_FILE:rig::rig>" "LINKER:--no-whole-archive")
endfunction()
