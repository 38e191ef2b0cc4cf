// The reduce family on the Cuda device against the CPU kernels: global average pooling, sum, mean
// and sum of squares, forward and backward, launcher level (guarded outputs, accumulation) and
// through the public Var-level ops.
#include "cuda_compare.hpp"
#include "enas/ops/reduce.hpp"

using namespace enas;
using test::CudaGuarded;

namespace {
constexpr double kAtol = 1e-6, kRtol = 1e-5;
}

TEST_CASE("Cuda global average pooling matches the CPU", "[cuda][reduce]") {
    Rng rng(3);
    const Shape shapes[] = {{1, 1, 1, 1}, {1, 3, 5, 7}, {2, 5, 1, 1}, {3, 33, 8, 8}, {2, 7, 13, 11}, {4, 64, 16, 16}};
    for (const Shape& shape : shapes) {
        const std::string label = "global_avg_pool " + shape.str();
        INFO(label);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const Shape out{shape[0], shape[1]};
        const auto x = test::random_tensor<float>(shape, rng);
        const auto gy = test::random_tensor<float>(out, rng);
        Tensor<float, Cpu> y = cpu.empty<float>(out);
        cpu::global_avg_pool_forward(cpu, x, y);
        CudaGuarded<float> y_d(out);
        cuda::global_avg_pool_forward(gpu, test::to_cuda(x), y_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " forward", y_d.tensor, y, kAtol, kRtol);
        ENAS_REQUIRE_BANDS_INTACT(y_d);
        Tensor<float, Cpu> gx = Tensor<float, Cpu>::full(shape, 0.5f);
        cpu::global_avg_pool_backward(cpu, gy, gx);
        CudaGuarded<float> gx_d(shape, 0.5f);
        cuda::global_avg_pool_backward(gpu, test::to_cuda(gy), gx_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward", gx_d.tensor, gx, kAtol, kRtol);
        ENAS_REQUIRE_BANDS_INTACT(gx_d);
    }
}

TEST_CASE("Cuda whole-tensor sums match the CPU's double accumulation", "[cuda][reduce]") {
    Rng rng(9);
    // 300007 elements need more than the 1024 first-pass blocks of 256 threads: grid-stride loops.
    for (std::int64_t n : {1, 31, 1000, 300007}) {
        const std::string size = " n=" + std::to_string(n);
        INFO(size);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const auto x = test::random_tensor<float>({n}, rng);
        const auto x_d = test::to_cuda(x);
        const auto gy = test::random_tensor<float>({1}, rng);
        const double alpha = 1.0 / static_cast<double>(n);
        Tensor<float, Cpu> s = cpu.empty<float>({1}), m = cpu.empty<float>({1}), q = cpu.empty<float>({1});
        cpu::sum_forward(cpu, 1.0, x, s);
        cpu::sum_forward(cpu, alpha, x, m);
        cpu::sum_squares_forward(cpu, x, q);
        CudaGuarded<float> s_d({1}), m_d({1}), q_d({1});
        cuda::sum_forward(gpu, 1.0, x_d, s_d.tensor);
        cuda::sum_forward(gpu, alpha, x_d, m_d.tensor);
        cuda::sum_squares_forward(gpu, x_d, q_d.tensor);
        // Both sides sum in double and round once: they agree to a float rounding.
        ENAS_REQUIRE_CUDA_CLOSE("sum" + size, s_d.tensor, s, 0.0, 1.2e-7);
        ENAS_REQUIRE_CUDA_CLOSE("mean" + size, m_d.tensor, m, 0.0, 1.2e-7);
        ENAS_REQUIRE_CUDA_CLOSE("sum_squares" + size, q_d.tensor, q, 0.0, 1.2e-7);
        for (const auto* g : {&s_d, &m_d, &q_d}) ENAS_REQUIRE_BANDS_INTACT(*g);

        Tensor<float, Cpu> gs = Tensor<float, Cpu>::full({n}, 0.5f), gq = Tensor<float, Cpu>::full({n}, -0.5f);
        cpu::sum_backward(cpu, alpha, gy, gs);
        cpu::sum_squares_backward(cpu, x, gy, gq);
        CudaGuarded<float> gs_d({n}, 0.5f), gq_d({n}, -0.5f);
        cuda::sum_backward(gpu, alpha, test::to_cuda(gy), gs_d.tensor);
        cuda::sum_squares_backward(gpu, x_d, test::to_cuda(gy), gq_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("sum backward" + size, gs_d.tensor, gs, kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("sum_squares backward" + size, gq_d.tensor, gq, kAtol, kRtol);
        ENAS_REQUIRE_BANDS_INTACT(gs_d);
        ENAS_REQUIRE_BANDS_INTACT(gq_d);
    }
}

TEST_CASE("Cuda reduce Var ops match the CPU through the tape", "[cuda][reduce]") {
    Rng rng(17);
    const auto x = test::random_tensor<float>({2, 5, 3, 7}, rng);
    test::require_var_op_matches(
        "ops::global_avg_pool", {x}, [](auto& tape, auto& v) { return ops::global_avg_pool(tape, v[0]); }, kAtol,
        kRtol);
    test::require_var_op_matches(
        "ops::sum", {x}, [](auto& tape, auto& v) { return ops::sum(tape, v[0]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::mean", {x}, [](auto& tape, auto& v) { return ops::mean(tape, v[0]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::sum_squares", {x}, [](auto& tape, auto& v) { return ops::sum_squares(tape, v[0]); }, kAtol, kRtol);
}
