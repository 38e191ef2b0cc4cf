// The dropout family on the Cuda device against the CPU kernels. The mask comes from the same
// counter-based Philox stream on both devices, so for the same (seed, counter) the results must be
// IDENTICAL, bit for bit: element-wise dropout (forward, backward, mask), row masks (drop-path,
// embedding dropout) and locked masks, launcher level with guarded outputs and through the
// Var-level ops with equally seeded contexts.
#include "cuda_compare.hpp"
#include "enas/ops/dropout.hpp"

using namespace enas;
using test::CudaGuarded;

TEST_CASE("Cuda dropout draws the CPU's mask bit for bit", "[cuda][dropout]") {
    Rng rng(5);
    for (double keep : {0.1, 0.5, 0.9, 1.0}) {
        for (std::int64_t n : {1, 3, 5, 1001, 40003}) {
            // A base that is not a multiple of anything, and a large seed.
            const DropoutDraw d{0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(n),
                                12345 + 7 * static_cast<std::uint64_t>(n), keep};
            const std::string label = "keep " + std::to_string(keep).substr(0, 3) + " n=" + std::to_string(n);
            INFO(label);
            Context<Cpu> cpu;
            Context<Cuda> gpu;
            const auto x = test::random_tensor<float>({n}, rng), gy = test::random_tensor<float>({n}, rng);
            Tensor<float, Cpu> y = cpu.empty<float>({n}), mask = cpu.empty<float>({n});
            Tensor<float, Cpu> gx = Tensor<float, Cpu>::full({n}, 0.5f);
            cpu::dropout_forward(cpu, d, x, y);
            cpu::dropout_mask(cpu, d, mask);
            cpu::dropout_backward(cpu, d, gy, gx);
            CudaGuarded<float> y_d({n}), mask_d({n}), gx_d({n}, 0.5f);
            cuda::dropout_forward(gpu, d, test::to_cuda(x), y_d.tensor);
            cuda::dropout_mask(gpu, d, mask_d.tensor);
            cuda::dropout_backward(gpu, d, test::to_cuda(gy), gx_d.tensor);
            ENAS_REQUIRE_CUDA_CLOSE("dropout mask " + label, mask_d.tensor, mask, 0.0, 0.0);
            ENAS_REQUIRE_CUDA_CLOSE("dropout forward " + label, y_d.tensor, y, 0.0, 0.0);
            ENAS_REQUIRE_CUDA_CLOSE("dropout backward " + label, gx_d.tensor, gx, 0.0, 0.0);
            for (const auto* g : {&y_d, &mask_d, &gx_d}) ENAS_REQUIRE_BANDS_INTACT(*g);
            if (n == 40003) {  // and the mask is what it claims to be: a Bernoulli(keep) draw
                std::int64_t kept = 0;
                for (float m : mask_d.tensor.to_vector()) kept += m != 0.0f;
                const double rate = static_cast<double>(kept) / static_cast<double>(n);
                INFO("kept fraction " << rate);
                REQUIRE(std::fabs(rate - keep) < 4.0 * std::sqrt(keep * (1 - keep) / static_cast<double>(n)) + 1e-12);
            }
        }
    }
}

TEST_CASE("Cuda row and locked masks match the CPU", "[cuda][dropout]") {
    Rng rng(8);
    struct Case {
        std::int64_t outer, inner;  // rows x cols (row mask) or steps x width (locked mask)
    };
    for (const Case c : {Case{1, 1}, Case{3, 5}, Case{33, 7}, Case{4, 1000}}) {
        const std::string label = "[" + std::to_string(c.outer) + ", " + std::to_string(c.inner) + "]";
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const Shape shape{c.outer, c.inner};
        const auto x = test::random_tensor<float>(shape, rng), gy = test::random_tensor<float>(shape, rng);
        const auto x_d = test::to_cuda(x), gy_d = test::to_cuda(gy);
        // Masks with dropped entries (0) and kept ones (1 / keep = 2).
        Tensor<float, Cpu> rows({c.outer}), width({c.inner});
        for (std::int64_t i = 0; i < c.outer; ++i) rows.data()[i] = (i % 3 == 1) ? 0.0f : 2.0f;
        for (std::int64_t i = 0; i < c.inner; ++i) width.data()[i] = (i % 4 == 2) ? 0.0f : 2.0f;
        const auto rows_d = test::to_cuda(rows), width_d = test::to_cuda(width);

        Tensor<float, Cpu> yr = cpu.empty<float>(shape), yl = cpu.empty<float>(shape);
        cpu::row_mask_forward(cpu, x, rows, yr);
        cpu::locked_mask_forward(cpu, x, width, yl);
        CudaGuarded<float> yr_d(shape), yl_d(shape);
        cuda::row_mask_forward(gpu, x_d, rows_d, yr_d.tensor);
        cuda::locked_mask_forward(gpu, x_d, width_d, yl_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("row_mask forward " + label, yr_d.tensor, yr, 0.0, 0.0);
        ENAS_REQUIRE_CUDA_CLOSE("locked_mask forward " + label, yl_d.tensor, yl, 0.0, 0.0);

        Tensor<float, Cpu> gr = Tensor<float, Cpu>::full(shape, 0.5f), gl = Tensor<float, Cpu>::full(shape, 0.5f);
        cpu::row_mask_backward(cpu, gy, rows, gr);
        cpu::locked_mask_backward(cpu, gy, width, gl);
        CudaGuarded<float> gr_d(shape, 0.5f), gl_d(shape, 0.5f);
        cuda::row_mask_backward(gpu, gy_d, rows_d, gr_d.tensor);
        cuda::locked_mask_backward(gpu, gy_d, width_d, gl_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("row_mask backward " + label, gr_d.tensor, gr, 0.0, 0.0);
        ENAS_REQUIRE_CUDA_CLOSE("locked_mask backward " + label, gl_d.tensor, gl, 0.0, 0.0);
        for (const auto* g : {&yr_d, &yl_d, &gr_d, &gl_d}) ENAS_REQUIRE_BANDS_INTACT(*g);
    }
}

TEST_CASE("Cuda dropout Var ops match the CPU with equally seeded contexts", "[cuda][dropout]") {
    Rng rng(31);
    const auto x = test::random_tensor<float>({4, 3, 5, 5}, rng);
    const auto seq = test::random_tensor<float>({6, 3, 17}, rng);  // [T, B, D]
    const auto table = test::random_tensor<float>({33, 8}, rng);   // [V, D]
    for (std::uint64_t seed : {1ull, 77ull}) {
        const std::string s = " seed " + std::to_string(seed);
        test::require_var_op_matches(
            "ops::dropout" + s, {x}, [](auto& tape, auto& v) { return ops::dropout(tape, v[0], 0.7); }, 0.0, 0.0, seed);
        test::require_var_op_matches(
            "ops::drop_path" + s, {x}, [](auto& tape, auto& v) { return ops::drop_path(tape, v[0], 0.6); }, 0.0, 0.0,
            seed);
        test::require_var_op_matches(
            "ops::locked_dropout" + s, {seq}, [](auto& tape, auto& v) { return ops::locked_dropout(tape, v[0], 0.5); },
            0.0, 0.0, seed);
        test::require_var_op_matches(
            "ops::embedding_dropout" + s, {table},
            [](auto& tape, auto& v) { return ops::embedding_dropout(tape, v[0], 0.8); }, 0.0, 0.0, seed);
    }
    // The masks the ops hand back are the same too.
    Context<Cpu> cpu(9);
    Context<Cuda> gpu(9);
    Tensor<float, Cpu> mask;
    Tensor<float, Cuda> mask_d;
    ops::dropout(cpu, x, 0.3, &mask);
    ops::dropout(gpu, test::to_cuda(x), 0.3, &mask_d);
    ENAS_REQUIRE_CUDA_CLOSE("ops::dropout mask", mask_d, mask, 0.0, 0.0);
}
