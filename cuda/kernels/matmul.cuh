// Kernels of the matmul family besides the GEMM (kernels/gemm.cuh): the bias of the dense layer,
// broadcast into every row before the product accumulates onto it, and its gradient, the column
// sums of gy (one thread per column, rows in order: deterministic, the CPU's order).
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// y[r, j] = bias[j] for r < rows, j < cols.
__global__ void broadcast_rows(const float* __restrict__ bias, float* __restrict__ y, std::int64_t rows,
                               std::int64_t cols) {
    const std::int64_t n = rows * cols;
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] = bias[i % cols];
}

/// gbias[j] += sum over r of gy[r, j].
__global__ void column_sums_accumulate(const float* __restrict__ gy, float* __restrict__ gbias, std::int64_t rows,
                                       std::int64_t cols) {
    for (std::int64_t j = grid_start(); j < cols; j += grid_stride()) {
        float s = gbias[j];
        for (std::int64_t r = 0; r < rows; ++r) s += gy[r * cols + j];
        gbias[j] = s;
    }
}

}  // namespace enas::cuda::kernels
