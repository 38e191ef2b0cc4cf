// The elementwise family on the Cuda device against the CPU kernels: activations, add, mul, scale
// and axpy, launcher level (guarded outputs, accumulation) and through the public Var-level ops.
#include "cuda_compare.hpp"
#include "enas/ops/elementwise.hpp"

using namespace enas;
using test::CudaGuarded;

namespace {
const Activation kActs[] = {Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid};
const std::int64_t kSizes[] = {1, 7, 257, 40001};  // odd tails, under and over one block
constexpr double kAtol = 1e-6, kRtol = 1e-5;       // one float op (libm vs the CPU's polynomials: 3e-7)
}  // namespace

TEST_CASE("Cuda activations match the CPU, forward and backward", "[cuda][elementwise]") {
    Rng rng(11);
    for (Activation a : kActs) {
        for (std::int64_t n : kSizes) {
            const std::string label = std::string(activation_name(a)) + " n=" + std::to_string(n);
            INFO(label);
            Context<Cpu> cpu;
            Context<Cuda> gpu;
            const auto x = test::random_tensor<float>({n}, rng, -3, 3);
            const auto gy = test::random_tensor<float>({n}, rng);
            Tensor<float, Cpu> y = cpu.empty<float>({n});
            cpu::activation_forward(cpu, a, x, y);
            CudaGuarded<float> y_d({n});
            cuda::activation_forward(gpu, a, test::to_cuda(x), y_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE(label + " forward", y_d.tensor, y, kAtol, kRtol);
            ENAS_REQUIRE_BANDS_INTACT(y_d);

            Tensor<float, Cpu> gx = Tensor<float, Cpu>::full({n}, 0.5f);
            cpu::activation_backward(cpu, a, y, gy, gx);
            CudaGuarded<float> gx_d({n}, 0.5f);
            cuda::activation_backward(gpu, a, test::to_cuda(y), test::to_cuda(gy), gx_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE(label + " backward", gx_d.tensor, gx, kAtol, kRtol);
            ENAS_REQUIRE_BANDS_INTACT(gx_d);
        }
    }
}

TEST_CASE("Cuda add, mul, mul_backward, scale and axpy match the CPU", "[cuda][elementwise]") {
    Rng rng(5);
    for (std::int64_t n : kSizes) {
        const std::string size = " n=" + std::to_string(n);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const auto a = test::random_tensor<float>({n}, rng), b = test::random_tensor<float>({n}, rng);
        const auto a_d = test::to_cuda(a), b_d = test::to_cuda(b);
        Tensor<float, Cpu> s = cpu.empty<float>({n}), p = cpu.empty<float>({n}), c = cpu.empty<float>({n});
        Tensor<float, Cpu> acc = Tensor<float, Cpu>::full({n}, 1.0f), ga = Tensor<float, Cpu>::full({n}, -0.25f);
        cpu::add_forward(cpu, a, b, s);
        cpu::mul_forward(cpu, a, b, p);
        cpu::scale_forward(cpu, 2.5f, a, c);
        cpu::axpy(cpu, -0.5f, b, acc);
        cpu::mul_backward(cpu, a, b, ga);
        CudaGuarded<float> s_d({n}), p_d({n}), c_d({n}), acc_d({n}, 1.0f), ga_d({n}, -0.25f);
        cuda::add_forward(gpu, a_d, b_d, s_d.tensor);
        cuda::mul_forward(gpu, a_d, b_d, p_d.tensor);
        cuda::scale_forward(gpu, 2.5f, a_d, c_d.tensor);
        cuda::axpy(gpu, -0.5f, b_d, acc_d.tensor);
        cuda::mul_backward(gpu, a_d, b_d, ga_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("add" + size, s_d.tensor, s, 0.0, 0.0);  // one rounding, same on both
        ENAS_REQUIRE_CUDA_CLOSE("mul" + size, p_d.tensor, p, 0.0, 0.0);
        ENAS_REQUIRE_CUDA_CLOSE("scale" + size, c_d.tensor, c, 0.0, 0.0);
        ENAS_REQUIRE_CUDA_CLOSE("axpy" + size, acc_d.tensor, acc, kAtol, kRtol);  // may fuse into an fma
        ENAS_REQUIRE_CUDA_CLOSE("mul_backward" + size, ga_d.tensor, ga, kAtol, kRtol);
        for (const auto* g : {&s_d, &p_d, &c_d, &acc_d, &ga_d}) ENAS_REQUIRE_BANDS_INTACT(*g);
    }
}

TEST_CASE("Cuda elementwise Var ops match the CPU through the tape", "[cuda][elementwise]") {
    Rng rng(21);
    const Shape shape{3, 5, 7};
    const auto x = test::random_tensor<float>(shape, rng, -2, 2), y = test::random_tensor<float>(shape, rng);
    for (Activation a : kActs)
        test::require_var_op_matches(
            std::string("ops::activation ") + activation_name(a), {x},
            [a](auto& tape, auto& v) { return ops::activation(tape, a, v[0]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::add", {x, y}, [](auto& tape, auto& v) { return ops::add(tape, v[0], v[1]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::mul", {x, y}, [](auto& tape, auto& v) { return ops::mul(tape, v[0], v[1]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::scale", {x}, [](auto& tape, auto& v) { return ops::scale(tape, v[0], -1.5f); }, kAtol, kRtol);
    // A composite with a shared input (its gradient accumulates from two uses).
    test::require_var_op_matches(
        "ops tanh(x) * x + x", {x},
        [](auto& tape, auto& v) { return ops::add(tape, ops::mul(tape, ops::tanh(tape, v[0]), v[0]), v[0]); }, kAtol,
        kRtol);
}

TEST_CASE("a non-contiguous Cuda input is packed on the device before the kernel", "[cuda][elementwise]") {
    Rng rng(4);
    Context<Cpu> cpu;
    Context<Cuda> gpu;
    const auto x = test::random_tensor<float>({6, 9}, rng);
    const Tensor<float, Cpu> view = x.narrow(1, 2, 5);
    const Tensor<float, Cuda> view_d = test::to_cuda(x).narrow(1, 2, 5);
    ENAS_REQUIRE_CUDA_CLOSE("relu of a narrowed view", ops::activation(gpu, Activation::Relu, view_d),
                            ops::activation(cpu, Activation::Relu, view), 0.0, 0.0);
}
