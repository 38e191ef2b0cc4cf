// The dense conv family's kernels on every device, as ops/conv.hpp calls them:
// backend::conv2d_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU kernel
// (enas::cpu, backend/cpu/conv.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/conv.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers still
// link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/conv.hpp"
#include "enas/backend/cuda/conv.hpp"

namespace enas::backend {

using cpu::conv2d_backward_input, cuda::conv2d_backward_input;
using cpu::conv2d_backward_weight, cuda::conv2d_backward_weight;
using cpu::conv2d_forward, cuda::conv2d_forward;

}  // namespace enas::backend
