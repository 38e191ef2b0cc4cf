// Kernels of the depthwise conv family (channel multiplier 1): x [n, c, h, w], w [c, 1, kh, kw],
// y [n, c, out_h, out_w], TF SAME / VALID padding. Direct loops over the taps with no per-element
// integer division: forward and backward-input use a plane launch (plane_grid.cuh), one thread per
// output (forward) or input (backward-input: a gather over the taps that read it, no atomics)
// pixel of one channel, looping over a chunk of the images; blockIdx.z = c + channels * chunk.
// The backward-input strides are template parameters (1 and 2; 0: read at run time), so the
// divisibility tests and divisions by the stride compile to shifts. The weight gradient is one
// block per channel accumulating all of its taps together (template kernel size 3 and 5, 0: run
// time), so x and gy are read once, not once per tap; the images are split over blocks when
// there are few channels, so that a GPU's SMs all get work. The shape is a ConvShape, c_in = c_out = c.
#pragma once
#include <cstdint>

#include "kernels/conv_shape.cuh"
#include "kernels/device_helpers.cuh"
#include "kernels/plane_grid.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

inline constexpr int kDepthwiseThreads = 256;

/// y[img, c, oh, ow] = sum_{i, j} w[c, i, j] * x[img, c, oh*sh - pt + i, ow*sw - pl + j] (zero
/// outside), for img in this block's chunk of `images_per_chunk` images.
__global__ void depthwise_forward(ConvShape s, int images_per_chunk, const float* __restrict__ x,
                                  const float* __restrict__ w, float* __restrict__ y) {
    const int ow = plane_col(), oh = plane_row();
    if (ow >= s.out_w || oh >= s.out_h) return;
    const int ih0 = oh * s.stride_h - s.pad_top, iw0 = ow * s.stride_w - s.pad_left;
    const std::int64_t in_plane = static_cast<std::int64_t>(s.h) * s.w;
    const std::int64_t out_plane = static_cast<std::int64_t>(s.out_h) * s.out_w;
    const unsigned int chunks = static_cast<unsigned int>((s.n + images_per_chunk - 1) / images_per_chunk);
    for (unsigned int z = blockIdx.z; z < static_cast<unsigned int>(s.c_in) * chunks; z += gridDim.z) {
        const int c = static_cast<int>(z % static_cast<unsigned int>(s.c_in));  // per block, not per element
        const int first = static_cast<int>(z / static_cast<unsigned int>(s.c_in)) * images_per_chunk;
        const int last = min(first + images_per_chunk, s.n);
        const float* wk = w + static_cast<std::int64_t>(c) * s.kh * s.kw;
        for (int img = first; img < last; ++img) {
            const std::int64_t plane = static_cast<std::int64_t>(img) * s.c_in + c;
            const float* xp = x + plane * in_plane;
            float acc = 0.0f;
            for (int i = 0; i < s.kh; ++i) {
                const int ih = ih0 + i;
                if (ih < 0 || ih >= s.h) continue;
                for (int j = 0; j < s.kw; ++j) {
                    const int iw = iw0 + j;
                    if (iw >= 0 && iw < s.w) acc = fmaf(__ldg(wk + i * s.kw + j), __ldg(xp + ih * s.w + iw), acc);
                }
            }
            y[plane * out_plane + static_cast<std::int64_t>(oh) * s.out_w + ow] = acc;
        }
    }
}

/// gx[img, c, ih, iw] += sum over the taps (i, j) and outputs (oh, ow) with oh*sh - pt + i = ih and
/// ow*sw - pl + j = iw of w[c, i, j] * gy[img, c, oh, ow]. kSh, kSw: the strides (0: from s).
template <int kSh, int kSw>
__global__ void depthwise_backward_input(ConvShape s, int images_per_chunk, const float* __restrict__ gy,
                                         const float* __restrict__ w, float* __restrict__ gx) {
    const int iw = plane_col(), ih = plane_row();
    if (iw >= s.w || ih >= s.h) return;
    const int sh = kSh > 0 ? kSh : s.stride_h, sw = kSw > 0 ? kSw : s.stride_w;
    const std::int64_t in_plane = static_cast<std::int64_t>(s.h) * s.w;
    const std::int64_t out_plane = static_cast<std::int64_t>(s.out_h) * s.out_w;
    const unsigned int chunks = static_cast<unsigned int>((s.n + images_per_chunk - 1) / images_per_chunk);
    for (unsigned int z = blockIdx.z; z < static_cast<unsigned int>(s.c_in) * chunks; z += gridDim.z) {
        const int c = static_cast<int>(z % static_cast<unsigned int>(s.c_in));
        const int first = static_cast<int>(z / static_cast<unsigned int>(s.c_in)) * images_per_chunk;
        const int last = min(first + images_per_chunk, s.n);
        const float* wk = w + static_cast<std::int64_t>(c) * s.kh * s.kw;
        for (int img = first; img < last; ++img) {
            const std::int64_t plane = static_cast<std::int64_t>(img) * s.c_in + c;
            const float* gp = gy + plane * out_plane;
            float acc = 0.0f;
            for (int i = 0; i < s.kh; ++i) {
                const int oh_scaled = ih + s.pad_top - i;
                if (oh_scaled < 0 || oh_scaled % sh != 0) continue;
                const int oh = oh_scaled / sh;
                if (oh >= s.out_h) continue;
                for (int j = 0; j < s.kw; ++j) {
                    const int ow_scaled = iw + s.pad_left - j;
                    if (ow_scaled < 0 || ow_scaled % sw != 0) continue;
                    const int ow = ow_scaled / sw;
                    if (ow < s.out_w) acc = fmaf(__ldg(wk + i * s.kw + j), __ldg(gp + oh * s.out_w + ow), acc);
                }
            }
            gx[plane * in_plane + static_cast<std::int64_t>(ih) * s.w + iw] += acc;
        }
    }
}

/// Block (c, split): gw[c, i, j] += sum_{img, oh, ow} gy[img, c, oh, ow] * x[img, c, oh*sh - pt + i,
/// ow*sw - pl + j] over the images [split * images_per_split, ...) for every tap (i, j) at once:
/// each thread keeps one partial sum per tap in registers and reads each gy value once. With
/// `partial` set, the block writes partial[split][c][tap] instead (depthwise_add_partials adds the
/// splits into gw in order: deterministic). kK: kh = kw = kK (3 or 5); 0: any size, the taps
/// [tap_begin, tap_begin + 25) of this launch (the launcher covers the rest with more launches).
/// blockDim.x is kDepthwiseThreads.
template <int kK>
__global__ void __launch_bounds__(kDepthwiseThreads)
    depthwise_backward_weight(ConvShape s, int tap_begin, int images_per_split, const float* __restrict__ x,
                              const float* __restrict__ gy, float* __restrict__ gw, float* __restrict__ partial) {
    constexpr int kTaps = kK > 0 ? kK * kK : 25;
    ENAS_SHARED(float, scratch, kDepthwiseThreads / 32 * kTaps);
    const int c = static_cast<int>(blockIdx.x);
    const int first_img = static_cast<int>(blockIdx.y) * images_per_split;
    const int last_img = min(first_img + images_per_split, s.n);
    const int out_plane = s.out_h * s.out_w, taps = s.kh * s.kw;
    const std::int64_t in_plane = static_cast<std::int64_t>(s.h) * s.w;
    float acc[kTaps];
    ENAS_UNROLL
    for (int u = 0; u < kTaps; ++u) acc[u] = 0.0f;
    for (int p = static_cast<int>(threadIdx.x); p < out_plane; p += static_cast<int>(blockDim.x)) {
        const int oh = p / s.out_w, ow = p - oh * s.out_w;  // one division per pixel, for all images
        const int ih0 = oh * s.stride_h - s.pad_top, iw0 = ow * s.stride_w - s.pad_left;
        for (int img = first_img; img < last_img; ++img) {
            const std::int64_t plane = static_cast<std::int64_t>(img) * s.c_in + c;
            const float g = __ldg(gy + plane * out_plane + p);
            const float* xp = x + plane * in_plane;
            ENAS_UNROLL
            for (int u = 0; u < kTaps; ++u) {
                const int t = tap_begin + u;
                if (kK == 0 && t >= taps) break;
                const int i = kK > 0 ? u / kK : t / s.kw;  // kK > 0: constants after unrolling
                const int j = kK > 0 ? u - i * kK : t - i * s.kw;
                const int ih = ih0 + i, iw = iw0 + j;
                if (ih >= 0 && ih < s.h && iw >= 0 && iw < s.w) acc[u] = fmaf(g, __ldg(xp + ih * s.w + iw), acc[u]);
            }
        }
    }
    // All taps reduced at once: each warp's sums by shuffles, then one barrier and a sum over the
    // warps per tap (one shared-memory round for every tap instead of a block reduction each).
    const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
    ENAS_UNROLL
    for (int u = 0; u < kTaps; ++u) {
        const float v = warp_reduce_sum(acc[u]);
        if (lane == 0) scratch[warp * kTaps + u] = v;
    }
    __syncthreads();
    const int u = static_cast<int>(threadIdx.x);
    if (u < kTaps && (kK > 0 || tap_begin + u < taps)) {
        float total = 0.0f;
        for (int w = 0; w < static_cast<int>(blockDim.x) / 32; ++w) total += scratch[w * kTaps + u];
        const std::int64_t at = static_cast<std::int64_t>(c) * taps + tap_begin + u;
        if (partial)
            partial[blockIdx.y * static_cast<std::int64_t>(s.c_in) * taps + at] = total;
        else
            gw[at] += total;
    }
}

/// gw[i] += sum over the splits of partial[split * count + i], in split order.
__global__ void depthwise_add_partials(const float* __restrict__ partial, int splits, std::int64_t count,
                                       float* __restrict__ gw) {
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
        float sum = 0.0f;
        for (int split = 0; split < splits; ++split) sum += partial[split * count + i];
        gw[i] += sum;
    }
}

}  // namespace enas::cuda::kernels
