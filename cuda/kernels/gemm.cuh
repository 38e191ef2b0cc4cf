// Our own tiled shared-memory SGEMM, row-major: C[m, n] = alpha * op(A) * op(B) + beta * C. The
// emulated build's only GEMM and the real build's fallback (cuBLAS takes large products there).
// Block tile 64 x 64, k-tile 16, 256 threads, each computing a 4 x 4 micro-tile spread with a
// stride of 16 rows / columns (so stores and shared-memory reads are contiguous across a warp).
// Bounds are checked on every load and store: any m, n, k works.
#pragma once
#include <cstdint>

#include "portable.cuh"

namespace enas::cuda::kernels {

inline constexpr int kGemmTile = 64;
inline constexpr int kGemmDepth = 16;
inline constexpr int kGemmThreads = 256;  // 16 x 16

/// op(A)[row, kk] of A stored [m, k] (or [k, m] when kTrans), 0 outside.
template <bool kTrans>
__device__ __forceinline__ float gemm_load(const float* __restrict__ a, std::int64_t lda, std::int64_t rows,
                                           std::int64_t depth, std::int64_t row, std::int64_t kk) {
    if (row >= rows || kk >= depth) return 0.0f;
    return kTrans ? a[kk * lda + row] : a[row * lda + kk];
}

template <bool kTransA, bool kTransB>
__global__ void __launch_bounds__(kGemmThreads)
    gemm_tiled(std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* __restrict__ a,
               std::int64_t lda, const float* __restrict__ b, std::int64_t ldb, float beta, float* __restrict__ c,
               std::int64_t ldc) {
    // a_tile[kk][row] = op(A)[m0 + row, k0 + kk]; b_tile[kk][col] = op(B)[k0 + kk, n0 + col]. The
    // +1 column keeps the transposing stores of the loads free of bank conflicts.
    ENAS_SHARED_2D(float, a_tile, kGemmDepth, kGemmTile + 1);
    ENAS_SHARED_2D(float, b_tile, kGemmDepth, kGemmTile + 1);
    const int tid = static_cast<int>(threadIdx.x), tx = tid % 16, ty = tid / 16;
    const std::int64_t m0 = static_cast<std::int64_t>(blockIdx.y) * kGemmTile;
    const std::int64_t n0 = static_cast<std::int64_t>(blockIdx.x) * kGemmTile;
    float acc[4][4] = {};
    for (std::int64_t k0 = 0; k0 < k; k0 += kGemmDepth) {
        // 64 x 16 elements per tile, 4 per thread; consecutive threads walk the stored rows.
        for (int l = 0; l < 4; ++l) {
            const int idx = tid + kGemmThreads * l;
            const int a_row = kTransA ? idx % kGemmTile : idx / kGemmDepth;
            const int a_kk = kTransA ? idx / kGemmTile : idx % kGemmDepth;
            a_tile[a_kk][a_row] = gemm_load<kTransA>(a, lda, m, k, m0 + a_row, k0 + a_kk);
            const int b_col = kTransB ? idx / kGemmDepth : idx % kGemmTile;
            const int b_kk = kTransB ? idx % kGemmDepth : idx / kGemmTile;
            // op(B)[kk, col] = B^T[col, kk]: the same loader with rows = n.
            b_tile[b_kk][b_col] = gemm_load<!kTransB>(b, ldb, n, k, n0 + b_col, k0 + b_kk);
        }
        __syncthreads();
        for (int kk = 0; kk < kGemmDepth; ++kk) {
            float av[4], bv[4];
            for (int i = 0; i < 4; ++i) av[i] = a_tile[kk][ty + 16 * i];
            for (int j = 0; j < 4; ++j) bv[j] = b_tile[kk][tx + 16 * j];
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
        }
        __syncthreads();  // the tiles are overwritten by the next k-step
    }
    for (int i = 0; i < 4; ++i) {
        const std::int64_t row = m0 + ty + 16 * i;
        if (row >= m) continue;
        for (int j = 0; j < 4; ++j) {
            const std::int64_t col = n0 + tx + 16 * j;
            if (col >= n) continue;
            float& out = c[row * ldc + col];
            // beta == 0 never reads C: it may hold garbage or NaN (BLAS semantics).
            out = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * out;
        }
    }
}

}  // namespace enas::cuda::kernels
