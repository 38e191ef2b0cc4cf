// Cuda launchers of the elementwise family (cuda/elementwise.cu): the same names and parameters
// as the CPU kernels in backend/cpu/elementwise.hpp, for float. Tensors are contiguous device
// tensors; backward launchers accumulate (+=).
#pragma once
#include "enas/backend/cpu/elementwise.hpp"  // enum Activation
#include "enas/core/context.hpp"

namespace enas::cuda {

/// y = act(x).
void activation_forward(Context<Cuda>& ctx, Activation a, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// gx += gy * act'(x), with act' computed from the forward output y.
void activation_backward(Context<Cuda>& ctx, Activation a, const Tensor<float, Cuda>& y, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx);
/// y = a + b.
void add_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& a, const Tensor<float, Cuda>& b,
                 Tensor<float, Cuda>& y);
/// y = a * b (elementwise).
void mul_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& a, const Tensor<float, Cuda>& b,
                 Tensor<float, Cuda>& y);
/// ga += gy * b.
void mul_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, const Tensor<float, Cuda>& b,
                  Tensor<float, Cuda>& ga);
/// y = alpha * x.
void scale_forward(Context<Cuda>& ctx, float alpha, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);
/// y += alpha * x (also the backward of add and scale).
void axpy(Context<Cuda>& ctx, float alpha, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y);

}  // namespace enas::cuda
