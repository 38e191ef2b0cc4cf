// Kernels of the ENAS recurrent highway node: out = s + sigmoid(c_pre) * (f(h_pre) - s) with
// f in {identity, relu, tanh, sigmoid}, and its backward; elementwise, grid-stride, with the
// activation a template parameter (the switch in activate() folds away: none per element).
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

template <Activation kAct>
__global__ void rnn_node_forward(std::int64_t count, const float* __restrict__ s, const float* __restrict__ c_pre,
                                 const float* __restrict__ h_pre, float* __restrict__ out) {
    for (std::int64_t e = grid_start(); e < count; e += grid_stride()) {
        const float gate = sigmoidf(c_pre[e]), se = s[e];
        out[e] = se + gate * (activate(kAct, h_pre[e]) - se);
    }
}

/// ds += gy * (1 - c), dc_pre += gy * (act(h_pre) - s) * c * (1 - c), dh_pre += gy * c * act'(h_pre)
/// with c = sigmoid(c_pre), into those that are non-null.
template <Activation kAct>
__global__ void rnn_node_backward(std::int64_t count, const float* __restrict__ s, const float* __restrict__ c_pre,
                                  const float* __restrict__ h_pre, const float* __restrict__ gy, float* __restrict__ ds,
                                  float* __restrict__ dc_pre, float* __restrict__ dh_pre) {
    for (std::int64_t e = grid_start(); e < count; e += grid_stride()) {
        const float gate = sigmoidf(c_pre[e]), g = gy[e], y = activate(kAct, h_pre[e]);
        if (ds) ds[e] += g * (1.0f - gate);
        if (dc_pre) dc_pre[e] += g * (y - s[e]) * gate * (1.0f - gate);
        if (dh_pre) dh_pre[e] += g * gate * activation_grad_from_output(kAct, y);
    }
}

}  // namespace enas::cuda::kernels
