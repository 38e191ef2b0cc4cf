// The softmax family's kernels on every device, as ops/softmax.hpp calls them:
// backend::softmax_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU kernel
// (enas::cpu, backend/cpu/softmax.hpp) for a Context<Cpu> and to the CUDA launcher (enas::cuda,
// backend/cuda/softmax.hpp) for a Context<Cuda>. In a build without a CUDA backend the launchers
// still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/softmax.hpp"
#include "enas/backend/cuda/softmax.hpp"

namespace enas::backend {

using cpu::argmax_forward, cuda::argmax_forward;
using cpu::log_softmax_backward, cuda::log_softmax_backward;
using cpu::log_softmax_forward, cuda::log_softmax_forward;
using cpu::softmax_backward, cuda::softmax_backward;
using cpu::softmax_cross_entropy_backward, cuda::softmax_cross_entropy_backward;
using cpu::softmax_cross_entropy_forward, cuda::softmax_cross_entropy_forward;
using cpu::softmax_forward, cuda::softmax_forward;

}  // namespace enas::backend
