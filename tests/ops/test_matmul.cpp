#include "enas/autograd/grad_check.hpp"
#include "enas/ops/matmul.hpp"
#include "naive/matmul.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {
struct Dims {
    std::int64_t m, k, n;
};
// A 1x1x1 product, the controller's single-row products, odd sizes, and one large enough that
// BLAS blocks it.
const Dims kDims[] = {{1, 1, 1}, {1, 64, 256}, {3, 5, 7}, {13, 1, 9}, {65, 129, 33}};
}  // namespace

TEST_CASE("matmul forward and backward match the naive reference", "[matmul]") {
    Context<Cpu> ctx(1);
    Rng rng(61);
    for (const Dims& d : kDims)
        for (bool ta : {false, true})
            for (bool tb : {false, true}) {
                INFO("M=" << d.m << " K=" << d.k << " N=" << d.n << " trans_a=" << ta << " trans_b=" << tb);
                const Shape sa = ta ? Shape{d.k, d.m} : Shape{d.m, d.k};
                const Shape sb = tb ? Shape{d.n, d.k} : Shape{d.k, d.n};
                const auto a = test::random_tensor<float>(sa, rng), b = test::random_tensor<float>(sb, rng);
                Guarded<float> y({d.m, d.n});
                cpu::matmul_forward(ctx, ta, tb, a, b, y.tensor);
                ENAS_REQUIRE_CLOSE(y.tensor, naive::matmul(a, b, ta, tb), 1e-5, 1e-4);
                REQUIRE(y.guard_intact());

                const auto gy = test::random_tensor<float>({d.m, d.n}, rng);
                Guarded<float> ga(sa, 0.5f), gb(sb, 0.5f);  // nonzero: backward must accumulate
                cpu::matmul_backward_a(ctx, ta, tb, b, gy, ga.tensor);
                cpu::matmul_backward_b(ctx, ta, tb, a, gy, gb.tensor);
                const auto [ga_ref, gb_ref] = naive::matmul_grads(a, b, ta, tb, gy, 0.5);
                ENAS_REQUIRE_CLOSE(ga.tensor, ga_ref, 1e-5, 1e-4);
                ENAS_REQUIRE_CLOSE(gb.tensor, gb_ref, 1e-5, 1e-4);
                REQUIRE((ga.guard_intact() && gb.guard_intact()));
            }
}

TEST_CASE("linear forward and backward match the naive reference", "[matmul]") {
    Context<Cpu> ctx(1);
    Rng rng(62);
    for (const Dims& d : kDims)  // x [m, k], w [n, k]
        for (bool with_bias : {false, true}) {
            INFO("N=" << d.m << " in=" << d.k << " out=" << d.n << " bias=" << with_bias);
            const auto x = test::random_tensor<float>({d.m, d.k}, rng), w = test::random_tensor<float>({d.n, d.k}, rng);
            const auto bias = with_bias ? test::random_tensor<float>({d.n}, rng) : Tensor<float, Cpu>();
            Guarded<float> y({d.m, d.n});
            cpu::linear_forward(ctx, x, w, bias, y.tensor);
            Tensor<double, Cpu> y_ref = naive::matmul(x, w, false, true);
            if (with_bias)
                for (std::int64_t i = 0; i < y_ref.numel(); ++i) y_ref.data()[i] += bias.data()[i % d.n];
            ENAS_REQUIRE_CLOSE(y.tensor, y_ref, 1e-5, 1e-4);
            REQUIRE(y.guard_intact());

            const auto gy = test::random_tensor<float>({d.m, d.n}, rng);
            Guarded<float> gx({d.m, d.k}, 0.5f), gw({d.n, d.k}, 0.5f), gb({d.n}, 0.5f);
            cpu::linear_backward_input(ctx, w, gy, gx.tensor);
            cpu::linear_backward_weight(ctx, x, gy, gw.tensor);
            cpu::linear_backward_bias(ctx, gy, gb.tensor);
            const auto [gx_ref, gw_ref] = naive::matmul_grads(x, w, false, true, gy, 0.5);
            auto gb_ref = Tensor<double, Cpu>::full({d.n}, 0.5);
            for (std::int64_t i = 0; i < gy.numel(); ++i) gb_ref.data()[i % d.n] += gy.data()[i];
            ENAS_REQUIRE_CLOSE(gx.tensor, gx_ref, 1e-5, 1e-4);
            ENAS_REQUIRE_CLOSE(gw.tensor, gw_ref, 1e-5, 1e-4);
            ENAS_REQUIRE_CLOSE(gb.tensor, gb_ref, 1e-5, 1e-4);
            REQUIRE((gx.guard_intact() && gw.guard_intact() && gb.guard_intact()));
        }
}

TEST_CASE("linear_backward_bias splits a wide layer across threads correctly", "[matmul]") {
    Context<Cpu> ctx;
    Rng rng(63);
    const std::int64_t rows = 3, out = 40001;  // crosses the parallel grain
    const auto gy = test::random_tensor<float>({rows, out}, rng);
    Guarded<float> gb({out}, 0.25f);
    cpu::linear_backward_bias(ctx, gy, gb.tensor);
    auto ref = Tensor<double, Cpu>::full({out}, 0.25);
    for (std::int64_t i = 0; i < gy.numel(); ++i) ref.data()[i % out] += gy.data()[i];
    ENAS_REQUIRE_CLOSE(gb.tensor, ref, 1e-6, 1e-5);
    REQUIRE(gb.guard_intact());
}

TEST_CASE("matmul ops pass the gradient check", "[matmul][gradcheck]") {
    Rng rng(64);
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            INFO("trans_a=" << ta << " trans_b=" << tb);
            auto a = Var<double, Cpu>(test::random_tensor<double>(ta ? Shape{4, 3} : Shape{3, 4}, rng), true);
            auto b = Var<double, Cpu>(test::random_tensor<double>(tb ? Shape{2, 4} : Shape{4, 2}, rng), true);
            ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::matmul(t, a, b, ta, tb); }, {a, b}));
        }
    auto x = Var<double, Cpu>(test::random_tensor<double>({3, 5}, rng), true);
    auto w = Var<double, Cpu>(test::random_tensor<double>({2, 5}, rng), true);
    auto bias = Var<double, Cpu>(test::random_tensor<double>({2}, rng), true);
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::linear(t, x, w); }, {x, w}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::linear(t, x, w, bias); }, {x, w, bias}));
    // A product of a matrix with itself: both gradient paths accumulate into one buffer.
    auto s = Var<double, Cpu>(test::random_tensor<double>({3, 3}, rng), true);
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::matmul(t, s, s, true, false); }, {s}));
}

TEST_CASE("matmul ops work on non-contiguous inputs", "[matmul]") {
    Context<Cpu> ctx;
    Rng rng(65);
    const auto big = test::random_tensor<float>({4, 6}, rng), b = test::random_tensor<float>({3, 5}, rng);
    const Tensor<float, Cpu> a = big.narrow(1, 2, 3);  // [4, 3] view with row stride 6
    REQUIRE_FALSE(a.is_contiguous());
    ENAS_REQUIRE_CLOSE(ops::matmul(ctx, a, b), naive::matmul(a.contiguous(), b, false, false), 1e-6, 1e-5);
}

TEST_CASE("matmul ops reject bad shapes", "[matmul][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    const auto a = Tensor<float, Cpu>::full({3, 4}, 1.f), b = Tensor<float, Cpu>::full({5, 2}, 1.f);
    ENAS_REQUIRE_THROWS(ops::matmul(ctx, a, b), ShapeError, Contains("[3, 4]") && Contains("[5, 2]"));
    ENAS_REQUIRE_THROWS(ops::matmul(ctx, a, b, true, false), ShapeError,
                        Contains("(transposed)") && Contains("3 columns") && Contains("5 rows"));
    ENAS_REQUIRE_THROWS(ops::matmul(ctx, a.view({12}), b), ShapeError, Contains("rank 2") && Contains("[12]"));
    ENAS_REQUIRE_THROWS(ops::matmul(ctx, Tensor<float, Cpu>::zeros({0, 4}), a.view({4, 3})), ShapeError,
                        Contains("empty") && Contains("[0, 4]"));
    const auto w = Tensor<float, Cpu>::full({2, 5}, 1.f);
    ENAS_REQUIRE_THROWS(ops::linear(ctx, a, w), ShapeError,
                        Contains("[3, 4]") && Contains("[2, 5]") && Contains("[out, in]"));
    ENAS_REQUIRE_THROWS(ops::linear(ctx, a, a, Tensor<float, Cpu>::full({4}, 1.f)), ShapeError,
                        Contains("bias") && Contains("[4]") && Contains("expected [3]"));
    REQUIRE_THROWS_AS(ops::linear(ctx, Tensor<float, Cpu>(), w), StateError);
}
