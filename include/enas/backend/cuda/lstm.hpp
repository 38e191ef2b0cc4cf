// CUDA launchers of the controller's fused LSTM cell (definitions in cuda/lstm.cu): the same
// operations, parameters and semantics as the CPU kernels enas::cpu::lstm_cell_*, for float
// tensors on the Cuda device. No bias, gate order i, f, o, g; W [(I + H), 4H] may be a view into a
// parameter arena. Inputs are contiguous; backward launchers accumulate (+=). Plain C++: no CUDA
// header.
#pragma once
#include "enas/core/context.hpp"

namespace enas::cuda {

/// Forward of the cell. x [B, I], h_prev [B, H], c_prev [B, H], w [(I + H), 4H]. Writes the
/// activated gates [i, f, o, g] to `gates` [B, 4H] (kept for the backward), and h, c [B, H].
void lstm_cell_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& h_prev,
                       const Tensor<float, Cuda>& c_prev, const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gates,
                       Tensor<float, Cuda>& h, Tensor<float, Cuda>& c);

/// Backward of the cell from the forward's saved gates and c. dh and dc are the upstream
/// gradients of h and c (either may be null: zero). Accumulates into the non-null gradients
/// dx [B, I], dh_prev [B, H], dc_prev [B, H] and dw [(I + H), 4H].
void lstm_cell_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& h_prev,
                        const Tensor<float, Cuda>& c_prev, const Tensor<float, Cuda>& w,
                        const Tensor<float, Cuda>& gates, const Tensor<float, Cuda>& c, const Tensor<float, Cuda>* dh,
                        const Tensor<float, Cuda>* dc, Tensor<float, Cuda>* dx, Tensor<float, Cuda>* dh_prev,
                        Tensor<float, Cuda>* dc_prev, Tensor<float, Cuda>* dw);

}  // namespace enas::cuda
