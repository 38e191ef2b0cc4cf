// enas_gpu_timing: a short side-by-side timing of the CUDA kernels at ENAS shapes on a real GPU,
// for scripts/gpu_check.sh (docs/gpu.md; the expected times are in docs/performance.md, "GPU
// napkin math"). Dense conv: our FP32 implicit GEMM next to cuDNN when the build has it; also the
// depthwise conv, max pool and batch norm. Each row: median of 20 timed runs after 3 warm-ups,
// timed on the host around a stream synchronize (launch overhead included, as in training).
// Usage: enas_gpu_timing [--quick]   (--quick: one shape per family, for a smoke run)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "enas/backend/cuda/batchnorm.hpp"
#include "enas/backend/cuda/conv.hpp"
#include "enas/backend/cuda/depthwise_conv.hpp"
#include "enas/backend/cuda/device.hpp"
#include "enas/backend/cuda/pool.hpp"
#include "enas/core/context.hpp"
#include "conv_shapes.hpp"
#include "enas/core/device_memory.hpp"

namespace {
using namespace enas;

using ConvCase = bench::ConvShape;

Tensor<float, Cuda> filled(Context<Cuda>& ctx, const Shape& s, float value) {
    Tensor<float, Cuda> t = ctx.empty<float>(s);
    t.fill(value);
    return t;
}

/// Median milliseconds of `op` over 20 runs after 3 warm-ups.
double time_ms(const std::function<void()>& op) {
    for (int i = 0; i < 3; ++i) op();
    cuda::synchronize();
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        op();
        cuda::synchronize();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

void row(const std::string& what, double flops, double ours, double cudnn) {
    std::printf("%-44s %9.3f ms %8.0f GFLOP/s", what.c_str(), ours, flops / ours * 1e-6);
    if (cudnn > 0)
        std::printf("   cuDNN %9.3f ms %8.0f GFLOP/s  (ours / cuDNN %.2fx)", cudnn, flops / cudnn * 1e-6, ours / cudnn);
    std::printf("\n");
}

void dense(Context<Cuda>& ctx, const ConvCase& c) {
    Conv2dParams p;
    p.stride_h = p.stride_w = c.stride;
    const std::int64_t oh = (c.h + c.stride - 1) / c.stride, ow = (c.w + c.stride - 1) / c.stride;
    const auto x = filled(ctx, {c.n, c.c_in, c.h, c.w}, 0.5f), w = filled(ctx, {c.c_out, c.c_in, c.k, c.k}, 0.25f);
    auto y = filled(ctx, {c.n, c.c_out, oh, ow}, 0.0f), gy = filled(ctx, {c.n, c.c_out, oh, ow}, 1.0f);
    auto gx = filled(ctx, {c.n, c.c_in, c.h, c.w}, 0.0f), gw = filled(ctx, {c.c_out, c.c_in, c.k, c.k}, 0.0f);
    const double flops = 2.0 * static_cast<double>(c.n * c.c_out * oh * ow * c.c_in * c.k * c.k);
    const bool with_cudnn = cuda::cudnn_conv_available();
    const std::string name = "conv " + c.label();
    row(name + " fwd", flops, time_ms([&] { cuda::conv2d_forward(ctx, p, x, w, y); }),
        with_cudnn ? time_ms([&] { cuda::cudnn_conv2d_forward(ctx, p, x, w, y); }) : 0);
    row(name + " bwd-in", flops, time_ms([&] { cuda::conv2d_backward_input(ctx, p, gy, w, gx); }),
        with_cudnn ? time_ms([&] { cuda::cudnn_conv2d_backward_input(ctx, p, gy, w, gx); }) : 0);
    row(name + " bwd-w", flops, time_ms([&] { cuda::conv2d_backward_weight(ctx, p, x, gy, gw); }),
        with_cudnn ? time_ms([&] { cuda::cudnn_conv2d_backward_weight(ctx, p, x, gy, gw); }) : 0);
}

void others(Context<Cuda>& ctx, std::int64_t n, std::int64_t c, std::int64_t hw) {
    const std::string shape =
        " n" + std::to_string(n) + " c" + std::to_string(c) + " " + std::to_string(hw) + "x" + std::to_string(hw);
    const auto x = filled(ctx, {n, c, hw, hw}, 0.5f);
    auto y = filled(ctx, {n, c, hw, hw}, 0.0f), gy = filled(ctx, {n, c, hw, hw}, 1.0f);
    auto gx = filled(ctx, {n, c, hw, hw}, 0.0f);
    const double elems = static_cast<double>(n * c * hw * hw);
    for (int k : {3, 5}) {
        Conv2dParams p;
        const auto w = filled(ctx, {c, 1, k, k}, 0.1f);
        auto gw = filled(ctx, {c, 1, k, k}, 0.0f);
        const std::string name = "depthwise k" + std::to_string(k) + shape;
        const double flops = 2.0 * elems * k * k;
        row(name + " fwd", flops, time_ms([&] { cuda::depthwise_conv2d_forward(ctx, p, x, w, y); }), 0);
        row(name + " bwd-in", flops, time_ms([&] { cuda::depthwise_conv2d_backward_input(ctx, p, gy, w, gx); }), 0);
        row(name + " bwd-w", flops, time_ms([&] { cuda::depthwise_conv2d_backward_weight(ctx, p, x, gy, gw); }), 0);
    }
    Pool2dParams pp;
    Tensor<std::int32_t, Cuda> argmax = ctx.empty<std::int32_t>({n, c, hw, hw});
    row("max pool 3x3" + shape + " fwd", 9 * elems, time_ms([&] { cuda::max_pool2d_forward(ctx, pp, x, y, argmax); }),
        0);
    row("max pool 3x3" + shape + " bwd", elems, time_ms([&] { cuda::max_pool2d_backward(ctx, argmax, gy, gx); }), 0);
    BatchNormParams bp;
    const auto gamma = filled(ctx, {c}, 1.0f), beta = filled(ctx, {c}, 0.0f);
    auto rm = filled(ctx, {c}, 0.0f), rv = filled(ctx, {c}, 1.0f), mean = filled(ctx, {c}, 0.0f);
    auto inv_std = filled(ctx, {c}, 1.0f), gg = filled(ctx, {c}, 0.0f), gb = filled(ctx, {c}, 0.0f);
    row("batch norm" + shape + " fwd", 8 * elems,
        time_ms([&] { cuda::batch_norm_forward(ctx, bp, x, gamma, beta, rm, rv, y, mean, inv_std); }), 0);
    row("batch norm" + shape + " bwd", 10 * elems,
        time_ms([&] { cuda::batch_norm_backward(ctx, bp.mode, x, gamma, mean, inv_std, gy, gx, gg, gb); }), 0);
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    if (enas::cuda::device_count() == 0) {
        std::printf("enas_gpu_timing: no CUDA device\n");
        return 77;
    }
    std::printf("device: %s\n", enas::cuda::device_summary().c_str());
    std::printf("cuDNN baseline: %s\n", enas::cuda::cudnn_conv_available() ? "yes (FP32)" : "not in this build");
    enas::Context<enas::Cuda> ctx(1);
    for (const ConvCase& c : enas::bench::kMacroConvShapes) {
        dense(ctx, c);
        if (quick) break;
    }
    if (!quick)
        for (const ConvCase& c : enas::bench::kMicroDeepConvShapes) dense(ctx, c);
    others(ctx, 128, 36, 32);
    if (!quick) others(ctx, 128, 80, 16);
    return 0;
}
