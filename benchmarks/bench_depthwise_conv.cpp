// Depthwise conv family: forward, backward-input and backward-weight of the separable convs'
// depthwise 3x3 and 5x5 at the macro search shape (N=128, C=36, 32x32) and at the micro search
// shapes (N=160; F=20 at 32x32, 40 at 16x16, 80 at 8x8), stride 1 and 2. Wall-clock rates:
// images/s and GFLOP/s (2 * n * c * kh * kw * out_h * out_w per pass).
#include <benchmark/benchmark.h>

#include <string>

#include "enas/ops/depthwise_conv.hpp"

namespace {
using namespace enas;

struct DwShape {
    const char* name;
    std::int64_t n, c, h, w, k;
    int stride;
};
const DwShape kShapes[] = {
    {"macro_c36_32x32_k3_s1", 128, 36, 32, 32, 3, 1}, {"macro_c36_32x32_k5_s1", 128, 36, 32, 32, 5, 1},
    {"micro_f20_32x32_k3_s1", 160, 20, 32, 32, 3, 1}, {"micro_f40_16x16_k5_s1", 160, 40, 16, 16, 5, 1},
    {"micro_f80_8x8_k3_s1", 160, 80, 8, 8, 3, 1},     {"micro_f40_32x32_k3_s2", 160, 40, 32, 32, 3, 2},
};

Tensor<float, Cpu> filled(const Shape& s, std::uint64_t seed) {
    Tensor<float, Cpu> t(s);
    Rng rng(seed);
    for (std::int64_t i = 0; i < t.numel(); ++i) t.data()[i] = rng.uniform(-1.0f, 1.0f);
    return t;
}

enum class Pass { Forward, BackwardInput, BackwardWeight };

void run(benchmark::State& state, const DwShape& s, Pass pass) {
    Context<Cpu> ctx;
    const Conv2dParams params{s.stride, s.stride, Padding::Same};
    const auto x = filled({s.n, s.c, s.h, s.w}, 1), w = filled({s.c, 1, s.k, s.k}, 2);
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), params);
    const auto gy = filled(g.output_shape(), 3);
    auto y = ctx.template zeros<float>(g.output_shape());
    auto gx = ctx.template zeros<float>(x.shape());
    auto gw = ctx.template zeros<float>(w.shape());
    for (auto _ : state) {
        switch (pass) {
            case Pass::Forward: cpu::depthwise_conv2d_forward(ctx, params, x, w, y); break;
            case Pass::BackwardInput: cpu::depthwise_conv2d_backward_input(ctx, params, gy, w, gx); break;
            case Pass::BackwardWeight: cpu::depthwise_conv2d_backward_weight(ctx, params, x, gy, gw); break;
        }
        benchmark::ClobberMemory();
    }
    const double iters = static_cast<double>(state.iterations());
    const double flops = 2.0 * static_cast<double>(s.n * s.c * s.k * s.k * g.out_plane());
    state.counters["images_per_s"] = benchmark::Counter(iters * static_cast<double>(s.n), benchmark::Counter::kIsRate);
    state.counters["gflops"] = benchmark::Counter(iters * flops / 1e9, benchmark::Counter::kIsRate);
}

const bool kRegistered = [] {
    const std::pair<Pass, const char*> passes[] = {
        {Pass::Forward, "forward"}, {Pass::BackwardInput, "backward_input"}, {Pass::BackwardWeight, "backward_weight"}};
    for (const DwShape& s : kShapes)
        for (const auto& [pass, name] : passes) {
            const std::string full = std::string("depthwise_conv/") + s.name + "/" + name;
            benchmark::RegisterBenchmark(full.c_str(), [s, pass](benchmark::State& st) { run(st, s, pass); })
                ->Unit(benchmark::kMicrosecond)
                ->UseRealTime();
        }
    return true;
}();

}  // namespace
