# Compiles every public header alone in its own translation unit (CUTLASS-style self-containment
# check), so no header silently depends on what its includer happened to include first.
function(enas_add_header_check)
  file(GLOB_RECURSE _headers CONFIGURE_DEPENDS RELATIVE "${PROJECT_SOURCE_DIR}/include"
       "${PROJECT_SOURCE_DIR}/include/enas/*.hpp")
  set(_sources "")
  foreach(h IN LISTS _headers)
    string(MAKE_C_IDENTIFIER "${h}" _id)
    set(_tu "${CMAKE_CURRENT_BINARY_DIR}/header_check/${_id}.cpp")
    file(CONFIGURE OUTPUT "${_tu}" CONTENT "#include \"${h}\"\n#include \"${h}\"  // and include guards work\n")
    list(APPEND _sources "${_tu}")
  endforeach()
  add_library(enas_header_check OBJECT ${_sources})
  target_link_libraries(enas_header_check PRIVATE enas::enas)
endfunction()
