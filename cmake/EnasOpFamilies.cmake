# One op family lives in the same named places (DESIGN.md §2, docs/adding_an_op.md). Configure fails
# when a family lacks one of them, so a family can never be half-added. The CUDA places (launcher
# declarations, kernels, launchers) are checked once the CUDA backend exists in the tree, and its
# CPU-vs-Cuda test (tests/cuda/test_cuda_F.cpp) whenever the build has the Cuda device.
set(ENAS_OP_FAMILIES
  elementwise reduce softmax matmul conv depthwise_conv pool batchnorm copy lstm rnn_node
  dropout embedding optim)
# The families with parameter types of their own, each in include/enas/ops/params/F.hpp (shared by
# every device). The others take plain values or reuse another family's: depthwise_conv and pool use
# params/conv.hpp (Conv2dParams, Padding), rnn_node uses params/elementwise.hpp (Activation).
set(ENAS_OP_FAMILIES_WITH_PARAMS conv pool batchnorm elementwise dropout optim)

set(_enas_missing "")
foreach(family IN LISTS ENAS_OP_FAMILIES)
  set(_places
    "include/enas/ops/${family}.hpp"
    "include/enas/backend/${family}.hpp"
    "include/enas/backend/cpu/${family}.hpp"
    "include/enas/backend/cuda/${family}.hpp"
    "tests/ops/test_${family}.cpp"
    "benchmarks/bench_${family}.cpp")
  if(family IN_LIST ENAS_OP_FAMILIES_WITH_PARAMS)
    list(APPEND _places "include/enas/ops/params/${family}.hpp")
  endif()
  if(_enas_cuda_sources_present)
    list(APPEND _places "cuda/kernels/${family}.cuh" "cuda/${family}.cu")
  endif()
  if(ENAS_HAS_CUDA)
    list(APPEND _places "tests/cuda/test_cuda_${family}.cpp")
  endif()
  foreach(place IN LISTS _places)
    if(NOT EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${place}")
      list(APPEND _enas_missing "${place}")
    endif()
  endforeach()
endforeach()
# A params header belongs to a listed family: a stray one means a family half-added or half-removed.
file(GLOB _enas_params RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}/include/enas/ops/params"
     "${CMAKE_CURRENT_SOURCE_DIR}/include/enas/ops/params/*.hpp")
foreach(params IN LISTS _enas_params)
  string(REGEX REPLACE "\\.hpp$" "" _family "${params}")
  if(NOT _family IN_LIST ENAS_OP_FAMILIES_WITH_PARAMS)
    list(APPEND _enas_missing "${_family} in ENAS_OP_FAMILIES_WITH_PARAMS (for include/enas/ops/params/${params})")
  endif()
endforeach()
if(_enas_missing AND NOT ENAS_ALLOW_INCOMPLETE_FAMILIES)
  list(JOIN _enas_missing "\n  " _msg)
  message(FATAL_ERROR "Op families are incomplete; missing:\n  ${_msg}")
endif()
