// Kernels of the embedding family: row gather (forward) and the scatter-add into the table's
// gradient (backward). The backward gives each thread one column and walks the ids in order, as
// the CPU kernel does: no atomics, no two threads write one entry, and repeated ids add up in the
// same order on both devices (the result is deterministic and equal to the CPU's).
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// y[i, j] = table[ids[i], j] for i < n, j < d.
__global__ void embedding_forward(const float* __restrict__ table, const std::int32_t* __restrict__ ids,
                                  float* __restrict__ y, std::int64_t n, std::int64_t d) {
    const std::int64_t total = n * d;
    for (std::int64_t k = grid_start(); k < total; k += grid_stride()) {
        const std::int64_t i = k / d, j = k - i * d;
        y[k] = table[static_cast<std::int64_t>(ids[i]) * d + j];
    }
}

/// gtable[ids[i], j] += gy[i, j] for i = 0, 1, ... n-1 in order, one thread per column j.
__global__ void embedding_backward(const std::int32_t* __restrict__ ids, const float* __restrict__ gy,
                                   float* __restrict__ gtable, std::int64_t n, std::int64_t d) {
    for (std::int64_t j = grid_start(); j < d; j += grid_stride())
        for (std::int64_t i = 0; i < n; ++i) gtable[static_cast<std::int64_t>(ids[i]) * d + j] += gy[i * d + j];
}

}  // namespace enas::cuda::kernels
