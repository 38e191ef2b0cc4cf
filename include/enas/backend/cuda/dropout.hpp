// Cuda launchers of the dropout family (cuda/dropout.cu): the same names and parameters as the CPU
// kernels in backend/cpu/dropout.hpp, for float. A draw's mask is the CPU's mask, bit for bit
// (same Philox stream). Tensors are contiguous device tensors; backward launchers accumulate (+=).
#pragma once
#include "enas/backend/cpu/dropout.hpp"  // struct DropoutDraw
#include "enas/core/context.hpp"

namespace enas::cuda {

/// y = x * mask / keep_prob, the mask drawn from `d` (one word per element).
void dropout_forward(Context<Cuda>& ctx, const DropoutDraw& d, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx += gy * mask / keep_prob, with the mask of draw `d` recomputed.
void dropout_backward(Context<Cuda>& ctx, const DropoutDraw& d, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx);
/// mask[i] = 1 / keep_prob when element i of draw `d` is kept, else 0 (flat order).
void dropout_mask(Context<Cuda>& ctx, const DropoutDraw& d, Tensor<float, Cuda>& mask);
/// x viewed as [R, C] with R = mask.numel(): y[r, c] = x[r, c] * mask[r].
void row_mask_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& mask,
                      Tensor<float, Cuda>& y);
/// gx[r, c] += gy[r, c] * mask[r] (rows with mask 0 untouched).
void row_mask_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, const Tensor<float, Cuda>& mask,
                       Tensor<float, Cuda>& gx);
/// x viewed as [S, M] with M = mask.numel(): y[s, m] = x[s, m] * mask[m].
void locked_mask_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& mask,
                         Tensor<float, Cuda>& y);
/// gx[s, m] += gy[s, m] * mask[m].
void locked_mask_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, const Tensor<float, Cuda>& mask,
                          Tensor<float, Cuda>& gx);

}  // namespace enas::cuda
