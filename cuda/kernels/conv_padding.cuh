// Explicit zero padding of NCHW planes, for the cuDNN conv path (cuda/conv_cudnn.cu): cuDNN pads
// symmetrically, so a TF SAME conv that pads more at the bottom / right runs as a VALID conv on a
// padded copy of its input, and its input gradient is the interior of the padded gradient.
#pragma once
#include <cstdint>

#include "portable.cuh"

namespace enas::cuda::kernels {

/// planes of h x w inside padded planes of padded_h x padded_w, starting at row top, column left.
struct PlanePadding {
    std::int64_t planes;
    int h, w, padded_h, padded_w, top, left;
};

/// padded[p, r, c] = x[p, r - top, c - left] inside the plane, 0 outside.
__global__ void pad_planes(PlanePadding s, const float* __restrict__ x, float* __restrict__ padded) {
    const std::int64_t count = s.planes * s.padded_h * s.padded_w;
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) {
        const int c = static_cast<int>(e % s.padded_w) - s.left;
        const int r = static_cast<int>(e / s.padded_w % s.padded_h) - s.top;
        const std::int64_t plane = e / (static_cast<std::int64_t>(s.padded_w) * s.padded_h);
        padded[e] = r >= 0 && r < s.h && c >= 0 && c < s.w ? x[(plane * s.h + r) * s.w + c] : 0.0f;
    }
}

/// x[p, r, c] += padded[p, r + top, c + left]: the interior of a padded gradient, the padding dropped.
__global__ void add_plane_interiors(PlanePadding s, const float* __restrict__ padded, float* __restrict__ x) {
    const std::int64_t count = s.planes * s.h * s.w;
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) {
        const int c = static_cast<int>(e % s.w), r = static_cast<int>(e / s.w % s.h);
        const std::int64_t plane = e / (static_cast<std::int64_t>(s.w) * s.h);
        x[e] += padded[(plane * s.padded_h + r + s.top) * s.padded_w + c + s.left];
    }
}

}  // namespace enas::cuda::kernels
