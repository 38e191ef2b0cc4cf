// Kernels of the dropout family. Masks come from the same counter-based Philox stream as the CPU
// (core/random.hpp): element e of a draw is kept when word e % 4 of philox4x32(base + e / 4, 0,
// seed) is <= limit, so for a given (seed, base, keep_prob) the CPU and the GPU drop exactly the
// same elements. One thread handles one Philox block (4 elements).
// Exactness: the tests compare with the CPU bit for bit, so every `acc += x * m` is written with
// __fmul_rn/__fadd_rn, which nvcc never contracts into an FMA (the CPU rounds twice).
#pragma once
#include <cstdint>

#include "enas/core/random.hpp"
#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// The four words of Philox block b of a draw.
__device__ __forceinline__ PhiloxBlock draw_block(std::uint64_t seed, std::uint64_t base, std::int64_t b) {
    return philox4x32(base + static_cast<std::uint64_t>(b), 0, seed);
}

enum class DropoutMode { Forward, Backward, Mask };

/// Forward: out = in * kept; Backward: out += in * kept; Mask: out = kept (in unused), with
/// kept = scale for a kept element and 0 for a dropped one.
template <DropoutMode kMode>
__global__ void dropout_apply(std::uint64_t seed, std::uint64_t base, std::uint32_t limit, float scale,
                              const float* __restrict__ in, float* __restrict__ out, std::int64_t n) {
    const std::int64_t blocks = (n + 3) / 4;
    for (std::int64_t b = grid_start(); b < blocks; b += grid_stride()) {
        const PhiloxBlock words = draw_block(seed, base, b);
        for (int q = 0; q < 4; ++q) {
            const std::int64_t e = 4 * b + q;
            if (e >= n) break;
            const float kept = words.v[q] <= limit ? scale : 0.0f;
            if (kMode == DropoutMode::Forward)
                out[e] = in[e] * kept;
            else if (kMode == DropoutMode::Backward)
                out[e] = __fadd_rn(out[e], __fmul_rn(in[e], kept));  // never fused: bit-exact with the CPU
            else
                out[e] = kept;
        }
    }
}

/// y[r, c] = x[r, c] * mask[r] over [rows, cols].
__global__ void row_mask_forward(const float* __restrict__ x, const float* __restrict__ mask, float* __restrict__ y,
                                 std::int64_t n, std::int64_t cols) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] = x[i] * mask[i / cols];
}

/// gx[r, c] += gy[r, c] * mask[r]; a dropped row (mask 0) is left untouched, as on the CPU.
__global__ void row_mask_backward(const float* __restrict__ gy, const float* __restrict__ mask, float* __restrict__ gx,
                                  std::int64_t n, std::int64_t cols) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) {
        const float m = mask[i / cols];
        if (m != 0.0f) gx[i] = __fadd_rn(gx[i], __fmul_rn(gy[i], m));  // never fused
    }
}

/// y[s, m] = x[s, m] * mask[m] over [steps, width].
__global__ void locked_mask_forward(const float* __restrict__ x, const float* __restrict__ mask, float* __restrict__ y,
                                    std::int64_t n, std::int64_t width) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] = x[i] * mask[i % width];
}

/// gx[s, m] += gy[s, m] * mask[m].
__global__ void locked_mask_backward(const float* __restrict__ gy, const float* __restrict__ mask,
                                     float* __restrict__ gx, std::int64_t n, std::int64_t width) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride())
        gx[i] = __fadd_rn(gx[i], __fmul_rn(gy[i], mask[i % width]));  // never fused
}

}  // namespace enas::cuda::kernels
