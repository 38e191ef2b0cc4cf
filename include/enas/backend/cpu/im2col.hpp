// Pieces shared by the CPU conv kernels (dense and depthwise): im2col / col2im over a block of
// output rows of one image, and the static split of conv work items over OpenMP workers with
// per-worker scratch.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "enas/backend/cpu/conv_geometry.hpp"
#include "enas/core/config.hpp"

/// Marks a float kernel to be compiled twice, for AVX-512 and for baseline x86-64, with the copy
/// picked when the program loads (GCC / Clang target_clones on ELF; the library itself is built
/// for baseline x86-64). Empty where that is unavailable.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && defined(__ELF__) && \
    !defined(__CUDACC__)
#define ENAS_CONV_TARGET_CLONES __attribute__((target_clones("avx512f", "default")))
#else
#define ENAS_CONV_TARGET_CLONES
#endif

namespace enas::cpu {

/// The output columns [ow_begin, ow_end) whose input column ow * stride - pad + k lies in [0, w).
struct ValidColumns {
    std::int64_t begin, end;
};
inline ValidColumns valid_columns(std::int64_t w, std::int64_t out_w, std::int64_t stride, std::int64_t pad,
                                  std::int64_t k) {
    // iw = ow * stride + (k - pad) >= 0  <=>  ow >= ceil((pad - k) / stride)
    const std::int64_t shift = k - pad;
    std::int64_t begin = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    // iw <= w - 1  <=>  ow <= floor((w - 1 - shift) / stride)
    const std::int64_t last = w - 1 - shift;
    std::int64_t end = last < 0 ? 0 : last / stride + 1;
    begin = std::min(begin, out_w);
    end = std::clamp(end, begin, out_w);
    return {begin, end};
}

/// im2col for a stride-1 conv whose output rows are as wide as the input rows (SAME): the row of
/// tap (i, j) over output rows [oh_begin, oh_end) is then one contiguous run of input rows shifted
/// by j - pad_left elements, copied in one piece, after which the columns that wrapped around a
/// row edge and the rows outside the image are zeroed.
template <class T>
void im2col_same_stride1(const ConvGeometry& g, const T* ENAS_RESTRICT x, std::int64_t oh_begin, std::int64_t oh_end,
                         T* ENAS_RESTRICT col) {
    const std::int64_t w = g.w, rows = oh_end - oh_begin, width = rows * w, plane_size = g.in_plane();
    for (std::int64_t ci = 0; ci < g.c_in; ++ci) {
        const T* plane = x + ci * plane_size;
        for (std::int64_t i = 0; i < g.kh; ++i) {
            // Output rows whose input row oh - pad_top + i lies inside the image.
            const std::int64_t first = std::clamp(g.pad_top - i, oh_begin, oh_end);
            const std::int64_t last = std::clamp(g.h + g.pad_top - i, first, oh_end);
            for (std::int64_t j = 0; j < g.kw; ++j) {
                T* dst = col + ((ci * g.kh + i) * g.kw + j) * width;
                const std::int64_t shift = j - g.pad_left;
                std::fill(dst, dst + (first - oh_begin) * w, T(0));
                std::fill(dst + (last - oh_begin) * w, dst + width, T(0));
                if (first == last) continue;
                // Destination [d0, d1) reads plane[d + offset]; clamp the source to the plane (the
                // elements cut off are edge columns, zeroed below).
                const std::int64_t offset = (first - g.pad_top + i) * w + shift - (first - oh_begin) * w;
                const std::int64_t d0 = std::max((first - oh_begin) * w, -offset);
                const std::int64_t d1 = std::min((last - oh_begin) * w, plane_size - offset);
                if (d0 < d1) std::copy(plane + d0 + offset, plane + d1 + offset, dst + d0);
                for (std::int64_t r = first - oh_begin; r < last - oh_begin; ++r) {
                    T* row = dst + r * w;
                    if (shift < 0)
                        std::fill(row, row + std::min(-shift, w), T(0));
                    else if (shift > 0)
                        std::fill(row + std::max<std::int64_t>(w - shift, 0), row + w, T(0));
                }
            }
        }
    }
}

/// Writes the im2col matrix of output rows [oh_begin, oh_end) of one image `x` ([c_in, h, w]) to
/// `col`, row-major [c_in * kh * kw, (oh_end - oh_begin) * out_w]: row (ci * kh + i) * kw + j,
/// column (oh - oh_begin) * out_w + ow holds x[ci, oh * sh - pad_top + i, ow * sw - pad_left + j], or 0
/// in the padding.
template <class T>
void im2col(const ConvGeometry& g, const T* ENAS_RESTRICT x, std::int64_t oh_begin, std::int64_t oh_end,
            T* ENAS_RESTRICT col) {
    if (g.stride_h == 1 && g.stride_w == 1 && g.out_w == g.w) {
        im2col_same_stride1(g, x, oh_begin, oh_end, col);
        return;
    }
    const std::int64_t rows = oh_end - oh_begin, width = rows * g.out_w, sw = g.stride_w;
    for (std::int64_t ci = 0; ci < g.c_in; ++ci) {
        const T* plane = x + ci * g.in_plane();
        for (std::int64_t i = 0; i < g.kh; ++i) {
            for (std::int64_t j = 0; j < g.kw; ++j) {
                T* dst_row = col + ((ci * g.kh + i) * g.kw + j) * width;
                const ValidColumns vc = valid_columns(g.w, g.out_w, sw, g.pad_left, j);
                const std::int64_t col_shift = j - g.pad_left;
                for (std::int64_t oh = oh_begin; oh < oh_end; ++oh) {
                    T* dst = dst_row + (oh - oh_begin) * g.out_w;
                    const std::int64_t ih = oh * g.stride_h - g.pad_top + i;
                    if (ih < 0 || ih >= g.h) {
                        std::fill(dst, dst + g.out_w, T(0));
                        continue;
                    }
                    const T* src = plane + ih * g.w;
                    std::fill(dst, dst + vc.begin, T(0));
                    if (sw == 1) {
#pragma omp simd
                        for (std::int64_t ow = vc.begin; ow < vc.end; ++ow) dst[ow] = src[ow + col_shift];
                    } else {
                        for (std::int64_t ow = vc.begin; ow < vc.end; ++ow) dst[ow] = src[ow * sw + col_shift];
                    }
                    std::fill(dst + vc.end, dst + g.out_w, T(0));
                }
            }
        }
    }
}

/// The adjoint of im2col: adds every entry of `col` (laid out as im2col writes it for output rows
/// [oh_begin, oh_end)) to the input element it was read from; padding entries are dropped.
template <class T>
void col2im_add(const ConvGeometry& g, const T* ENAS_RESTRICT col, std::int64_t oh_begin, std::int64_t oh_end,
                T* ENAS_RESTRICT x) {
    const std::int64_t rows = oh_end - oh_begin, width = rows * g.out_w, sw = g.stride_w;
    for (std::int64_t ci = 0; ci < g.c_in; ++ci) {
        T* plane = x + ci * g.in_plane();
        for (std::int64_t i = 0; i < g.kh; ++i) {
            for (std::int64_t j = 0; j < g.kw; ++j) {
                const T* src_row = col + ((ci * g.kh + i) * g.kw + j) * width;
                const ValidColumns vc = valid_columns(g.w, g.out_w, sw, g.pad_left, j);
                const std::int64_t col_shift = j - g.pad_left;
                for (std::int64_t oh = oh_begin; oh < oh_end; ++oh) {
                    const std::int64_t ih = oh * g.stride_h - g.pad_top + i;
                    if (ih < 0 || ih >= g.h) continue;
                    const T* src = src_row + (oh - oh_begin) * g.out_w;
                    T* dst = plane + ih * g.w;
                    if (sw == 1) {
#pragma omp simd
                        for (std::int64_t ow = vc.begin; ow < vc.end; ++ow) dst[ow + col_shift] += src[ow];
                    } else {
                        for (std::int64_t ow = vc.begin; ow < vc.end; ++ow) dst[ow * sw + col_shift] += src[ow];
                    }
                }
            }
        }
    }
}

/// Multiply-adds below which a conv runs on the calling thread (a parallel region costs a few
/// microseconds on two cores).
inline constexpr double kConvParallelMacs = 2.0e5;

/// Workers for `items` independent work items totalling `macs` multiply-adds: 1 when small, when
/// OpenMP has one thread or when already inside a parallel region; else up to the OpenMP threads.
inline int conv_workers(std::int64_t items, double macs) {
    if (items <= 1 || macs < kConvParallelMacs || omp_in_parallel()) return 1;
    return static_cast<int>(std::min<std::int64_t>(omp_get_max_threads(), items));
}

/// How for_each_worker hands out items.
enum class WorkSplit {
    /// About 8 chunks per worker on demand, so a thread the OS delays (these machines are shared)
    /// does not hold up the whole pass. Which worker runs an item varies from run to run.
    dynamic,
    /// One contiguous range per worker, fixed by (items, workers): for per-worker partial sums,
    /// so that the floating-point summation order, and hence the result, is reproducible.
    fixed,
};

/// Runs f(worker, item_begin, item_end) over [0, items) on `workers` OpenMP threads (or directly
/// when workers == 1); `worker` indexes per-worker scratch.
template <class F>
void for_each_worker(int workers, std::int64_t items, F&& f, WorkSplit split = WorkSplit::dynamic) {
    if (workers <= 1) {
        f(0, std::int64_t{0}, items);
        return;
    }
    if (split == WorkSplit::fixed) {
#pragma omp parallel num_threads(workers)
        {
            const int t = omp_get_thread_num(), nt = omp_get_num_threads();
            const std::int64_t begin = items * t / nt, end = items * (t + 1) / nt;
            if (begin < end) f(t, begin, end);
        }
        return;
    }
    const std::int64_t chunk = std::max<std::int64_t>(1, items / (8 * std::int64_t{workers}));
    const std::int64_t chunks = (items + chunk - 1) / chunk;
#pragma omp parallel num_threads(workers)
    {
        const int t = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
        for (std::int64_t c = 0; c < chunks; ++c) f(t, c * chunk, std::min(items, (c + 1) * chunk));
    }
}

}  // namespace enas::cpu
