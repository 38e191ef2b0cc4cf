// The softmax family on the Cuda device against the CPU kernels: softmax and log-softmax (forward,
// backward), the mean softmax cross-entropy (loss, probabilities, backward) and argmax, with rows
// shorter and longer than a block, large logits, ties; launcher level with guarded outputs and
// through the Var-level ops.
#include <vector>

#include "cuda_compare.hpp"
#include "enas/ops/softmax.hpp"

using namespace enas;
using test::CudaGuarded;

namespace {
// exp/log of libm on the device vs the CPU's polynomials (3e-7), then sums over a row.
constexpr double kAtol = 1e-6, kRtol = 1e-5;
const Shape kShapes[] = {{1, 1}, {3, 10}, {2, 3, 33}, {5, 257}, {2, 10000}};

Tensor<std::int32_t, Cpu> random_labels(std::int64_t n, std::int64_t k, Rng& rng) {
    Tensor<std::int32_t, Cpu> labels({n});
    for (std::int64_t i = 0; i < n; ++i)
        labels.data()[i] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(k)));
    return labels;
}
}  // namespace

TEST_CASE("Cuda softmax and log-softmax match the CPU, forward and backward", "[cuda][softmax]") {
    Rng rng(1);
    for (const Shape& shape : kShapes) {
        for (double shift : {0.0, 80.0}) {  // +80: exp would overflow without the max subtraction
            const std::string label = shape.str() + (shift > 0 ? " logits+80" : "");
            INFO(label);
            Context<Cpu> cpu;
            Context<Cuda> gpu;
            const auto x = test::random_tensor<float>(shape, rng, shift - 4, shift + 4);
            const auto gy = test::random_tensor<float>(shape, rng);
            const auto x_d = test::to_cuda(x), gy_d = test::to_cuda(gy);
            Tensor<float, Cpu> y = cpu.empty<float>(shape), ly = cpu.empty<float>(shape);
            cpu::softmax_forward(cpu, x, y);
            cpu::log_softmax_forward(cpu, x, ly);
            CudaGuarded<float> y_d(shape), ly_d(shape);
            cuda::softmax_forward(gpu, x_d, y_d.tensor);
            cuda::log_softmax_forward(gpu, x_d, ly_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE("softmax " + label, y_d.tensor, y, kAtol, kRtol);
            ENAS_REQUIRE_CUDA_CLOSE("log_softmax " + label, ly_d.tensor, ly, kAtol, kRtol);

            Tensor<float, Cpu> gx = Tensor<float, Cpu>::full(shape, 0.5f), lgx = Tensor<float, Cpu>::full(shape, 0.5f);
            cpu::softmax_backward(cpu, y, gy, gx);
            cpu::log_softmax_backward(cpu, ly, gy, lgx);
            CudaGuarded<float> gx_d(shape, 0.5f), lgx_d(shape, 0.5f);
            cuda::softmax_backward(gpu, test::to_cuda(y), gy_d, gx_d.tensor);
            cuda::log_softmax_backward(gpu, test::to_cuda(ly), gy_d, lgx_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE("softmax backward " + label, gx_d.tensor, gx, kAtol, kRtol);
            ENAS_REQUIRE_CUDA_CLOSE("log_softmax backward " + label, lgx_d.tensor, lgx, kAtol, kRtol);
            for (const auto* g : {&y_d, &ly_d, &gx_d, &lgx_d}) ENAS_REQUIRE_BANDS_INTACT(*g);
        }
    }
}

TEST_CASE("Cuda softmax cross-entropy matches the CPU", "[cuda][softmax]") {
    Rng rng(7);
    const Shape shapes[] = {{1, 1}, {1, 10}, {7, 10}, {33, 5}, {3, 1000}};
    for (const Shape& shape : shapes) {
        const std::string label = "softmax_cross_entropy " + shape.str();
        INFO(label);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const auto logits = test::random_tensor<float>(shape, rng, -5, 5);
        const auto labels = random_labels(shape[0], shape[1], rng);
        const auto gloss = test::random_tensor<float>({1}, rng);
        Tensor<float, Cpu> probs = cpu.empty<float>(shape), loss = cpu.empty<float>({1});
        cpu::softmax_cross_entropy_forward(cpu, logits, labels, probs, loss);
        CudaGuarded<float> probs_d(shape), loss_d({1});
        const auto labels_d = test::to_cuda(labels);
        cuda::softmax_cross_entropy_forward(gpu, test::to_cuda(logits), labels_d, probs_d.tensor, loss_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " loss", loss_d.tensor, loss, kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE(label + " probs", probs_d.tensor, probs, kAtol, kRtol);
        Tensor<float, Cpu> g = Tensor<float, Cpu>::full(shape, 0.5f);
        cpu::softmax_cross_entropy_backward(cpu, probs, labels, gloss, g);
        CudaGuarded<float> g_d(shape, 0.5f);
        cuda::softmax_cross_entropy_backward(gpu, test::to_cuda(probs), labels_d, test::to_cuda(gloss), g_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward", g_d.tensor, g, kAtol, kRtol);
        for (const auto* b : {&probs_d, &loss_d, &g_d}) ENAS_REQUIRE_BANDS_INTACT(*b);
    }
}

TEST_CASE("Cuda argmax matches the CPU, first index on ties", "[cuda][softmax]") {
    Rng rng(13);
    for (const Shape& shape : kShapes) {
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        auto x = test::random_tensor<float>(shape, rng);
        // Ties: a row whose maximum appears at several positions, the last one far apart.
        const std::int64_t k = shape[shape.rank() - 1];
        for (std::int64_t j : {std::int64_t{3}, k / 2, k - 1})
            if (j < k) x.data()[j] = 2.0f;
        const Shape out(shape.begin(), shape.end() - 1);
        Tensor<std::int32_t, Cpu> index = cpu.empty<std::int32_t>(out);
        cpu::argmax_forward(cpu, x, index);
        CudaGuarded<std::int32_t> index_d(out);
        cuda::argmax_forward(gpu, test::to_cuda(x), index_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("argmax " + shape.str(), index_d.tensor, index, 0.0, 0.0);
        ENAS_REQUIRE_BANDS_INTACT(index_d);
    }
}

TEST_CASE("Cuda softmax Var ops match the CPU through the tape", "[cuda][softmax]") {
    Rng rng(19);
    const auto x = test::random_tensor<float>({6, 11}, rng, -3, 3);
    const auto labels = random_labels(6, 11, rng);
    const auto labels_d = test::to_cuda(labels);
    test::require_var_op_matches(
        "ops::softmax", {x}, [](auto& tape, auto& v) { return ops::softmax(tape, v[0]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::log_softmax", {x}, [](auto& tape, auto& v) { return ops::log_softmax(tape, v[0]); }, kAtol, kRtol);
    test::require_var_op_matches(
        "ops::softmax_cross_entropy", {x},
        [&](auto& tape, auto& v) { return ops::softmax_cross_entropy(tape, v[0], test::pick(tape, labels, labels_d)); },
        kAtol, kRtol);
    Context<Cpu> cpu;
    Context<Cuda> gpu;
    REQUIRE(ops::count_correct(gpu, test::to_cuda(x), labels_d) == ops::count_correct(cpu, x, labels));
    ENAS_REQUIRE_THROWS(ops::softmax_cross_entropy(gpu, test::to_cuda(x), test::to_cuda(random_labels(6, 20, rng))),
                        ValueError, Catch::Matchers::Contains("out of range [0, 11)"));
}
