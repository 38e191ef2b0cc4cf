// Kernels of the pool family: 2-D average and max pooling over NCHW planes with TF SAME / VALID
// padding. Windows are clipped to the input (padding never contributes), so an average divides by
// the number of real inputs. Plane launches (plane_grid.cuh: no per-element integer division),
// one thread per output pixel (forward) or input pixel (average
// backward: a gather over the windows that contain it, no atomics); the max backward adds each
// gradient at its recorded argmax in the CPU's order, one warp per plane (deterministic).
#pragma once
#include <cstdint>

#include "kernels/plane_grid.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// planes = N * C planes of h x w pooled to out_h x out_w.
struct PoolShape {
    std::int64_t planes;
    int h, w, out_h, out_w;
    int kh, kw, stride_h, stride_w, pad_top, pad_left;
};

/// The clipped window [begin, end) of output o along one axis.
__device__ __forceinline__ int window_begin(int o, int stride, int pad) { return max(o * stride - pad, 0); }
__device__ __forceinline__ int window_end(int o, int stride, int pad, int kernel, int in) {
    return min(o * stride - pad + kernel, in);
}

/// y = mean of x over each output's clipped window.
__global__ void avg_pool_forward(PoolShape s, const float* __restrict__ x, float* __restrict__ y) {
    const int ow = plane_col(), oh = plane_row();
    if (ow >= s.out_w || oh >= s.out_h) return;
    for (std::int64_t plane = blockIdx.z; plane < s.planes; plane += gridDim.z) {
        const std::int64_t e = (plane * s.out_h + oh) * s.out_w + ow;
        const int hb = window_begin(oh, s.stride_h, s.pad_top), he = window_end(oh, s.stride_h, s.pad_top, s.kh, s.h);
        const int wb = window_begin(ow, s.stride_w, s.pad_left), we = window_end(ow, s.stride_w, s.pad_left, s.kw, s.w);
        const float* xp = x + plane * s.h * s.w;
        float sum = 0.0f;
        for (int ih = hb; ih < he; ++ih)
            for (int iw = wb; iw < we; ++iw) sum += __ldg(xp + ih * s.w + iw);
        y[e] = sum * (1.0f / static_cast<float>(he - hb) * (1.0f / static_cast<float>(we - wb)));
    }
}

/// The outputs [lo, hi] along one axis whose clipped windows contain input index i.
__device__ __forceinline__ void outputs_containing(int i, int stride, int pad, int kernel, int out, int& lo, int& hi) {
    const int first = i + pad - kernel;  // o * stride > first  <=>  o >= floor(first / stride) + 1
    lo = first < 0 ? 0 : first / stride + 1;
    hi = min((i + pad) / stride, out - 1);
}

/// gx += backward of avg_pool_forward: each input gathers gy / window size from every window
/// that contains it.
__global__ void avg_pool_backward(PoolShape s, const float* __restrict__ gy, float* __restrict__ gx) {
    const int iw = plane_col(), ih = plane_row();
    if (iw >= s.w || ih >= s.h) return;
    int oh_lo, oh_hi, ow_lo, ow_hi;  // the same for every plane: divided once per thread
    outputs_containing(ih, s.stride_h, s.pad_top, s.kh, s.out_h, oh_lo, oh_hi);
    outputs_containing(iw, s.stride_w, s.pad_left, s.kw, s.out_w, ow_lo, ow_hi);
    for (std::int64_t plane = blockIdx.z; plane < s.planes; plane += gridDim.z) {
        const std::int64_t e = (plane * s.h + ih) * s.w + iw;
        const float* gp = gy + plane * s.out_h * s.out_w;
        float sum = 0.0f;
        for (int oh = oh_lo; oh <= oh_hi; ++oh) {
            const int rows = window_end(oh, s.stride_h, s.pad_top, s.kh, s.h) - window_begin(oh, s.stride_h, s.pad_top);
            const float inv_h = 1.0f / static_cast<float>(rows);
            for (int ow = ow_lo; ow <= ow_hi; ++ow) {
                const int cols =
                    window_end(ow, s.stride_w, s.pad_left, s.kw, s.w) - window_begin(ow, s.stride_w, s.pad_left);
                sum += __ldg(gp + oh * s.out_w + ow) * (inv_h * (1.0f / static_cast<float>(cols)));
            }
        }
        gx[e] += sum;
    }
}

/// y = max of x over each output's clipped window; with `argmax` non-null it also gets the flat
/// in-plane index ih * w + iw of the first maximum in row-major window order.
__global__ void max_pool_forward(PoolShape s, const float* __restrict__ x, float* __restrict__ y,
                                 std::int32_t* __restrict__ argmax) {
    const int ow = plane_col(), oh = plane_row();
    if (ow >= s.out_w || oh >= s.out_h) return;
    for (std::int64_t plane = blockIdx.z; plane < s.planes; plane += gridDim.z) {
        const std::int64_t e = (plane * s.out_h + oh) * s.out_w + ow;
        const int hb = window_begin(oh, s.stride_h, s.pad_top), he = window_end(oh, s.stride_h, s.pad_top, s.kh, s.h);
        const int wb = window_begin(ow, s.stride_w, s.pad_left), we = window_end(ow, s.stride_w, s.pad_left, s.kw, s.w);
        const float* xp = x + plane * s.h * s.w;
        int best = hb * s.w + wb;
        float m = __ldg(xp + best);
        for (int ih = hb; ih < he; ++ih)
            for (int iw = wb; iw < we; ++iw) {
                const float v = __ldg(xp + ih * s.w + iw);
                if (v > m) {  // strict: ties keep the first maximum
                    m = v;
                    best = ih * s.w + iw;
                }
            }
        y[e] = m;
        if (argmax) argmax[e] = best;
    }
}

inline constexpr int kMaxPoolBackwardWarps = 4;  ///< warps (planes at a time) per block

/// gx[plane, argmax[o]] += gy[o] for the outputs o of each plane in ascending order (plane_in =
/// h * w of gx), bit-exact with the CPU's sequential loop and deterministic, with no atomics: one
/// warp per plane takes 32 outputs at a time; of the lanes with the same target, the lowest reads
/// gx once, adds their gradients in lane (= output) order and writes it back. So every gx element
/// receives its gradients one by one in ascending output order, as on the CPU.
__global__ void __launch_bounds__(32 * kMaxPoolBackwardWarps)
    max_pool_backward(std::int64_t planes, std::int64_t plane_out, std::int64_t plane_in,
                      const std::int32_t* __restrict__ argmax, const float* __restrict__ gy, float* __restrict__ gx) {
    const int lane = static_cast<int>(threadIdx.x) & 31;
    const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * (blockDim.x / 32);
    for (std::int64_t plane = static_cast<std::int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
         plane < planes; plane += warps) {  // uniform over the warp
        const std::int32_t* a = argmax + plane * plane_out;
        const float* g = gy + plane * plane_out;
        float* gp = gx + plane * plane_in;
        for (std::int64_t base = 0; base < plane_out; base += 32) {
            const std::int64_t o = base + lane;
            const int target = o < plane_out ? __ldg(a + o) : -1;
            const float value = o < plane_out ? __ldg(g + o) : 0.0f;
            bool leader = target >= 0;
            for (int k = 0; k < 32; ++k) {
                const int other = __shfl_sync(0xffffffffu, target, k);
                if (k < lane && other == target) leader = false;
            }
            float sum = leader ? gp[target] : 0.0f;
            for (int k = 0; k < 32; ++k) {
                const int other = __shfl_sync(0xffffffffu, target, k);
                const float v = __shfl_sync(0xffffffffu, value, k);
                if (leader && k >= lane && other == target) sum += v;
            }
            if (leader) gp[target] = sum;
            __syncwarp();  // the next 32 outputs read what these wrote
        }
    }
}

}  // namespace enas::cuda::kernels
