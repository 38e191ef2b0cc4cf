// Softmax family: the mean cross-entropy forward and backward for the CIFAR child's loss
// (N = 128, K = 10) and a PTB-sized vocabulary (N = 640, K = 10000), and log-softmax on the
// latter. Reports rows/s.
#include <benchmark/benchmark.h>

#include "enas/core/random.hpp"
#include "enas/ops/softmax.hpp"

namespace {
using namespace enas;

struct Problem {
    Tensor<float, Cpu> logits, probs, loss, grad, upstream;
    Tensor<std::int32_t, Cpu> labels;
    Problem(std::int64_t n, std::int64_t k)
        : logits({n, k}), probs({n, k}), loss({1}), grad(Tensor<float, Cpu>::zeros({n, k})),
          upstream(Tensor<float, Cpu>::full({1}, 1.f)), labels({n}) {
        Rng rng(1);
        for (std::int64_t i = 0; i < logits.numel(); ++i) logits.data()[i] = rng.uniform(-4.f, 4.f);
        for (std::int64_t i = 0; i < n; ++i)
            labels.data()[i] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(k)));
    }
};

void BM_CrossEntropyForward(benchmark::State& state) {
    Context<Cpu> ctx;
    Problem p(state.range(0), state.range(1));
    for (auto _ : state) {
        cpu::softmax_cross_entropy_forward(ctx, p.logits, p.labels, p.probs, p.loss);
        benchmark::DoNotOptimize(p.loss.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CrossEntropyForward)->Args({128, 10})->Args({640, 10000})->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_CrossEntropyBackward(benchmark::State& state) {
    Context<Cpu> ctx;
    Problem p(state.range(0), state.range(1));
    cpu::softmax_cross_entropy_forward(ctx, p.logits, p.labels, p.probs, p.loss);
    for (auto _ : state) {
        cpu::softmax_cross_entropy_backward(ctx, p.probs, p.labels, p.upstream, p.grad);
        benchmark::DoNotOptimize(p.grad.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CrossEntropyBackward)->Args({128, 10})->Args({640, 10000})->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_LogSoftmaxForward(benchmark::State& state) {
    Context<Cpu> ctx;
    Problem p(state.range(0), state.range(1));
    for (auto _ : state) {
        cpu::log_softmax_forward(ctx, p.logits, p.probs);
        benchmark::DoNotOptimize(p.probs.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LogSoftmaxForward)->Args({640, 10000})->Unit(benchmark::kMicrosecond)->UseRealTime();
}  // namespace
