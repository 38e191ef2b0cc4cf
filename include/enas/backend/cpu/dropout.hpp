// CPU kernels of the dropout family: inverted dropout (kept values divided by keep_prob) with
// masks drawn from the counter-based Philox generator. Element i of a draw is kept when
// philox_word(seed, base, i) < ceil(keep_prob * 2^32), so a mask depends only on (seed, base,
// keep_prob): not on the thread count, and identical on CUDA. Tensors are contiguous; backward
// kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/context.hpp"

namespace enas {

/// One dropout draw: the Philox key and the first counter reserved for it, plus the keep
/// probability. Enough to recompute the mask at any time (backward, CUDA, tests).
struct DropoutDraw {
    std::uint64_t seed = 0;
    std::uint64_t base = 0;
    double keep_prob = 1.0;
};

/// The largest word that keeps its element: w is kept when w <= limit, i.e. w / 2^32 < keep_prob
/// (limit = ceil(keep_prob * 2^32) - 1; 2^32 - 1, everything kept, for keep_prob == 1).
ENAS_HD inline std::uint32_t dropout_keep_limit(double keep_prob) {
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(std::ceil(keep_prob * 4294967296.0)) - 1u);
}

}  // namespace enas

namespace enas::cpu {

namespace detail {

/// Philox blocks per chunk of the fused dropout loops: the words of one chunk are drawn into a
/// stack buffer by a vectorisable loop, then applied to 4 * kDropoutChunk elements.
inline constexpr std::int64_t kDropoutChunk = 64;

/// Calls f(first_element, count, words) for consecutive chunks of [0, n) (chunk boundaries on
/// multiples of 4 elements, so block j of the draw is always philox4x32(base + j, 0, seed)).
template <class F>
void for_each_dropout_chunk(const DropoutDraw& d, std::int64_t n, F&& f) {
    const std::int64_t blocks = (n + 3) / 4;
    parallel_for(blocks, kParallelGrain / 4, [&](std::int64_t b0, std::int64_t b1) {
        std::uint32_t words[4 * kDropoutChunk];
        for (std::int64_t b = b0; b < b1; b += kDropoutChunk) {
            const std::int64_t nb = std::min(kDropoutChunk, b1 - b);
#pragma omp simd
            for (std::int64_t j = 0; j < nb; ++j) {
                const PhiloxBlock p = philox4x32(d.base + static_cast<std::uint64_t>(b + j), 0, d.seed);
                words[4 * j + 0] = p.v[0];
                words[4 * j + 1] = p.v[1];
                words[4 * j + 2] = p.v[2];
                words[4 * j + 3] = p.v[3];
            }
            const std::int64_t first = 4 * b;
            f(first, std::min(4 * nb, n - first), words);
        }
    });
}

// The per-chunk loops, as plain functions: inside a lambda GCC does not if-convert the select and
// leaves the loop scalar.
template <class T>
void scale_kept(const T* ENAS_RESTRICT x, T* ENAS_RESTRICT y, const std::uint32_t* ENAS_RESTRICT w, std::int64_t count,
                std::uint32_t limit, T scale) {
#pragma omp simd
    for (std::int64_t i = 0; i < count; ++i) y[i] = x[i] * (w[i] <= limit ? scale : T(0));
}

template <class T>
void accumulate_kept(const T* ENAS_RESTRICT g, T* ENAS_RESTRICT gx, const std::uint32_t* ENAS_RESTRICT w,
                     std::int64_t count, std::uint32_t limit, T scale) {
#pragma omp simd
    for (std::int64_t i = 0; i < count; ++i) gx[i] += g[i] * (w[i] <= limit ? scale : T(0));
}

template <class T>
void write_mask(T* ENAS_RESTRICT m, const std::uint32_t* ENAS_RESTRICT w, std::int64_t count, std::uint32_t limit,
                T scale) {
#pragma omp simd
    for (std::int64_t i = 0; i < count; ++i) m[i] = w[i] <= limit ? scale : T(0);
}

}  // namespace detail

/// y = x * mask / keep_prob, the mask drawn from `d` (elementwise, one word per element).
template <class T>
void dropout_forward(Context<Cpu>&, const DropoutDraw& d, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    const T* px = x.data();
    T* py = y.data();
    const std::uint32_t limit = dropout_keep_limit(d.keep_prob);
    const T scale = static_cast<T>(1.0 / d.keep_prob);
    detail::for_each_dropout_chunk(d, x.numel(), [&](std::int64_t first, std::int64_t count, const std::uint32_t* w) {
        detail::scale_kept(px + first, py + first, w, count, limit, scale);
    });
}

/// gx += gy * mask / keep_prob, with the mask of draw `d` recomputed (no mask is stored).
template <class T>
void dropout_backward(Context<Cpu>&, const DropoutDraw& d, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const T* pg = gy.data();
    T* pgx = gx.data();
    const std::uint32_t limit = dropout_keep_limit(d.keep_prob);
    const T scale = static_cast<T>(1.0 / d.keep_prob);
    detail::for_each_dropout_chunk(d, gy.numel(), [&](std::int64_t first, std::int64_t count, const std::uint32_t* w) {
        detail::accumulate_kept(pg + first, pgx + first, w, count, limit, scale);
    });
}

/// mask[i] = 1 / keep_prob when element i of draw `d` is kept, else 0 (any shape, flat order).
template <class T>
void dropout_mask(Context<Cpu>&, const DropoutDraw& d, Tensor<T, Cpu>& mask) {
    T* pm = mask.data();
    const std::uint32_t limit = dropout_keep_limit(d.keep_prob);
    const T scale = static_cast<T>(1.0 / d.keep_prob);
    detail::for_each_dropout_chunk(d, mask.numel(),
                                   [&](std::int64_t first, std::int64_t count, const std::uint32_t* w) {
                                       detail::write_mask(pm + first, w, count, limit, scale);
                                   });
}

/// Row masking (drop-path, embedding dropout): x viewed as [R, C] with R = mask.numel();
/// y[r, c] = x[r, c] * mask[r].
template <class T>
void row_mask_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& mask, Tensor<T, Cpu>& y) {
    const std::int64_t rows = mask.numel(), cols = x.numel() / rows;
    const T* ENAS_RESTRICT px = x.data();
    const T* ENAS_RESTRICT pm = mask.data();
    T* ENAS_RESTRICT py = y.data();
    parallel_for(rows, std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(cols, 1)),
                 [&](std::int64_t r0, std::int64_t r1) {
                     for (std::int64_t r = r0; r < r1; ++r) {
                         const T m = pm[r];
                         const T* ENAS_RESTRICT xs = px + r * cols;
                         T* ENAS_RESTRICT ys = py + r * cols;
#pragma omp simd
                         for (std::int64_t c = 0; c < cols; ++c) ys[c] = xs[c] * m;
                     }
                 });
}

/// gx[r, c] += gy[r, c] * mask[r] (the backward of row_mask_forward).
template <class T>
void row_mask_backward(Context<Cpu>&, const Tensor<T, Cpu>& gy, const Tensor<T, Cpu>& mask, Tensor<T, Cpu>& gx) {
    const std::int64_t rows = mask.numel(), cols = gy.numel() / rows;
    const T* ENAS_RESTRICT pg = gy.data();
    const T* ENAS_RESTRICT pm = mask.data();
    T* ENAS_RESTRICT pgx = gx.data();
    parallel_for(rows, std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(cols, 1)),
                 [&](std::int64_t r0, std::int64_t r1) {
                     for (std::int64_t r = r0; r < r1; ++r) {
                         const T m = pm[r];
                         if (m == T(0)) continue;  // a dropped row adds nothing
                         const T* ENAS_RESTRICT gs = pg + r * cols;
                         T* ENAS_RESTRICT gxs = pgx + r * cols;
#pragma omp simd
                         for (std::int64_t c = 0; c < cols; ++c) gxs[c] += gs[c] * m;
                     }
                 });
}

/// Locked (variational) masking: x viewed as [S, M] with M = mask.numel(); the same mask row
/// multiplies every step: y[s, m] = x[s, m] * mask[m].
template <class T>
void locked_mask_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& mask, Tensor<T, Cpu>& y) {
    const std::int64_t width = mask.numel();
    const T* ENAS_RESTRICT px = x.data();
    const T* ENAS_RESTRICT pm = mask.data();
    T* ENAS_RESTRICT py = y.data();
    parallel_for(x.numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e;) {
            const std::int64_t m0 = i % width, len = std::min(width - m0, e - i);
            const T* ENAS_RESTRICT xs = px + i;
            const T* ENAS_RESTRICT ms = pm + m0;
            T* ENAS_RESTRICT ys = py + i;
#pragma omp simd
            for (std::int64_t k = 0; k < len; ++k) ys[k] = xs[k] * ms[k];
            i += len;
        }
    });
}

/// gx[s, m] += gy[s, m] * mask[m] (the backward of locked_mask_forward).
template <class T>
void locked_mask_backward(Context<Cpu>&, const Tensor<T, Cpu>& gy, const Tensor<T, Cpu>& mask, Tensor<T, Cpu>& gx) {
    const std::int64_t width = mask.numel();
    const T* ENAS_RESTRICT pg = gy.data();
    const T* ENAS_RESTRICT pm = mask.data();
    T* ENAS_RESTRICT pgx = gx.data();
    parallel_for(gy.numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e;) {
            const std::int64_t m0 = i % width, len = std::min(width - m0, e - i);
            const T* ENAS_RESTRICT gs = pg + i;
            const T* ENAS_RESTRICT ms = pm + m0;
            T* ENAS_RESTRICT gxs = pgx + i;
#pragma omp simd
            for (std::int64_t k = 0; k < len; ++k) gxs[k] += gs[k] * ms[k];
            i += len;
        }
    });
}

}  // namespace enas::cpu
