// The elementwise family's kernels on every device, as ops/elementwise.hpp calls them:
// backend::activation_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU
// kernel (enas::cpu, backend/cpu/elementwise.hpp) for a Context<Cpu> and to the CUDA launcher
// (enas::cuda, backend/cuda/elementwise.hpp) for a Context<Cuda>. In a build without a CUDA backend
// the launchers still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/elementwise.hpp"
#include "enas/backend/cuda/elementwise.hpp"

namespace enas::backend {

using cpu::activation_backward, cuda::activation_backward;
using cpu::activation_forward, cuda::activation_forward;
using cpu::add_forward, cuda::add_forward;
using cpu::axpy, cuda::axpy;
using cpu::mul_backward, cuda::mul_backward;
using cpu::mul_forward, cuda::mul_forward;
using cpu::scale_forward, cuda::scale_forward;

}  // namespace enas::backend
