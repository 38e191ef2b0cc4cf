// CPU kernels of the reduce family: global average pooling over NCHW planes, and whole-tensor
// sum, mean and sum of squares (the L2 term), with their backward. Sums accumulate in double
// over fixed-size blocks, so the result does not depend on the number of threads. Tensors are
// contiguous; backward kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {

namespace reduce_detail {

/// Elements per block of a whole-tensor reduction (each block is summed by one thread).
inline constexpr std::int64_t kReduceBlock = 32768;

}  // namespace reduce_detail

/// Sum over i in [0, n) of term(i) (a double), with 8 independent partial sums so that the loop
/// is limited by throughput rather than by the latency of a single accumulator. Used by the
/// reduce and batchnorm kernels.
template <class Term>
double sum_in_double(std::int64_t n, Term term) {
    constexpr int kLanes = 8;
    double acc[kLanes] = {};
    std::int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
#pragma omp simd
        for (int j = 0; j < kLanes; ++j) acc[j] += term(i + j);
    }
    double s = 0;
    for (; i < n; ++i) s += term(i);
    for (int j = 0; j < kLanes; ++j) s += acc[j];
    return s;
}

/// The two sums over i in [0, n) of term_a(i) and term_b(i), in one pass (as sum_in_double).
template <class TermA, class TermB>
std::pair<double, double> sum2_in_double(std::int64_t n, TermA term_a, TermB term_b) {
    constexpr int kLanes = 8;
    double acc_a[kLanes] = {}, acc_b[kLanes] = {};
    std::int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
#pragma omp simd
        for (int j = 0; j < kLanes; ++j) {
            acc_a[j] += term_a(i + j);
            acc_b[j] += term_b(i + j);
        }
    }
    double sa = 0, sb = 0;
    for (; i < n; ++i) {
        sa += term_a(i);
        sb += term_b(i);
    }
    for (int j = 0; j < kLanes; ++j) {
        sa += acc_a[j];
        sb += acc_b[j];
    }
    return {sa, sb};
}

namespace reduce_detail {

/// Sum over [0, n) of term(p[i]), in double, over fixed blocks combined in order (the result
/// does not depend on the number of threads).
template <class T, class Term>
double blocked_sum(const T* ENAS_RESTRICT p, std::int64_t n, Term term) {
    auto block = [&](std::int64_t b, std::int64_t e) {
        const T* ENAS_RESTRICT q = p + b;
        return sum_in_double(e - b, [&](std::int64_t i) { return term(static_cast<double>(q[i])); });
    };
    const std::int64_t blocks = (n + kReduceBlock - 1) / kReduceBlock;
    if (blocks <= 1) return block(0, n);
    std::vector<double> partial(static_cast<std::size_t>(blocks));
    parallel_for(blocks, 1, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t k = b; k < e; ++k)
            partial[static_cast<std::size_t>(k)] = block(k * kReduceBlock, std::min(n, (k + 1) * kReduceBlock));
    });
    double s = 0;
    for (double v : partial) s += v;
    return s;
}

}  // namespace reduce_detail

/// y[n, c] = mean of x[n, c, :, :]. x [N, C, H, W], y [N, C].
template <class T>
void global_avg_pool_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    const std::int64_t planes = x.dim(0) * x.dim(1), plane = x.dim(2) * x.dim(3);
    const T* px = x.data();
    T* py = y.data();
    const double inv = 1.0 / static_cast<double>(plane);
    parallel_for(planes, std::max<std::int64_t>(1, kParallelGrain / plane), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t k = b; k < e; ++k) {
            const T* ENAS_RESTRICT xp = px + k * plane;
            const double s = sum_in_double(plane, [&](std::int64_t i) { return static_cast<double>(xp[i]); });
            py[k] = static_cast<T>(s * inv);
        }
    });
}

/// gx[n, c, h, w] += gy[n, c] / (H * W). gy [N, C], gx [N, C, H, W].
template <class T>
void global_avg_pool_backward(Context<Cpu>&, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const std::int64_t planes = gx.dim(0) * gx.dim(1), plane = gx.dim(2) * gx.dim(3);
    const T* pgy = gy.data();
    T* pgx = gx.data();
    const T inv = T(1) / static_cast<T>(plane);
    parallel_for(planes, std::max<std::int64_t>(1, kParallelGrain / plane), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t k = b; k < e; ++k) {
            T* ENAS_RESTRICT gp = pgx + k * plane;
            const T g = pgy[k] * inv;
#pragma omp simd
            for (std::int64_t i = 0; i < plane; ++i) gp[i] += g;
        }
    });
}

/// y[0] = alpha * sum of all elements of x (alpha = 1 for sum, 1 / numel for mean). y [1].
template <class T>
void sum_forward(Context<Cpu>&, double alpha, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    const double s = reduce_detail::blocked_sum(x.data(), x.numel(), [](double v) { return v; });
    y.data()[0] = static_cast<T>(alpha * s);
}

/// gx[i] += alpha * gy[0]: the backward of sum_forward with the same alpha. gy [1].
template <class T>
void sum_backward(Context<Cpu>&, double alpha, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const T g = static_cast<T>(alpha * static_cast<double>(gy.data()[0]));
    T* pgx = gx.data();
    parallel_for(gx.numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
#pragma omp simd
        for (std::int64_t i = b; i < e; ++i) pgx[i] += g;
    });
}

/// y[0] = sum of x[i]^2 over all elements. y [1].
template <class T>
void sum_squares_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    y.data()[0] = static_cast<T>(reduce_detail::blocked_sum(x.data(), x.numel(), [](double v) { return v * v; }));
}

/// gx[i] += 2 * gy[0] * x[i]. gy [1].
template <class T>
void sum_squares_backward(Context<Cpu>&, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const T g = T(2) * gy.data()[0];
    const T* ENAS_RESTRICT px = x.data();
    T* ENAS_RESTRICT pgx = gx.data();
    parallel_for(x.numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
#pragma omp simd
        for (std::int64_t i = b; i < e; ++i) pgx[i] += g * px[i];
    });
}

}  // namespace enas::cpu
