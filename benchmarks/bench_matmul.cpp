// Matmul family through enas::cpu::gemm: the macro child's classifier (linear 128 x 2304 -> 10),
// the controller's sizes (a [1, 128] x [128, 256] LSTM gate product, a 64 -> 64 linear), and a
// PTB-decoder-sized linear (640 x 1000 -> 10000); forward, and backward for input and weight.
// Reports FLOP/s (2 * M * N * K per product).
#include <benchmark/benchmark.h>

#include "enas/ops/matmul.hpp"

namespace {
using namespace enas;

/// Linear y [n, out] = x [n, in] * w^T; range(3) = 0 forward, 1 backward (input and weight).
void BM_Linear(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t n = state.range(0), in = state.range(1), out = state.range(2);
    const bool backward = state.range(3) != 0;
    auto x = Tensor<float, Cpu>::full({n, in}, 0.5f), w = Tensor<float, Cpu>::full({out, in}, 0.01f);
    auto y = Tensor<float, Cpu>::zeros({n, out}), gx = Tensor<float, Cpu>::zeros({n, in});
    auto gw = Tensor<float, Cpu>::zeros({out, in});
    const Tensor<float, Cpu> no_bias;
    for (auto _ : state) {
        if (backward) {
            cpu::linear_backward_input(ctx, w, y, gx);
            cpu::linear_backward_weight(ctx, x, y, gw);
        } else {
            cpu::linear_forward(ctx, x, w, no_bias, y);
        }
        benchmark::ClobberMemory();
    }
    state.counters["FLOP/s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * 2.0 * n * in * out * (backward ? 2 : 1), benchmark::Counter::kIsRate);
    state.SetLabel(backward ? "backward" : "forward");
}
BENCHMARK(BM_Linear)
    ->Args({128, 2304, 10, 0})
    ->Args({128, 2304, 10, 1})
    ->Args({1, 64, 64, 0})
    ->Args({1, 64, 64, 1})
    ->Args({64, 64, 64, 0})
    ->Args({64, 64, 64, 1})
    ->Args({640, 1000, 10000, 0})
    ->Args({640, 1000, 10000, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

/// The controller's LSTM gate product [1, 2H] x [2H, 4H] for H = 64, forward and backward.
void BM_ControllerGates(benchmark::State& state) {
    Context<Cpu> ctx;
    const bool backward = state.range(0) != 0;
    auto a = Tensor<float, Cpu>::full({1, 128}, 0.5f), b = Tensor<float, Cpu>::full({128, 256}, 0.01f);
    auto y = Tensor<float, Cpu>::zeros({1, 256}), ga = Tensor<float, Cpu>::zeros({1, 128});
    auto gb = Tensor<float, Cpu>::zeros({128, 256});
    for (auto _ : state) {
        if (backward) {
            cpu::matmul_backward_a(ctx, false, false, b, y, ga);
            cpu::matmul_backward_b(ctx, false, false, a, y, gb);
        } else {
            cpu::matmul_forward(ctx, false, false, a, b, y);
        }
        benchmark::ClobberMemory();
    }
    state.SetLabel(backward ? "backward" : "forward");
}
BENCHMARK(BM_ControllerGates)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
}  // namespace
