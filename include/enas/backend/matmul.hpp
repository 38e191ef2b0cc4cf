// The matmul family's kernels on every device, as ops/matmul.hpp calls them:
// backend::matmul_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU kernel
// (enas::cpu, backend/cpu/matmul.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/matmul.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers
// still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/matmul.hpp"
#include "enas/backend/cuda/matmul.hpp"

namespace enas::backend {

using cpu::linear_backward_bias, cuda::linear_backward_bias;
using cpu::linear_backward_input, cuda::linear_backward_input;
using cpu::linear_backward_weight, cuda::linear_backward_weight;
using cpu::linear_forward, cuda::linear_forward;
using cpu::matmul_backward_a, cuda::matmul_backward_a;
using cpu::matmul_backward_b, cuda::matmul_backward_b;
using cpu::matmul_forward, cuda::matmul_forward;

}  // namespace enas::backend
