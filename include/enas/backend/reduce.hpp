// The reduce family's kernels on every device, as ops/reduce.hpp calls them:
// backend::global_avg_pool_forward(ctx, ...) is overloaded on the context, so it resolves to the
// CPU kernel (enas::cpu, backend/cpu/reduce.hpp) for a Context<Cpu> and to the CUDA launcher
// (enas::cuda, backend/cuda/reduce.hpp) for a Context<Cuda>. In a build without a CUDA backend the
// launchers still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/reduce.hpp"
#include "enas/backend/cuda/reduce.hpp"

namespace enas::backend {

using cpu::global_avg_pool_backward, cuda::global_avg_pool_backward;
using cpu::global_avg_pool_forward, cuda::global_avg_pool_forward;
using cpu::sum_backward, cuda::sum_backward;
using cpu::sum_forward, cuda::sum_forward;
using cpu::sum_squares_backward, cuda::sum_squares_backward;
using cpu::sum_squares_forward, cuda::sum_squares_forward;

}  // namespace enas::backend
