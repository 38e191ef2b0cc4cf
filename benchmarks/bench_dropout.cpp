// Dropout family over a macro-search-sized activation (128 x 36 x 32 x 32 floats): elementwise
// dropout forward (mask drawn with Philox) and backward (mask recomputed), drop-path forward
// (mask draw plus row scaling) and backward, and locked dropout over an RNN-sized [35, 64, 1000].
// Reports bytes/s.
#include <benchmark/benchmark.h>

#include "enas/ops/dropout.hpp"

namespace {
using namespace enas;

const Shape kConvShape{128, 36, 32, 32};

void BM_DropoutForward(benchmark::State& state) {
    Context<Cpu> ctx(1);
    auto x = Tensor<float, Cpu>::full(kConvShape, 0.3f), y = Tensor<float, Cpu>::full(kConvShape, 0.f);
    for (auto _ : state) {
        const DropoutDraw d{ctx.rng().seed(), ctx.rng().reserve(static_cast<std::uint64_t>(x.numel())), 0.9};
        cpu::dropout_forward(ctx, d, x, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * kConvShape.numel() * 8);
}
BENCHMARK(BM_DropoutForward)->Unit(benchmark::kMicrosecond);

void BM_DropoutBackward(benchmark::State& state) {
    Context<Cpu> ctx(1);
    auto gy = Tensor<float, Cpu>::full(kConvShape, 1.f), gx = Tensor<float, Cpu>::full(kConvShape, 0.f);
    const DropoutDraw d{1, 0, 0.9};
    for (auto _ : state) {
        cpu::dropout_backward(ctx, d, gy, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * kConvShape.numel() * 12);
}
BENCHMARK(BM_DropoutBackward)->Unit(benchmark::kMicrosecond);

void BM_DropPathForward(benchmark::State& state) {
    Context<Cpu> ctx(1);
    auto x = Tensor<float, Cpu>::full(kConvShape, 0.3f);
    for (auto _ : state) {
        auto y = ops::drop_path(ctx, x, 0.8);  // draws the [128] mask, allocates y from the cache
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * kConvShape.numel() * 8);
}
BENCHMARK(BM_DropPathForward)->Unit(benchmark::kMicrosecond);

void BM_DropPathBackward(benchmark::State& state) {
    Context<Cpu> ctx(1);
    auto gy = Tensor<float, Cpu>::full(kConvShape, 1.f), gx = Tensor<float, Cpu>::full(kConvShape, 0.f);
    Tensor<float, Cpu> mask({kConvShape[0]});
    cpu::dropout_mask(ctx, DropoutDraw{1, 0, 0.8}, mask);
    for (auto _ : state) {
        cpu::row_mask_backward(ctx, gy, mask, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * kConvShape.numel() * 12);
}
BENCHMARK(BM_DropPathBackward)->Unit(benchmark::kMicrosecond);

void BM_LockedDropoutForward(benchmark::State& state) {
    Context<Cpu> ctx(1);
    const Shape s{35, 64, 1000};
    auto x = Tensor<float, Cpu>::full(s, 0.3f);
    for (auto _ : state) {
        auto y = ops::locked_dropout(ctx, x, 0.75);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * s.numel() * 8);
}
BENCHMARK(BM_LockedDropoutForward)->Unit(benchmark::kMicrosecond);

}  // namespace
