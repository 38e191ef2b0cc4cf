// CUDA launchers of the batchnorm family (definitions in cuda/batchnorm.cu): the same operations,
// parameters (ops/params/batchnorm.hpp) and semantics as the CPU kernels enas::cpu::batch_norm_*,
// for float tensors on the Cuda device. Per-channel sums accumulate in float within a block and in
// double across blocks. Inputs are contiguous; backward launchers accumulate (+=).
// Plain C++: no CUDA header needed.
#pragma once
#include "enas/core/context.hpp"
#include "enas/ops/params/batchnorm.hpp"

namespace enas::cuda {

/// y = (x - mean) * inv_std * gamma + beta per channel; saved_mean / saved_inv_std [C] get the
/// statistics used. gamma / beta may be undefined (1 / 0). Train and TrainNoRunningUpdate use the
/// batch mean and biased variance; Train also updates running_mean / running_var [C] (undefined
/// in TrainNoRunningUpdate). Eval uses running_mean / running_var. x, y [N, C, H, W] or [N, C].
void batch_norm_forward(Context<Cuda>& ctx, const BatchNormParams& p, const Tensor<float, Cuda>& x,
                        const Tensor<float, Cuda>& gamma, const Tensor<float, Cuda>& beta,
                        Tensor<float, Cuda>& running_mean, Tensor<float, Cuda>& running_var, Tensor<float, Cuda>& y,
                        Tensor<float, Cuda>& saved_mean, Tensor<float, Cuda>& saved_inv_std);

/// Backward of batch_norm_forward from its saved statistics. Accumulates into whichever of gx,
/// ggamma, gbeta [C] are defined: gbeta += sum(gy), ggamma += sum(gy * xhat), and gx through the
/// batch statistics (Train, TrainNoRunningUpdate) or with fixed statistics (Eval). gamma
/// undefined means 1.
void batch_norm_backward(Context<Cuda>& ctx, BatchNormMode mode, const Tensor<float, Cuda>& x,
                         const Tensor<float, Cuda>& gamma, const Tensor<float, Cuda>& saved_mean,
                         const Tensor<float, Cuda>& saved_inv_std, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx, Tensor<float, Cuda>& ggamma, Tensor<float, Cuda>& gbeta);

}  // namespace enas::cuda
