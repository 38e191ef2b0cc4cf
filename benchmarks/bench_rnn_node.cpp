// The ENAS highway node at the PT-RNN child's size (batch 64, hidden 1000) for each activation:
// forward, and backward into all three inputs. Reports bytes/s.
#include <benchmark/benchmark.h>

#include "enas/ops/rnn_node.hpp"

namespace {
using namespace enas;

const Shape kShape{64, 1000};

Tensor<float, Cpu> filled(float v) { return Tensor<float, Cpu>::full(kShape, v); }

void BM_RnnNodeForward(benchmark::State& state) {
    Context<Cpu> ctx;
    const auto act = static_cast<Activation>(state.range(0));
    auto s = filled(0.1f), c = filled(0.2f), h = filled(-0.3f), y = filled(0.f);
    for (auto _ : state) {
        cpu::rnn_node_forward(ctx, act, s, c, h, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * kShape.numel() * 16);
    state.SetLabel(activation_name(act));
}
BENCHMARK(BM_RnnNodeForward)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

void BM_RnnNodeBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    const auto act = static_cast<Activation>(state.range(0));
    auto s = filled(0.1f), c = filled(0.2f), h = filled(-0.3f), gy = filled(1.f);
    auto ds = filled(0.f), dc = filled(0.f), dh = filled(0.f);
    for (auto _ : state) {
        cpu::rnn_node_backward(ctx, act, s, c, h, gy, &ds, &dc, &dh);
        benchmark::DoNotOptimize(dh.data());
    }
    state.SetBytesProcessed(state.iterations() * kShape.numel() * 28);
    state.SetLabel(activation_name(act));
}
BENCHMARK(BM_RnnNodeBackward)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

}  // namespace
