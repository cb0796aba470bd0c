# rig_warnings(TARGET): the warning set for rig's own code. Third-party headers are included as system headers.
function(rig_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(RIG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
