// CPU kernels of the dense conv family (NCHW, weights [c_out, c_in, kh, kw], no bias, TF SAME or
// VALID padding): forward, backward-input and backward-weight. Backward kernels accumulate (+=).
//
// Every pass is im2col + GEMM, one image (or a block of its output rows) per work item, the
// items spread over the OpenMP threads and each GEMM single-threaded (docs/performance.md,
// "Dense 3x3 conv", has the measurements behind these choices):
//  - forward:          y[n]  = W * im2col(x[n])                  (1x1 stride 1: W * x[n], no im2col)
//  - backward-weight:  gW   += gy[n] * im2col(x[n])^T            (per-worker partial sums, then reduced)
//  - backward-input, stride 1: a forward conv of gy with the flipped, transposed kernel, accumulated
//    straight into gx; other strides: gcol = W^T * gy[n], then col2im adds gcol into gx[n].
// The GEMMs are the AVX-512 kernels of conv_gemm_avx512.hpp for float on CPUs that have AVX-512,
// else enas::cpu::gemm (OpenBLAS). On the AVX-512 path a stride-1 conv skips im2col altogether
// (conv_implicit_gemm.hpp). The im2col matrix is built for a block of output rows at a time so
// that it stays in cache; scratch comes from the context's caching allocator, so a repeated step
// allocates nothing new.
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "enas/backend/cpu/conv_gemm_avx512.hpp"
#include "enas/backend/cpu/conv_geometry.hpp"
#include "enas/backend/cpu/conv_implicit_gemm.hpp"
#include "enas/backend/cpu/gemm.hpp"
#include "enas/backend/cpu/im2col.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {
namespace conv_detail {

/// Bytes of im2col matrix per work item: keeps a block in the core's L2 cache.
inline constexpr std::int64_t kColBlockBytes = 1024 * 1024;

/// The GEMM behind the conv kernels: Auto picks the AVX-512 kernels for float when the CPU has
/// AVX-512, else enas::cpu::gemm (BLAS). Tests and benchmarks force one or the other.
enum class ConvGemm { Auto, Blas, Avx512 };

/// When the AVX-512 path runs a stride-1 conv as an implicit GEMM (no im2col matrix).
enum class ImplicitGemm { WhenFaster, Always, Never };

/// Knobs of the internal conv routines (the public kernels use the defaults).
struct ConvTuning {
    std::int64_t block_bytes = kColBlockBytes;
    ConvGemm gemm = ConvGemm::Auto;
    ImplicitGemm implicit = ImplicitGemm::WhenFaster;
};

/// Whether a float conv `g` on the AVX-512 path runs as an implicit GEMM under `tuning`.
inline bool use_implicit_gemm(const ConvGeometry& g, const ConvTuning& tuning) {
    if (tuning.implicit == ImplicitGemm::Never || !implicit_gemm_possible(g)) return false;
    return tuning.implicit == ImplicitGemm::Always || implicit_gemm_pays(g);
}

/// Whether the AVX-512 kernels run for element type T under `tuning`.
template <class T>
bool use_avx512(const ConvTuning& tuning) {
    if constexpr (std::is_same_v<T, float>)
        return tuning.gemm != ConvGemm::Blas && avx512::available();
    else
        return false;
}

/// C (=|+=) A * B, row-major, single-threaded when called from a worker.
template <class T>
void gemm_nn(bool avx, bool accumulate, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, std::int64_t lda,
             const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
    if constexpr (std::is_same_v<T, float>) {
        if (avx) {
            if (accumulate)
                avx512::gemm_nn<true>(m, n, k, a, lda, avx512::StridedRows{b, ldb}, c, ldc);
            else
                avx512::gemm_nn<false>(m, n, k, a, lda, avx512::StridedRows{b, ldb}, c, ldc);
            return;
        }
    }
    gemm<T>(false, false, m, n, k, T(1), a, lda, b, ldb, accumulate ? T(1) : T(0), c, ldc);
}

/// C += A * B^T, row-major.
template <class T>
void gemm_nt(bool avx, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, std::int64_t lda, const T* b,
             std::int64_t ldb, T* c, std::int64_t ldc) {
    if constexpr (std::is_same_v<T, float>) {
        if (avx) {
            avx512::gemm_nt(m, n, k, a, lda, avx512::StridedRows{b, ldb}, c, ldc);
            return;
        }
    }
    gemm<T>(false, true, m, n, k, T(1), a, lda, b, ldb, T(1), c, ldc);
}

/// A 1x1 stride-1 conv needs no im2col: the image is its own im2col matrix.
inline bool is_pointwise(const ConvGeometry& g) {
    return g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0;
}

/// Output rows per work item: as many as fit `block_bytes` of im2col, but at least 256 pixels
/// (shorter GEMMs lose more than the cache gains), balanced over the image.
template <class T>
std::int64_t rows_per_block(const ConvGeometry& g, std::int64_t block_bytes) {
    if (is_pointwise(g)) return g.out_h;
    const std::int64_t row_bytes = g.patch_size() * g.out_w * static_cast<std::int64_t>(sizeof(T));
    const std::int64_t min_rows = std::min(g.out_h, (256 + g.out_w - 1) / g.out_w);
    const std::int64_t max_rows =
        std::clamp<std::int64_t>(block_bytes / std::max<std::int64_t>(row_bytes, 1), min_rows, g.out_h);
    const std::int64_t blocks = (g.out_h + max_rows - 1) / max_rows;
    return (g.out_h + blocks - 1) / blocks;
}

/// y[n] (=|+=) W * im2col(x[n]) for every image n: w is [c_out, patch_size], x is [n, c_in, h, w]
/// and y is [n, c_out, out_h, out_w], all contiguous.
template <class T>
void im2col_gemm(Context<Cpu>& ctx, const ConvGeometry& g, const T* x, const T* w, bool accumulate, T* y,
                 const ConvTuning& tuning = {}) {
    const bool pointwise = is_pointwise(g), avx = use_avx512<T>(tuning);
    if constexpr (std::is_same_v<T, float>) {
        if (avx && !pointwise && use_implicit_gemm(g, tuning)) {
            implicit_forward(ctx, g, x, w, accumulate, y);
            return;
        }
    }
    const std::int64_t rows = rows_per_block<T>(g, tuning.block_bytes), blocks = (g.out_h + rows - 1) / rows;
    const std::int64_t patch = g.patch_size(), out_plane = g.out_plane(), items = g.n * blocks;
    const int workers = conv_workers(items, g.dense_macs());
    Tensor<T, Cpu> scratch;
    if (!pointwise) scratch = ctx.template empty<T>(Shape{workers, patch * rows * g.out_w});
    SerialGemmScope serial_gemm_if(!avx && workers > 1);
    for_each_worker(workers, items, [&](int worker, std::int64_t begin, std::int64_t end) {
        T* col = pointwise ? nullptr : scratch.data() + worker * patch * rows * g.out_w;
        for (std::int64_t item = begin; item < end; ++item) {
            const std::int64_t n = item / blocks, oh0 = item % blocks * rows, oh1 = std::min(oh0 + rows, g.out_h);
            const std::int64_t cols = (oh1 - oh0) * g.out_w;
            const T* xn = x + n * g.c_in * g.in_plane();
            T* yn = y + n * g.c_out * out_plane + oh0 * g.out_w;
            if (pointwise) {
                gemm_nn<T>(avx, accumulate, g.c_out, cols, g.c_in, w, g.c_in, xn + oh0 * g.out_w, out_plane, yn,
                           out_plane);
            } else {
                im2col(g, xn, oh0, oh1, col);
                gemm_nn<T>(avx, accumulate, g.c_out, cols, patch, w, patch, col, cols, yn, out_plane);
            }
        }
    });
}

/// Backward-input of a stride-1 conv: gx += conv(gy, W'), W'[ci, co, i, j] = W[co, ci, kh-1-i, kw-1-j].
template <class T>
void backward_input_stride1(Context<Cpu>& ctx, const ConvGeometry& g, const T* gy, const T* w, T* gx,
                            const ConvTuning& tuning = {}) {
    const std::int64_t area = g.kernel_area();
    Tensor<T, Cpu> flipped = ctx.template empty<T>(Shape{g.c_in, g.c_out, g.kh, g.kw});
    T* wf = flipped.data();
    for (std::int64_t co = 0; co < g.c_out; ++co)
        for (std::int64_t ci = 0; ci < g.c_in; ++ci)
            for (std::int64_t k = 0; k < area; ++k)
                wf[(ci * g.c_out + co) * area + k] = w[(co * g.c_in + ci) * area + (area - 1 - k)];
    im2col_gemm<T>(ctx, stride1_input_gradient_geometry(g), gy, wf, /*accumulate=*/true, gx, tuning);
}

/// Backward-input of any conv: gcol = W^T * gy[n], then col2im adds gcol into gx[n]. Work items are
/// whole images (blocks of one image overlap in gx).
template <class T>
void backward_input_col2im(Context<Cpu>& ctx, const ConvGeometry& g, const T* gy, const T* w, T* gx,
                           const ConvTuning& tuning = {}) {
    const bool avx = use_avx512<T>(tuning);
    const std::int64_t rows = rows_per_block<T>(g, tuning.block_bytes), patch = g.patch_size();
    const std::int64_t out_plane = g.out_plane();
    const int workers = conv_workers(g.n, g.dense_macs());
    Tensor<T, Cpu> scratch = ctx.template empty<T>(Shape{workers, patch * rows * g.out_w});
    Tensor<T, Cpu> transposed = ctx.template empty<T>(Shape{patch, g.c_out});  // W^T, for gemm_nn
    for (std::int64_t co = 0; co < g.c_out; ++co)
        for (std::int64_t k = 0; k < patch; ++k) transposed.data()[k * g.c_out + co] = w[co * patch + k];
    const T* wt = transposed.data();
    SerialGemmScope serial_gemm_if(!avx && workers > 1);
    for_each_worker(workers, g.n, [&](int worker, std::int64_t begin, std::int64_t end) {
        T* gcol = scratch.data() + worker * patch * rows * g.out_w;
        for (std::int64_t n = begin; n < end; ++n) {
            for (std::int64_t oh0 = 0; oh0 < g.out_h; oh0 += rows) {
                const std::int64_t oh1 = std::min(oh0 + rows, g.out_h), cols = (oh1 - oh0) * g.out_w;
                gemm_nn<T>(avx, false, patch, cols, g.c_out, wt, g.c_out, gy + n * g.c_out * out_plane + oh0 * g.out_w,
                           out_plane, gcol, cols);
                col2im_add(g, gcol, oh0, oh1, gx + n * g.c_in * g.in_plane());
            }
        }
    });
}

/// gW += sum_n gy[n] * im2col(x[n])^T, with one partial sum per worker when parallel.
template <class T>
void backward_weight(Context<Cpu>& ctx, const ConvGeometry& g, const T* x, const T* gy, T* gw,
                     const ConvTuning& tuning = {}) {
    const bool pointwise = is_pointwise(g), avx = use_avx512<T>(tuning);
    if constexpr (std::is_same_v<T, float>) {
        if (avx && !pointwise && use_implicit_gemm(g, tuning)) {
            implicit_backward_weight(ctx, g, x, gy, gw);
            return;
        }
    }
    const std::int64_t rows = rows_per_block<T>(g, tuning.block_bytes), blocks = (g.out_h + rows - 1) / rows;
    const std::int64_t patch = g.patch_size(), out_plane = g.out_plane(), items = g.n * blocks;
    const std::int64_t wsize = g.c_out * patch;
    const int workers = conv_workers(items, g.dense_macs());
    Tensor<T, Cpu> scratch;
    if (!pointwise) scratch = ctx.template empty<T>(Shape{workers, patch * rows * g.out_w});
    Tensor<T, Cpu> partial;
    if (workers > 1) partial = ctx.template zeros<T>(Shape{workers, wsize});
    SerialGemmScope serial_gemm_if(!avx && workers > 1);
    for_each_worker(
        workers, items,
        [&](int worker, std::int64_t begin, std::int64_t end) {
            T* col = pointwise ? nullptr : scratch.data() + worker * patch * rows * g.out_w;
            T* acc = workers > 1 ? partial.data() + worker * wsize : gw;
            for (std::int64_t item = begin; item < end; ++item) {
                const std::int64_t n = item / blocks, oh0 = item % blocks * rows, oh1 = std::min(oh0 + rows, g.out_h);
                const std::int64_t cols = (oh1 - oh0) * g.out_w;
                const T* xn = x + n * g.c_in * g.in_plane();
                const T* gyn = gy + n * g.c_out * out_plane + oh0 * g.out_w;
                if (pointwise) {
                    gemm_nt<T>(avx, g.c_out, g.c_in, cols, gyn, out_plane, xn + oh0 * g.out_w, out_plane, acc, g.c_in);
                } else {
                    im2col(g, xn, oh0, oh1, col);
                    gemm_nt<T>(avx, g.c_out, patch, cols, gyn, out_plane, col, cols, acc, patch);
                }
            }
        },
        WorkSplit::fixed);  // per-worker partial sums: a fixed split keeps the result reproducible
    if (workers > 1) {
        const T* p = partial.data();
        for (int t = 0; t < workers; ++t) {
#pragma omp simd
            for (std::int64_t i = 0; i < wsize; ++i) gw[i] += p[t * wsize + i];
        }
    }
}

}  // namespace conv_detail

/// y = conv2d(x, w): x [n, c_in, h, w], w [c_out, c_in, kh, kw], y [n, c_out, out_h, out_w] with the
/// output size and pads of `p` (conv_geometry). All contiguous; y is overwritten.
template <class T>
void conv2d_forward(Context<Cpu>& ctx, const Conv2dParams& p, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& w,
                    Tensor<T, Cpu>& y) {
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), p);
    conv_detail::im2col_gemm<T>(ctx, g, x.data(), w.data(), /*accumulate=*/false, y.data());
}

/// gx += d conv2d(x, w) / dx applied to gy: gy [n, c_out, out_h, out_w], w [c_out, c_in, kh, kw],
/// gx [n, c_in, h, w] (its shape gives the input size).
template <class T>
void conv2d_backward_input(Context<Cpu>& ctx, const Conv2dParams& p, const Tensor<T, Cpu>& gy, const Tensor<T, Cpu>& w,
                           Tensor<T, Cpu>& gx) {
    const ConvGeometry g = conv_geometry(gx.shape(), w.shape(), p);
    if (g.stride_h == 1 && g.stride_w == 1)
        conv_detail::backward_input_stride1<T>(ctx, g, gy.data(), w.data(), gx.data());
    else
        conv_detail::backward_input_col2im<T>(ctx, g, gy.data(), w.data(), gx.data());
}

/// gw += d conv2d(x, w) / dw applied to gy: x [n, c_in, h, w], gy [n, c_out, out_h, out_w],
/// gw [c_out, c_in, kh, kw].
template <class T>
void conv2d_backward_weight(Context<Cpu>& ctx, const Conv2dParams& p, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& gy,
                            Tensor<T, Cpu>& gw) {
    const ConvGeometry g = conv_geometry(x.shape(), gw.shape(), p);
    conv_detail::backward_weight<T>(ctx, g, x.data(), gy.data(), gw.data());
}

}  // namespace enas::cpu
