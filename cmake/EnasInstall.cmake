# install(EXPORT) + package config so that another project can find_package(enas).
include(CMakePackageConfigHelpers)
# With a CUDA backend, enas links the static enas_cuda (and, emulated, enas_cuda_emu), so they are
# exported too, and the package config finds what they link.
set(_enas_exported_targets enas)
set(ENAS_PACKAGE_DEPENDENCIES "")
if(ENAS_HAS_CUDA)
  list(APPEND _enas_exported_targets enas_cuda)
  if(ENAS_CUDA_EMULATION)
    list(APPEND _enas_exported_targets enas_cuda_emu)
    string(APPEND ENAS_PACKAGE_DEPENDENCIES
           "find_dependency(Threads)\nfind_dependency(Boost 1.74 COMPONENTS context CONFIG)\n")
  else()
    string(APPEND ENAS_PACKAGE_DEPENDENCIES "find_dependency(CUDAToolkit)\n")
  endif()
endif()
install(TARGETS ${_enas_exported_targets} EXPORT enasTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/enas DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/include/enas/core/build_config.hpp"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/enas/core)
install(EXPORT enasTargets NAMESPACE enas:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/enas)
configure_package_config_file(cmake/enasConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/enasConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/enas)
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/enasConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/enasConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/enasConfigVersion.cmake"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/enas)

function(enas_print_summary)
  message(STATUS "enas ${PROJECT_VERSION}: build type ${CMAKE_BUILD_TYPE}")
  message(STATUS "  GEMM:   ${ENAS_BLAS_DESCRIPTION}")
  message(STATUS "  CUDA:   ${ENAS_CUDA_DESCRIPTION} (ENAS_HAS_CUDA=${ENAS_HAS_CUDA})")
  message(STATUS "  tests ${ENAS_BUILD_TESTS}, benchmarks ${ENAS_BUILD_BENCHMARKS}, examples ${ENAS_BUILD_EXAMPLES}")
endfunction()
