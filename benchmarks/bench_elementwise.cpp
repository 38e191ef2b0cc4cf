// Elementwise family: activation forward/backward and add over a macro-search-sized activation
// (128 x 36 x 32 x 32 floats). Reports bytes/s.
#include <benchmark/benchmark.h>

#include "enas/ops/elementwise.hpp"

namespace {
using namespace enas;

Tensor<float, Cpu> filled(const Shape& s, float v) { return Tensor<float, Cpu>::full(s, v); }

void BM_ActivationForward(benchmark::State& state) {
    Context<Cpu> ctx;
    const auto act = static_cast<Activation>(state.range(0));
    const Shape s{128, 36, 32, 32};
    auto x = filled(s, 0.3f), y = filled(s, 0.f);
    for (auto _ : state) {
        cpu::activation_forward(ctx, act, x, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 8);
    state.SetLabel(activation_name(act));
}
BENCHMARK(BM_ActivationForward)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

void BM_ActivationBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    const auto act = static_cast<Activation>(state.range(0));
    const Shape s{128, 36, 32, 32};
    auto y = filled(s, 0.3f), gy = filled(s, 1.f), gx = filled(s, 0.f);
    for (auto _ : state) {
        cpu::activation_backward(ctx, act, y, gy, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 12);
    state.SetLabel(activation_name(act));
}
BENCHMARK(BM_ActivationBackward)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

void BM_Add(benchmark::State& state) {
    Context<Cpu> ctx;
    const Shape s{128, 36, 32, 32};
    auto a = filled(s, 1.f), b = filled(s, 2.f), y = filled(s, 0.f);
    for (auto _ : state) {
        cpu::add_forward(ctx, a, b, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 12);
}
BENCHMARK(BM_Add)->Unit(benchmark::kMicrosecond);
}  // namespace
