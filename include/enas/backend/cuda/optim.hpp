// Cuda launchers of the optim family (cuda/optim.cu): the same names and parameters
// (ops/params/optim.hpp) as the CPU kernels (enas::cpu), for float. Updates are in place on
// contiguous device tensors.
#pragma once
#include <cstdint>

#include "enas/core/context.hpp"
#include "enas/ops/params/optim.hpp"

namespace enas::cuda {

/// One SGD step in place on param (and the momentum buffer unless p.momentum == 0, when
/// `momentum` may be null).
void sgd_step(Context<Cuda>& ctx, const SgdParams& p, Tensor<float, Cuda>& param, const Tensor<float, Cuda>& grad,
              Tensor<float, Cuda>* momentum);
/// One Adam step in place on param, m and v, at step t (1-based).
void adam_step(Context<Cuda>& ctx, const AdamParams& p, std::int64_t t, Tensor<float, Cuda>& param,
               const Tensor<float, Cuda>& grad, Tensor<float, Cuda>& m, Tensor<float, Cuda>& v);
/// *out (a host address) = the sum of x[i]^2, accumulated in double on the device
/// (deterministic); waits for the result.
void sum_of_squares(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, double* out);
/// x *= alpha, in place.
void scale_in_place(Context<Cuda>& ctx, float alpha, Tensor<float, Cuda>& x);

}  // namespace enas::cuda
