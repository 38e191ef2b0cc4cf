// Kernels of the optim family: fused in-place SGD (plain, momentum, Nesterov) and Adam updates
// over flat arrays, and the in-place scale of gradient clipping (the global norm's sum of squares
// is kernels/whole_sum.cuh). The per-step coefficients are computed on the host, as on the CPU.
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// w -= lr * (g + wd * w).
__global__ void sgd_plain(float* __restrict__ w, const float* __restrict__ g, std::int64_t n, float lr, float wd) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) w[i] -= lr * (g[i] + wd * w[i]);
}

/// g' = g + wd w; v = mu v + g'; w -= lr (g' + mu v) (Nesterov) or w -= lr v.
template <bool kNesterov>
__global__ void sgd_momentum(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ v, std::int64_t n,
                             float lr, float mu, float wd) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) {
        const float gi = g[i] + wd * w[i];
        const float vi = mu * v[i] + gi;
        v[i] = vi;
        w[i] -= kNesterov ? lr * (gi + mu * vi) : lr * vi;
    }
}

/// The per-step Adam coefficients: w -= step * m / (sqrt(v) * v_scale + eps).
struct AdamCoefficients {
    float b1, one_minus_b1, b2, one_minus_b2, eps, wd, step, v_scale;
};

__global__ void adam(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ m, float* __restrict__ v,
                     std::int64_t n, AdamCoefficients c) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) {
        const float gi = g[i] + c.wd * w[i];
        const float mi = c.b1 * m[i] + c.one_minus_b1 * gi;
        const float vi = c.b2 * v[i] + c.one_minus_b2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= c.step * mi / (sqrtf(vi) * c.v_scale + c.eps);
    }
}

/// x *= alpha.
__global__ void scale_in_place(float alpha, float* __restrict__ x, std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) x[i] *= alpha;
}

}  // namespace enas::cuda::kernels
