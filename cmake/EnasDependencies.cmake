# Every dependency comes from Debian packages (scripts/install-deps.sh); nothing is downloaded.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(OpenMP REQUIRED COMPONENTS CXX)

# OpenBLAS (cblas) backs the GEMM in src/cpu/gemm.cpp: it is the fastest SGEMM on these machines
# (see docs/performance.md). Without it the GEMM falls back to Eigen's own kernels.
find_path(ENAS_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas openblas-pthread x86_64-linux-gnu/openblas-pthread)
find_library(ENAS_OPENBLAS_LIBRARY NAMES openblas PATH_SUFFIXES openblas-pthread)
if(ENAS_CBLAS_INCLUDE_DIR AND ENAS_OPENBLAS_LIBRARY)
  set(ENAS_HAVE_OPENBLAS TRUE)
  set(ENAS_BLAS_DESCRIPTION "OpenBLAS (${ENAS_OPENBLAS_LIBRARY})")
else()
  set(ENAS_HAVE_OPENBLAS FALSE)
  set(ENAS_BLAS_DESCRIPTION "Eigen (OpenBLAS not found)")
endif()

# nlohmann/json: the JSON form of architectures (include/enas/search/arch_json.hpp), the
# enas_arch tool, run folders and the oracle tests.
find_package(nlohmann_json 3 REQUIRED)
if(ENAS_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED)
endif()
if(ENAS_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
find_package(ZLIB REQUIRED)  # gzip'd IDX files (Fashion-MNIST)
# Image folders (src/data/image_folder_codec.cpp): libpng and libjpeg-turbo (libjpeg-dev).
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
if(ENAS_BUILD_EXAMPLES)
  find_package(CLI11 REQUIRED)
  # enas_export (ONNX): Debian's libonnx-dev and libprotobuf-dev; without them it is not built.
  find_package(Protobuf QUIET)
  if(Protobuf_FOUND)
    find_package(ONNX CONFIG QUIET)
  endif()
  set(ENAS_HAVE_ONNX ${ONNX_FOUND})
endif()
