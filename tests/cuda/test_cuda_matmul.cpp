// The matmul family on the Cuda device against the CPU: the device GEMM (our tiled kernel, and
// cuBLAS where the build has it) for every transpose combination, sizes that divide no tile,
// leading dimensions wider than the rows, alpha/beta (beta = 0 must not read a NaN C); then the
// matmul and linear launchers (guarded outputs, accumulation) and the Var-level ops.
#include <vector>

#include "cuda_compare.hpp"
#include "enas/backend/cpu/gemm.hpp"
#include "enas/ops/matmul.hpp"

using namespace enas;
using test::CudaGuarded;

namespace {
// Dot products of up to ~130 terms in a different order (tiles, fma): a few float roundings of
// sums of magnitude ~sqrt(K).
constexpr double kAtol = 1e-5, kRtol = 1e-5;

struct GemmCase {
    std::int64_t m, n, k;
};
const GemmCase kGemmCases[] = {{1, 1, 1}, {3, 5, 7}, {65, 33, 17}, {64, 64, 64}, {1, 130, 40}, {130, 70, 100}};

std::vector<cuda::GemmPath> paths() {
    std::vector<cuda::GemmPath> p{cuda::GemmPath::Tiled};
    if (cuda::has_cublas()) p.push_back(cuda::GemmPath::Cublas);
    return p;
}
}  // namespace

TEST_CASE("the Cuda GEMM matches the CPU GEMM", "[cuda][matmul][gemm]") {
    Rng rng(1);
    for (cuda::GemmPath path : paths()) {
        const std::string name = path == cuda::GemmPath::Tiled ? "tiled" : "cublas";
        for (const GemmCase& c : kGemmCases) {
            for (int trans = 0; trans < 4; ++trans) {
                const bool ta = trans & 1, tb = trans & 2;
                for (const auto& [alpha, beta] :
                     {std::pair{1.0f, 0.0f}, std::pair{0.5f, 1.0f}, std::pair{-1.5f, -2.0f}}) {
                    // Stored shapes, with 3 spare columns: leading dimension > row width.
                    const std::int64_t a_rows = ta ? c.k : c.m, a_cols = ta ? c.m : c.k;
                    const std::int64_t b_rows = tb ? c.n : c.k, b_cols = tb ? c.k : c.n;
                    const auto a = test::random_tensor<float>({a_rows, a_cols + 3}, rng);
                    const auto b = test::random_tensor<float>({b_rows, b_cols + 3}, rng);
                    const auto c0 = test::random_tensor<float>({c.m, c.n}, rng);
                    const std::string label = name + " gemm " + std::to_string(c.m) + "x" + std::to_string(c.n) + "x" +
                                              std::to_string(c.k) + (ta ? " A^T" : " A") + (tb ? " B^T" : " B") +
                                              " alpha " + std::to_string(alpha).substr(0, 4) + " beta " +
                                              std::to_string(beta).substr(0, 4);
                    INFO(label);
                    Tensor<float, Cpu> want = c0.clone();
                    cpu::gemm<float>(ta, tb, c.m, c.n, c.k, alpha, a.data(), a_cols + 3, b.data(), b_cols + 3, beta,
                                     want.data(), c.n);
                    Context<Cuda> gpu;
                    CudaGuarded<float> got({c.m, c.n});  // NaN: beta == 0 must not read it
                    if (beta != 0.0f) got.tensor.copy_from(c0);
                    const auto a_d = test::to_cuda(a), b_d = test::to_cuda(b);
                    cuda::gemm(gpu, ta, tb, c.m, c.n, c.k, alpha, a_d.data(), a_cols + 3, b_d.data(), b_cols + 3, beta,
                               got.tensor.data(), c.n, path);
                    // The output is alpha * AB + beta * C: its rounding scales with |alpha| + |beta|.
                    const double atol = kAtol * (std::fabs(alpha) + std::fabs(beta));
                    ENAS_REQUIRE_CUDA_CLOSE(label, got.tensor, want, atol, kRtol);
                    ENAS_REQUIRE_BANDS_INTACT(got);
                }
            }
        }
    }
    if (!cuda::has_cublas()) {
        Context<Cuda> gpu;
        REQUIRE_THROWS_AS(cuda::gemm(gpu, false, false, 1, 1, 1, 1.0f, nullptr, 1, nullptr, 1, 0.0f, nullptr, 1,
                                     cuda::GemmPath::Cublas),
                          CudaError);
    }
}

TEST_CASE("Cuda matmul launchers match the CPU for every transpose", "[cuda][matmul]") {
    Rng rng(2);
    const std::int64_t m = 33, n = 7, k = 65;
    for (int trans = 0; trans < 4; ++trans) {
        const bool ta = trans & 1, tb = trans & 2;
        const std::string label = std::string("matmul") + (ta ? " A^T" : " A") + (tb ? " B^T" : " B");
        INFO(label);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const Shape as = ta ? Shape{k, m} : Shape{m, k}, bs = tb ? Shape{n, k} : Shape{k, n};
        const auto a = test::random_tensor<float>(as, rng), b = test::random_tensor<float>(bs, rng);
        const auto gy = test::random_tensor<float>({m, n}, rng);
        const auto a_d = test::to_cuda(a), b_d = test::to_cuda(b), gy_d = test::to_cuda(gy);
        Tensor<float, Cpu> y = cpu.empty<float>({m, n});
        cpu::matmul_forward(cpu, ta, tb, a, b, y);
        CudaGuarded<float> y_d({m, n});
        cuda::matmul_forward(gpu, ta, tb, a_d, b_d, y_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " forward", y_d.tensor, y, kAtol, kRtol);
        Tensor<float, Cpu> ga = Tensor<float, Cpu>::full(as, 0.5f), gb = Tensor<float, Cpu>::full(bs, 0.5f);
        cpu::matmul_backward_a(cpu, ta, tb, b, gy, ga);
        cpu::matmul_backward_b(cpu, ta, tb, a, gy, gb);
        CudaGuarded<float> ga_d(as, 0.5f), gb_d(bs, 0.5f);
        cuda::matmul_backward_a(gpu, ta, tb, b_d, gy_d, ga_d.tensor);
        cuda::matmul_backward_b(gpu, ta, tb, a_d, gy_d, gb_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward a", ga_d.tensor, ga, kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward b", gb_d.tensor, gb, kAtol, kRtol);
        for (const auto* g : {&y_d, &ga_d, &gb_d}) ENAS_REQUIRE_BANDS_INTACT(*g);
    }
}

TEST_CASE("Cuda linear launchers match the CPU", "[cuda][matmul]") {
    Rng rng(3);
    struct Case {
        std::int64_t rows, in, out;
    };
    for (const Case c : {Case{1, 1, 1}, Case{1, 33, 10}, Case{37, 20, 5}, Case{64, 100, 129}}) {
        const std::string label =
            "linear " + std::to_string(c.rows) + "x" + std::to_string(c.in) + "->" + std::to_string(c.out);
        INFO(label);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const auto x = test::random_tensor<float>({c.rows, c.in}, rng),
                   w = test::random_tensor<float>({c.out, c.in}, rng);
        const auto bias = test::random_tensor<float>({c.out}, rng),
                   gy = test::random_tensor<float>({c.rows, c.out}, rng);
        const auto x_d = test::to_cuda(x), w_d = test::to_cuda(w), gy_d = test::to_cuda(gy);
        for (bool with_bias : {false, true}) {
            Tensor<float, Cpu> y = cpu.empty<float>({c.rows, c.out});
            cpu::linear_forward(cpu, x, w, with_bias ? bias : Tensor<float, Cpu>(), y);
            CudaGuarded<float> y_d({c.rows, c.out});
            cuda::linear_forward(gpu, x_d, w_d, with_bias ? test::to_cuda(bias) : Tensor<float, Cuda>(), y_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE(label + (with_bias ? " forward with bias" : " forward"), y_d.tensor, y, kAtol,
                                    kRtol);
            ENAS_REQUIRE_BANDS_INTACT(y_d);
        }
        Tensor<float, Cpu> gx = Tensor<float, Cpu>::full({c.rows, c.in}, 0.5f);
        Tensor<float, Cpu> gw = Tensor<float, Cpu>::full({c.out, c.in}, 0.5f),
                           gb = Tensor<float, Cpu>::full({c.out}, 0.5f);
        cpu::linear_backward_input(cpu, w, gy, gx);
        cpu::linear_backward_weight(cpu, x, gy, gw);
        cpu::linear_backward_bias(cpu, gy, gb);
        CudaGuarded<float> gx_d({c.rows, c.in}, 0.5f), gw_d({c.out, c.in}, 0.5f), gb_d({c.out}, 0.5f);
        cuda::linear_backward_input(gpu, w_d, gy_d, gx_d.tensor);
        cuda::linear_backward_weight(gpu, x_d, gy_d, gw_d.tensor);
        cuda::linear_backward_bias(gpu, gy_d, gb_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward input", gx_d.tensor, gx, kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward weight", gw_d.tensor, gw, kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward bias", gb_d.tensor, gb, 0.0, 0.0);  // same order: exact
        for (const auto* g : {&gx_d, &gw_d, &gb_d}) ENAS_REQUIRE_BANDS_INTACT(*g);
    }
}

TEST_CASE("Cuda matmul and linear Var ops match the CPU through the tape", "[cuda][matmul]") {
    Rng rng(4);
    const auto a = test::random_tensor<float>({9, 17}, rng), b = test::random_tensor<float>({17, 5}, rng);
    const auto bt = test::random_tensor<float>({5, 17}, rng), bias = test::random_tensor<float>({5}, rng);
    test::require_var_op_matches(
        "ops::matmul", {a, b}, [](auto& tape, auto& v) { return ops::matmul(tape, v[0], v[1]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::matmul A B^T", {a, bt}, [](auto& tape, auto& v) { return ops::matmul(tape, v[0], v[1], false, true); },
        kAtol, kRtol);
    test::require_var_op_matches(
        "ops::linear with bias", {a, bt, bias}, [](auto& tape, auto& v) { return ops::linear(tape, v[0], v[1], v[2]); },
        kAtol, kRtol);
    test::require_var_op_matches(
        "ops::linear", {a, bt}, [](auto& tape, auto& v) { return ops::linear(tape, v[0], v[1]); }, kAtol, kRtol);
}
