// Embedding family: a PTB batch of 35 x 64 token ids looked up in a [10000, 400] table, and the
// dense scatter-add backward. Reports bytes/s of embedding rows moved.
#include <benchmark/benchmark.h>

#include "enas/core/random.hpp"
#include "enas/ops/embedding.hpp"

namespace {
using namespace enas;

struct Problem {
    Tensor<float, Cpu> table = Tensor<float, Cpu>::full({10000, 400}, 0.1f);
    Tensor<float, Cpu> y = Tensor<float, Cpu>::zeros({35, 64, 400});
    Tensor<float, Cpu> grad = Tensor<float, Cpu>::zeros({10000, 400});
    Tensor<std::int32_t, Cpu> ids{Shape{35, 64}};
    Problem() {
        Rng rng(1);
        for (std::int64_t i = 0; i < ids.numel(); ++i) ids.data()[i] = static_cast<std::int32_t>(rng.below(10000));
    }
};

void BM_EmbeddingForward(benchmark::State& state) {
    Context<Cpu> ctx;
    Problem p;
    for (auto _ : state) {
        cpu::embedding_forward(ctx, p.table, p.ids, p.y);
        benchmark::DoNotOptimize(p.y.data());
    }
    state.SetBytesProcessed(state.iterations() * p.y.numel() * 8);
}
BENCHMARK(BM_EmbeddingForward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_EmbeddingBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    Problem p;
    for (auto _ : state) {
        cpu::embedding_backward(ctx, p.ids, p.y, p.grad);
        benchmark::DoNotOptimize(p.grad.data());
    }
    state.SetBytesProcessed(state.iterations() * p.y.numel() * 12);
}
BENCHMARK(BM_EmbeddingBackward)->Unit(benchmark::kMicrosecond)->UseRealTime();
}  // namespace
