// CPU kernels of the copy family: concatenation and slicing along dimension 1 (channels of an
// NCHW tensor, or features of any tensor of rank >= 2) and the shifted stride-s subsample of
// ENAS's factorized reduction. Tensors are contiguous; backward kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {

namespace copy_detail {
/// Elements per index of dimension 1 (the product of dimensions 2 and up; 1 for rank 2).
template <class T>
std::int64_t inner_size(const Tensor<T, Cpu>& t) {
    std::int64_t inner = 1;
    for (int d = 2; d < t.rank(); ++d) inner *= t.dim(d);
    return inner;
}
/// Work items per chunk so that a chunk holds about kParallelGrain elements.
inline std::int64_t items_per_grain(std::int64_t elements_per_item) {
    return std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(1, elements_per_item));
}
/// Number of output positions i >= 0 with i * stride + offset < size.
inline std::int64_t in_range_count(std::int64_t size, std::int64_t offset, std::int64_t stride) {
    return offset < size ? (size - offset + stride - 1) / stride : 0;
}
}  // namespace copy_detail

/// y = the inputs side by side along dimension 1 (all dimensions but 1 equal y's).
template <class T>
void concat_forward(Context<Cpu>&, std::span<const Tensor<T, Cpu>> xs, Tensor<T, Cpu>& y) {
    const std::int64_t outer = y.dim(0), inner = copy_detail::inner_size(y), y_row = y.dim(1) * inner;
    const std::int64_t parts = static_cast<std::int64_t>(xs.size());
    std::vector<std::int64_t> off(xs.size());  // first channel of each input in y
    for (std::size_t i = 0, c = 0; i < xs.size(); c += static_cast<std::size_t>(xs[i].dim(1)), ++i)
        off[i] = static_cast<std::int64_t>(c);
    T* py = y.data();
    parallel_for(outer * parts, copy_detail::items_per_grain(y_row / std::max<std::int64_t>(parts, 1)),
                 [&](std::int64_t b, std::int64_t e) {
                     for (std::int64_t k = b; k < e; ++k) {
                         const std::int64_t n = k / parts, i = k % parts;
                         const Tensor<T, Cpu>& x = xs[static_cast<std::size_t>(i)];
                         const std::int64_t len = x.dim(1) * inner;
                         std::memcpy(py + n * y_row + off[static_cast<std::size_t>(i)] * inner, x.data() + n * len,
                                     static_cast<std::size_t>(len) * sizeof(T));
                     }
                 });
}

/// gx += gy[:, start : start + gx.dim(1)] (the backward of concat for the input at `start`).
template <class T>
void concat_backward(Context<Cpu>&, std::int64_t start, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const std::int64_t outer = gx.dim(0), inner = copy_detail::inner_size(gx);
    const std::int64_t len = gx.dim(1) * inner, gy_row = gy.dim(1) * inner;
    const T* pgy = gy.data();
    T* pgx = gx.data();
    parallel_for(outer, copy_detail::items_per_grain(len), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t n = b; n < e; ++n) {
            const T* ENAS_RESTRICT src = pgy + n * gy_row + start * inner;
            T* ENAS_RESTRICT dst = pgx + n * len;
#pragma omp simd
            for (std::int64_t i = 0; i < len; ++i) dst[i] += src[i];
        }
    });
}

/// y = x[:, start : start + y.dim(1)] (a contiguous copy of a channel range).
template <class T>
void slice_forward(Context<Cpu>&, std::int64_t start, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    const std::int64_t outer = y.dim(0), inner = copy_detail::inner_size(y);
    const std::int64_t len = y.dim(1) * inner, x_row = x.dim(1) * inner;
    const T* px = x.data();
    T* py = y.data();
    parallel_for(outer, copy_detail::items_per_grain(len), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t n = b; n < e; ++n)
            std::memcpy(py + n * len, px + n * x_row + start * inner, static_cast<std::size_t>(len) * sizeof(T));
    });
}

/// gx[:, start : start + gy.dim(1)] += gy.
template <class T>
void slice_backward(Context<Cpu>&, std::int64_t start, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const std::int64_t outer = gy.dim(0), inner = copy_detail::inner_size(gy);
    const std::int64_t len = gy.dim(1) * inner, gx_row = gx.dim(1) * inner;
    const T* pgy = gy.data();
    T* pgx = gx.data();
    parallel_for(outer, copy_detail::items_per_grain(len), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t n = b; n < e; ++n) {
            const T* ENAS_RESTRICT src = pgy + n * len;
            T* ENAS_RESTRICT dst = pgx + n * gx_row + start * inner;
#pragma omp simd
            for (std::int64_t i = 0; i < len; ++i) dst[i] += src[i];
        }
    });
}

/// y[n, c, i, j] = x[n, c, i*stride + offset, j*stride + offset], or 0 where that is outside x.
/// x is [N, C, H, W]; y is [N, C, Ho, Wo] (the op uses Ho = ceil(H / stride), Wo likewise).
template <class T>
void shifted_subsample_forward(Context<Cpu>&, std::int64_t offset, std::int64_t stride, const Tensor<T, Cpu>& x,
                               Tensor<T, Cpu>& y) {
    const std::int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
    const std::int64_t ho = y.dim(2), wo = y.dim(3);
    const std::int64_t rows_in = std::min(ho, copy_detail::in_range_count(h, offset, stride));
    const std::int64_t cols_in = std::min(wo, copy_detail::in_range_count(w, offset, stride));
    const T* px = x.data();
    T* py = y.data();
    parallel_for(planes, copy_detail::items_per_grain(ho * wo), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t p = b; p < e; ++p) {
            const T* ENAS_RESTRICT xp = px + p * h * w;
            T* ENAS_RESTRICT yp = py + p * ho * wo;
            for (std::int64_t i = 0; i < rows_in; ++i) {
                const T* ENAS_RESTRICT src = xp + (i * stride + offset) * w + offset;
                T* ENAS_RESTRICT dst = yp + i * wo;
                if (stride == 1) {
                    std::memcpy(dst, src, static_cast<std::size_t>(cols_in) * sizeof(T));
                } else {
#pragma omp simd
                    for (std::int64_t j = 0; j < cols_in; ++j) dst[j] = src[j * stride];
                }
                for (std::int64_t j = cols_in; j < wo; ++j) dst[j] = T(0);
            }
            for (std::int64_t j = rows_in * wo; j < ho * wo; ++j) yp[j] = T(0);
        }
    });
}

/// gx[n, c, i*stride + offset, j*stride + offset] += gy[n, c, i, j] wherever that is inside gx.
template <class T>
void shifted_subsample_backward(Context<Cpu>&, std::int64_t offset, std::int64_t stride, const Tensor<T, Cpu>& gy,
                                Tensor<T, Cpu>& gx) {
    const std::int64_t planes = gx.dim(0) * gx.dim(1), h = gx.dim(2), w = gx.dim(3);
    const std::int64_t ho = gy.dim(2), wo = gy.dim(3);
    const std::int64_t rows_in = std::min(ho, copy_detail::in_range_count(h, offset, stride));
    const std::int64_t cols_in = std::min(wo, copy_detail::in_range_count(w, offset, stride));
    const T* pgy = gy.data();
    T* pgx = gx.data();
    parallel_for(planes, copy_detail::items_per_grain(ho * wo), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t p = b; p < e; ++p) {
            for (std::int64_t i = 0; i < rows_in; ++i) {
                const T* ENAS_RESTRICT src = pgy + p * ho * wo + i * wo;
                T* ENAS_RESTRICT dst = pgx + p * h * w + (i * stride + offset) * w + offset;
#pragma omp simd
                for (std::int64_t j = 0; j < cols_in; ++j) dst[j * stride] += src[j];
            }
        }
    });
}

}  // namespace enas::cpu
