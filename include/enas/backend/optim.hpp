// The optim family's kernels on every device, as ops/optim.hpp calls them: backend::sgd_step(ctx,
// ...) is overloaded on the context, so it resolves to the CPU kernel (enas::cpu,
// backend/cpu/optim.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/optim.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers
// still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/optim.hpp"
#include "enas/backend/cuda/optim.hpp"

namespace enas::backend {

using cpu::adam_step, cuda::adam_step;
using cpu::scale_in_place, cuda::scale_in_place;
using cpu::sgd_step, cuda::sgd_step;
using cpu::sum_of_squares, cuda::sum_of_squares;

}  // namespace enas::backend
