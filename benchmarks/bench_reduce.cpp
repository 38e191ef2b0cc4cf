// Reduce family: global average pooling of the macro head's input (128 x 36 x 8 x 8) and of a
// full-resolution activation (128 x 36 x 32 x 32), forward and backward; sum of squares (the L2
// term) over 1M floats, forward and backward.
#include <benchmark/benchmark.h>

#include "enas/ops/reduce.hpp"

namespace {
using namespace enas;

void BM_GlobalAvgPoolForward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Shape s{128, 36, state.range(0), state.range(0)};
    auto x = Tensor<float, Cpu>::full(s, 0.3f), y = Tensor<float, Cpu>::zeros({128, 36});
    for (auto _ : state) {
        cpu::global_avg_pool_forward(ctx, x, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 4);
}
BENCHMARK(BM_GlobalAvgPoolForward)->Arg(8)->Arg(32)->Unit(benchmark::kMicrosecond);

void BM_GlobalAvgPoolBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Shape s{128, 36, state.range(0), state.range(0)};
    auto gy = Tensor<float, Cpu>::full({128, 36}, 1.f), gx = Tensor<float, Cpu>::zeros(s);
    for (auto _ : state) {
        cpu::global_avg_pool_backward(ctx, gy, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 8);
}
BENCHMARK(BM_GlobalAvgPoolBackward)->Arg(8)->Arg(32)->Unit(benchmark::kMicrosecond);

void BM_SumSquaresForward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Shape s{1 << 20};
    auto x = Tensor<float, Cpu>::full(s, 0.3f), y = Tensor<float, Cpu>::zeros({1});
    for (auto _ : state) {
        cpu::sum_squares_forward(ctx, x, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 4);
}
BENCHMARK(BM_SumSquaresForward)->Unit(benchmark::kMicrosecond);

void BM_SumSquaresBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Shape s{1 << 20};
    auto x = Tensor<float, Cpu>::full(s, 0.3f), gx = Tensor<float, Cpu>::zeros(s);
    auto gy = Tensor<float, Cpu>::full({1}, 1e-4f);
    for (auto _ : state) {
        cpu::sum_squares_backward(ctx, x, gy, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 12);
}
BENCHMARK(BM_SumSquaresBackward)->Unit(benchmark::kMicrosecond);
}  // namespace
