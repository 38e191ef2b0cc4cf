# User-facing build options. Defaults build the CPU library, tests, benchmarks and examples.
set(ENAS_CUDA "AUTO" CACHE STRING "Build the real CUDA backend with nvcc: AUTO (if a toolkit is found), ON (fail without one), OFF")
set_property(CACHE ENAS_CUDA PROPERTY STRINGS AUTO ON OFF)
option(ENAS_CUDA_EMULATION "Build the CUDA kernels for the CPU through the SIMT emulator (cuda/emu) as the Cuda device" OFF)
option(ENAS_CUDNN "Use cuDNN as an optional convolution path in the real CUDA build" OFF)
option(ENAS_SYNC_CHECKS "Synchronize after every CUDA launch (debugging)" OFF)
option(ENAS_BUILD_TESTS "Build the Catch2 test suite" ON)
option(ENAS_BUILD_BENCHMARKS "Build the Google Benchmark microbenchmarks" ON)
option(ENAS_BUILD_EXAMPLES "Build the example programs" ON)
option(ENAS_BUILD_ORACLE_TESTS "Build the PyTorch oracle tests (tests/oracle) with the tests" ON)
option(ENAS_HEADER_CHECK "Compile every public header alone (self-containment check) with the tests" ON)
option(ENAS_WERROR "Treat compiler warnings as errors" OFF)
set(ENAS_ORACLE_PYTHON "/usr/bin/python3" CACHE FILEPATH
    "Python interpreter with torch and numpy used by the oracle tests (Debian's python3-torch)")

string(TOUPPER "${ENAS_CUDA}" ENAS_CUDA)
if(NOT ENAS_CUDA MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "ENAS_CUDA must be AUTO, ON or OFF (got '${ENAS_CUDA}')")
endif()
