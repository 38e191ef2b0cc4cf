// Batchnorm family over a macro-search-sized activation (128 x 36 x 32 x 32 floats): training
// forward (batch statistics + running update), backward through the batch statistics, the two
// together, and the evaluation forward.
#include <benchmark/benchmark.h>

#include "enas/ops/batchnorm.hpp"

namespace {
using namespace enas;

const Shape kInput{128, 36, 32, 32};

struct BatchNormState {
    Context<Cpu> ctx;
    Tensor<float, Cpu> x, y, gy, gx, gamma, beta, rm, rv, mean, inv_std, ggamma, gbeta;
    BatchNormState() {
        const Shape c{kInput[1]};
        x = Tensor<float, Cpu>(kInput);
        for (std::int64_t i = 0; i < x.numel(); ++i) x.data()[i] = static_cast<float>((i * 7919) % 1013) * 1e-3f;
        y = Tensor<float, Cpu>::zeros(kInput);
        gy = Tensor<float, Cpu>::full(kInput, 0.5f);
        gx = Tensor<float, Cpu>::zeros(kInput);
        gamma = Tensor<float, Cpu>::full(c, 1.f);
        beta = Tensor<float, Cpu>::zeros(c);
        rm = Tensor<float, Cpu>::zeros(c);
        rv = Tensor<float, Cpu>::full(c, 1.f);
        mean = Tensor<float, Cpu>::zeros(c);
        inv_std = Tensor<float, Cpu>::zeros(c);
        ggamma = Tensor<float, Cpu>::zeros(c);
        gbeta = Tensor<float, Cpu>::zeros(c);
    }
    void forward(BatchNormMode mode) {
        const BatchNormParams p{mode, 1e-5, 0.9, RunningVarianceUpdate::Biased};
        cpu::batch_norm_forward(ctx, p, x, gamma, beta, rm, rv, y, mean, inv_std);
    }
    void backward(BatchNormMode mode) {
        cpu::batch_norm_backward(ctx, mode, x, gamma, mean, inv_std, gy, gx, ggamma, gbeta);
    }
};

void BM_BatchNormTrainForward(benchmark::State& state) {
    BatchNormState s;
    for (auto _ : state) {
        s.forward(BatchNormMode::Train);
        benchmark::DoNotOptimize(s.y.data());
    }
    state.SetBytesProcessed(state.iterations() * kInput.numel() * 4 * 4);  // x read 3 times, y written
}
BENCHMARK(BM_BatchNormTrainForward)->Unit(benchmark::kMicrosecond);

void BM_BatchNormTrainBackward(benchmark::State& state) {
    BatchNormState s;
    s.forward(BatchNormMode::Train);
    for (auto _ : state) {
        s.backward(BatchNormMode::Train);
        benchmark::DoNotOptimize(s.gx.data());
    }
    state.SetBytesProcessed(state.iterations() * kInput.numel() * 4 * 6);  // x, gy twice; gx read + written
}
BENCHMARK(BM_BatchNormTrainBackward)->Unit(benchmark::kMicrosecond);

void BM_BatchNormTrainForwardBackward(benchmark::State& state) {
    BatchNormState s;
    for (auto _ : state) {
        s.forward(BatchNormMode::Train);
        s.backward(BatchNormMode::Train);
        benchmark::DoNotOptimize(s.gx.data());
    }
    state.SetBytesProcessed(state.iterations() * kInput.numel() * 4 * 10);
}
BENCHMARK(BM_BatchNormTrainForwardBackward)->Unit(benchmark::kMicrosecond);

void BM_BatchNormEvalForward(benchmark::State& state) {
    BatchNormState s;
    for (auto _ : state) {
        s.forward(BatchNormMode::Eval);
        benchmark::DoNotOptimize(s.y.data());
    }
    state.SetBytesProcessed(state.iterations() * kInput.numel() * 4 * 2);
}
BENCHMARK(BM_BatchNormEvalForward)->Unit(benchmark::kMicrosecond);
}  // namespace
