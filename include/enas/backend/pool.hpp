// The pool family's kernels on every device, as ops/pool.hpp calls them:
// backend::avg_pool2d_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU
// kernel (enas::cpu, backend/cpu/pool.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/pool.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers still
// link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/pool.hpp"
#include "enas/backend/cuda/pool.hpp"

namespace enas::backend {

using cpu::avg_pool2d_backward, cuda::avg_pool2d_backward;
using cpu::avg_pool2d_forward, cuda::avg_pool2d_forward;
using cpu::max_pool2d_backward, cuda::max_pool2d_backward;
using cpu::max_pool2d_forward, cuda::max_pool2d_forward;

}  // namespace enas::backend
