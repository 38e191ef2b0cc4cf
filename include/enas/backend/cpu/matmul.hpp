// CPU kernels of the matmul family: the general product y = op(a) * op(b) and the dense layer
// y = x * w^T (+ bias), all through enas::cpu::gemm (row-major). Backward kernels accumulate
// into gradient buffers by calling gemm with beta = 1. Tensors are contiguous.
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/backend/cpu/gemm.hpp"
#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {

/// y [M, N] = op(a) * op(b), op(a) [M, K] (a stored [K, M] when trans_a), op(b) [K, N] (b stored
/// [N, K] when trans_b).
template <class T>
void matmul_forward(Context<Cpu>&, bool trans_a, bool trans_b, const Tensor<T, Cpu>& a, const Tensor<T, Cpu>& b,
                    Tensor<T, Cpu>& y) {
    const std::int64_t m = y.dim(0), n = y.dim(1), k = trans_a ? a.dim(0) : a.dim(1);
    gemm<T>(trans_a, trans_b, m, n, k, T(1), a.data(), a.dim(1), b.data(), b.dim(1), T(0), y.data(), n);
}

/// ga += d(sum gy * y) / da for y = op(a) * op(b); ga has a's stored shape.
///   op(a) = a:   ga += gy * op(b)^T          op(a) = a^T: ga += op(b) * gy^T
template <class T>
void matmul_backward_a(Context<Cpu>&, bool trans_a, bool trans_b, const Tensor<T, Cpu>& b, const Tensor<T, Cpu>& gy,
                       Tensor<T, Cpu>& ga) {
    const std::int64_t m = gy.dim(0), n = gy.dim(1), k = trans_a ? ga.dim(0) : ga.dim(1);
    if (!trans_a)  // [M, K] += gy [M, N] * op(b)^T [N, K]; op(b)^T is b itself when trans_b
        gemm<T>(false, !trans_b, m, k, n, T(1), gy.data(), n, b.data(), b.dim(1), T(1), ga.data(), k);
    else  // [K, M] += op(b) [K, N] * gy^T [N, M]
        gemm<T>(trans_b, true, k, m, n, T(1), b.data(), b.dim(1), gy.data(), n, T(1), ga.data(), m);
}

/// gb += d(sum gy * y) / db for y = op(a) * op(b); gb has b's stored shape.
///   op(b) = b:   gb += op(a)^T * gy          op(b) = b^T: gb += gy^T * op(a)
template <class T>
void matmul_backward_b(Context<Cpu>&, bool trans_a, bool trans_b, const Tensor<T, Cpu>& a, const Tensor<T, Cpu>& gy,
                       Tensor<T, Cpu>& gb) {
    const std::int64_t m = gy.dim(0), n = gy.dim(1), k = trans_b ? gb.dim(1) : gb.dim(0);
    if (!trans_b)  // [K, N] += op(a)^T [K, M] * gy [M, N]; op(a)^T is a itself when trans_a
        gemm<T>(!trans_a, false, k, n, m, T(1), a.data(), a.dim(1), gy.data(), n, T(1), gb.data(), n);
    else  // [N, K] += gy^T [N, M] * op(a) [M, K]
        gemm<T>(true, trans_a, n, k, m, T(1), gy.data(), n, a.data(), a.dim(1), T(1), gb.data(), k);
}

/// y [N, out] = x [N, in] * w^T (w [out, in]) + bias [out] (bias may be undefined: no bias).
template <class T>
void linear_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& w, const Tensor<T, Cpu>& bias,
                    Tensor<T, Cpu>& y) {
    const std::int64_t rows = x.dim(0), in = x.dim(1), out = w.dim(0);
    T beta = T(0);
    if (bias.defined()) {  // start every row from the bias, then accumulate the product into it
        const T* ENAS_RESTRICT pb = bias.data();
        T* py = y.data();
        parallel_for(rows, std::max<std::int64_t>(1, kParallelGrain / out), [&](std::int64_t s, std::int64_t e) {
            for (std::int64_t r = s; r < e; ++r) {
                T* ENAS_RESTRICT yr = py + r * out;
#pragma omp simd
                for (std::int64_t j = 0; j < out; ++j) yr[j] = pb[j];
            }
        });
        beta = T(1);
    }
    gemm<T>(false, true, rows, out, in, T(1), x.data(), in, w.data(), in, beta, y.data(), out);
}

/// gx [N, in] += gy [N, out] * w [out, in].
template <class T>
void linear_backward_input(Context<Cpu>&, const Tensor<T, Cpu>& w, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const std::int64_t rows = gy.dim(0), out = w.dim(0), in = w.dim(1);
    gemm<T>(false, false, rows, in, out, T(1), gy.data(), out, w.data(), in, T(1), gx.data(), in);
}

/// gw [out, in] += gy^T [out, N] * x [N, in].
template <class T>
void linear_backward_weight(Context<Cpu>&, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gw) {
    const std::int64_t rows = x.dim(0), in = x.dim(1), out = gy.dim(1);
    gemm<T>(true, false, out, in, rows, T(1), gy.data(), out, x.data(), in, T(1), gw.data(), in);
}

/// gbias [out] += the column sums of gy [N, out].
template <class T>
void linear_backward_bias(Context<Cpu>&, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gbias) {
    const std::int64_t rows = gy.dim(0), out = gy.dim(1);
    const T* pg = gy.data();
    T* ENAS_RESTRICT pb = gbias.data();
    // Split over columns so that threads never write the same entry.
    parallel_for(out, std::max<std::int64_t>(1, kParallelGrain / rows), [&](std::int64_t s, std::int64_t e) {
        for (std::int64_t r = 0; r < rows; ++r) {
            const T* ENAS_RESTRICT gr = pg + r * out;
#pragma omp simd
            for (std::int64_t j = s; j < e; ++j) pb[j] += gr[j];
        }
    });
}

}  // namespace enas::cpu
