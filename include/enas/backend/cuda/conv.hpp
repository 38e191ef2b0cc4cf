// CUDA launchers of the dense conv family (definitions in cuda/conv.cu): the same operations,
// parameters (ops/params/conv.hpp) and semantics as the CPU kernels enas::cpu::conv2d_*, for float
// tensors on the Cuda device. NCHW, weights [c_out, c_in, kh, kw], no bias, TF SAME or VALID
// padding, any kernel and stride. Inputs are contiguous (the ops layer sees to it); `w` may be a
// view into a parameter arena. Backward launchers accumulate (+=) into the gradient. Plain C++: no
// CUDA header needed.
#pragma once
#include "enas/core/context.hpp"
#include "enas/ops/params/conv.hpp"

namespace enas::cuda {

/// y = conv2d(x, w): x [n, c_in, h, w], w [c_out, c_in, kh, kw], y [n, c_out, out_h, out_w]
/// (sizes and pads from conv_geometry); y is overwritten.
void conv2d_forward(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                    const Tensor<float, Cuda>& w, Tensor<float, Cuda>& y);

/// gx += d conv2d(x, w) / dx applied to gy: gy [n, c_out, out_h, out_w], w [c_out, c_in, kh, kw],
/// gx [n, c_in, h, w] (its shape gives the input size).
void conv2d_backward_input(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& gy,
                           const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gx);

/// gw += d conv2d(x, w) / dw applied to gy: x [n, c_in, h, w], gy [n, c_out, out_h, out_w],
/// gw [c_out, c_in, kh, kw].
void conv2d_backward_weight(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                            const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gw);

/// The cuDNN path (cuda/conv_cudnn.cu, real builds configured with ENAS_CUDNN=ON): the same three
/// passes with the same arguments and semantics, run by cuDNN in FP32 (no TF32), used by the
/// benchmarks as the baseline. cuDNN pads symmetrically, so a SAME conv with more padding at the
/// bottom / right runs on a zero-padded copy of x. Without cuDNN in the build,
/// cudnn_conv_available() is false and the three functions throw DeviceError.
bool cudnn_conv_available();
void cudnn_conv2d_forward(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                          const Tensor<float, Cuda>& w, Tensor<float, Cuda>& y);
void cudnn_conv2d_backward_input(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& gy,
                                 const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gx);
void cudnn_conv2d_backward_weight(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                                  const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gw);

}  // namespace enas::cuda
