// Dense conv family at the macro search shape (N=128, 36 -> 36 channels, 32x32): forward,
// backward-input and backward-weight for 3x3 (the main target), 1x1, 5x5 and 3x3 stride 2, with
// images/s and GFLOP/s counters (wall-clock rates). Names match benchmarks/peer/torch_conv.py:
// conv/<shape>/<pass>. Also:
//  - conv/k3_s1/*/variant:*  the alternatives docs/performance.md compares: "blas" (im2col +
//    OpenBLAS instead of the AVX-512 kernels), "blas_threads" (the same, one image at a time with 2
//    BLAS threads instead of images over the OpenMP threads), "im2col_avx512" (an explicit im2col
//    matrix instead of the implicit GEMM), "block_256k" and "whole_image" (that, with im2col blocks
//    other than 1 MiB), "col2im" (GEMM + col2im for the backward-input at stride 1);
//  - sgemm/2048: the machine yardstick, SGEMM 2048^3 through enas::cpu::gemm with 2 BLAS threads.
// benchmarks/peer/compare_conv.sh runs this side by side with PyTorch.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <functional>
#include <string>
#include <vector>

#include "conv_shapes.hpp"
#include "enas/ops/conv.hpp"

namespace {
using namespace enas;

using bench::ConvShape;
const auto& kShapes = bench::kMacroConvShapes;

Tensor<float, Cpu> filled(const Shape& s, std::uint64_t seed) {
    Tensor<float, Cpu> t(s);
    Rng rng(seed);
    for (std::int64_t i = 0; i < t.numel(); ++i) t.data()[i] = rng.uniform(-1.0f, 1.0f);
    return t;
}

enum class Pass { Forward, BackwardInput, BackwardWeight };

/// How a variant runs the pass (the default is the library's own choice).
struct Variant {
    std::string label;
    bool col2im_input = false;  // backward-input through GEMM + col2im even at stride 1
    bool blas_threads = false;  // one image at a time, BLAS with 2 threads, no OpenMP loop
    cpu::conv_detail::ConvTuning tuning{};
};

void run_conv(benchmark::State& state, const ConvShape& s, Pass pass, const Variant& v) {
    Context<Cpu> ctx;
    const Conv2dParams params{s.stride, s.stride, Padding::Same};
    const auto x = filled({s.n, s.c_in, s.h, s.w}, 1), w = filled({s.c_out, s.c_in, s.k, s.k}, 2);
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), params);
    const auto gy = filled(g.output_shape(), 3);
    auto y = ctx.template zeros<float>(g.output_shape());
    auto gx = ctx.template zeros<float>(x.shape());
    auto gw = ctx.template zeros<float>(w.shape());
    const int omp_threads = omp_get_max_threads(), blas_threads = cpu::gemm_num_threads();
    if (v.blas_threads) {
        omp_set_num_threads(1);
        cpu::set_gemm_num_threads(2);
    }
    for (auto _ : state) {
        switch (pass) {
            case Pass::Forward:
                cpu::conv_detail::im2col_gemm<float>(ctx, g, x.data(), w.data(), false, y.data(), v.tuning);
                break;
            case Pass::BackwardInput:
                if (v.col2im_input || s.stride != 1)
                    cpu::conv_detail::backward_input_col2im<float>(ctx, g, gy.data(), w.data(), gx.data(), v.tuning);
                else
                    cpu::conv_detail::backward_input_stride1<float>(ctx, g, gy.data(), w.data(), gx.data(), v.tuning);
                break;
            case Pass::BackwardWeight:
                cpu::conv_detail::backward_weight<float>(ctx, g, x.data(), gy.data(), gw.data(), v.tuning);
                break;
        }
        benchmark::ClobberMemory();
    }
    if (v.blas_threads) {
        omp_set_num_threads(omp_threads);
        cpu::set_gemm_num_threads(blas_threads);
    }
    const double iters = static_cast<double>(state.iterations());
    state.counters["images_per_s"] = benchmark::Counter(iters * static_cast<double>(s.n), benchmark::Counter::kIsRate);
    state.counters["gflops"] = benchmark::Counter(iters * 2.0 * g.dense_macs() / 1e9, benchmark::Counter::kIsRate);
    const bool avx = cpu::conv_detail::use_avx512<float>(v.tuning);
    state.SetLabel(std::string(avx ? "avx512 gemm, " : "blas gemm, ") +
                   std::to_string(v.blas_threads ? 1 : omp_threads) + " omp threads, " +
                   std::to_string(v.blas_threads ? 2 : blas_threads) + " blas threads");
}

void register_conv(const ConvShape& s, Pass pass, const char* pass_name, const Variant& v) {
    std::string name = std::string("conv/") + s.name + "/" + pass_name;
    if (!v.label.empty()) name += "/variant:" + v.label;
    benchmark::RegisterBenchmark(name.c_str(), [s, pass, v](benchmark::State& st) { run_conv(st, s, pass, v); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

void BM_Sgemm(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    const int previous = cpu::gemm_num_threads();
    cpu::set_gemm_num_threads(2);
    const auto a = filled({n, n}, 4), b = filled({n, n}, 5);
    Tensor<float, Cpu> c({n, n});
    for (auto _ : state) {
        cpu::gemm<float>(false, false, n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
        benchmark::ClobberMemory();
    }
    cpu::set_gemm_num_threads(previous);
    state.counters["gflops"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * 2.0 * static_cast<double>(n * n * n) / 1e9,
                           benchmark::Counter::kIsRate);
    state.SetLabel(std::string(cpu::gemm_backend_name()) + ", 2 threads");
}

const bool kRegistered = [] {
    const std::pair<Pass, const char*> passes[] = {
        {Pass::Forward, "forward"}, {Pass::BackwardInput, "backward_input"}, {Pass::BackwardWeight, "backward_weight"}};
    for (const ConvShape& s : kShapes)
        for (const auto& [pass, name] : passes) register_conv(s, pass, name, Variant{});
    using cpu::conv_detail::ConvGemm;
    constexpr std::int64_t kBlock = cpu::conv_detail::kColBlockBytes;
    const ConvShape& k3 = kShapes[0];
    register_conv(k3, Pass::BackwardInput, "backward_input", Variant{"col2im", true, false, {}});
    for (const auto& [pass, name] : passes) {
        register_conv(k3, pass, name, Variant{"blas", false, false, {kBlock, ConvGemm::Blas}});
        register_conv(k3, pass, name, Variant{"blas_threads", false, true, {kBlock, ConvGemm::Blas}});
        const auto never = cpu::conv_detail::ImplicitGemm::Never;
        register_conv(k3, pass, name, Variant{"im2col_avx512", false, false, {kBlock, ConvGemm::Auto, never}});
        register_conv(k3, pass, name, Variant{"block_256k", false, false, {256 * 1024, ConvGemm::Auto, never}});
        register_conv(k3, pass, name,
                      Variant{"whole_image", false, false, {std::int64_t{1} << 40, ConvGemm::Auto, never}});
    }
    benchmark::RegisterBenchmark("sgemm/2048", BM_Sgemm)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();
    return true;
}();

}  // namespace
