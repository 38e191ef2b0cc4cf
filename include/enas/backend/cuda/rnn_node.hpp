// CUDA launchers of the ENAS recurrent highway node (definitions in cuda/rnn_node.cu): the same
// operations, parameters (Activation, ops/params/elementwise.hpp) and semantics as the CPU kernels
// enas::cpu::rnn_node_*, for float tensors on the Cuda device. All tensors have the same shape and
// are contiguous; the backward accumulates (+=). Plain C++: no CUDA header needed.
#pragma once
#include "enas/core/context.hpp"
#include "enas/ops/params/elementwise.hpp"  // Activation

namespace enas::cuda {

/// out = s + sigmoid(c_pre) * (act(h_pre) - s).
void rnn_node_forward(Context<Cuda>& ctx, Activation act, const Tensor<float, Cuda>& s,
                      const Tensor<float, Cuda>& c_pre, const Tensor<float, Cuda>& h_pre, Tensor<float, Cuda>& out);

/// Backward of the node for upstream gradient gy; accumulates into the non-null gradients
/// ds += gy * (1 - c), dc_pre += gy * (act(h_pre) - s) * c * (1 - c), dh_pre += gy * c * act'(h_pre)
/// with c = sigmoid(c_pre).
void rnn_node_backward(Context<Cuda>& ctx, Activation act, const Tensor<float, Cuda>& s,
                       const Tensor<float, Cuda>& c_pre, const Tensor<float, Cuda>& h_pre,
                       const Tensor<float, Cuda>& gy, Tensor<float, Cuda>* ds, Tensor<float, Cuda>* dc_pre,
                       Tensor<float, Cuda>* dh_pre);

}  // namespace enas::cuda
