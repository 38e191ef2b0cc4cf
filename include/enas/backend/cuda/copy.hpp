// Cuda launchers of the copy family (cuda/copy.cu): the same names and parameters as the CPU
// kernels (enas::cpu), for float. Tensors are contiguous device tensors; backward launchers
// accumulate (+=).
#pragma once
#include <cstdint>
#include <span>

#include "enas/core/context.hpp"

namespace enas::cuda {

/// y = the inputs side by side along dimension 1 (all dimensions but 1 equal y's).
void concat_forward(Context<Cuda>& ctx, std::span<const Tensor<float, Cuda>> xs, Tensor<float, Cuda>& y);
/// gx += gy[:, start : start + gx.dim(1)].
void concat_backward(Context<Cuda>& ctx, std::int64_t start, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx);
/// y = x[:, start : start + y.dim(1)].
void slice_forward(Context<Cuda>& ctx, std::int64_t start, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx[:, start : start + gy.dim(1)] += gy.
void slice_backward(Context<Cuda>& ctx, std::int64_t start, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx);
/// y[n, c, i, j] = x[n, c, i*stride + offset, j*stride + offset], or 0 outside x. x [N, C, H, W].
void shifted_subsample_forward(Context<Cuda>& ctx, std::int64_t offset, std::int64_t stride,
                               const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx[n, c, i*stride + offset, j*stride + offset] += gy[n, c, i, j] wherever that is inside gx.
void shifted_subsample_backward(Context<Cuda>& ctx, std::int64_t offset, std::int64_t stride,
                                const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx);

}  // namespace enas::cuda
