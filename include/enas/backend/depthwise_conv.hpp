// The depthwise conv family's kernels on every device, as ops/depthwise_conv.hpp calls them:
// backend::depthwise_conv2d_forward(ctx, ...) is overloaded on the context, so it resolves to the
// CPU kernel (enas::cpu, backend/cpu/depthwise_conv.hpp) for a Context<Cpu> and to the CUDA
// launcher (enas::cuda, backend/cuda/depthwise_conv.hpp) for a Context<Cuda>. In a build without a
// CUDA backend the launchers still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/depthwise_conv.hpp"
#include "enas/backend/cuda/depthwise_conv.hpp"

namespace enas::backend {

using cpu::depthwise_conv2d_backward_input, cuda::depthwise_conv2d_backward_input;
using cpu::depthwise_conv2d_backward_weight, cuda::depthwise_conv2d_backward_weight;
using cpu::depthwise_conv2d_forward, cuda::depthwise_conv2d_forward;

}  // namespace enas::backend
