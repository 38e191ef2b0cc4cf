// Kernels of the copy family: row-block copies (concat and slice along dimension 1, forward and
// backward, are all "rows of len elements from one row pitch to another") and the shifted
// stride-s subsample of the factorized reduction.
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// For r < rows, j < len: dst[r * dst_row + dst_at + j] = (or +=) src[r * src_row + src_at + j].
template <bool kAccumulate>
__global__ void copy_rows(const float* __restrict__ src, std::int64_t src_row, std::int64_t src_at,
                          float* __restrict__ dst, std::int64_t dst_row, std::int64_t dst_at, std::int64_t rows,
                          std::int64_t len) {
    const std::int64_t n = rows * len;
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) {
        const std::int64_t r = i / len, j = i - r * len;
        const float v = src[r * src_row + src_at + j];
        float& d = dst[r * dst_row + dst_at + j];
        if (kAccumulate)
            d += v;
        else
            d = v;
    }
}

/// Geometry of a shifted subsample: planes of h x w in x, ho x wo in y; only the first rows_in x
/// cols_in outputs of a plane read x (at i * stride + offset, j * stride + offset), the rest are 0.
struct SubsampleGeometry {
    std::int64_t planes, h, w, ho, wo, rows_in, cols_in, offset, stride;
};

__global__ void shifted_subsample_forward(const float* __restrict__ x, float* __restrict__ y, SubsampleGeometry g) {
    const std::int64_t n = g.planes * g.ho * g.wo;
    for (std::int64_t k = grid_start(); k < n; k += grid_stride()) {
        const std::int64_t j = k % g.wo, i = (k / g.wo) % g.ho, p = k / (g.wo * g.ho);
        y[k] = (i < g.rows_in && j < g.cols_in) ? x[(p * g.h + i * g.stride + g.offset) * g.w + j * g.stride + g.offset]
                                                : 0.0f;
    }
}

/// gx at the sampled positions += gy (distinct outputs hit distinct inputs: no races).
__global__ void shifted_subsample_backward(const float* __restrict__ gy, float* __restrict__ gx, SubsampleGeometry g) {
    const std::int64_t n = g.planes * g.rows_in * g.cols_in;
    for (std::int64_t k = grid_start(); k < n; k += grid_stride()) {
        const std::int64_t j = k % g.cols_in, i = (k / g.cols_in) % g.rows_in, p = k / (g.cols_in * g.rows_in);
        gx[(p * g.h + i * g.stride + g.offset) * g.w + j * g.stride + g.offset] += gy[(p * g.ho + i) * g.wo + j];
    }
}

}  // namespace enas::cuda::kernels
