// Kernels of the copy family: row-block copies (concat and slice along dimension 1, forward and
// backward, are all "rows of len elements from one row pitch to another") and the shifted
// stride-s subsample of the factorized reduction.
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "kernels/plane_grid.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// For r < rows, j < len: dst[r * dst_row + dst_at + j] = (or +=) src[r * src_row + src_at + j].
template <bool kAccumulate>
__global__ void copy_rows(const float* __restrict__ src, std::int64_t src_row, std::int64_t src_at,
                          float* __restrict__ dst, std::int64_t dst_row, std::int64_t dst_at, std::int64_t rows,
                          std::int64_t len) {
    // Grid (x: blocks along a row, y: rows, looped): no element divides its index.
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
        const float* s = src + r * src_row + src_at;
        float* d = dst + r * dst_row + dst_at;
        for (std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < len; j += stride)
            d[j] = kAccumulate ? d[j] + s[j] : s[j];
    }
}

/// Geometry of a shifted subsample: planes of h x w in x, ho x wo in y; only the first rows_in x
/// cols_in outputs of a plane read x (at i * stride + offset, j * stride + offset), the rest are 0.
struct SubsampleGeometry {
    std::int64_t planes, h, w, ho, wo, rows_in, cols_in, offset, stride;
};

/// A plane launch over ho x wo (plane_grid.cuh), planes along z.
__global__ void shifted_subsample_forward(const float* __restrict__ x, float* __restrict__ y, SubsampleGeometry g) {
    const std::int64_t j = plane_col(), i = plane_row();
    if (i >= g.ho || j >= g.wo) return;
    const bool inside = i < g.rows_in && j < g.cols_in;
    for (std::int64_t p = blockIdx.z; p < g.planes; p += gridDim.z)
        y[(p * g.ho + i) * g.wo + j] =
            inside ? x[(p * g.h + i * g.stride + g.offset) * g.w + j * g.stride + g.offset] : 0.0f;
}

/// gx at the sampled positions += gy (distinct outputs hit distinct inputs: no races).
/// A plane launch over rows_in x cols_in, planes along z.
__global__ void shifted_subsample_backward(const float* __restrict__ gy, float* __restrict__ gx, SubsampleGeometry g) {
    const std::int64_t j = plane_col(), i = plane_row();
    if (i >= g.rows_in || j >= g.cols_in) return;
    for (std::int64_t p = blockIdx.z; p < g.planes; p += gridDim.z)
        gx[(p * g.h + i * g.stride + g.offset) * g.w + j * g.stride + g.offset] += gy[(p * g.ho + i) * g.wo + j];
}

}  // namespace enas::cuda::kernels
