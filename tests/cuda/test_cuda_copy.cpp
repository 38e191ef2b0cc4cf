// The copy family on the Cuda device against the CPU kernels: concat and slice along dimension 1
// (rank 2 and 4) and the shifted subsample of the factorized reduction (both paths, odd sizes,
// offsets past the edge), launcher level with guarded outputs and through the Var-level ops.
#include <vector>

#include "cuda_compare.hpp"
#include "enas/ops/copy.hpp"

using namespace enas;
using test::CudaGuarded;

TEST_CASE("Cuda concat and slice match the CPU, forward and backward", "[cuda][copy]") {
    Rng rng(2);
    struct Case {
        std::int64_t n;
        std::vector<std::int64_t> channels;
        std::vector<std::int64_t> spatial;  // dims after 1 (none: rank 2)
    };
    const Case cases[] = {{1, {3}, {5, 7}}, {2, {3, 5, 33}, {5, 7}}, {3, {1, 4}, {}}, {4, {16, 16, 16}, {8, 8}}};
    for (const Case& c : cases) {
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        std::vector<Tensor<float, Cpu>> xs;
        std::vector<Tensor<float, Cuda>> xs_d;
        std::int64_t total = 0;
        for (std::int64_t ch : c.channels) {
            Shape s{c.n, ch};
            for (std::int64_t d : c.spatial) s.push_back(d);
            xs.push_back(test::random_tensor<float>(s, rng));
            xs_d.push_back(test::to_cuda(xs.back()));
            total += ch;
        }
        Shape ys{c.n, total};
        for (std::int64_t d : c.spatial) ys.push_back(d);
        const std::string label = "concat of " + std::to_string(c.channels.size()) + " into " + ys.str();
        INFO(label);
        Tensor<float, Cpu> y = cpu.empty<float>(ys);
        cpu::concat_forward(cpu, std::span<const Tensor<float, Cpu>>(xs), y);
        CudaGuarded<float> y_d(ys);
        cuda::concat_forward(gpu, std::span<const Tensor<float, Cuda>>(xs_d), y_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label, y_d.tensor, y, 0.0, 0.0);
        ENAS_REQUIRE_BANDS_INTACT(y_d);

        const auto gy = test::random_tensor<float>(ys, rng);
        std::int64_t start = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const std::string part = " part " + std::to_string(i);
            Tensor<float, Cpu> gx = Tensor<float, Cpu>::full(xs[i].shape(), 0.5f);
            cpu::concat_backward(cpu, start, gy, gx);
            CudaGuarded<float> gx_d(xs[i].shape(), 0.5f);
            cuda::concat_backward(gpu, start, test::to_cuda(gy), gx_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE(label + " backward" + part, gx_d.tensor, gx, 0.0, 0.0);
            ENAS_REQUIRE_BANDS_INTACT(gx_d);

            // The slice of the same channel range is the inverse, and its backward adds back.
            Tensor<float, Cpu> s = cpu.empty<float>(xs[i].shape());
            cpu::slice_forward(cpu, start, y, s);
            CudaGuarded<float> s_d(xs[i].shape());
            cuda::slice_forward(gpu, start, y_d.tensor, s_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE("slice" + part + " of " + ys.str(), s_d.tensor, s, 0.0, 0.0);
            ENAS_REQUIRE_BANDS_INTACT(s_d);
            Tensor<float, Cpu> gs = Tensor<float, Cpu>::full(ys, -0.5f);
            cpu::slice_backward(cpu, start, xs[i], gs);
            CudaGuarded<float> gs_d(ys, -0.5f);
            cuda::slice_backward(gpu, start, xs_d[i], gs_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE("slice backward" + part, gs_d.tensor, gs, 0.0, 0.0);
            ENAS_REQUIRE_BANDS_INTACT(gs_d);
            start += xs[i].dim(1);
        }
    }
}

TEST_CASE("Cuda shifted subsample matches the CPU, forward and backward", "[cuda][copy]") {
    Rng rng(6);
    struct Case {
        Shape x;
        std::int64_t offset, stride;
    };
    const Case cases[] = {{{1, 3, 5, 7}, 0, 2}, {{1, 3, 5, 7}, 1, 2}, {{2, 5, 8, 8}, 1, 2}, {{2, 5, 8, 8}, 0, 2},
                          {{1, 2, 6, 9}, 1, 1}, {{2, 3, 7, 7}, 2, 3}, {{1, 1, 3, 3}, 5, 2}, {{4, 33, 16, 16}, 1, 2}};
    for (const Case& c : cases) {
        const std::string label = "shifted_subsample " + c.x.str() + " offset " + std::to_string(c.offset) +
                                  " stride " + std::to_string(c.stride);
        INFO(label);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const Shape ys{c.x[0], c.x[1], (c.x[2] + c.stride - 1) / c.stride, (c.x[3] + c.stride - 1) / c.stride};
        const auto x = test::random_tensor<float>(c.x, rng);
        const auto gy = test::random_tensor<float>(ys, rng);
        Tensor<float, Cpu> y = cpu.empty<float>(ys);
        cpu::shifted_subsample_forward(cpu, c.offset, c.stride, x, y);
        CudaGuarded<float> y_d(ys);
        cuda::shifted_subsample_forward(gpu, c.offset, c.stride, test::to_cuda(x), y_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label, y_d.tensor, y, 0.0, 0.0);
        ENAS_REQUIRE_BANDS_INTACT(y_d);
        Tensor<float, Cpu> gx = Tensor<float, Cpu>::full(c.x, 0.5f);
        cpu::shifted_subsample_backward(cpu, c.offset, c.stride, gy, gx);
        CudaGuarded<float> gx_d(c.x, 0.5f);
        cuda::shifted_subsample_backward(gpu, c.offset, c.stride, test::to_cuda(gy), gx_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward", gx_d.tensor, gx, 0.0, 0.0);
        ENAS_REQUIRE_BANDS_INTACT(gx_d);
    }
}

TEST_CASE("Cuda copy Var ops match the CPU through the tape", "[cuda][copy]") {
    Rng rng(12);
    const auto a = test::random_tensor<float>({2, 3, 5, 5}, rng), b = test::random_tensor<float>({2, 5, 5, 5}, rng);
    test::require_var_op_matches(
        "ops::concat", {a, b, a},
        [](auto& tape, auto& v) {
            return ops::concat(tape, std::vector{v[0], v[1], v[2]});
        },
        0.0, 0.0);
    test::require_var_op_matches(
        "ops::slice", {b}, [](auto& tape, auto& v) { return ops::slice(tape, v[0], 1, 3); }, 0.0, 0.0);
    test::require_var_op_matches(
        "ops::shifted_subsample path 2", {a},
        [](auto& tape, auto& v) { return ops::shifted_subsample(tape, v[0], 1, 2); }, 0.0, 0.0);
    test::require_var_op_matches(
        "ops::shift_pad", {b}, [](auto& tape, auto& v) { return ops::shift_pad(tape, v[0]); }, 0.0, 0.0);
}
