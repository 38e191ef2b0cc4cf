// The embedding family's kernels on every device, as ops/embedding.hpp calls them:
// backend::embedding_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU
// kernel (enas::cpu, backend/cpu/embedding.hpp) for a Context<Cpu> and to the CUDA launcher
// (enas::cuda, backend/cuda/embedding.hpp) for a Context<Cuda>. In a build without a CUDA backend
// the launchers still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/embedding.hpp"
#include "enas/backend/cuda/embedding.hpp"

namespace enas::backend {

using cpu::embedding_backward, cuda::embedding_backward;
using cpu::embedding_forward, cuda::embedding_forward;

}  // namespace enas::backend
