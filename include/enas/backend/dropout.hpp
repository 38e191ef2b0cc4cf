// The dropout family's kernels on every device, as ops/dropout.hpp calls them:
// backend::dropout_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU kernel
// (enas::cpu, backend/cpu/dropout.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/dropout.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers
// still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/dropout.hpp"
#include "enas/backend/cuda/dropout.hpp"

namespace enas::backend {

using cpu::dropout_backward, cuda::dropout_backward;
using cpu::dropout_forward, cuda::dropout_forward;
using cpu::dropout_mask, cuda::dropout_mask;
using cpu::locked_mask_backward, cuda::locked_mask_backward;
using cpu::locked_mask_forward, cuda::locked_mask_forward;
using cpu::row_mask_backward, cuda::row_mask_backward;
using cpu::row_mask_forward, cuda::row_mask_forward;

}  // namespace enas::backend
