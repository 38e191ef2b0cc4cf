#include "enas/autograd/grad_check.hpp"
#include "enas/ops/depthwise_conv.hpp"
#include "naive/depthwise_conv.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

// c_out == c_in for a depthwise conv: {n, c, h, w, c, kh, kw, sh, sw, same}.
naive::ConvProblem dw(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t kh, std::int64_t kw,
                      std::int64_t sh, std::int64_t sw, bool same) {
    return {n, c, h, w, c, kh, kw, sh, sw, same};
}

std::string describe(const naive::ConvProblem& p) {
    std::ostringstream os;
    os << "x [" << p.n << ", " << p.c_in << ", " << p.h << ", " << p.w << "], kernel " << p.kh << "x" << p.kw
       << ", stride (" << p.sh << ", " << p.sw << "), " << (p.same ? "SAME" : "VALID");
    return os.str();
}

Conv2dParams params_of(const naive::ConvProblem& p) {
    return Conv2dParams{static_cast<int>(p.sh), static_cast<int>(p.sw), p.same ? Padding::Same : Padding::Valid};
}

// The specialised 3x3 and 5x5 kernels and the generic one (even, non-square, 1x1), strides 1, 2 and
// (2, 1), odd sizes, a kernel larger than the image, VALID, batch 1, and micro-search-sized cases
// that run in parallel.
const naive::ConvProblem kProblems[] = {
    dw(2, 3, 5, 5, 3, 3, 1, 1, true),    dw(1, 5, 7, 6, 3, 3, 2, 2, true),    dw(2, 3, 9, 11, 5, 5, 1, 1, true),
    dw(1, 7, 9, 10, 5, 5, 2, 2, true),   dw(2, 4, 7, 9, 2, 2, 1, 1, true),    dw(2, 3, 8, 9, 4, 3, 2, 1, true),
    dw(3, 2, 6, 7, 1, 1, 1, 1, true),    dw(2, 3, 3, 4, 5, 5, 1, 1, true),    dw(2, 5, 8, 7, 3, 3, 1, 1, false),
    dw(1, 4, 9, 9, 5, 5, 2, 2, false),   dw(2, 3, 6, 5, 1, 3, 1, 2, false),   dw(2, 3, 2, 2, 2, 2, 1, 1, true),
    dw(4, 20, 32, 32, 3, 3, 1, 1, true), dw(3, 40, 16, 16, 5, 5, 2, 2, true), dw(2, 36, 15, 17, 5, 5, 1, 1, true),
};

template <class T>
void check_against_naive(const naive::ConvProblem& p, double atol, double rtol) {
    Context<Cpu> ctx(1);
    Rng rng(static_cast<std::uint64_t>(p.n * 1000 + p.c_in * 100 + p.kh * 10 + p.sh));
    const Tensor<T, Cpu> x = test::random_tensor<T>(p.x_shape(), rng);
    const Tensor<T, Cpu> w = test::random_tensor<T>(p.w_shape(1), rng);
    const Tensor<T, Cpu> gy = test::random_tensor<T>(p.y_shape(), rng);
    const naive::ConvReference ref = naive::depthwise_conv_reference(p, x, w, gy);
    Guarded<T> y(p.y_shape()), gx(p.x_shape(), T(0.5)), gw(p.w_shape(1), T(-0.25));
    cpu::depthwise_conv2d_forward(ctx, params_of(p), x, w, y.tensor);
    cpu::depthwise_conv2d_backward_input(ctx, params_of(p), gy, w, gx.tensor);
    cpu::depthwise_conv2d_backward_weight(ctx, params_of(p), x, gy, gw.tensor);
    Tensor<double, Cpu> gx_ref = ref.gx.clone(), gw_ref = ref.gw.clone();
    for (std::int64_t i = 0; i < gx_ref.numel(); ++i) gx_ref.data()[i] += 0.5;
    for (std::int64_t i = 0; i < gw_ref.numel(); ++i) gw_ref.data()[i] -= 0.25;
    ENAS_REQUIRE_CLOSE(y.tensor, ref.y, atol, rtol);
    ENAS_REQUIRE_CLOSE(gx.tensor, gx_ref, atol, rtol);
    ENAS_REQUIRE_CLOSE(gw.tensor, gw_ref, atol, rtol);
    REQUIRE(y.guard_intact());
    REQUIRE(gx.guard_intact());
    REQUIRE(gw.guard_intact());
}

}  // namespace

TEST_CASE("depthwise_conv2d kernels match the naive reference (float)", "[depthwise_conv]") {
    for (const naive::ConvProblem& p : kProblems) {
        INFO(describe(p));
        std::printf("%s\n", describe(p).c_str());
        check_against_naive<float>(p, 1e-5, 1e-4);
    }
}

TEST_CASE("depthwise_conv2d kernels match the naive reference (double)", "[depthwise_conv]") {
    for (const naive::ConvProblem& p : kProblems) {
        INFO(describe(p));
        check_against_naive<double>(p, 1e-12, 1e-12);
    }
}

TEST_CASE("depthwise_conv2d passes the gradient check", "[depthwise_conv][gradcheck]") {
    Rng rng(31);
    const naive::ConvProblem problems[] = {
        dw(2, 3, 5, 5, 3, 3, 1, 1, true), dw(2, 3, 6, 7, 3, 3, 2, 2, true),  dw(1, 2, 6, 7, 5, 5, 1, 1, true),
        dw(2, 2, 5, 6, 2, 2, 1, 1, true), dw(1, 3, 7, 6, 3, 2, 2, 1, false),
    };
    for (const naive::ConvProblem& p : problems) {
        INFO(describe(p));
        auto x = Var<double, Cpu>(test::random_tensor<double>(p.x_shape(), rng), true);
        auto w = Var<double, Cpu>(test::random_tensor<double>(p.w_shape(1), rng), true);
        ENAS_REQUIRE_GRADCHECK(
            grad_check([&](Tape<Cpu>& t) { return ops::depthwise_conv2d(t, x, w, params_of(p)); }, {x, w}));
    }
}

TEST_CASE("depthwise_conv2d backward accumulates and skips inputs without a gradient", "[depthwise_conv]") {
    Context<Cpu> ctx(4);
    Rng rng(8);
    const naive::ConvProblem p = dw(2, 3, 6, 5, 3, 3, 2, 1, true);
    Var<double, Cpu> x(test::random_tensor<double>(p.x_shape(), rng), true);
    Var<double, Cpu> w(test::random_tensor<double>(p.w_shape(1), rng), true);
    Var<double, Cpu> x_frozen(x.value(), false);
    const auto gy = test::random_tensor<double>(p.y_shape(), rng);
    const naive::ConvReference ref = naive::depthwise_conv_reference(p, x.value(), w.value(), gy);
    x.grad() = Tensor<double, Cpu>::full(p.x_shape(), 1.5);
    w.grad() = Tensor<double, Cpu>::full(p.w_shape(1), -2.0);
    Tape<Cpu> tape(ctx);
    auto y = ops::depthwise_conv2d(tape, x, w, params_of(p));
    tape.backward(y, gy);
    tape.clear();
    auto y2 = ops::depthwise_conv2d(tape, x_frozen, w, params_of(p));
    tape.backward(y2, gy);
    Tensor<double, Cpu> gx_ref = ref.gx.clone(), gw_ref = ref.gw.clone();
    for (std::int64_t i = 0; i < gx_ref.numel(); ++i) gx_ref.data()[i] += 1.5;
    for (std::int64_t i = 0; i < gw_ref.numel(); ++i) gw_ref.data()[i] = -2.0 + 2 * gw_ref.data()[i];
    ENAS_REQUIRE_CLOSE(x.grad(), gx_ref, 1e-12, 1e-12);
    ENAS_REQUIRE_CLOSE(w.grad(), gw_ref, 1e-12, 1e-12);
    REQUIRE_FALSE(x_frozen.has_grad());
}

TEST_CASE("depthwise_conv2d accepts non-contiguous inputs", "[depthwise_conv]") {
    Context<Cpu> ctx(5);
    Rng rng(12);
    const auto big = test::random_tensor<float>({2, 6, 7, 7}, rng);
    const Tensor<float, Cpu> x = big.narrow(1, 1, 4);
    REQUIRE_FALSE(x.is_contiguous());
    const auto w = test::random_tensor<float>({4, 1, 3, 3}, rng);
    ENAS_REQUIRE_CLOSE(ops::depthwise_conv2d(ctx, x, w), ops::depthwise_conv2d(ctx, x.clone(), w), 0.0, 0.0);
}

TEST_CASE("a repeated depthwise_conv2d step allocates nothing new", "[depthwise_conv]") {
    Context<Cpu> ctx(6);
    Rng rng(13);
    Var<float, Cpu> x(test::random_tensor<float>({4, 20, 16, 16}, rng), true);
    Var<float, Cpu> w(test::random_tensor<float>({20, 1, 5, 5}, rng), true);
    const auto gy = test::random_tensor<float>({4, 20, 8, 8}, rng);
    auto step = [&] {
        Tape<Cpu> tape(ctx);
        auto y = ops::depthwise_conv2d(tape, x, w, Conv2dParams{2, 2, Padding::Same});
        tape.backward(y, gy);
        x.zero_grad();
        w.zero_grad();
    };
    step();
    step();
    const auto fresh = ctx.allocator_stats().fresh_allocations;
    for (int i = 0; i < 3; ++i) step();
    REQUIRE(ctx.allocator_stats().fresh_allocations == fresh);
}

TEST_CASE("depthwise_conv2d rejects bad shapes and parameters", "[depthwise_conv][errors]") {
    Context<Cpu> ctx;
    const auto x = Tensor<float, Cpu>::full({2, 3, 5, 5}, 1.f), w = Tensor<float, Cpu>::full({3, 1, 3, 3}, 1.f);
    using Catch::Matchers::Contains;
    ENAS_REQUIRE_THROWS(ops::depthwise_conv2d(ctx, Tensor<float, Cpu>::full({3, 5, 5}, 1.f), w), ShapeError,
                        Contains("rank 4") && Contains("[3, 5, 5]"));
    ENAS_REQUIRE_THROWS(ops::depthwise_conv2d(ctx, x, Tensor<float, Cpu>::full({3, 3, 3, 3}, 1.f)), ShapeError,
                        Contains("channel multiplier 1") && Contains("[3, 3, 3, 3]"));
    ENAS_REQUIRE_THROWS(ops::depthwise_conv2d(ctx, x, Tensor<float, Cpu>::full({4, 1, 3, 3}, 1.f)), ShapeError,
                        Contains("[4, 1, 3, 3]") && Contains("[2, 3, 5, 5]"));
    ENAS_REQUIRE_THROWS(ops::depthwise_conv2d(ctx, Tensor<float, Cpu>({2, 3, 0, 5}), w), ShapeError,
                        Contains("empty") && Contains("[2, 3, 0, 5]"));
    ENAS_REQUIRE_THROWS(ops::depthwise_conv2d(ctx, x, w, Conv2dParams{1, -2, Padding::Same}), ValueError,
                        Contains("strides must be positive") && Contains("(1, -2)"));
    ENAS_REQUIRE_THROWS(
        ops::depthwise_conv2d(ctx, x, Tensor<float, Cpu>::full({3, 1, 3, 7}, 1.f), Conv2dParams{1, 1, Padding::Valid}),
        ShapeError, Contains("input 5") && Contains("kernel 7"));
    REQUIRE_THROWS_AS(ops::depthwise_conv2d(ctx, x, Tensor<float, Cpu>()), StateError);
}
