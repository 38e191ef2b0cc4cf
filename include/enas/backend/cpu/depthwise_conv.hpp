// CPU kernels of the depthwise conv family (channel multiplier 1): x [n, c, h, w], weights
// [c, 1, kh, kw], y [n, c, out_h, out_w], TF SAME or VALID padding, no bias. Direct loops, no GEMM:
// each (image, channel) plane is first copied into a zero-padded scratch plane, so the inner
// loops run along the width without bounds checks and vectorize (for float, in an AVX-512 copy
// too, picked at load time on CPUs that have it). Backward kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "enas/backend/cpu/conv_geometry.hpp"
#include "enas/backend/cpu/im2col.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {
namespace depthwise_detail {

/// The zero-padded window of one input plane that a depthwise conv reads: rows
/// [-pad_top, -pad_top + padded_h) and columns [-pad_left, -pad_left + padded_w) of the plane.
struct PaddedPlane {
    std::int64_t padded_h, padded_w;
    explicit PaddedPlane(const ConvGeometry& g)
        : padded_h((g.out_h - 1) * g.stride_h + g.kh), padded_w((g.out_w - 1) * g.stride_w + g.kw) {}
    std::int64_t size() const { return padded_h * padded_w; }
};

/// Copies plane `src` ([h, w]) into `dst` ([padded_h, padded_w]) with zeros around it.
template <class T>
void pad_plane(const ConvGeometry& g, const PaddedPlane& pp, const T* ENAS_RESTRICT src, T* ENAS_RESTRICT dst) {
    const std::int64_t col_begin = std::min(g.pad_left, pp.padded_w);
    const std::int64_t col_end = std::min(g.pad_left + g.w, pp.padded_w);
    for (std::int64_t r = 0; r < pp.padded_h; ++r) {
        T* row = dst + r * pp.padded_w;
        const std::int64_t ih = r - g.pad_top;
        if (ih < 0 || ih >= g.h) {
            std::fill(row, row + pp.padded_w, T(0));
            continue;
        }
        const T* in = src + ih * g.w;
        std::fill(row, row + col_begin, T(0));
#pragma omp simd
        for (std::int64_t c = col_begin; c < col_end; ++c) row[c] = in[c - g.pad_left];
        std::fill(row + col_end, row + pp.padded_w, T(0));
    }
}

/// Adds the interior of padded plane `src` to plane `dst` ([h, w]); the padding is dropped.
template <class T>
void add_unpadded(const ConvGeometry& g, const PaddedPlane& pp, const T* ENAS_RESTRICT src, T* ENAS_RESTRICT dst) {
    const std::int64_t rows = std::min(g.h, pp.padded_h - g.pad_top), cols = std::min(g.w, pp.padded_w - g.pad_left);
    for (std::int64_t ih = 0; ih < rows; ++ih) {
        const T* in = src + (ih + g.pad_top) * pp.padded_w + g.pad_left;
        T* out = dst + ih * g.w;
#pragma omp simd
        for (std::int64_t iw = 0; iw < cols; ++iw) out[iw] += in[iw];
    }
}

/// One output plane: y[oh, ow] (+)= sum_ij w[i, j] * xp[oh * sh + i, ow * sw + j] (+= when
/// Accumulate). KH, KW > 0 fix the kernel size at compile time (the tap loops unroll and the width
/// loop vectorizes with the sums in registers); 0 = runtime size.
template <int KH, int KW, bool Accumulate, class T>
ENAS_ALWAYS_INLINE void forward_plane(const ConvGeometry& g, const PaddedPlane& pp, const T* ENAS_RESTRICT xp,
                                      const T* ENAS_RESTRICT wk, T* ENAS_RESTRICT y) {
    const std::int64_t kh = KH > 0 ? KH : g.kh, kw = KW > 0 ? KW : g.kw, sh = g.stride_h, sw = g.stride_w;
    const std::int64_t pw = pp.padded_w;
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
        const T* rows = xp + oh * sh * pw;
        T* out = y + oh * g.out_w;
        if (sw == 1) {
#pragma omp simd
            for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
                T acc = T(0);
                for (std::int64_t i = 0; i < kh; ++i)
                    for (std::int64_t j = 0; j < kw; ++j) acc += wk[i * kw + j] * rows[i * pw + ow + j];
                out[ow] = Accumulate ? out[ow] + acc : acc;
            }
        } else {
            for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
                T acc = T(0);
                for (std::int64_t i = 0; i < kh; ++i)
                    for (std::int64_t j = 0; j < kw; ++j) acc += wk[i * kw + j] * rows[i * pw + ow * sw + j];
                out[ow] = Accumulate ? out[ow] + acc : acc;
            }
        }
    }
}

/// forward_plane with the kernel size fixed at compile time for 3x3 and 5x5.
template <bool Accumulate, class T>
ENAS_ALWAYS_INLINE void forward_plane_any(const ConvGeometry& g, const PaddedPlane& pp, const T* xp, const T* wk,
                                          T* y) {
    if (g.kh == 3 && g.kw == 3)
        forward_plane<3, 3, Accumulate>(g, pp, xp, wk, y);
    else if (g.kh == 5 && g.kw == 5)
        forward_plane<5, 5, Accumulate>(g, pp, xp, wk, y);
    else
        forward_plane<0, 0, Accumulate>(g, pp, xp, wk, y);
}

/// One input-gradient plane, in padded coordinates: gxp[oh * sh + i, ow * sw + j] += w[i, j] * gy[oh, ow].
template <class T>
ENAS_ALWAYS_INLINE void backward_input_plane(const ConvGeometry& g, const PaddedPlane& pp, const T* ENAS_RESTRICT gy,
                                             const T* ENAS_RESTRICT wk, T* ENAS_RESTRICT gxp) {
    const std::int64_t pw = pp.padded_w, sw = g.stride_w;
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
        const T* grow = gy + oh * g.out_w;
        for (std::int64_t i = 0; i < g.kh; ++i) {
            T* dst_row = gxp + (oh * g.stride_h + i) * pw;
            for (std::int64_t j = 0; j < g.kw; ++j) {
                const T wv = wk[i * g.kw + j];
                T* dst = dst_row + j;
                if (sw == 1) {
#pragma omp simd
                    for (std::int64_t ow = 0; ow < g.out_w; ++ow) dst[ow] += wv * grow[ow];
                } else {
                    for (std::int64_t ow = 0; ow < g.out_w; ++ow) dst[ow * sw] += wv * grow[ow];
                }
            }
        }
    }
}

/// sum_q a[q] * b[q], with 16 independent partial sums so that the adds do not wait on each other.
template <class T>
ENAS_ALWAYS_INLINE T dot(const T* ENAS_RESTRICT a, const T* ENAS_RESTRICT b, std::int64_t n) {
    constexpr std::int64_t kLanes = 16;
    T part[kLanes] = {};
    std::int64_t q = 0;
    for (; q + kLanes <= n; q += kLanes) {
#pragma omp simd
        for (std::int64_t l = 0; l < kLanes; ++l) part[l] += a[q + l] * b[q + l];
    }
    T acc = T(0);
    for (; q < n; ++q) acc += a[q] * b[q];
    for (std::int64_t l = 0; l < kLanes; ++l) acc += part[l];
    return acc;
}

/// One plane's contribution to the weight gradient of a stride-1 conv:
/// gwk[i, j] += sum gy[oh, ow] * xp[oh + i, ow + j]. `gyp` holds gy with its rows widened to the padded
/// width (zeros in the extra columns), so each tap is one contiguous dot product over the whole
/// plane; xp needs kw - 1 readable elements past its end (they meet zeros of gyp).
template <class T>
ENAS_ALWAYS_INLINE void backward_weight_plane_stride1(const ConvGeometry& g, const PaddedPlane& pp,
                                                      const T* ENAS_RESTRICT xp, const T* ENAS_RESTRICT gyp,
                                                      T* ENAS_RESTRICT gwk) {
    const std::int64_t pw = pp.padded_w, len = g.out_h * pw;
    for (std::int64_t i = 0; i < g.kh; ++i) {
        for (std::int64_t j = 0; j < g.kw; ++j) { gwk[i * g.kw + j] += dot(gyp, xp + i * pw + j, len); }
    }
}

/// Copies plane gy ([out_h, out_w]) into gyp ([out_h, padded_w]) with zeros in the extra columns.
template <class T>
void widen_rows(const ConvGeometry& g, const PaddedPlane& pp, const T* ENAS_RESTRICT gy, T* ENAS_RESTRICT gyp) {
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
        T* dst = gyp + oh * pp.padded_w;
        const T* src = gy + oh * g.out_w;
#pragma omp simd
        for (std::int64_t ow = 0; ow < g.out_w; ++ow) dst[ow] = src[ow];
        for (std::int64_t ow = g.out_w; ow < pp.padded_w; ++ow) dst[ow] = T(0);
    }
}

/// One plane's contribution to the weight gradient, any stride:
/// gwk[i, j] += sum gy[oh, ow] * xp[oh * sh + i, ow * sw + j].
template <class T>
ENAS_ALWAYS_INLINE void backward_weight_plane(const ConvGeometry& g, const PaddedPlane& pp, const T* ENAS_RESTRICT xp,
                                              const T* ENAS_RESTRICT gy, T* ENAS_RESTRICT gwk) {
    const std::int64_t pw = pp.padded_w, sw = g.stride_w;
    for (std::int64_t i = 0; i < g.kh; ++i) {
        for (std::int64_t j = 0; j < g.kw; ++j) {
            T acc = T(0);
            for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
                const T* src = xp + (oh * g.stride_h + i) * pw + j;
                const T* grow = gy + oh * g.out_w;
                for (std::int64_t ow = 0; ow < g.out_w; ++ow) acc += grow[ow] * src[ow * sw];
            }
            gwk[i * g.kw + j] += acc;
        }
    }
}

// The float per-plane kernels, compiled for AVX-512 and for baseline x86-64 (ENAS_CONV_TARGET_CLONES);
// double (gradient checks) uses the templates as they are.
ENAS_CONV_TARGET_CLONES inline void forward_plane_f32(bool accumulate, const ConvGeometry& g, const PaddedPlane& pp,
                                                      const float* xp, const float* wk, float* y) {
    if (accumulate)
        forward_plane_any<true>(g, pp, xp, wk, y);
    else
        forward_plane_any<false>(g, pp, xp, wk, y);
}
ENAS_CONV_TARGET_CLONES inline void backward_input_plane_f32(const ConvGeometry& g, const PaddedPlane& pp,
                                                             const float* gy, const float* wk, float* gxp) {
    backward_input_plane(g, pp, gy, wk, gxp);
}
ENAS_CONV_TARGET_CLONES inline void backward_weight_plane_f32(bool stride1, const ConvGeometry& g,
                                                              const PaddedPlane& pp, const float* xp, const float* gy,
                                                              float* gwk) {
    if (stride1)
        backward_weight_plane_stride1(g, pp, xp, gy, gwk);
    else
        backward_weight_plane(g, pp, xp, gy, gwk);
}

template <bool Accumulate, class T>
void run_forward_plane(const ConvGeometry& g, const PaddedPlane& pp, const T* xp, const T* wk, T* y) {
    if constexpr (std::is_same_v<T, float>)
        forward_plane_f32(Accumulate, g, pp, xp, wk, y);
    else
        forward_plane_any<Accumulate>(g, pp, xp, wk, y);
}
template <class T>
void run_backward_input_plane(const ConvGeometry& g, const PaddedPlane& pp, const T* gy, const T* wk, T* gxp) {
    if constexpr (std::is_same_v<T, float>)
        backward_input_plane_f32(g, pp, gy, wk, gxp);
    else
        backward_input_plane(g, pp, gy, wk, gxp);
}
/// Stride 1: `gy` is the widened plane of widen_rows; other strides: the plain gy plane.
template <class T>
void run_backward_weight_plane(bool stride1, const ConvGeometry& g, const PaddedPlane& pp, const T* xp, const T* gy,
                               T* gwk) {
    if constexpr (std::is_same_v<T, float>)
        backward_weight_plane_f32(stride1, g, pp, xp, gy, gwk);
    else if (stride1)
        backward_weight_plane_stride1(g, pp, xp, gy, gwk);
    else
        backward_weight_plane(g, pp, xp, gy, gwk);
}

}  // namespace depthwise_detail

/// y = depthwise_conv2d(x, w): x [n, c, h, w], w [c, 1, kh, kw], y [n, c, out_h, out_w] with the
/// output size and pads of `p`. All contiguous; y is overwritten.
template <class T>
void depthwise_conv2d_forward(Context<Cpu>& ctx, const Conv2dParams& p, const Tensor<T, Cpu>& x,
                              const Tensor<T, Cpu>& w, Tensor<T, Cpu>& y) {
    using namespace depthwise_detail;
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), p, "depthwise_conv2d");
    const PaddedPlane pp(g);
    const std::int64_t planes = g.n * g.c_in, area = g.kernel_area();
    const int workers = conv_workers(planes, static_cast<double>(planes) * area * g.out_plane());
    Tensor<T, Cpu> scratch = ctx.template empty<T>(Shape{workers, pp.size()});
    const T *px = x.data(), *pw = w.data();
    T* py = y.data();
    for_each_worker(workers, planes, [&](int worker, std::int64_t begin, std::int64_t end) {
        T* xp = scratch.data() + worker * pp.size();
        for (std::int64_t plane = begin; plane < end; ++plane) {
            const T* wk = pw + plane % g.c_in * area;
            pad_plane(g, pp, px + plane * g.in_plane(), xp);
            run_forward_plane<false>(g, pp, xp, wk, py + plane * g.out_plane());
        }
    });
}

/// gx += d depthwise_conv2d(x, w) / dx applied to gy: gy [n, c, out_h, out_w], w [c, 1, kh, kw],
/// gx [n, c, h, w] (its shape gives the input size). Stride 1: a forward pass over the padded gy
/// with the flipped kernel, accumulated into gx. Other strides: scattered into a padded plane.
template <class T>
void depthwise_conv2d_backward_input(Context<Cpu>& ctx, const Conv2dParams& p, const Tensor<T, Cpu>& gy,
                                     const Tensor<T, Cpu>& w, Tensor<T, Cpu>& gx) {
    using namespace depthwise_detail;
    const ConvGeometry g = conv_geometry(gx.shape(), w.shape(), p, "depthwise_conv2d");
    const bool stride1 = g.stride_h == 1 && g.stride_w == 1;
    const ConvGeometry gt = stride1 ? stride1_input_gradient_geometry(g) : g;
    const PaddedPlane pp(gt);
    const std::int64_t planes = g.n * g.c_in, area = g.kernel_area();
    const int workers = conv_workers(planes, static_cast<double>(planes) * area * g.out_plane());
    Tensor<T, Cpu> scratch = ctx.template empty<T>(Shape{workers, pp.size()});
    Tensor<T, Cpu> flipped;
    const T *pg = gy.data(), *pw = w.data();
    if (stride1) {
        flipped = ctx.template empty<T>(Shape{g.c_in, area});
        for (std::int64_t c = 0; c < g.c_in; ++c)
            for (std::int64_t k = 0; k < area; ++k) flipped.data()[c * area + k] = pw[c * area + area - 1 - k];
        pw = flipped.data();
    }
    T* pgx = gx.data();
    for_each_worker(workers, planes, [&](int worker, std::int64_t begin, std::int64_t end) {
        T* buf = scratch.data() + worker * pp.size();
        for (std::int64_t plane = begin; plane < end; ++plane) {
            const T* wk = pw + plane % g.c_in * area;
            if (stride1) {
                pad_plane(gt, pp, pg + plane * g.out_plane(), buf);
                run_forward_plane<true>(gt, pp, buf, wk, pgx + plane * g.in_plane());
            } else {
                std::fill(buf, buf + pp.size(), T(0));
                run_backward_input_plane(g, pp, pg + plane * g.out_plane(), wk, buf);
                add_unpadded(g, pp, buf, pgx + plane * g.in_plane());
            }
        }
    });
}

/// gw += d depthwise_conv2d(x, w) / dw applied to gy: x [n, c, h, w], gy [n, c, out_h, out_w],
/// gw [c, 1, kh, kw]. Channels are split over the threads, so no cross-thread partial sums.
template <class T>
void depthwise_conv2d_backward_weight(Context<Cpu>& ctx, const Conv2dParams& p, const Tensor<T, Cpu>& x,
                                      const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gw) {
    using namespace depthwise_detail;
    const ConvGeometry g = conv_geometry(x.shape(), gw.shape(), p, "depthwise_conv2d");
    const PaddedPlane pp(g);
    const bool stride1 = g.stride_h == 1 && g.stride_w == 1;
    const std::int64_t area = g.kernel_area(), xp_size = pp.size() + g.kw;
    const std::int64_t per_worker = xp_size + (stride1 ? g.out_h * pp.padded_w : 0);
    const int workers = conv_workers(g.c_in, static_cast<double>(g.n * g.c_in) * area * g.out_plane());
    Tensor<T, Cpu> scratch = ctx.template empty<T>(Shape{workers, per_worker});
    const T *px = x.data(), *pg = gy.data();
    T* pgw = gw.data();
    for_each_worker(workers, g.c_in, [&](int worker, std::int64_t begin, std::int64_t end) {
        T* xp = scratch.data() + worker * per_worker;
        T* gyp = xp + xp_size;
        std::fill(xp + pp.size(), xp + xp_size, T(0));  // read (times zero) by the stride-1 dot products
        for (std::int64_t c = begin; c < end; ++c) {
            for (std::int64_t n = 0; n < g.n; ++n) {
                const std::int64_t plane = n * g.c_in + c;
                pad_plane(g, pp, px + plane * g.in_plane(), xp);
                if (stride1) widen_rows(g, pp, pg + plane * g.out_plane(), gyp);
                run_backward_weight_plane(stride1, g, pp, xp, stride1 ? gyp : pg + plane * g.out_plane(),
                                          pgw + c * area);
            }
        }
    });
}

}  // namespace enas::cpu
