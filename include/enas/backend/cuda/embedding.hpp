// Cuda launchers of the embedding family (cuda/embedding.cu): the same names and parameters as
// the CPU kernels (enas::cpu), for float. Ids are validated by the op. Tensors are contiguous
// device tensors; the backward accumulates (+=), deterministically.
#pragma once
#include <cstdint>

#include "enas/core/context.hpp"

namespace enas::cuda {

/// y[i, :] = table[ids[i], :] for each of the n ids (any shape, read flat). table [V, D].
void embedding_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& table, const Tensor<std::int32_t, Cuda>& ids,
                       Tensor<float, Cuda>& y);
/// gtable[ids[i], :] += gy[i, :] for every i (repeated ids add up, in id order).
void embedding_backward(Context<Cuda>& ctx, const Tensor<std::int32_t, Cuda>& ids, const Tensor<float, Cuda>& gy,
                        Tensor<float, Cuda>& gtable);

}  // namespace enas::cuda
