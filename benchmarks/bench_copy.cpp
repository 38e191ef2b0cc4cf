// Copy family: channel concat of four macro-search activations (4 x [128, 36, 32, 32] floats),
// its backward, and the factorized-reduction subsample (offset 0 and 1, stride 2) of one
// [128, 36, 32, 32] activation. Reports bytes/s (bytes read + written).
#include <benchmark/benchmark.h>

#include <vector>

#include "enas/ops/copy.hpp"

namespace {
using namespace enas;

const Shape kAct{128, 36, 32, 32};

void BM_ConcatForward(benchmark::State& state) {
    Context<Cpu> ctx;
    std::vector<Tensor<float, Cpu>> xs(4, Tensor<float, Cpu>::full(kAct, 0.5f));
    auto y = Tensor<float, Cpu>::zeros({128, 144, 32, 32});
    for (auto _ : state) {
        cpu::concat_forward(ctx, std::span<const Tensor<float, Cpu>>(xs), y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * y.numel() * 8);
}
BENCHMARK(BM_ConcatForward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_ConcatBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    auto gy = Tensor<float, Cpu>::full({128, 144, 32, 32}, 0.5f);
    std::vector<Tensor<float, Cpu>> gxs(4, Tensor<float, Cpu>::zeros(kAct));
    for (auto _ : state) {
        for (std::int64_t i = 0; i < 4; ++i) cpu::concat_backward(ctx, 36 * i, gy, gxs[static_cast<std::size_t>(i)]);
        benchmark::DoNotOptimize(gxs[0].data());
    }
    state.SetBytesProcessed(state.iterations() * gy.numel() * 12);
}
BENCHMARK(BM_ConcatBackward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_ShiftedSubsampleForward(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t offset = state.range(0);
    auto x = Tensor<float, Cpu>::full(kAct, 0.5f);
    auto y = Tensor<float, Cpu>::zeros({128, 36, 16, 16});
    for (auto _ : state) {
        cpu::shifted_subsample_forward(ctx, offset, 2, x, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * y.numel() * 8);
    state.SetLabel(offset == 0 ? "FR path 1" : "FR path 2");
}
BENCHMARK(BM_ShiftedSubsampleForward)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_ShiftedSubsampleBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t offset = state.range(0);
    auto gy = Tensor<float, Cpu>::full({128, 36, 16, 16}, 0.5f);
    auto gx = Tensor<float, Cpu>::zeros(kAct);
    for (auto _ : state) {
        cpu::shifted_subsample_backward(ctx, offset, 2, gy, gx);
        benchmark::DoNotOptimize(gx.data());
    }
    state.SetBytesProcessed(state.iterations() * gy.numel() * 12);
    state.SetLabel(offset == 0 ? "FR path 1" : "FR path 2");
}
BENCHMARK(BM_ShiftedSubsampleBackward)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_SliceForward(benchmark::State& state) {
    Context<Cpu> ctx;
    auto x = Tensor<float, Cpu>::full({128, 144, 32, 32}, 0.5f);
    auto y = Tensor<float, Cpu>::zeros(kAct);
    for (auto _ : state) {
        cpu::slice_forward(ctx, 36, x, y);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(state.iterations() * y.numel() * 8);
}
BENCHMARK(BM_SliceForward)->Unit(benchmark::kMicrosecond)->UseRealTime();
}  // namespace
