# Decides ENAS_HAS_CUDA. The real backend (nvcc) and the emulated backend (host compiler against
# cuda/emu) compile the same kernel files; they are built only when cuda/ holds kernels.
# ENAS_HAS_CUDA_EMULATOR: the SIMT emulator (cuda/emu) and its self-tests are built. It is on with
# ENAS_CUDA_EMULATION even while cuda/ holds no kernels yet; ENAS_HAS_CUDA (the Cuda device) then
# stays 0, and turns on by itself once cuda/*.cu exist.
set(ENAS_HAS_CUDA 0)
set(ENAS_HAS_CUDA_EMULATOR 0)
set(ENAS_CUDA_DESCRIPTION "off")
set(_enas_cuda_sources_present FALSE)
file(GLOB _enas_cu_files "${CMAKE_CURRENT_SOURCE_DIR}/cuda/*.cu")
if(_enas_cu_files)
  set(_enas_cuda_sources_present TRUE)
endif()

if(NOT ENAS_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  find_package(CUDAToolkit QUIET)
  if(CMAKE_CUDA_COMPILER AND CUDAToolkit_FOUND)
    if(_enas_cuda_sources_present)
      # The real backend targets A100 (sm_80) and H100 (sm_90) unless the user names others.
      if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
        set(CMAKE_CUDA_ARCHITECTURES 80 90)
      endif()
      enable_language(CUDA)
      # CMake < 3.26 does not know nvcc's C++20 flag, and a CUDA target inherits CXX_STANDARD 20.
      if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
        set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
        set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
      endif()
      set(ENAS_HAS_CUDA 1)
      set(ENAS_CUDA_DESCRIPTION "nvcc ${CMAKE_CUDA_COMPILER_VERSION}")
    else()
      set(ENAS_CUDA_DESCRIPTION "toolkit found, but this tree has no CUDA kernels yet (cuda/*.cu)")
    endif()
  elseif(ENAS_CUDA STREQUAL "ON")
    message(FATAL_ERROR "ENAS_CUDA=ON but no CUDA toolkit was found (nvcc and CUDAToolkit). "
                        "Install the toolkit, put nvcc on PATH, or configure with -DENAS_CUDA=OFF.")
  else()
    set(ENAS_CUDA_DESCRIPTION "no toolkit found (AUTO)")
  endif()
endif()

if(ENAS_CUDA_EMULATION)
  if(NOT EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/cuda/emu/CMakeLists.txt")
    message(FATAL_ERROR "ENAS_CUDA_EMULATION=ON but this tree has no SIMT emulator (cuda/emu) yet.")
  endif()
  if(ENAS_HAS_CUDA)
    message(FATAL_ERROR "ENAS_CUDA_EMULATION=ON and a real CUDA build cannot share one build folder; use -DENAS_CUDA=OFF.")
  endif()
  set(ENAS_HAS_CUDA_EMULATOR 1)
  if(_enas_cuda_sources_present)
    set(ENAS_HAS_CUDA 1)
    set(ENAS_CUDA_DESCRIPTION "SIMT emulator on the CPU")
  else()
    set(ENAS_CUDA_DESCRIPTION "SIMT emulator built and self-tested; no CUDA kernels (cuda/*.cu) yet, so no Cuda device")
  endif()
endif()

# ENAS_CUDNN: an optional cuDNN convolution path in the real build (ENAS_HAS_CUDNN, a macro in
# build_config.hpp and on enas_cuda). Without cuDNN the option warns and the hand-written kernels
# are the only path; the emulated build never uses cuDNN.
set(ENAS_HAS_CUDNN 0)
if(ENAS_CUDNN AND ENAS_HAS_CUDA AND NOT ENAS_CUDA_EMULATION)
  find_path(ENAS_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
  find_library(ENAS_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64)
  if(ENAS_CUDNN_INCLUDE_DIR AND ENAS_CUDNN_LIBRARY)
    set(ENAS_HAS_CUDNN 1)
    string(APPEND ENAS_CUDA_DESCRIPTION ", cuDNN (${ENAS_CUDNN_LIBRARY})")
  else()
    message(WARNING "ENAS_CUDNN=ON but cuDNN (cudnn.h, libcudnn) was not found: building without the cuDNN conv path")
  endif()
elseif(ENAS_CUDNN AND ENAS_CUDA_EMULATION)
  message(STATUS "ENAS_CUDNN is ignored in the emulated build")
endif()

# ENAS_EMU_FMA: the emulated kernels (cuda/*.cu, and the emulator self-tests that ask for it) are
# compiled with -mfma -ffp-contract=fast, so `a * b + c` is fused into one FMA the way nvcc fuses
# it by default (--fmad=true), and a zero-tolerance comparison with the CPU (baseline x86-64, no
# FMA, every product rounded) fails in CI as it would on a GPU. Needs an x86-64 host with FMA
# (every CI machine has AVX2 + FMA); elsewhere it is off and the emulator rounds twice.
set(ENAS_EMU_FMA_FLAGS "")
if(ENAS_CUDA_EMULATION)
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag("-mfma -ffp-contract=fast" ENAS_EMU_FMA_SUPPORTED)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$" AND ENAS_EMU_FMA_SUPPORTED)
    set(_enas_emu_fma_default ON)
  else()
    set(_enas_emu_fma_default OFF)
  endif()
  option(ENAS_EMU_FMA "Emulated CUDA kernels fuse a*b+c into FMA as nvcc does (x86-64 with FMA)" ${_enas_emu_fma_default})
  if(ENAS_EMU_FMA)
    set(ENAS_EMU_FMA_FLAGS -mfma -ffp-contract=fast)
    # GCC contracts only in a pass that -O1 (the sanitize preset) leaves off.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      list(APPEND ENAS_EMU_FMA_FLAGS -fexpensive-optimizations)
    endif()
  endif()
endif()
