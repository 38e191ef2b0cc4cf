// Kernels for the FMA-contraction mode: the same update written as nvcc would fuse it and with
// the intrinsics that are never fused.
#pragma once
#include <cstdint>

#include "portable.cuh"

namespace emu_test {

/// acc[i] += x[i] * m[i], as a kernel would naturally write it: nvcc (and the emulator in FMA
/// mode) computes it as one fused multiply-add.
__global__ void accumulate_contractible(const float* x, const float* m, float* acc, std::int64_t n) {
    const std::int64_t i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
    if (i < n) acc[i] += x[i] * m[i];
}

/// The same update with the product and the sum each rounded, as the CPU computes it.
__global__ void accumulate_never_fused(const float* x, const float* m, float* acc, std::int64_t n) {
    const std::int64_t i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
    if (i < n) acc[i] = __fadd_rn(acc[i], __fmul_rn(x[i], m[i]));
}

}  // namespace emu_test
