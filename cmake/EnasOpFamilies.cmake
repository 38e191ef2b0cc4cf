# One op family lives in the same named places (DESIGN.md §2). Configure fails when a family
# lacks one of them, so a family can never be half-added. The CUDA places (launcher declarations,
# kernels, launchers) are checked once the CUDA backend exists in the tree, and its CPU-vs-Cuda
# test (tests/cuda/test_cuda_F.cpp) whenever the build has the Cuda device.
set(ENAS_OP_FAMILIES
  elementwise reduce softmax matmul conv depthwise_conv pool batchnorm copy lstm rnn_node
  dropout embedding optim)

set(_enas_missing "")
foreach(family IN LISTS ENAS_OP_FAMILIES)
  set(_places
    "include/enas/ops/${family}.hpp"
    "include/enas/backend/cpu/${family}.hpp"
    "tests/ops/test_${family}.cpp"
    "benchmarks/bench_${family}.cpp")
  if(_enas_cuda_sources_present)
    list(APPEND _places "include/enas/backend/cuda/${family}.hpp" "cuda/kernels/${family}.cuh" "cuda/${family}.cu")
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
if(_enas_missing AND NOT ENAS_ALLOW_INCOMPLETE_FAMILIES)
  list(JOIN _enas_missing "\n  " _msg)
  message(FATAL_ERROR "Op families are incomplete; missing:\n  ${_msg}")
endif()
