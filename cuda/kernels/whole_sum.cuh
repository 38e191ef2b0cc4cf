// Whole-array sums in double, deterministic: partial_sums writes one partial per block (a fixed
// grid-stride share), finish_sum adds the partials in one block. Both are templates, so several
// launcher files may include this header (a non-template __global__ would be defined twice).
// Used by the reduce family (sum, mean, sum of squares) and the optim family (global norm).
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// partial[block] = sum over this block's grid-stride share of x[i] (or x[i]^2), in double.
template <int kBlock, bool kSquare>
__global__ void __launch_bounds__(kBlock)
    partial_sums(const float* __restrict__ x, std::int64_t n, double* __restrict__ partial) {
    ENAS_SHARED(double, scratch, 32);
    double s = 0.0;
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) {
        const double v = x[i];
        s += kSquare ? v * v : v;
    }
    s = block_reduce_sum(s, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

/// y[0] = (Out)(alpha * sum of partial[0, count)), by one block of kBlock threads.
template <int kBlock, class Out>
__global__ void __launch_bounds__(kBlock)
    finish_sum(const double* __restrict__ partial, int count, double alpha, Out* __restrict__ y) {
    ENAS_SHARED(double, scratch, 32);
    double s = 0.0;
    for (int i = static_cast<int>(threadIdx.x); i < count; i += kBlock) s += partial[i];
    s = block_reduce_sum(s, scratch);
    if (threadIdx.x == 0) y[0] = static_cast<Out>(alpha * s);
}

}  // namespace enas::cuda::kernels
