// The matrix kernels of the controller's fused passes: a row vector times a small matrix and its
// gradients (batch 1, H = 64 or 100), plain loops over contiguous memory that the compiler
// vectorises; no threads, no allocation. Backward kernels accumulate (+=). Matrices are row-major;
// "x·W" with W [in, out] is the TF convention tf.matmul(x, W).
// The float versions are compiled three times (AVX-512 + FMA, AVX2 + FMA, baseline x86-64) and the
// copy for the running CPU is picked when the program loads (GCC target_clones on ELF;
// the library is built for baseline x86-64). Doubles (gradient checks) use the templates as they are.
#pragma once
#include <cstdint>
#include <type_traits>

#include "enas/core/config.hpp"

// Define ENAS_CONTROLLER_TARGET_CLONES (e.g. empty) before including to override the choice. GCC
// only: Clang 14 emits the clone resolver of an inline function in every translation unit, which
// then fails to link.
#ifndef ENAS_CONTROLLER_TARGET_CLONES
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__) && \
    !defined(__CUDACC__)
#define ENAS_CONTROLLER_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ENAS_CONTROLLER_TARGET_CLONES
#endif
#endif

namespace enas::controller::kernels {

namespace generic {

/// y[o] += Σ_i x[i] · W[i, o]      (W [in, out])
template <class T>
ENAS_ALWAYS_INLINE void vec_mat_acc(const T* ENAS_RESTRICT x, int in, const T* ENAS_RESTRICT w, int out,
                                    T* ENAS_RESTRICT y) {
    // Column blocks keep the partial sums of a block in registers across the whole reduction.
    constexpr int kBlock = 32;
    int o0 = 0;
    for (; o0 + kBlock <= out; o0 += kBlock) {
        T acc[kBlock];
        for (int o = 0; o < kBlock; ++o) acc[o] = y[o0 + o];
        for (int i = 0; i < in; ++i) {
            const T xi = x[i];
            const T* ENAS_RESTRICT row = w + static_cast<std::int64_t>(i) * out + o0;
#pragma omp simd
            for (int o = 0; o < kBlock; ++o) acc[o] += xi * row[o];
        }
        for (int o = 0; o < kBlock; ++o) y[o0 + o] = acc[o];
    }
    for (int i = 0; i < in && o0 < out; ++i) {
        const T xi = x[i];
        const T* ENAS_RESTRICT row = w + static_cast<std::int64_t>(i) * out;
        for (int o = o0; o < out; ++o) y[o] += xi * row[o];
    }
}

/// y[k] += Σ_i x[i] · W[k, i]      (W [out, in]: y = x·Wᵀ)
template <class T>
ENAS_ALWAYS_INLINE void vec_mat_t_acc(const T* ENAS_RESTRICT x, int in, const T* ENAS_RESTRICT w, int out,
                                      T* ENAS_RESTRICT y) {
    for (int k = 0; k < out; ++k) {
        const T* ENAS_RESTRICT row = w + static_cast<std::int64_t>(k) * in;
        T s = 0;
#pragma omp simd reduction(+ : s)
        for (int i = 0; i < in; ++i) s += x[i] * row[i];
        y[k] += s;
    }
}

/// dW[i, o] += x[i] · dy[o]      (W [in, out])
template <class T>
ENAS_ALWAYS_INLINE void outer_acc(const T* ENAS_RESTRICT x, int in, const T* ENAS_RESTRICT dy, int out,
                                  T* ENAS_RESTRICT dw) {
    for (int i = 0; i < in; ++i) {
        const T xi = x[i];
        if (xi == T(0)) continue;  // zero inputs (the zero anchors, the first state) add nothing
        T* ENAS_RESTRICT row = dw + static_cast<std::int64_t>(i) * out;
#pragma omp simd
        for (int o = 0; o < out; ++o) row[o] += xi * dy[o];
    }
}

/// dW[i, o] += Σ_t x[t, i] · dy[t, o]      (x [rows, in], dy [rows, out], W [in, out]): the weight
/// gradient of `rows` steps of y = x·W at once. A 4 × 8 tile of dW stays in registers while all
/// steps add into it; single-threaded (a BLAS call would start threads for this size).
template <class T>
ENAS_ALWAYS_INLINE void outer_sum_acc(const T* ENAS_RESTRICT x, const T* ENAS_RESTRICT dy, int rows, int in, int out,
                                      T* ENAS_RESTRICT dw) {
    constexpr int kR = 4, kC = 16;
    const int in_main = in / kR * kR, out_main = out / kC * kC;
    for (int i0 = 0; i0 < in_main; i0 += kR) {
        for (int o0 = 0; o0 < out_main; o0 += kC) {
            T acc[kR][kC];
            for (int r = 0; r < kR; ++r)
                for (int k = 0; k < kC; ++k) acc[r][k] = dw[static_cast<std::int64_t>(i0 + r) * out + o0 + k];
            for (int t = 0; t < rows; ++t) {
                const T* xt = x + static_cast<std::int64_t>(t) * in + i0;
                const T* d = dy + static_cast<std::int64_t>(t) * out + o0;
                for (int r = 0; r < kR; ++r) {
                    const T xr = xt[r];
#pragma omp simd
                    for (int k = 0; k < kC; ++k) acc[r][k] += xr * d[k];
                }
            }
            for (int r = 0; r < kR; ++r)
                for (int k = 0; k < kC; ++k) dw[static_cast<std::int64_t>(i0 + r) * out + o0 + k] = acc[r][k];
        }
    }
    // Edges (sizes that are not multiples of the tile): plain loops.
    for (int i = 0; i < in; ++i) {
        const int o_begin = i < in_main ? out_main : 0;
        if (o_begin >= out) continue;
        T* row = dw + static_cast<std::int64_t>(i) * out;
        for (int t = 0; t < rows; ++t) {
            const T xi = x[static_cast<std::int64_t>(t) * in + i];
            const T* d = dy + static_cast<std::int64_t>(t) * out;
            for (int o = o_begin; o < out; ++o) row[o] += xi * d[o];
        }
    }
}

/// dx[i] += Σ_o W[i, o] · dy[o]      (W [in, out]: the input gradient of y = x·W)
template <class T>
ENAS_ALWAYS_INLINE void mat_vec_acc(const T* ENAS_RESTRICT w, int in, int out, const T* ENAS_RESTRICT dy,
                                    T* ENAS_RESTRICT dx) {
    // Four rows at a time with lane-wise partial sums: one pass over dy serves four dot products,
    // and the horizontal sums happen once per row instead of being the loop's critical path.
    constexpr int kLanes = 8;
    const int out_main = out / kLanes * kLanes;
    int i = 0;
    for (; i + 4 <= in; i += 4) {
        const T* ENAS_RESTRICT r0 = w + static_cast<std::int64_t>(i) * out;
        const T* ENAS_RESTRICT r1 = r0 + out;
        const T* ENAS_RESTRICT r2 = r1 + out;
        const T* ENAS_RESTRICT r3 = r2 + out;
        T a0[kLanes] = {}, a1[kLanes] = {}, a2[kLanes] = {}, a3[kLanes] = {};
        for (int o = 0; o < out_main; o += kLanes) {
#pragma omp simd
            for (int k = 0; k < kLanes; ++k) {
                const T d = dy[o + k];
                a0[k] += r0[o + k] * d;
                a1[k] += r1[o + k] * d;
                a2[k] += r2[o + k] * d;
                a3[k] += r3[o + k] * d;
            }
        }
        T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int k = 0; k < kLanes; ++k) {
            s0 += a0[k];
            s1 += a1[k];
            s2 += a2[k];
            s3 += a3[k];
        }
        for (int o = out_main; o < out; ++o) {
            s0 += r0[o] * dy[o];
            s1 += r1[o] * dy[o];
            s2 += r2[o] * dy[o];
            s3 += r3[o] * dy[o];
        }
        dx[i] += s0;
        dx[i + 1] += s1;
        dx[i + 2] += s2;
        dx[i + 3] += s3;
    }
    for (; i < in; ++i) {
        const T* ENAS_RESTRICT row = w + static_cast<std::int64_t>(i) * out;
        T s = 0;
        for (int o = 0; o < out; ++o) s += row[o] * dy[o];
        dx[i] += s;
    }
}

/// dx[i] += Σ_k W[k, i] · dy[k]      (W [out, in]: the input gradient of y = x·Wᵀ)
template <class T>
ENAS_ALWAYS_INLINE void mat_t_vec_acc(const T* ENAS_RESTRICT w, int in, int out, const T* ENAS_RESTRICT dy,
                                      T* ENAS_RESTRICT dx) {
    for (int k = 0; k < out; ++k) {
        const T d = dy[k];
        const T* ENAS_RESTRICT row = w + static_cast<std::int64_t>(k) * in;
#pragma omp simd
        for (int i = 0; i < in; ++i) dx[i] += d * row[i];
    }
}

}  // namespace generic

// Float entry points, one per CPU level (see the file comment).
ENAS_CONTROLLER_TARGET_CLONES inline void vec_mat_acc_f32(const float* x, int in, const float* w, int out, float* y) {
    generic::vec_mat_acc(x, in, w, out, y);
}
ENAS_CONTROLLER_TARGET_CLONES inline void vec_mat_t_acc_f32(const float* x, int in, const float* w, int out, float* y) {
    generic::vec_mat_t_acc(x, in, w, out, y);
}
ENAS_CONTROLLER_TARGET_CLONES inline void outer_acc_f32(const float* x, int in, const float* dy, int out, float* dw) {
    generic::outer_acc(x, in, dy, out, dw);
}
ENAS_CONTROLLER_TARGET_CLONES inline void outer_sum_acc_f32(const float* x, const float* dy, int rows, int in, int out,
                                                            float* dw) {
    generic::outer_sum_acc(x, dy, rows, in, out, dw);
}
ENAS_CONTROLLER_TARGET_CLONES inline void mat_vec_acc_f32(const float* w, int in, int out, const float* dy, float* dx) {
    generic::mat_vec_acc(w, in, out, dy, dx);
}
ENAS_CONTROLLER_TARGET_CLONES inline void mat_t_vec_acc_f32(const float* w, int in, int out, const float* dy,
                                                            float* dx) {
    generic::mat_t_vec_acc(w, in, out, dy, dx);
}

/// y[o] += Σ_i x[i] · W[i, o]      (W [in, out])
template <class T>
inline void vec_mat_acc(const T* x, int in, const T* w, int out, T* y) {
    if constexpr (std::is_same_v<T, float>)
        vec_mat_acc_f32(x, in, w, out, y);
    else
        generic::vec_mat_acc(x, in, w, out, y);
}
/// y[k] += Σ_i x[i] · W[k, i]      (W [out, in]: y = x·Wᵀ)
template <class T>
inline void vec_mat_t_acc(const T* x, int in, const T* w, int out, T* y) {
    if constexpr (std::is_same_v<T, float>)
        vec_mat_t_acc_f32(x, in, w, out, y);
    else
        generic::vec_mat_t_acc(x, in, w, out, y);
}
/// dW[i, o] += x[i] · dy[o]      (W [in, out])
template <class T>
inline void outer_acc(const T* x, int in, const T* dy, int out, T* dw) {
    if constexpr (std::is_same_v<T, float>)
        outer_acc_f32(x, in, dy, out, dw);
    else
        generic::outer_acc(x, in, dy, out, dw);
}
/// dW[i, o] += Σ_t x[t, i] · dy[t, o]      (x [rows, in], dy [rows, out])
template <class T>
inline void outer_sum_acc(const T* x, const T* dy, int rows, int in, int out, T* dw) {
    if constexpr (std::is_same_v<T, float>)
        outer_sum_acc_f32(x, dy, rows, in, out, dw);
    else
        generic::outer_sum_acc(x, dy, rows, in, out, dw);
}
/// dx[i] += Σ_o W[i, o] · dy[o]      (W [in, out])
template <class T>
inline void mat_vec_acc(const T* w, int in, int out, const T* dy, T* dx) {
    if constexpr (std::is_same_v<T, float>)
        mat_vec_acc_f32(w, in, out, dy, dx);
    else
        generic::mat_vec_acc(w, in, out, dy, dx);
}
/// dx[i] += Σ_k W[k, i] · dy[k]      (W [out, in])
template <class T>
inline void mat_t_vec_acc(const T* w, int in, int out, const T* dy, T* dx) {
    if constexpr (std::is_same_v<T, float>)
        mat_t_vec_acc_f32(w, in, out, dy, dx);
    else
        generic::mat_t_vec_acc(w, in, out, dy, dx);
}

}  // namespace enas::controller::kernels
