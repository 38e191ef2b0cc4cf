// Kernels of the depthwise conv family (channel multiplier 1): x [n, c, h, w], w [c, 1, kh, kw],
// y [n, c, out_h, out_w], TF SAME / VALID padding. Direct loops over the taps: one thread per
// output (forward) or per input element (backward-input, a gather over the taps that read it, so
// no atomics), and one block per (channel, tap) for the weight gradient, a block reduction over
// the images and pixels. The shape is a ConvShape with c_in = c_out = c.
#pragma once
#include <cstdint>

#include "kernels/conv_shape.cuh"
#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

inline constexpr int kDepthwiseThreads = 256;

/// y[img, c, oh, ow] = sum_{i, j} w[c, i, j] * x[img, c, oh*sh - pt + i, ow*sw - pl + j] (zero outside).
__global__ void depthwise_forward(ConvShape s, const float* __restrict__ x, const float* __restrict__ w,
                                  float* __restrict__ y) {
    const std::int64_t count = static_cast<std::int64_t>(s.n) * s.c_in * s.out_h * s.out_w;
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    const int area = s.kh * s.kw;
    for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) {
        const int ow = static_cast<int>(e % s.out_w);
        const std::int64_t rest = e / s.out_w;
        const int oh = static_cast<int>(rest % s.out_h);
        const std::int64_t plane = rest / s.out_h;
        const int c = static_cast<int>(plane % s.c_in);
        const float* xp = x + plane * s.h * s.w;
        const float* wk = w + static_cast<std::int64_t>(c) * area;
        const int ih0 = oh * s.stride_h - s.pad_top, iw0 = ow * s.stride_w - s.pad_left;
        float acc = 0.0f;
        for (int i = 0; i < s.kh; ++i) {
            const int ih = ih0 + i;
            if (ih < 0 || ih >= s.h) continue;
            for (int j = 0; j < s.kw; ++j) {
                const int iw = iw0 + j;
                if (iw >= 0 && iw < s.w) acc = fmaf(__ldg(wk + i * s.kw + j), __ldg(xp + ih * s.w + iw), acc);
            }
        }
        y[e] = acc;
    }
}

/// gx[img, c, ih, iw] += sum over the taps (i, j) and outputs (oh, ow) with oh*sh - pt + i = ih and
/// ow*sw - pl + j = iw of w[c, i, j] * gy[img, c, oh, ow].
__global__ void depthwise_backward_input(ConvShape s, const float* __restrict__ gy, const float* __restrict__ w,
                                         float* __restrict__ gx) {
    const std::int64_t count = static_cast<std::int64_t>(s.n) * s.c_in * s.h * s.w;
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    const int area = s.kh * s.kw;
    for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) {
        const int iw = static_cast<int>(e % s.w);
        const std::int64_t rest = e / s.w;
        const int ih = static_cast<int>(rest % s.h);
        const std::int64_t plane = rest / s.h;
        const int c = static_cast<int>(plane % s.c_in);
        const float* gp = gy + plane * s.out_h * s.out_w;
        const float* wk = w + static_cast<std::int64_t>(c) * area;
        float acc = 0.0f;
        for (int i = 0; i < s.kh; ++i) {
            const int oh_scaled = ih + s.pad_top - i;
            if (oh_scaled < 0 || oh_scaled % s.stride_h != 0) continue;
            const int oh = oh_scaled / s.stride_h;
            if (oh >= s.out_h) continue;
            for (int j = 0; j < s.kw; ++j) {
                const int ow_scaled = iw + s.pad_left - j;
                if (ow_scaled < 0 || ow_scaled % s.stride_w != 0) continue;
                const int ow = ow_scaled / s.stride_w;
                if (ow < s.out_w) acc = fmaf(__ldg(wk + i * s.kw + j), __ldg(gp + oh * s.out_w + ow), acc);
            }
        }
        gx[e] += acc;
    }
}

/// Block (tap, c): gw[c, tap] += sum_{img, oh, ow} gy[img, c, oh, ow] * x[img, c, oh*sh - pt + i,
/// ow*sw - pl + j]. blockDim.x is kDepthwiseThreads.
__global__ void __launch_bounds__(kDepthwiseThreads)
    depthwise_backward_weight(ConvShape s, const float* __restrict__ x, const float* __restrict__ gy,
                              float* __restrict__ gw) {
    ENAS_SHARED(float, scratch, 32);
    const int tap = static_cast<int>(blockIdx.x), c = static_cast<int>(blockIdx.y);
    const int i = tap / s.kw, j = tap - i * s.kw;
    const int out_plane = s.out_h * s.out_w;
    const std::int64_t count = static_cast<std::int64_t>(s.n) * out_plane;
    float acc = 0.0f;
    for (std::int64_t q = threadIdx.x; q < count; q += blockDim.x) {
        const int img = static_cast<int>(q / out_plane),
                  p = static_cast<int>(q - static_cast<std::int64_t>(img) * out_plane);
        const int oh = p / s.out_w, ow = p - oh * s.out_w;
        const int ih = oh * s.stride_h - s.pad_top + i, iw = ow * s.stride_w - s.pad_left + j;
        if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;
        const std::int64_t plane = static_cast<std::int64_t>(img) * s.c_in + c;
        acc = fmaf(__ldg(gy + plane * out_plane + p), __ldg(x + (plane * s.h + ih) * s.w + iw), acc);
    }
    const float total = block_reduce_sum(acc, scratch);
    if (threadIdx.x == 0) gw[static_cast<std::int64_t>(c) * s.kh * s.kw + tap] += total;
}

}  // namespace enas::cuda::kernels
