// The controller's LSTM cell at its real sizes (batch 1, input = hidden = 64 and 100), forward and
// forward + backward: once through the kernels on preallocated buffers, once through the
// Var-level op on a tape (what the controller pays per step, allocation and closures included).
#include <benchmark/benchmark.h>

#include "enas/ops/lstm.hpp"

namespace {
using namespace enas;

Tensor<float, Cpu> filled(const Shape& s, float v) { return Tensor<float, Cpu>::full(s, v); }

void BM_LstmForwardKernel(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t h = state.range(0);
    auto x = filled({1, h}, 0.1f), hp = filled({1, h}, 0.2f), cp = filled({1, h}, 0.3f);
    auto w = filled({2 * h, 4 * h}, 0.01f), gates = filled({1, 4 * h}, 0);
    auto ho = filled({1, h}, 0), co = filled({1, h}, 0);
    for (auto _ : state) {
        cpu::lstm_cell_forward(ctx, x, hp, cp, w, gates, ho, co);
        benchmark::DoNotOptimize(ho.data());
    }
}
BENCHMARK(BM_LstmForwardKernel)->Arg(64)->Arg(100)->Unit(benchmark::kMicrosecond);

void BM_LstmForwardBackwardKernel(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t h = state.range(0);
    auto x = filled({1, h}, 0.1f), hp = filled({1, h}, 0.2f), cp = filled({1, h}, 0.3f);
    auto w = filled({2 * h, 4 * h}, 0.01f), gates = filled({1, 4 * h}, 0);
    auto ho = filled({1, h}, 0), co = filled({1, h}, 0);
    auto dh = filled({1, h}, 1), dc = filled({1, h}, 1), dx = filled({1, h}, 0), dhp = filled({1, h}, 0);
    auto dcp = filled({1, h}, 0), dw = filled({2 * h, 4 * h}, 0);
    for (auto _ : state) {
        cpu::lstm_cell_forward(ctx, x, hp, cp, w, gates, ho, co);
        cpu::lstm_cell_backward(ctx, x, hp, cp, w, gates, co, &dh, &dc, &dx, &dhp, &dcp, &dw);
        benchmark::DoNotOptimize(dw.data());
    }
}
BENCHMARK(BM_LstmForwardBackwardKernel)->Arg(64)->Arg(100)->Unit(benchmark::kMicrosecond);

void BM_LstmForwardBackwardTape(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t h = state.range(0);
    Var<float, Cpu> x(filled({1, h}, 0.1f), true), hp(filled({1, h}, 0.2f), true), cp(filled({1, h}, 0.3f), true);
    Var<float, Cpu> w(filled({2 * h, 4 * h}, 0.01f), true);
    const auto up = filled({1, h}, 1.f);
    Tape<Cpu> tape(ctx);
    for (auto _ : state) {
        auto out = ops::lstm_cell(tape, x, hp, cp, w);
        tape.backward(out.h, up);
        tape.clear();
        benchmark::DoNotOptimize(w.grad().data());
    }
}
BENCHMARK(BM_LstmForwardBackwardTape)->Arg(64)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace
