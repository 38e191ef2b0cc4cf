// Cuda launchers of the matmul family (cuda/matmul.cu): the same names and parameters as the CPU
// kernels (enas::cpu), for float, all through enas::cuda::gemm (cuBLAS for large products in the
// real build, our tiled kernel otherwise). Tensors are contiguous device tensors; backward
// launchers accumulate (+=) by calling gemm with beta = 1.
#pragma once
#include "enas/backend/cuda/gemm.hpp"
#include "enas/core/context.hpp"

namespace enas::cuda {

/// y [M, N] = op(a) * op(b), op(a) [M, K] (a stored [K, M] when trans_a), op(b) [K, N] (b stored
/// [N, K] when trans_b).
void matmul_forward(Context<Cuda>& ctx, bool trans_a, bool trans_b, const Tensor<float, Cuda>& a,
                    const Tensor<float, Cuda>& b, Tensor<float, Cuda>& y);
/// ga += d(sum gy * y) / da; ga has a's stored shape.
void matmul_backward_a(Context<Cuda>& ctx, bool trans_a, bool trans_b, const Tensor<float, Cuda>& b,
                       const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& ga);
/// gb += d(sum gy * y) / db; gb has b's stored shape.
void matmul_backward_b(Context<Cuda>& ctx, bool trans_a, bool trans_b, const Tensor<float, Cuda>& a,
                       const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gb);
/// y [N, out] = x [N, in] * w^T (w [out, in]) + bias [out] (bias may be undefined: no bias).
void linear_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& w,
                    const Tensor<float, Cuda>& bias, Tensor<float, Cuda>& y);
/// gx [N, in] += gy [N, out] * w [out, in].
void linear_backward_input(Context<Cuda>& ctx, const Tensor<float, Cuda>& w, const Tensor<float, Cuda>& gy,
                           Tensor<float, Cuda>& gx);
/// gw [out, in] += gy^T [out, N] * x [N, in].
void linear_backward_weight(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& gy,
                            Tensor<float, Cuda>& gw);
/// gbias [out] += the column sums of gy [N, out].
void linear_backward_bias(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gbias);

}  // namespace enas::cuda
