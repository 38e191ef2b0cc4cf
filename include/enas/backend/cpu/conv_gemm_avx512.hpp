// Single-threaded float GEMM micro-kernels with AVX-512 for the conv kernels' three products,
// chosen at run time when the CPU has AVX-512 (the library itself is built for baseline x86-64,
// and the system OpenBLAS may be pinned to AVX2 kernels by OPENBLAS_CORETYPE). Row-major:
//   gemm_nn: C[m, n]  (=|+=) A[m, k] * B[k, n]      (forward, backward-input)
//   gemm_nt: C[m, n]  +=     A[m, k] * B[n, k]^T    (backward-weight: k runs over pixels)
// B's rows are either at a fixed stride (an im2col matrix) or at listed offsets (a zero-padded
// image read in place: the implicit GEMM of stride-1 convs).
// The conv shapes have a small m (output channels) and a long n or k (pixels), so each kernel
// holds a 6-row tile of C in 24 zmm accumulators while streaming the long dimension.
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/backend/cpu/isa.hpp"

// The kernels need x86-64 and GCC / Clang target attributes; elsewhere (and in CUDA translation
// units) only the stubs at the end exist and available() is false.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__)
#define ENAS_AVX512_KERNELS 1
#else
#define ENAS_AVX512_KERNELS 0
#endif

#if ENAS_AVX512_KERNELS
#include <immintrin.h>

#define ENAS_TARGET_AVX512 __attribute__((target("avx512f,fma")))

namespace enas::cpu::avx512 {

/// True when this CPU can run the kernels below and ENAS_CPU_ISA (isa.hpp) allows them.
inline bool available() {
    static const bool has =
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") && cpu_isa_allowed(CpuIsa::avx512);
    return has;
}

inline constexpr int kRows = 6;     // rows of C per tile (m)
inline constexpr int kVectors = 4;  // 16-float vectors of C per tile row in gemm_nn (n = 64)
inline constexpr int kColumns = 4;  // columns of C per tile in gemm_nt

/// The rows of B at a fixed stride: row p starts at data + p * ld.
struct StridedRows {
    const float* data;
    std::int64_t ld;
    const float* row(std::int64_t p) const { return data + p * ld; }
    StridedRows from_row(std::int64_t p) const { return {data + p * ld, ld}; }
    StridedRows from_column(std::int64_t j) const { return {data + j, ld}; }
};

/// The rows of B at listed offsets: row p starts at data + offsets[p]. The stride-1 convs read
/// their input this way, straight from a zero-padded image, instead of from an im2col matrix.
struct ListedRows {
    const float* data;
    const std::int32_t* offsets;
    const float* row(std::int64_t p) const { return data + offsets[p]; }
    ListedRows from_row(std::int64_t p) const { return {data, offsets + p}; }
    ListedRows from_column(std::int64_t j) const { return {data + j, offsets}; }
};

/// One tile of gemm_nn: C[0:MR, 0:16 NV] (=|+=) A[0:MR, 0:k] * B[0:k, 0:16 NV]; `mask` selects the
/// valid lanes of the last vector (loads and stores outside it are suppressed).
template <int MR, int NV, bool Accumulate, class Rows>
ENAS_TARGET_AVX512 void nn_tile(std::int64_t k, const float* a, std::int64_t lda, Rows b, float* c, std::int64_t ldc,
                                __mmask16 mask) {
    __m512 acc[MR][NV];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
    for (std::int64_t p = 0; p < k; ++p) {
        const float* brow = b.row(p);
        __m512 bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v)
            bv[v] = v + 1 < NV ? _mm512_loadu_ps(brow + 16 * v) : _mm512_maskz_loadu_ps(mask, brow + 16 * v);
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            const __m512 av = _mm512_set1_ps(a[r * lda + p]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            float* dst = c + r * ldc + 16 * v;
            const __mmask16 m = v + 1 < NV ? __mmask16(0xFFFF) : mask;
            __m512 out = acc[r][v];
            if (Accumulate) out = _mm512_add_ps(out, _mm512_maskz_loadu_ps(m, dst));
            _mm512_mask_storeu_ps(dst, m, out);
        }
    }
}

template <int MR, bool Accumulate, class Rows>
ENAS_TARGET_AVX512 void nn_row_tiles(std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, Rows b, float* c,
                                     std::int64_t ldc) {
    for (std::int64_t j = 0; j < n; j += 16 * kVectors) {
        const std::int64_t width = std::min<std::int64_t>(16 * kVectors, n - j);
        const int nv = static_cast<int>((width + 15) / 16);
        const int tail = static_cast<int>(width - 16 * (nv - 1));
        const __mmask16 mask = static_cast<__mmask16>((1u << tail) - 1u);
        const Rows bj = b.from_column(j);
        switch (nv) {
            case 1: nn_tile<MR, 1, Accumulate>(k, a, lda, bj, c + j, ldc, mask); break;
            case 2: nn_tile<MR, 2, Accumulate>(k, a, lda, bj, c + j, ldc, mask); break;
            case 3: nn_tile<MR, 3, Accumulate>(k, a, lda, bj, c + j, ldc, mask); break;
            default: nn_tile<MR, 4, Accumulate>(k, a, lda, bj, c + j, ldc, mask); break;
        }
    }
}

/// C[m, n] = A[m, k] * B[k, n] (Accumulate: C +=). Tiles of 64 columns are the outer loop so that
/// B's panel stays in cache while all rows of A pass over it.
template <bool Accumulate, class Rows>
ENAS_TARGET_AVX512 void gemm_nn(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
                                Rows b, float* c, std::int64_t ldc) {
    constexpr std::int64_t kPanel = 16 * kVectors;
    for (std::int64_t j = 0; j < n; j += kPanel) {
        const std::int64_t nj = std::min(kPanel, n - j);
        const Rows bj = b.from_column(j);
        for (std::int64_t i = 0; i < m; i += kRows) {
            const float* ai = a + i * lda;
            float* cij = c + i * ldc + j;
            switch (std::min<std::int64_t>(kRows, m - i)) {
                case 1: nn_row_tiles<1, Accumulate>(nj, k, ai, lda, bj, cij, ldc); break;
                case 2: nn_row_tiles<2, Accumulate>(nj, k, ai, lda, bj, cij, ldc); break;
                case 3: nn_row_tiles<3, Accumulate>(nj, k, ai, lda, bj, cij, ldc); break;
                case 4: nn_row_tiles<4, Accumulate>(nj, k, ai, lda, bj, cij, ldc); break;
                case 5: nn_row_tiles<5, Accumulate>(nj, k, ai, lda, bj, cij, ldc); break;
                default: nn_row_tiles<6, Accumulate>(nj, k, ai, lda, bj, cij, ldc); break;
            }
        }
    }
}

/// The sum of the 16 lanes of v (halves, quarters, pairs and neighbours folded in turn). The
/// masked forms avoid GCC 12's false -Wuninitialized in the unmasked intrinsics.
ENAS_TARGET_AVX512 inline float horizontal_sum(__m512 v) {
    constexpr __mmask16 all = 0xFFFF;
    v = _mm512_add_ps(v, _mm512_mask_shuffle_f32x4(v, all, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_add_ps(v, _mm512_mask_shuffle_f32x4(v, all, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = _mm512_add_ps(v, _mm512_mask_permute_ps(v, all, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_add_ps(v, _mm512_mask_permute_ps(v, all, v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm512_cvtss_f32(v);
}

/// One 16-wide step of gemm_nt's tile: acc[r][j] += A[r, p:p+16] * B[j, p:p+16] (masked lanes read 0).
template <int MR, int NC, class Rows>
ENAS_TARGET_AVX512 inline __attribute__((always_inline)) void nt_step(__m512 (&acc)[MR][NC], const float* a,
                                                                      std::int64_t lda, Rows b, std::int64_t p,
                                                                      __mmask16 mask) {
    __m512 av[MR];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) av[r] = _mm512_maskz_loadu_ps(mask, a + r * lda + p);
#pragma GCC unroll 4
    for (int j = 0; j < NC; ++j) {
        const __m512 bv = _mm512_maskz_loadu_ps(mask, b.row(j) + p);
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) acc[r][j] = _mm512_fmadd_ps(av[r], bv, acc[r][j]);
    }
}

/// One tile of gemm_nt: C[0:MR, 0:NC] += sum_p A[0:MR, p] * B[0:NC, p], p in [0, k). Each of the
/// MR x NC accumulators holds 16 partial sums, reduced once at the end.
template <int MR, int NC, class Rows>
ENAS_TARGET_AVX512 void nt_tile(std::int64_t k, const float* a, std::int64_t lda, Rows b, float* c, std::int64_t ldc) {
    __m512 acc[MR][NC];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int j = 0; j < NC; ++j) acc[r][j] = _mm512_setzero_ps();
    std::int64_t p = 0;
    for (; p + 16 <= k; p += 16) nt_step<MR, NC>(acc, a, lda, b, p, __mmask16(0xFFFF));
    if (p < k) nt_step<MR, NC>(acc, a, lda, b, p, static_cast<__mmask16>((1u << (k - p)) - 1u));
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int j = 0; j < NC; ++j) c[r * ldc + j] += horizontal_sum(acc[r][j]);
}

template <int MR, class Rows>
ENAS_TARGET_AVX512 void nt_row_tiles(std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, Rows b, float* c,
                                     std::int64_t ldc) {
    std::int64_t j = 0;
    for (; j + kColumns <= n; j += kColumns) nt_tile<MR, kColumns>(k, a, lda, b.from_row(j), c + j, ldc);
    switch (n - j) {
        case 1: nt_tile<MR, 1>(k, a, lda, b.from_row(j), c + j, ldc); break;
        case 2: nt_tile<MR, 2>(k, a, lda, b.from_row(j), c + j, ldc); break;
        case 3: nt_tile<MR, 3>(k, a, lda, b.from_row(j), c + j, ldc); break;
        default: break;
    }
}

/// C[m, n] += A[m, k] * B[n, k]^T: every entry a dot product of two rows of length k.
template <class Rows>
ENAS_TARGET_AVX512 void gemm_nt(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
                                Rows b, float* c, std::int64_t ldc) {
    for (std::int64_t i = 0; i < m; i += kRows) {
        const float* ai = a + i * lda;
        float* ci = c + i * ldc;
        switch (std::min<std::int64_t>(kRows, m - i)) {
            case 1: nt_row_tiles<1>(n, k, ai, lda, b, ci, ldc); break;
            case 2: nt_row_tiles<2>(n, k, ai, lda, b, ci, ldc); break;
            case 3: nt_row_tiles<3>(n, k, ai, lda, b, ci, ldc); break;
            case 4: nt_row_tiles<4>(n, k, ai, lda, b, ci, ldc); break;
            case 5: nt_row_tiles<5>(n, k, ai, lda, b, ci, ldc); break;
            default: nt_row_tiles<6>(n, k, ai, lda, b, ci, ldc); break;
        }
    }
}

}  // namespace enas::cpu::avx512

#else  // no AVX-512 kernels in this build: the BLAS path is always taken

namespace enas::cpu::avx512 {
inline bool available() { return false; }
struct StridedRows {
    const float* data;
    std::int64_t ld;
};
struct ListedRows {
    const float* data;
    const std::int32_t* offsets;
};
template <bool Accumulate, class Rows>
void gemm_nn(std::int64_t, std::int64_t, std::int64_t, const float*, std::int64_t, Rows, float*, std::int64_t) {}
template <class Rows>
void gemm_nt(std::int64_t, std::int64_t, std::int64_t, const float*, std::int64_t, Rows, float*, std::int64_t) {}
}  // namespace enas::cpu::avx512

#endif
