// CPU kernels of the pool family: 2-D average and max pooling over NCHW tensors with TF SAME or
// VALID padding, and their backward. Both pools are separable over a rectangular window, so each
// plane is reduced along rows first (into a per-thread scratch of H x OW), then along columns;
// the interior windows (those not touching the padding) run as contiguous, vectorizable loops.
// Tensors are contiguous; backward kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "enas/backend/cpu/conv_geometry.hpp"
#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/context.hpp"

namespace enas {

/// Window size, strides and padding of a 2-D pool.
struct Pool2dParams {
    int kernel_h = 3;
    int kernel_w = 3;
    int stride_h = 1;
    int stride_w = 1;
    Padding padding = Padding::Same;  ///< TF SAME or VALID (conv_geometry.hpp)
};

/// The geometry of one pooled dimension: output size, leading padding, and the clipped window of
/// each output position. Padding never contributes: windows are clipped to [0, in).
struct PoolAxis {
    std::int64_t in = 0, out = 0, pad_before = 0;
    int kernel = 1, stride = 1;

    /// First input index of output o's window, clipped to the input.
    std::int64_t begin(std::int64_t o) const { return std::max<std::int64_t>(o * stride - pad_before, 0); }
    /// One past the last input index of output o's window, clipped to the input.
    std::int64_t end(std::int64_t o) const { return std::min<std::int64_t>(o * stride - pad_before + kernel, in); }
    /// Outputs [interior_begin, interior_end) have windows entirely inside the input.
    std::int64_t interior_begin() const { return std::min(out, (pad_before + stride - 1) / stride); }
    std::int64_t interior_end() const {
        const std::int64_t last = in - kernel + pad_before;  // largest o * stride allowed
        const std::int64_t e = last < 0 ? 0 : std::min(out, last / stride + 1);
        return std::max(e, interior_begin());
    }
};

/// The axis of an input dimension of size `in` (>= 1) pooled with `kernel` and `stride` (>= 1),
/// with TF's SAME / VALID arithmetic (padded_extent). For Valid the caller guarantees in >= kernel.
inline PoolAxis pool_axis(std::int64_t in, int kernel, int stride, Padding padding) {
    const PaddedExtent e = padded_extent(in, kernel, stride, padding, "pool");
    PoolAxis a;
    a.in = in;
    a.out = e.out;
    a.pad_before = e.pad_before;
    a.kernel = kernel;
    a.stride = stride;
    return a;
}

}  // namespace enas

namespace enas::cpu {

namespace pool_detail {

/// Planes (N x C) per parallel chunk, so that a chunk holds about kParallelGrain elements.
inline std::int64_t plane_grain(std::int64_t plane_size) {
    return std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(plane_size, 1));
}

/// 1 / (number of real inputs) of each output position along one axis.
template <class T>
std::vector<T> inverse_counts(const PoolAxis& a) {
    std::vector<T> inv(static_cast<std::size_t>(a.out));
    for (std::int64_t o = 0; o < a.out; ++o) inv[static_cast<std::size_t>(o)] = T(1) / T(a.end(o) - a.begin(o));
    return inv;
}

/// out[o] = sum of row[w] over the (clipped) window of o along axis `a`.
template <class T>
void row_window_sum(const PoolAxis& a, const T* ENAS_RESTRICT row, T* ENAS_RESTRICT out) {
    const std::int64_t lo = a.interior_begin(), hi = a.interior_end(), s = a.stride, pb = a.pad_before;
    auto clipped = [&](std::int64_t o) {
        T acc = T(0);
        for (std::int64_t w = a.begin(o), e = a.end(o); w < e; ++w) acc += row[w];
        out[o] = acc;
    };
    for (std::int64_t o = 0; o < lo; ++o) clipped(o);
#pragma omp simd
    for (std::int64_t o = lo; o < hi; ++o) out[o] = row[o * s - pb];
    for (int k = 1; k < a.kernel; ++k) {
#pragma omp simd
        for (std::int64_t o = lo; o < hi; ++o) out[o] += row[o * s - pb + k];
    }
    for (std::int64_t o = hi; o < a.out; ++o) clipped(o);
}

/// The max of row[b, e) (b < e) and the first w where it occurs: a strict-greater running max
/// from row[b], so ties keep the earliest element and a NaN never replaces the running max.
template <class T>
inline T first_max(const T* row, std::int32_t b, std::int32_t e, std::int32_t& arg) {
    T m = row[b];
    std::int32_t best = b;
    for (std::int32_t w = b + 1; w < e; ++w) {
        const T v = row[w];
        const bool greater = v > m;
        m = greater ? v : m;
        best = greater ? w : best;
    }
    arg = best;
    return m;
}

/// Row pass of the max pool over one input row: out[o] = max of row[w] over the (clipped)
/// window of o along `a`; with kTrackArg, col[o] = the first such w. kK and kS, when nonzero,
/// are the kernel and stride as compile-time constants (a.kernel and a.stride must equal them):
/// the interior then runs as one branch-free vectorized loop with the running max and its column
/// in registers. Otherwise the interior is reduced one tap at a time over the whole row.
/// All in-plane indices fit int32 (ops::pool2d_output_shape checks H * W).
template <bool kTrackArg, int kK, int kS, class T>
void row_window_max(const PoolAxis& a, const T* ENAS_RESTRICT row, T* ENAS_RESTRICT out,
                    std::int32_t* ENAS_RESTRICT col) {
    const std::int32_t lo = static_cast<std::int32_t>(a.interior_begin());
    const std::int32_t hi = static_cast<std::int32_t>(a.interior_end());
    const std::int32_t n = static_cast<std::int32_t>(a.out), pb = static_cast<std::int32_t>(a.pad_before);
    const std::int32_t s = kS ? kS : a.stride;
    const int kernel = kK ? kK : a.kernel;
    auto clipped = [&](std::int32_t o) {
        std::int32_t c;
        out[o] = first_max(row, static_cast<std::int32_t>(a.begin(o)), static_cast<std::int32_t>(a.end(o)), c);
        if constexpr (kTrackArg) col[o] = c;
    };
    for (std::int32_t o = 0; o < lo; ++o) clipped(o);
    if constexpr (kK != 0) {
#pragma omp simd
        for (std::int32_t o = lo; o < hi; ++o) {
            const std::int32_t w0 = o * s - pb;
            T m = row[w0];
            std::int32_t c = w0;
            for (int k = 1; k < kK; ++k) {
                const T v = row[w0 + k];
                const bool greater = v > m;  // strict: ties keep the first maximum
                m = greater ? v : m;
                c = greater ? w0 + k : c;
            }
            out[o] = m;
            if constexpr (kTrackArg) col[o] = c;
        }
    } else {
#pragma omp simd
        for (std::int32_t o = lo; o < hi; ++o) {
            out[o] = row[o * s - pb];
            if constexpr (kTrackArg) col[o] = o * s - pb;
        }
        for (int k = 1; k < kernel; ++k) {
#pragma omp simd
            for (std::int32_t o = lo; o < hi; ++o) {
                const T v = row[o * s - pb + k], m = out[o];
                const bool greater = v > m;  // strict: ties keep the first maximum
                out[o] = greater ? v : m;
                if constexpr (kTrackArg) {
                    const std::int32_t c = col[o], w = o * s - pb + k;
                    col[o] = c ^ ((c ^ w) & -static_cast<std::int32_t>(greater));  // as in col_window_max
                }
            }
        }
    }
    for (std::int32_t o = hi; o < n; ++o) clipped(o);
}

/// Column pass of the max pool for one output row: y[o] = max over the window rows [hb, he) of
/// rows[h][o] (the row pass results, H x OW), earlier rows winning ties (so, with the row pass,
/// the first maximum in row-major window order); with kTrackArg, arg[o] = h * W + cols[h][o] of
/// the winner. Windows of exactly three rows (the 3x3 interior) run as a single fused loop.
template <bool kTrackArg, class T>
void col_window_max(std::int32_t hb, std::int32_t he, std::int32_t W, std::int32_t OW, const T* ENAS_RESTRICT rows,
                    const std::int32_t* ENAS_RESTRICT cols, T* ENAS_RESTRICT y, std::int32_t* ENAS_RESTRICT arg) {
    const T* ENAS_RESTRICT r0 = rows + hb * OW;
    const std::int32_t* ENAS_RESTRICT c0 = kTrackArg ? cols + hb * OW : nullptr;
    const std::int32_t base0 = hb * W;
    if (he - hb == 3) {
        const T* ENAS_RESTRICT r1 = r0 + OW;
        const T* ENAS_RESTRICT r2 = r1 + OW;
        const std::int32_t* ENAS_RESTRICT c1 = kTrackArg ? c0 + OW : nullptr;
        const std::int32_t* ENAS_RESTRICT c2 = kTrackArg ? c1 + OW : nullptr;
        const std::int32_t base1 = base0 + W, base2 = base1 + W;
#pragma omp simd
        for (std::int32_t o = 0; o < OW; ++o) {
            const T v0 = r0[o], v1 = r1[o], v2 = r2[o];
            const bool g1 = v1 > v0;  // strict: earlier rows win ties (row-major order)
            const T m = g1 ? v1 : v0;
            const bool g2 = v2 > m;
            y[o] = g2 ? v2 : m;
            if constexpr (kTrackArg) {
                // Bit-mask selects: with ?: GCC sinks the c1 load under a branch (it is only
                // needed when !g2), which stops vectorization; the masks keep every load live.
                const std::int32_t i0 = base0 + c0[o], i1 = base1 + c1[o], i2 = base2 + c2[o];
                const std::int32_t m1 = -static_cast<std::int32_t>(g1), m2 = -static_cast<std::int32_t>(g2);
                const std::int32_t a = i0 ^ ((i0 ^ i1) & m1);
                arg[o] = a ^ ((a ^ i2) & m2);
            }
        }
        return;
    }
#pragma omp simd
    for (std::int32_t o = 0; o < OW; ++o) {
        y[o] = r0[o];
        if constexpr (kTrackArg) arg[o] = base0 + c0[o];
    }
    for (std::int32_t h = hb + 1; h < he; ++h) {
        const T* ENAS_RESTRICT r = rows + h * OW;
        const std::int32_t* ENAS_RESTRICT c = kTrackArg ? cols + h * OW : nullptr;
        const std::int32_t base = h * W;
#pragma omp simd
        for (std::int32_t o = 0; o < OW; ++o) {
            const T v = r[o], m = y[o];
            const bool greater = v > m;  // strict: earlier rows win ties (row-major order)
            y[o] = greater ? v : m;
            if constexpr (kTrackArg) {
                const std::int32_t i = base + c[o], a = arg[o];
                arg[o] = a ^ ((a ^ i) & -static_cast<std::int32_t>(greater));  // bit-mask select, as above
            }
        }
    }
}

/// Max pool of one plane; with kTrackArg, arg[i] = flat index (h * W + w) of output i's maximum.
/// rows and cols are H x OW scratch. kK / kS: the row pass's compile-time kernel and stride.
template <bool kTrackArg, int kK, int kS, class T>
void max_pool_plane(const PoolAxis& ah, const PoolAxis& aw, const T* ENAS_RESTRICT x, T* ENAS_RESTRICT y,
                    std::int32_t* ENAS_RESTRICT arg, T* ENAS_RESTRICT rows, std::int32_t* ENAS_RESTRICT cols) {
    const std::int32_t W = static_cast<std::int32_t>(aw.in), OW = static_cast<std::int32_t>(aw.out);
    for (std::int32_t h = 0; h < ah.in; ++h)
        row_window_max<kTrackArg, kK, kS>(aw, x + h * W, rows + h * OW, kTrackArg ? cols + h * OW : nullptr);
    for (std::int32_t oh = 0; oh < ah.out; ++oh)
        col_window_max<kTrackArg>(static_cast<std::int32_t>(ah.begin(oh)), static_cast<std::int32_t>(ah.end(oh)), W, OW,
                                  rows, cols, y + oh * OW, kTrackArg ? arg + oh * OW : nullptr);
}

/// Max pool of planes [b, e) of x into y (and argmax when `arg` is not null), with the row pass
/// specialized at compile time for kK / kS (0 = runtime). rows / cols: H x OW scratch.
template <int kK, int kS, class T>
void max_pool_planes(const PoolAxis& ah, const PoolAxis& aw, std::int64_t b, std::int64_t e, const T* x, T* y,
                     std::int32_t* arg, T* rows, std::int32_t* cols) {
    const std::int64_t in_plane = ah.in * aw.in, out_plane = ah.out * aw.out;
    for (std::int64_t pl = b; pl < e; ++pl) {
        if (arg)
            max_pool_plane<true, kK, kS>(ah, aw, x + pl * in_plane, y + pl * out_plane, arg + pl * out_plane, rows,
                                         cols);
        else
            max_pool_plane<false, kK, kS, T>(ah, aw, x + pl * in_plane, y + pl * out_plane, nullptr, rows, nullptr);
    }
}

}  // namespace pool_detail

/// y = average pool of x over each window's real (non-padding) inputs.
/// x [N, C, H, W], y [N, C, OH, OW] with OH, OW from pool_axis.
template <class T>
void avg_pool2d_forward(Context<Cpu>&, const Pool2dParams& p, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y) {
    const PoolAxis ah = pool_axis(x.dim(2), p.kernel_h, p.stride_h, p.padding);
    const PoolAxis aw = pool_axis(x.dim(3), p.kernel_w, p.stride_w, p.padding);
    const std::int64_t H = ah.in, W = aw.in, OH = ah.out, OW = aw.out, planes = x.dim(0) * x.dim(1);
    const std::vector<T> inv_h = pool_detail::inverse_counts<T>(ah), inv_w = pool_detail::inverse_counts<T>(aw);
    const T* px = x.data();
    T* py = y.data();
    parallel_for(planes, pool_detail::plane_grain(H * W), [&](std::int64_t b, std::int64_t e) {
        std::vector<T> scratch(static_cast<std::size_t>(H * OW));
        T* ENAS_RESTRICT rows = scratch.data();
        const T* ENAS_RESTRICT iw = inv_w.data();
        for (std::int64_t pl = b; pl < e; ++pl) {
            const T* xp = px + pl * H * W;
            for (std::int64_t h = 0; h < H; ++h) pool_detail::row_window_sum(aw, xp + h * W, rows + h * OW);
            for (std::int64_t oh = 0; oh < OH; ++oh) {
                T* ENAS_RESTRICT yr = py + (pl * OH + oh) * OW;
                const std::int64_t hb = ah.begin(oh), he = ah.end(oh);
#pragma omp simd
                for (std::int64_t o = 0; o < OW; ++o) yr[o] = rows[hb * OW + o];
                for (std::int64_t h = hb + 1; h < he; ++h) {
#pragma omp simd
                    for (std::int64_t o = 0; o < OW; ++o) yr[o] += rows[h * OW + o];
                }
                const T ih = inv_h[static_cast<std::size_t>(oh)];
#pragma omp simd
                for (std::int64_t o = 0; o < OW; ++o) yr[o] *= ih * iw[o];
            }
        }
    });
}

/// gx += backward of avg_pool2d: each gy spreads equally over its window's real inputs.
/// gy [N, C, OH, OW], gx [N, C, H, W].
template <class T>
void avg_pool2d_backward(Context<Cpu>&, const Pool2dParams& p, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx) {
    const PoolAxis ah = pool_axis(gx.dim(2), p.kernel_h, p.stride_h, p.padding);
    const PoolAxis aw = pool_axis(gx.dim(3), p.kernel_w, p.stride_w, p.padding);
    const std::int64_t H = ah.in, W = aw.in, OH = ah.out, OW = aw.out, planes = gx.dim(0) * gx.dim(1);
    const std::vector<T> inv_h = pool_detail::inverse_counts<T>(ah), inv_w = pool_detail::inverse_counts<T>(aw);
    const std::int64_t lo = aw.interior_begin(), hi = aw.interior_end(), s = aw.stride, pb = aw.pad_before;
    const T* pgy = gy.data();
    T* pgx = gx.data();
    parallel_for(planes, pool_detail::plane_grain(H * W), [&](std::int64_t b, std::int64_t e) {
        std::vector<T> scratch(static_cast<std::size_t>(H * OW));
        T* ENAS_RESTRICT rows = scratch.data();  // rows[h][ow]: gradient of the row-sum at (h, ow)
        const T* ENAS_RESTRICT iw = inv_w.data();
        for (std::int64_t pl = b; pl < e; ++pl) {
            std::fill(scratch.begin(), scratch.end(), T(0));
            for (std::int64_t oh = 0; oh < OH; ++oh) {
                const T* ENAS_RESTRICT g = pgy + (pl * OH + oh) * OW;
                const T ih = inv_h[static_cast<std::size_t>(oh)];
                for (std::int64_t h = ah.begin(oh), he = ah.end(oh); h < he; ++h) {
#pragma omp simd
                    for (std::int64_t o = 0; o < OW; ++o) rows[h * OW + o] += g[o] * ih * iw[o];
                }
            }
            for (std::int64_t h = 0; h < H; ++h) {
                T* ENAS_RESTRICT gr = pgx + (pl * H + h) * W;
                const T* ENAS_RESTRICT r = rows + h * OW;
                auto clipped = [&](std::int64_t o) {
                    for (std::int64_t w = aw.begin(o), we = aw.end(o); w < we; ++w) gr[w] += r[o];
                };
                for (std::int64_t o = 0; o < lo; ++o) clipped(o);
                for (int k = 0; k < aw.kernel; ++k) {
#pragma omp simd
                    for (std::int64_t o = lo; o < hi; ++o) gr[o * s - pb + k] += r[o];
                }
                for (std::int64_t o = hi; o < OW; ++o) clipped(o);
            }
        }
    });
}

/// y = max pool of x (padding never wins). When `argmax` is defined (int32, the shape of y) it
/// receives, per output, the flat in-plane index h * W + w of the first maximum in row-major
/// window order. x [N, C, H, W], y [N, C, OH, OW].
template <class T>
void max_pool2d_forward(Context<Cpu>&, const Pool2dParams& p, const Tensor<T, Cpu>& x, Tensor<T, Cpu>& y,
                        Tensor<std::int32_t, Cpu>& argmax) {
    const PoolAxis ah = pool_axis(x.dim(2), p.kernel_h, p.stride_h, p.padding);
    const PoolAxis aw = pool_axis(x.dim(3), p.kernel_w, p.stride_w, p.padding);
    const std::int64_t H = ah.in, W = aw.in, OW = aw.out, planes = x.dim(0) * x.dim(1);
    const bool track = argmax.defined();
    const T* px = x.data();
    T* py = y.data();
    std::int32_t* pa = track ? argmax.data() : nullptr;
    parallel_for(planes, pool_detail::plane_grain(H * W), [&](std::int64_t b, std::int64_t e) {
        std::vector<T> rows(static_cast<std::size_t>(H * OW));
        std::vector<std::int32_t> cols(track ? static_cast<std::size_t>(H * OW) : 0);
        T* r = rows.data();
        std::int32_t* c = track ? cols.data() : nullptr;
        if (aw.kernel == 3 && aw.stride == 1)
            pool_detail::max_pool_planes<3, 1>(ah, aw, b, e, px, py, pa, r, c);
        else if (aw.kernel == 3 && aw.stride == 2)
            pool_detail::max_pool_planes<3, 2>(ah, aw, b, e, px, py, pa, r, c);
        else
            pool_detail::max_pool_planes<0, 0>(ah, aw, b, e, px, py, pa, r, c);
    });
}

/// gx += backward of max_pool2d: each gy goes to its window's maximum, as recorded in `argmax`.
/// argmax and gy [N, C, OH, OW], gx [N, C, H, W].
template <class T>
void max_pool2d_backward(Context<Cpu>&, const Tensor<std::int32_t, Cpu>& argmax, const Tensor<T, Cpu>& gy,
                         Tensor<T, Cpu>& gx) {
    const std::int64_t plane_in = gx.dim(2) * gx.dim(3), plane_out = gy.dim(2) * gy.dim(3);
    const std::int64_t planes = gx.dim(0) * gx.dim(1);
    const std::int32_t* pa = argmax.data();
    const T* pgy = gy.data();
    T* pgx = gx.data();
    parallel_for(planes, pool_detail::plane_grain(plane_in), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t pl = b; pl < e; ++pl) {
            const std::int32_t* a = pa + pl * plane_out;
            const T* g = pgy + pl * plane_out;
            T* gp = pgx + pl * plane_in;
            for (std::int64_t i = 0; i < plane_out; ++i) gp[a[i]] += g[i];
        }
    });
}

}  // namespace enas::cpu
