// The copy family's kernels on every device, as ops/copy.hpp calls them:
// backend::concat_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU kernel
// (enas::cpu, backend/cpu/copy.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/copy.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers still
// link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/copy.hpp"
#include "enas/backend/cuda/copy.hpp"

namespace enas::backend {

using cpu::concat_backward, cuda::concat_backward;
using cpu::concat_forward, cuda::concat_forward;
using cpu::shifted_subsample_backward, cuda::shifted_subsample_backward;
using cpu::shifted_subsample_forward, cuda::shifted_subsample_forward;
using cpu::slice_backward, cuda::slice_backward;
using cpu::slice_forward, cuda::slice_forward;

}  // namespace enas::backend
