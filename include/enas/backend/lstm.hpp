// The lstm family's kernels on every device, as ops/lstm.hpp calls them:
// backend::lstm_cell_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU
// kernel (enas::cpu, backend/cpu/lstm.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/lstm.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers still
// link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/lstm.hpp"
#include "enas/backend/cuda/lstm.hpp"

namespace enas::backend {

using cpu::lstm_cell_backward, cuda::lstm_cell_backward;
using cpu::lstm_cell_forward, cuda::lstm_cell_forward;

}  // namespace enas::backend
