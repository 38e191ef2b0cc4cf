#!/usr/bin/env bash
# The prepared check for a short window on a machine with a GPU (H100/H200 class, nvcc on PATH):
#   1. prints the machine: nvidia-smi, nvcc, the GPU's architecture;
#   2. configures and builds the real CUDA backend once (release, cuDNN when installed, no ccache,
#      only the GPU's own architecture): the CUDA backend tests and enas_gpu_timing;
#   3. runs the CUDA backend tests (ctest -L gpu) with ENAS_SYNC_CHECKS=1, so a kernel fault is
#      reported by the launch that caused it (docs/gpu.md), then again without it (the sync checks
#      serialise the device, which would hide a missing synchronisation);
#   4. times our kernels next to cuDNN at ENAS shapes (enas_gpu_timing; the expected times are in
#      docs/performance.md, "GPU napkin math").
# Everything goes to stdout; about 5 minutes on 16 cores (the build is most of it).
# Usage: scripts/gpu_check.sh [--quick]   (--quick: one dense conv shape in the timing)
# Exit status: 0 when both test runs pass; the timing never fails the check.
set -uo pipefail
cd "$(dirname "$0")/.."
quick=${1:-}
jobs=${ENAS_JOBS:-$(nproc)}
build=build/gpu-check
t0=$SECONDS
say() { echo "=== [$((SECONDS - t0)) s] $*"; }

say "machine"
nvidia-smi || echo "nvidia-smi failed"
nvcc --version | tail -n 2 || { echo "nvcc not found: put the CUDA toolkit's bin on PATH"; exit 2; }
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .')
arch=${arch:-90}
say "GPU architecture sm_${arch}"

say "configure + build (${build}; no ccache, sm_${arch} only)"
cmake -S . -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Release -DENAS_CUDA=ON -DENAS_CUDNN=ON \
  -DCMAKE_CUDA_ARCHITECTURES="${arch}" -DENAS_BUILD_TESTS=ON -DENAS_BUILD_BENCHMARKS=OFF \
  -DENAS_BUILD_EXAMPLES=OFF -DENAS_BUILD_ORACLE_TESTS=OFF -DENAS_HEADER_CHECK=OFF \
  -UCMAKE_CXX_COMPILER_LAUNCHER -UCMAKE_CUDA_COMPILER_LAUNCHER || exit 3
cmake --build "${build}" -j "${jobs}" --target tests/cuda/all enas_gpu_timing || exit 3

say "CUDA backend tests with ENAS_SYNC_CHECKS=1 (a synchronize after every launch)"
ENAS_SYNC_CHECKS=1 ctest --test-dir "${build}" -L gpu -j 4 --timeout 300 --output-on-failure
checked_rc=$?
say "CUDA backend tests without sync checks (asynchronous, as in training)"
ctest --test-dir "${build}" -L gpu -j 4 --timeout 300 --output-on-failure
plain_rc=$?
say "test exit status: ${checked_rc} with sync checks, ${plain_rc} without"

say "timing: ours (FP32 implicit GEMM, direct depthwise, pool, batch norm) next to cuDNN"
timeout 180 "./${build}/cuda/enas_gpu_timing" ${quick} || echo "enas_gpu_timing failed (exit $?)"
say "done"
[ "${checked_rc}" -eq 0 ] && [ "${plain_rc}" -eq 0 ]
