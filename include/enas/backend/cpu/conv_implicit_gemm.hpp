// The stride-1 dense conv passes without an im2col matrix (float, AVX-512): the GEMM reads a
// zero-padded copy of the image in place. With the image padded to [padded_h, padded_w] and the
// output computed on the padded-width grid, grid column q = oh * padded_w + ow, the im2col entry of
// tap (ci, i, j) at q is padded[ci, q + i * padded_w + j]: each im2col row is a contiguous run of
// the padded image, found through a table of row offsets (avx512::ListedRows). The grid has
// padded_w - out_w junk columns per row, dropped when the result is copied out. Writing a 1.3 MB
// im2col matrix per image cost about a third of the forward time; the padded copy is 9x smaller.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>

#include "enas/backend/cpu/conv_gemm_avx512.hpp"
#include "enas/backend/cpu/conv_geometry.hpp"
#include "enas/backend/cpu/im2col.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu::conv_detail {

/// The padded image and output grid of a stride-1 conv.
struct PaddedGrid {
    std::int64_t padded_h, padded_w, columns;
    explicit PaddedGrid(const ConvGeometry& g)
        : padded_h(g.out_h + g.kh - 1), padded_w(g.out_w + g.kw - 1), columns((g.out_h - 1) * padded_w + g.out_w) {}
    std::int64_t plane() const { return padded_h * padded_w; }
};

/// Whether the implicit GEMM can run: stride 1, and row offsets that fit in 32 bits.
inline bool implicit_gemm_possible(const ConvGeometry& g) {
    return g.stride_h == 1 && g.stride_w == 1 &&
           g.c_in * PaddedGrid(g).plane() < static_cast<std::int64_t>(std::numeric_limits<std::int32_t>::max());
}

/// Whether it beats im2col: rows at least 16 wide and junk columns adding at most 15% work (on 8x8
/// images im2col is faster; docs/performance.md has the measurements).
inline bool implicit_gemm_pays(const ConvGeometry& g) {
    return g.out_w >= 16 && PaddedGrid(g).columns * 20 <= g.out_plane() * 23;
}

/// Row (ci * kh + i) * kw + j of the implicit im2col matrix starts ci * plane + i * padded_w + j
/// elements into the padded image.
inline void implicit_row_offsets(const ConvGeometry& g, const PaddedGrid& grid, std::int32_t* offsets) {
    for (std::int64_t ci = 0; ci < g.c_in; ++ci)
        for (std::int64_t i = 0; i < g.kh; ++i)
            for (std::int64_t j = 0; j < g.kw; ++j)
                offsets[(ci * g.kh + i) * g.kw + j] =
                    static_cast<std::int32_t>(ci * grid.plane() + i * grid.padded_w + j);
}

/// Copies image x ([c_in, h, w]) into padded ([c_in, padded_h, padded_w]) at (pad_top, pad_left).
/// Only the interior is written: the border keeps the zeros the caller filled in once.
inline void pad_image(const ConvGeometry& g, const PaddedGrid& grid, const float* ENAS_RESTRICT x,
                      float* ENAS_RESTRICT padded) {
    const std::int64_t rows = std::min(g.h, grid.padded_h - g.pad_top),
                       cols = std::min(g.w, grid.padded_w - g.pad_left);
    for (std::int64_t ci = 0; ci < g.c_in; ++ci)
        for (std::int64_t ih = 0; ih < rows; ++ih)
            std::copy(x + (ci * g.h + ih) * g.w, x + (ci * g.h + ih) * g.w + cols,
                      padded + ci * grid.plane() + (ih + g.pad_top) * grid.padded_w + g.pad_left);
}

/// Scratch of one worker: the padded image, the grid-shaped buffer (the result before it is copied
/// out, or gy spread onto the grid), both zero-filled once so that borders and junk columns are 0.
struct ImplicitScratch {
    Tensor<float, Cpu> padded, grid_buffer;
    Tensor<std::int32_t, Cpu> offsets;
    ImplicitScratch(Context<Cpu>& ctx, const ConvGeometry& g, const PaddedGrid& grid, int workers, std::int64_t rows)
        : padded(ctx.template zeros<float>(Shape{workers, g.c_in * grid.plane()})),
          grid_buffer(ctx.template zeros<float>(Shape{workers, rows * grid.columns})),
          offsets(ctx.template empty<std::int32_t>(Shape{g.patch_size()})) {
        implicit_row_offsets(g, grid, offsets.data());
    }
    float* padded_of(int worker) { return padded.data() + worker * padded.dim(1); }
    float* grid_of(int worker) { return grid_buffer.data() + worker * grid_buffer.dim(1); }
};

/// Stride-1 forward: y[n] (=|+=) W * implicit_im2col(x[n]) for every image n.
inline void implicit_forward(Context<Cpu>& ctx, const ConvGeometry& g, const float* x, const float* w, bool accumulate,
                             float* y) {
    const PaddedGrid grid(g);
    const int workers = conv_workers(g.n, g.dense_macs());
    ImplicitScratch scratch(ctx, g, grid, workers, g.c_out);
    const std::int64_t patch = g.patch_size();
    for_each_worker(workers, g.n, [&](int worker, std::int64_t begin, std::int64_t end) {
        float* padded = scratch.padded_of(worker);
        float* result = scratch.grid_of(worker);
        for (std::int64_t n = begin; n < end; ++n) {
            pad_image(g, grid, x + n * g.c_in * g.in_plane(), padded);
            avx512::gemm_nn<false>(g.c_out, grid.columns, patch, w, patch,
                                   avx512::ListedRows{padded, scratch.offsets.data()}, result, grid.columns);
            float* yn = y + n * g.c_out * g.out_plane();
            for (std::int64_t co = 0; co < g.c_out; ++co)
                for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
                    const float* src = result + co * grid.columns + oh * grid.padded_w;
                    float* dst = yn + (co * g.out_h + oh) * g.out_w;
                    if (accumulate) {
#pragma omp simd
                        for (std::int64_t ow = 0; ow < g.out_w; ++ow) dst[ow] += src[ow];
                    } else {
                        std::copy(src, src + g.out_w, dst);
                    }
                }
        }
    });
}

/// Stride-1 backward-weight: gW += gy[n] * implicit_im2col(x[n])^T, with gy spread onto the grid
/// (junk columns stay zero) and one partial sum per worker when parallel.
inline void implicit_backward_weight(Context<Cpu>& ctx, const ConvGeometry& g, const float* x, const float* gy,
                                     float* gw) {
    const PaddedGrid grid(g);
    const int workers = conv_workers(g.n, g.dense_macs());
    ImplicitScratch scratch(ctx, g, grid, workers, g.c_out);
    const std::int64_t patch = g.patch_size(), wsize = g.c_out * patch;
    Tensor<float, Cpu> partial;
    if (workers > 1) partial = ctx.template zeros<float>(Shape{workers, wsize});
    for_each_worker(
        workers, g.n,
        [&](int worker, std::int64_t begin, std::int64_t end) {
            float* padded = scratch.padded_of(worker);
            float* spread = scratch.grid_of(worker);
            float* acc = workers > 1 ? partial.data() + worker * wsize : gw;
            for (std::int64_t n = begin; n < end; ++n) {
                pad_image(g, grid, x + n * g.c_in * g.in_plane(), padded);
                const float* gyn = gy + n * g.c_out * g.out_plane();
                for (std::int64_t co = 0; co < g.c_out; ++co)
                    for (std::int64_t oh = 0; oh < g.out_h; ++oh)
                        std::copy(gyn + (co * g.out_h + oh) * g.out_w, gyn + (co * g.out_h + oh + 1) * g.out_w,
                                  spread + co * grid.columns + oh * grid.padded_w);
                avx512::gemm_nt(g.c_out, patch, grid.columns, spread, grid.columns,
                                avx512::ListedRows{padded, scratch.offsets.data()}, acc, patch);
            }
        },
        WorkSplit::fixed);  // per-worker partial sums: a fixed split keeps the result reproducible
    if (workers > 1) {
        const float* p = partial.data();
        for (int t = 0; t < workers; ++t) {
#pragma omp simd
            for (std::int64_t i = 0; i < wsize; ++i) gw[i] += p[t * wsize + i];
        }
    }
}

}  // namespace enas::cpu::conv_detail
