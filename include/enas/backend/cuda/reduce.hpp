// Cuda launchers of the reduce family (cuda/reduce.cu): the same names and parameters as the CPU
// kernels (enas::cpu), for float. Tensors are contiguous device tensors; backward launchers
// accumulate (+=). Whole-tensor sums accumulate in double and are deterministic.
#pragma once
#include "enas/core/context.hpp"

namespace enas::cuda {

/// y[n, c] = mean of x[n, c, :, :]. x [N, C, H, W], y [N, C].
void global_avg_pool_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx[n, c, h, w] += gy[n, c] / (H * W).
void global_avg_pool_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx);
/// y[0] = alpha * sum of all elements of x. y [1].
void sum_forward(Context<Cuda>& ctx, double alpha, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx[i] += alpha * gy[0].
void sum_backward(Context<Cuda>& ctx, double alpha, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx);
/// y[0] = sum of x[i]^2. y [1].
void sum_squares_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx[i] += 2 * gy[0] * x[i].
void sum_squares_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& gy,
                          Tensor<float, Cuda>& gx);

}  // namespace enas::cuda
