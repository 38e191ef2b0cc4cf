// Kernels of the reduce family: global average pooling (one warp per NCHW plane) and the
// backward of the whole-tensor sums; the sums themselves are kernels/whole_sum.cuh (per-block
// partials in double, added by one block in a fixed order: deterministic, and as accurate as the
// CPU's double accumulation).
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "kernels/whole_sum.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// y[p] = mean of plane p of x (planes of `plane` elements); one warp per plane.
__global__ void global_avg_pool_forward(const float* __restrict__ x, float* __restrict__ y, std::int64_t planes,
                                        std::int64_t plane) {
    const int lane = static_cast<int>(threadIdx.x) % 32;
    const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * (blockDim.x / 32);
    const float inv = 1.0f / static_cast<float>(plane);
    for (std::int64_t p = grid_start() / 32; p < planes; p += warps) {  // uniform per warp
        const float* xp = x + p * plane;
        float s = 0.0f;
        for (std::int64_t i = lane; i < plane; i += 32) s += xp[i];
        s = warp_reduce_sum(s);
        if (lane == 0) y[p] = s * inv;
    }
}

/// gx[p * plane + i] += gy[p] / plane.
__global__ void global_avg_pool_backward(const float* __restrict__ gy, float* __restrict__ gx, std::int64_t n,
                                         std::int64_t plane) {
    const float inv = 1.0f / static_cast<float>(plane);
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) gx[i] += gy[i / plane] * inv;
}

/// gx[i] += (float)(alpha * gy[0]).
__global__ void sum_backward(double alpha, const float* __restrict__ gy, float* __restrict__ gx, std::int64_t n) {
    const float g = static_cast<float>(alpha * static_cast<double>(gy[0]));
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) gx[i] += g;
}

/// gx[i] += 2 gy[0] x[i].
__global__ void sum_squares_backward(const float* __restrict__ x, const float* __restrict__ gy, float* __restrict__ gx,
                                     std::int64_t n) {
    const float g = 2.0f * gy[0];
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) gx[i] += g * x[i];
}

}  // namespace enas::cuda::kernels
