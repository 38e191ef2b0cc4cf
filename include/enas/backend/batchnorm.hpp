// The batchnorm family's kernels on every device, as ops/batchnorm.hpp calls them:
// backend::batch_norm_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU
// kernel (enas::cpu, backend/cpu/batchnorm.hpp) for a Context<Cpu> and to the CUDA launcher
// (enas::cuda, backend/cuda/batchnorm.hpp) for a Context<Cuda>. In a build without a CUDA backend
// the launchers still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/batchnorm.hpp"
#include "enas/backend/cuda/batchnorm.hpp"

namespace enas::backend {

using cpu::batch_norm_backward, cuda::batch_norm_backward;
using cpu::batch_norm_forward, cuda::batch_norm_forward;

}  // namespace enas::backend
