// The rnn_node family's kernels on every device, as ops/rnn_node.hpp calls them:
// backend::rnn_node_forward(ctx, ...) is overloaded on the context, so it resolves to the CPU
// kernel (enas::cpu, backend/cpu/rnn_node.hpp) for a Context<Cpu> and to the CUDA launcher
// (enas::cuda, backend/cuda/rnn_node.hpp) for a Context<Cuda>. In a build without a CUDA backend
// the launchers still link and throw DeviceError naming themselves (cuda/absent.cpp).
#pragma once
#include "enas/backend/cpu/rnn_node.hpp"
#include "enas/backend/cuda/rnn_node.hpp"

namespace enas::backend {

using cpu::rnn_node_backward, cuda::rnn_node_backward;
using cpu::rnn_node_forward, cuda::rnn_node_forward;

}  // namespace enas::backend
