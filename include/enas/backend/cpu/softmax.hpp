// CPU kernels of the softmax family: softmax and log-softmax over the last dimension, the mean
// softmax cross-entropy against integer labels, and the row argmax. A tensor is viewed as
// [rows, K] with K its last dimension. Every kernel subtracts the row maximum before exp, so
// large logits do not overflow. Tensors are contiguous; backward kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "enas/backend/cpu/parallel.hpp"
#include "enas/backend/cpu/vec_math.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {

namespace softmax_detail {

inline std::int64_t rows_per_grain(std::int64_t k) {
    return std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(1, k));
}
template <class T>
T row_max(const T* ENAS_RESTRICT x, std::int64_t k) {
    T m = x[0];
#pragma omp simd reduction(max : m)
    for (std::int64_t j = 1; j < k; ++j) m = x[j] > m ? x[j] : m;
    return m;
}
/// Writes e[j] = exp(x[j] - m) and returns their sum.
template <class T>
T exp_shifted(const T* ENAS_RESTRICT x, T m, T* ENAS_RESTRICT e, std::int64_t k) {
    T s = 0;
#pragma omp simd reduction(+ : s)
    for (std::int64_t j = 0; j < k; ++j) {
        e[j] = vexp(x[j] - m);
        s += e[j];
    }
    return s;
}
}  // namespace softmax_detail

/// y = softmax(x) over the last dimension.
template <class T>
void softmax_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    const std::int64_t k = x.dim(-1), rows = x.numel() / k;
    const T* px = x.data();
    T* py = y.data();
    parallel_for(rows, softmax_detail::rows_per_grain(k), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r) {
            const T* xr = px + r * k;
            T* ENAS_RESTRICT yr = py + r * k;
            const T inv = T(1) / softmax_detail::exp_shifted(xr, softmax_detail::row_max(xr, k), yr, k);
#pragma omp simd
            for (std::int64_t j = 0; j < k; ++j) yr[j] *= inv;
        }
    });
}

/// gx += y * (gy - sum(gy * y)) per row, with y the softmax output.
template <class T>
void softmax_backward(Context<Cpu>&, const Tensor<T, Cpu>& y, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const std::int64_t k = y.dim(-1), rows = y.numel() / k;
    const T *py = y.data(), *pg = gy.data();
    T* pgx = gx.data();
    parallel_for(rows, softmax_detail::rows_per_grain(k), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r) {
            const T* ENAS_RESTRICT yr = py + r * k;
            const T* ENAS_RESTRICT gr = pg + r * k;
            T* ENAS_RESTRICT gxr = pgx + r * k;
            T dot = 0;
#pragma omp simd reduction(+ : dot)
            for (std::int64_t j = 0; j < k; ++j) dot += gr[j] * yr[j];
#pragma omp simd
            for (std::int64_t j = 0; j < k; ++j) gxr[j] += yr[j] * (gr[j] - dot);
        }
    });
}

/// y = x - logsumexp(x) over the last dimension.
template <class T>
void log_softmax_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    const std::int64_t k = x.dim(-1), rows = x.numel() / k;
    const T* px = x.data();
    T* py = y.data();
    parallel_for(rows, softmax_detail::rows_per_grain(k), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r) {
            const T* ENAS_RESTRICT xr = px + r * k;
            T* ENAS_RESTRICT yr = py + r * k;
            const T m = softmax_detail::row_max(xr, k);
            T s = 0;
#pragma omp simd reduction(+ : s)
            for (std::int64_t j = 0; j < k; ++j) s += vexp(xr[j] - m);
            // (x - m) - log(s) rather than x - (m + log(s)): exact for the largest entries.
            const T log_s = std::log(s);
#pragma omp simd
            for (std::int64_t j = 0; j < k; ++j) yr[j] = (xr[j] - m) - log_s;
        }
    });
}

/// gx += gy - exp(y) * sum(gy) per row, with y the log-softmax output.
template <class T>
void log_softmax_backward(Context<Cpu>&, const Tensor<T, Cpu>& y, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const std::int64_t k = y.dim(-1), rows = y.numel() / k;
    const T *py = y.data(), *pg = gy.data();
    T* pgx = gx.data();
    parallel_for(rows, softmax_detail::rows_per_grain(k), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r) {
            const T* ENAS_RESTRICT yr = py + r * k;
            const T* ENAS_RESTRICT gr = pg + r * k;
            T* ENAS_RESTRICT gxr = pgx + r * k;
            T total = 0;
#pragma omp simd reduction(+ : total)
            for (std::int64_t j = 0; j < k; ++j) total += gr[j];
#pragma omp simd
            for (std::int64_t j = 0; j < k; ++j) gxr[j] += gr[j] - vexp(yr[j]) * total;
        }
    });
}

/// probs = softmax(logits) per row and loss[0] = mean over rows of -log probs[n, labels[n]],
/// computed as logsumexp(logits[n]) - logits[n, labels[n]]. logits [N, K]; labels [N] in [0, K).
template <class T>
void softmax_cross_entropy_forward(Context<Cpu>& ctx, const Tensor<T, Cpu>& logits,
                                   const Tensor<std::int32_t, Cpu>& labels, Tensor<T, Cpu>& probs,
                                   Tensor<T, Cpu>& loss) {
    const std::int64_t n = logits.dim(0), k = logits.dim(1);
    const T* px = logits.data();
    const std::int32_t* pl = labels.data();
    T* pp = probs.data();
    // Per-row losses, summed in row order afterwards so the result does not depend on threading.
    Tensor<double, Cpu> row_loss = ctx.template empty<double>({n});
    double* prl = row_loss.data();
    parallel_for(n, softmax_detail::rows_per_grain(k), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r) {
            const T* xr = px + r * k;
            T* ENAS_RESTRICT pr = pp + r * k;
            const T m = softmax_detail::row_max(xr, k);
            const T s = softmax_detail::exp_shifted(xr, m, pr, k);
            const T inv = T(1) / s;
#pragma omp simd
            for (std::int64_t j = 0; j < k; ++j) pr[j] *= inv;
            prl[r] = static_cast<double>(std::log(s)) - static_cast<double>(xr[pl[r]] - m);
        }
    });
    double total = 0;
    for (std::int64_t r = 0; r < n; ++r) total += prl[r];
    loss.data()[0] = static_cast<T>(total / static_cast<double>(n));
}

/// glogits += (probs - onehot(labels)) * gloss[0] / N (the backward of the mean cross-entropy).
template <class T>
void softmax_cross_entropy_backward(Context<Cpu>&, const Tensor<T, Cpu>& probs, const Tensor<std::int32_t, Cpu>& labels,
                                    const Tensor<T, Cpu>& gloss, Tensor<T, Cpu>& glogits) {
    const std::int64_t n = probs.dim(0), k = probs.dim(1);
    const T scale = gloss.data()[0] / static_cast<T>(n);
    const T* pp = probs.data();
    const std::int32_t* pl = labels.data();
    T* pg = glogits.data();
    parallel_for(n, softmax_detail::rows_per_grain(k), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r) {
            const T* ENAS_RESTRICT pr = pp + r * k;
            T* ENAS_RESTRICT gr = pg + r * k;
#pragma omp simd
            for (std::int64_t j = 0; j < k; ++j) gr[j] += scale * pr[j];
            gr[pl[r]] -= scale;
        }
    });
}

/// index[r] = the position of the largest entry of row r (the first one on ties).
template <class T>
void argmax_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, Tensor<std::int32_t, Cpu>& index) {
    const std::int64_t k = x.dim(-1), rows = x.numel() / k;
    const T* px = x.data();
    std::int32_t* pi = index.data();
    parallel_for(rows, softmax_detail::rows_per_grain(k), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r) {
            const T* xr = px + r * k;
            std::int64_t best = 0;
            for (std::int64_t j = 1; j < k; ++j)
                if (xr[j] > xr[best]) best = j;
            pi[r] = static_cast<std::int32_t>(best);
        }
    });
}

}  // namespace enas::cpu
