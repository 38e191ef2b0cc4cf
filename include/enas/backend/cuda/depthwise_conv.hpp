// CUDA launchers of the depthwise conv family (definitions in cuda/depthwise_conv.cu): the same
// operations, parameters (Conv2dParams, ops/params/conv.hpp) and semantics as the CPU kernels
// enas::cpu::depthwise_conv2d_*, for float tensors on the Cuda device. Channel multiplier 1, NCHW,
// TF SAME or VALID padding, any kernel and stride. Inputs are contiguous; `w` may be a view into a
// parameter arena. Backward launchers accumulate (+=). Plain C++: no CUDA header needed.
#pragma once
#include "enas/core/context.hpp"
#include "enas/ops/params/conv.hpp"

namespace enas::cuda {

/// y = depthwise_conv2d(x, w): x [n, c, h, w], w [c, 1, kh, kw], y [n, c, out_h, out_w]; y is
/// overwritten.
void depthwise_conv2d_forward(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                              const Tensor<float, Cuda>& w, Tensor<float, Cuda>& y);

/// gx += d depthwise_conv2d(x, w) / dx applied to gy: gy [n, c, out_h, out_w], w [c, 1, kh, kw],
/// gx [n, c, h, w] (its shape gives the input size).
void depthwise_conv2d_backward_input(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& gy,
                                     const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gx);

/// gw += d depthwise_conv2d(x, w) / dw applied to gy: x [n, c, h, w], gy [n, c, out_h, out_w],
/// gw [c, 1, kh, kw].
void depthwise_conv2d_backward_weight(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                                      const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gw);

}  // namespace enas::cuda
