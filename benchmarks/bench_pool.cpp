// Pool family: 3x3 average and max pooling, SAME padding, forward and backward, over a
// macro-search-sized activation (128 x 36 x 32 x 32 floats). Arg: the stride (1 or 2).
#include <benchmark/benchmark.h>

#include "enas/ops/pool.hpp"

namespace {
using namespace enas;

const Shape kInput{128, 36, 32, 32};

Pool2dParams params(benchmark::State& state) {
    const int s = static_cast<int>(state.range(0));
    return Pool2dParams{3, 3, s, s, Padding::Same};
}

Shape output_shape(const Pool2dParams& p) {
    return Shape{kInput[0], kInput[1], pool_axis(kInput[2], 3, p.stride_h, p.padding).out,
                 pool_axis(kInput[3], 3, p.stride_w, p.padding).out};
}

void BM_AvgPoolForward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Pool2dParams p = params(state);
    auto x = Tensor<float, Cpu>::full(kInput, 0.3f), y = Tensor<float, Cpu>::zeros(output_shape(p));
    for (auto _ : state) {
        cpu::avg_pool2d_forward(ctx, p, x, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * (kInput.numel() + y.numel()) * 4);
}
BENCHMARK(BM_AvgPoolForward)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void BM_AvgPoolBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Pool2dParams p = params(state);
    auto gy = Tensor<float, Cpu>::full(output_shape(p), 1.f), gx = Tensor<float, Cpu>::zeros(kInput);
    for (auto _ : state) {
        cpu::avg_pool2d_backward(ctx, p, gy, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * (2 * kInput.numel() + gy.numel()) * 4);
}
BENCHMARK(BM_AvgPoolBackward)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// Arg 2 (second): 1 = also record argmax (training), 0 = values only (evaluation).
void BM_MaxPoolForward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Pool2dParams p = params(state);
    Tensor<float, Cpu> x(kInput);
    for (std::int64_t i = 0; i < x.numel(); ++i) x.data()[i] = static_cast<float>((i * 7919) % 1013);
    auto y = Tensor<float, Cpu>::zeros(output_shape(p));
    Tensor<std::int32_t, Cpu> arg = state.range(1) ? Tensor<std::int32_t, Cpu>(y.shape()) : Tensor<std::int32_t, Cpu>();
    for (auto _ : state) {
        cpu::max_pool2d_forward(ctx, p, x, y, arg);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * (kInput.numel() + y.numel() * (state.range(1) ? 2 : 1)) * 4);
    state.SetLabel(state.range(1) ? "with argmax" : "values only");
}
BENCHMARK(BM_MaxPoolForward)->Args({1, 1})->Args({1, 0})->Args({2, 1})->Unit(benchmark::kMicrosecond);

void BM_MaxPoolBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    const Pool2dParams p = params(state);
    Tensor<float, Cpu> x(kInput);
    for (std::int64_t i = 0; i < x.numel(); ++i) x.data()[i] = static_cast<float>((i * 7919) % 1013);
    auto y = Tensor<float, Cpu>::zeros(output_shape(p));
    Tensor<std::int32_t, Cpu> arg(y.shape());
    cpu::max_pool2d_forward(ctx, p, x, y, arg);
    auto gy = Tensor<float, Cpu>::full(y.shape(), 1.f), gx = Tensor<float, Cpu>::zeros(kInput);
    for (auto _ : state) {
        cpu::max_pool2d_backward(ctx, arg, gy, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * (2 * kInput.numel() + 2 * gy.numel()) * 4);
}
BENCHMARK(BM_MaxPoolBackward)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
}  // namespace
