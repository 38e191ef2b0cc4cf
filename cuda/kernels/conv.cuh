// Kernels of the dense conv family (NCHW, weights [c_out, c_in, kh, kw], TF SAME / VALID padding):
// all three passes are one shared-memory tiled implicit GEMM, C[m, n] = sum_k A[m, k] B[k, n],
// whose A and B elements are read straight from the tensors (no im2col matrix in memory):
//  - forward:          m = c_out, n = (image, out pixel), k = (c_in, i, j); A = W, B = im2col(x)
//  - backward-input:   m = c_in,  n = (image, in pixel),  k = (c_out, i, j); A = W (transposed per
//                      tap), B = the gy element that tap reads, 0 where the stride skips it
//  - backward-weight:  m = c_out, n = (c_in, i, j),       k = (image, out pixel); A = gy,
//                      B = im2col(x)^T; split over k into partial sums when k is long
// Each element of C is owned by one thread of one block (of one split), so the results are
// deterministic and the backward passes accumulate (+=) without atomics.
#pragma once
#include <cstdint>

#include "kernels/conv_shape.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// Tile of C per block (kConvTile x kConvTile), depth of a k step, and threads (each computes a
/// 4 x 4 register tile, rows ty + 16 r, columns tx + 16 c: neighbouring threads store neighbouring
/// columns).
inline constexpr int kConvTile = 64;
inline constexpr int kConvTileK = 16;
inline constexpr int kConvThreads = 256;

/// Forward: y[img, co, oh, ow] = sum_{ci, i, j} w[co, ci, i, j] * x[img, ci, oh*sh - pt + i, ow*sw - pl + j].
struct ConvForwardGemm {
    ConvShape s;
    const float* __restrict__ x;
    const float* __restrict__ w;
    float* __restrict__ y;

    __device__ int rows() const { return s.c_out; }
    __device__ int cols() const { return s.n * s.out_h * s.out_w; }
    __device__ int depth() const { return s.c_in * s.kh * s.kw; }
    __device__ float a(int co, int k) const { return __ldg(w + static_cast<std::int64_t>(co) * depth() + k); }
    __device__ float b(int k, int col) const {
        const int out_plane = s.out_h * s.out_w, img = col / out_plane, p = col - img * out_plane;
        const int oh = p / s.out_w, ow = p - oh * s.out_w;
        const int area = s.kh * s.kw, ci = k / area, tap = k - ci * area, i = tap / s.kw, j = tap - i * s.kw;
        const int ih = oh * s.stride_h - s.pad_top + i, iw = ow * s.stride_w - s.pad_left + j;
        if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) return 0.0f;
        return __ldg(x + ((static_cast<std::int64_t>(img) * s.c_in + ci) * s.h + ih) * s.w + iw);
    }
    __device__ void store(int co, int col, float v, int /*split*/) const {
        const int out_plane = s.out_h * s.out_w, img = col / out_plane, p = col - img * out_plane;
        y[(static_cast<std::int64_t>(img) * s.c_out + co) * out_plane + p] = v;
    }
};

/// Backward-input: gx[img, ci, ih, iw] += sum_{co, i, j} w[co, ci, i, j] * gy[img, co, oh, ow] over the
/// taps with oh*sh - pt + i = ih and ow*sw - pl + j = iw.
struct ConvBackwardInputGemm {
    ConvShape s;
    const float* __restrict__ gy;
    const float* __restrict__ w;
    float* __restrict__ gx;

    __device__ int rows() const { return s.c_in; }
    __device__ int cols() const { return s.n * s.h * s.w; }
    __device__ int depth() const { return s.c_out * s.kh * s.kw; }
    __device__ float a(int ci, int k) const {
        const int area = s.kh * s.kw, co = k / area, tap = k - co * area;
        return __ldg(w + (static_cast<std::int64_t>(co) * s.c_in + ci) * area + tap);
    }
    __device__ float b(int k, int col) const {
        const int plane = s.h * s.w, img = col / plane, p = col - img * plane, ih = p / s.w, iw = p - ih * s.w;
        const int area = s.kh * s.kw, co = k / area, tap = k - co * area, i = tap / s.kw, j = tap - i * s.kw;
        const int oh_scaled = ih + s.pad_top - i, ow_scaled = iw + s.pad_left - j;
        if (oh_scaled < 0 || ow_scaled < 0) return 0.0f;  // checked first: % of a negative number
        if (oh_scaled % s.stride_h != 0 || ow_scaled % s.stride_w != 0) return 0.0f;
        const int oh = oh_scaled / s.stride_h, ow = ow_scaled / s.stride_w;
        if (oh >= s.out_h || ow >= s.out_w) return 0.0f;
        return __ldg(gy + ((static_cast<std::int64_t>(img) * s.c_out + co) * s.out_h + oh) * s.out_w + ow);
    }
    __device__ void store(int ci, int col, float v, int /*split*/) const {
        const int plane = s.h * s.w, img = col / plane, p = col - img * plane;
        gx[(static_cast<std::int64_t>(img) * s.c_in + ci) * plane + p] += v;
    }
};

/// Backward-weight: gw[co, (ci, i, j)] += sum_{img, oh, ow} gy[img, co, oh, ow] * x[img, ci, ih, iw].
/// With `partial` set, split z writes its sum to partial[z][co][(ci, i, j)] instead (added into gw
/// by add_split_partials).
struct ConvBackwardWeightGemm {
    ConvShape s;
    const float* __restrict__ x;
    const float* __restrict__ gy;
    float* __restrict__ gw;
    float* __restrict__ partial;

    __device__ int rows() const { return s.c_out; }
    __device__ int cols() const { return s.c_in * s.kh * s.kw; }
    __device__ int depth() const { return s.n * s.out_h * s.out_w; }
    __device__ float a(int co, int k) const {
        const int out_plane = s.out_h * s.out_w, img = k / out_plane, p = k - img * out_plane;
        return __ldg(gy + (static_cast<std::int64_t>(img) * s.c_out + co) * out_plane + p);
    }
    __device__ float b(int k, int col) const {
        const int out_plane = s.out_h * s.out_w, img = k / out_plane, p = k - img * out_plane;
        const int oh = p / s.out_w, ow = p - oh * s.out_w;
        const int area = s.kh * s.kw, ci = col / area, tap = col - ci * area, i = tap / s.kw, j = tap - i * s.kw;
        const int ih = oh * s.stride_h - s.pad_top + i, iw = ow * s.stride_w - s.pad_left + j;
        if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) return 0.0f;
        return __ldg(x + ((static_cast<std::int64_t>(img) * s.c_in + ci) * s.h + ih) * s.w + iw);
    }
    __device__ void store(int co, int col, float v, int split) const {
        const std::int64_t at = static_cast<std::int64_t>(co) * cols() + col;
        if (partial)
            partial[static_cast<std::int64_t>(split) * rows() * cols() + at] = v;
        else
            gw[at] += v;
    }
};

/// C = A B for one of the problems above. Block (x, y, z) computes the kConvTile x kConvTile tile
/// of C at column x * kConvTile, row y * kConvTile, over the k range [z * k_per_split, (z + 1) *
/// k_per_split) (k_per_split a multiple of kConvTileK). blockDim.x must be kConvThreads.
template <class Gemm>
__global__ void __launch_bounds__(kConvThreads) conv_implicit_gemm(Gemm g, int k_per_split) {
    ENAS_SHARED_2D(float, a_tile, kConvTileK, kConvTile + 4);  // a_tile[k][m]
    ENAS_SHARED_2D(float, b_tile, kConvTileK, kConvTile + 4);  // b_tile[k][n]
    const int t = static_cast<int>(threadIdx.x), tx = t % 16, ty = t / 16;
    const int m = g.rows(), n = g.cols();
    const int row0 = static_cast<int>(blockIdx.y) * kConvTile, col0 = static_cast<int>(blockIdx.x) * kConvTile;
    const int k_begin = static_cast<int>(blockIdx.z) * k_per_split;
    const int k_end = min(g.depth(), k_begin + k_per_split);
    float acc[4][4] = {};
    for (int k0 = k_begin; k0 < k_end; k0 += kConvTileK) {
        // Neighbouring threads load neighbouring k of A (W rows and gy planes are contiguous in
        // k) and neighbouring columns of B.
        for (int r = 0; r < kConvTile * kConvTileK / kConvThreads; ++r) {
            const int e = t + r * kConvThreads;
            const int am = e / kConvTileK, ak = e % kConvTileK;
            const int bn = e % kConvTile, bk = e / kConvTile;
            const int ga = row0 + am, gka = k0 + ak, gb = col0 + bn, gkb = k0 + bk;
            a_tile[ak][am] = ga < m && gka < k_end ? g.a(ga, gka) : 0.0f;
            b_tile[bk][bn] = gb < n && gkb < k_end ? g.b(gkb, gb) : 0.0f;
        }
        __syncthreads();
        for (int k = 0; k < kConvTileK; ++k) {
            float av[4], bv[4];
            for (int r = 0; r < 4; ++r) av[r] = a_tile[k][ty + 16 * r];
            for (int c = 0; c < 4; ++c) bv[c] = b_tile[k][tx + 16 * c];
            for (int r = 0; r < 4; ++r)
                for (int c = 0; c < 4; ++c) acc[r][c] = fmaf(av[r], bv[c], acc[r][c]);
        }
        __syncthreads();  // before the next step overwrites the tiles
    }
    for (int r = 0; r < 4; ++r) {
        const int row = row0 + ty + 16 * r;
        if (row >= m) continue;
        for (int c = 0; c < 4; ++c) {
            const int col = col0 + tx + 16 * c;
            if (col < n) g.store(row, col, acc[r][c], static_cast<int>(blockIdx.z));
        }
    }
}

/// out[i] += sum over s < splits of partial[s * count + i], in split order (deterministic).
__global__ void add_split_partials(const float* __restrict__ partial, int splits, std::int64_t count,
                                   float* __restrict__ out) {
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
        float sum = 0.0f;
        for (int s = 0; s < splits; ++s) sum += partial[s * count + i];
        out[i] += sum;
    }
}

}  // namespace enas::cuda::kernels
