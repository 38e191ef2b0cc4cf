// Fused optimizer updates over 1M and 10M floats (a macro child is ~1M-10M parameters):
// Nesterov SGD (param, grad, momentum: 5 streams), Adam (param, grad, m, v: 7 streams), and the
// global norm (one read). Reports bytes/s.
#include <benchmark/benchmark.h>

#include "enas/ops/optim.hpp"

namespace {
using namespace enas;

Tensor<float, Cpu> filled(std::int64_t n, float v) { return Tensor<float, Cpu>::full({n}, v); }

void BM_SgdNesterov(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t n = state.range(0);
    auto p = filled(n, 0.5f), g = filled(n, 1e-3f), m = filled(n, 0.f);
    const SgdParams sp{0.05, 0.9, true, 5e-4};
    for (auto _ : state) {
        ops::sgd_step(ctx, p, g, m, sp);
        benchmark::DoNotOptimize(p.data());
    }
    state.SetBytesProcessed(state.iterations() * n * 4 * 5);
}
BENCHMARK(BM_SgdNesterov)->Arg(1 << 20)->Arg(10 << 20)->Unit(benchmark::kMicrosecond);

void BM_Adam(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::int64_t n = state.range(0);
    auto p = filled(n, 0.5f), g = filled(n, 1e-3f), m = filled(n, 0.f), v = filled(n, 0.f);
    const AdamParams ap{1e-3, 0.0, 0.999, 1e-3, static_cast<AdamForm>(state.range(1))};
    std::int64_t t = 0;
    for (auto _ : state) {
        ops::adam_step(ctx, p, g, m, v, ap, ++t);
        benchmark::DoNotOptimize(p.data());
    }
    state.SetBytesProcessed(state.iterations() * n * 4 * 7);
    state.SetLabel(adam_form_name(ap.form));
}
BENCHMARK(BM_Adam)->ArgsProduct({{1 << 20, 10 << 20}, {0, 1}})->Unit(benchmark::kMicrosecond);

void BM_GlobalNorm(benchmark::State& state) {
    Context<Cpu> ctx;
    const std::vector<Tensor<float, Cpu>> grads = {filled(state.range(0), 1e-3f)};
    for (auto _ : state) benchmark::DoNotOptimize(ops::global_norm(ctx, grads));
    state.SetBytesProcessed(state.iterations() * state.range(0) * 4);
}
BENCHMARK(BM_GlobalNorm)->Arg(1 << 20)->Arg(10 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace
