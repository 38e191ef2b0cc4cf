// Cuda launchers of the softmax family (cuda/softmax.cu): the same names and parameters as the CPU
// kernels (enas::cpu), for float. A tensor is viewed as [rows, K] with K its last dimension.
// Tensors are contiguous device tensors; backward launchers accumulate (+=).
#pragma once
#include <cstdint>

#include "enas/core/context.hpp"

namespace enas::cuda {

/// y = softmax(x) over the last dimension.
void softmax_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx += y * (gy - sum(gy * y)) per row, with y the softmax output.
void softmax_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& y, const Tensor<float, Cuda>& gy,
                      Tensor<float, Cuda>& gx);
/// y = x - logsumexp(x) over the last dimension.
void log_softmax_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx += gy - exp(y) * sum(gy) per row, with y the log-softmax output.
void log_softmax_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& y, const Tensor<float, Cuda>& gy,
                          Tensor<float, Cuda>& gx);
/// probs = softmax(logits) per row; loss[0] = mean over rows of -log probs[n, labels[n]] (row
/// terms in double, summed deterministically). logits [N, K]; labels [N] in [0, K) (checked by
/// the op, not here).
void softmax_cross_entropy_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& logits,
                                   const Tensor<std::int32_t, Cuda>& labels, Tensor<float, Cuda>& probs,
                                   Tensor<float, Cuda>& loss);
/// glogits += (probs - onehot(labels)) * gloss[0] / N.
void softmax_cross_entropy_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& probs,
                                    const Tensor<std::int32_t, Cuda>& labels, const Tensor<float, Cuda>& gloss,
                                    Tensor<float, Cuda>& glogits);
/// index[r] = the position of the largest entry of row r (the first one on ties).
void argmax_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<std::int32_t, Cuda>& index);

}  // namespace enas::cuda
