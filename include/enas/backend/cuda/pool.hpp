// CUDA launchers of the pool family (definitions in cuda/pool.cu): the same operations,
// parameters and semantics as enas/backend/cpu/pool.hpp (Pool2dParams comes from there), for
// float tensors on the Cuda device. NCHW, TF SAME or VALID padding, windows clipped to the input.
// Inputs are contiguous; backward launchers accumulate (+=). Plain C++: no CUDA header needed.
#pragma once
#include <cstdint>

#include "enas/backend/cpu/pool.hpp"
#include "enas/core/context.hpp"

namespace enas::cuda {

/// y = average pool of x over each window's real (non-padding) inputs. x [N, C, H, W],
/// y [N, C, OH, OW] (sizes from pool_axis); y is overwritten.
void avg_pool2d_forward(Context<Cuda>& ctx, const Pool2dParams& p, const Tensor<float, Cuda>& x,
                        Tensor<float, Cuda>& y);

/// gx += backward of avg_pool2d: each gy spreads equally over its window's real inputs.
/// gy [N, C, OH, OW], gx [N, C, H, W].
void avg_pool2d_backward(Context<Cuda>& ctx, const Pool2dParams& p, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx);

/// y = max pool of x (padding never wins). When `argmax` is defined (int32, the shape of y) it
/// receives, per output, the flat in-plane index h * W + w of the first maximum in row-major
/// window order.
void max_pool2d_forward(Context<Cuda>& ctx, const Pool2dParams& p, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y,
                        Tensor<std::int32_t, Cuda>& argmax);

/// gx += backward of max_pool2d: each gy goes to its window's maximum, as recorded in `argmax`
/// (atomic adds: where windows overlap, the order of the additions is unspecified).
/// argmax and gy [N, C, OH, OW], gx [N, C, H, W].
void max_pool2d_backward(Context<Cuda>& ctx, const Tensor<std::int32_t, Cuda>& argmax, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx);

}  // namespace enas::cuda
