#include "enas/autograd/grad_check.hpp"
#include "enas/ops/elementwise.hpp"
#include "naive/elementwise.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {
const Activation kActs[] = {Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid};
}

TEST_CASE("activation forward and backward match the naive reference", "[elementwise]") {
    Context<Cpu> ctx(1);
    Rng rng(11);
    for (Activation a : kActs) {
        for (std::int64_t n : {1, 7, 1000, 100003}) {  // 100003 crosses the parallel grain
            INFO(activation_name(a) << " n=" << n);
            const Tensor<float, Cpu> x = test::random_tensor<float>({n}, rng, -3, 3);
            const Tensor<float, Cpu> gy = test::random_tensor<float>({n}, rng);
            Guarded<float> y({n});
            cpu::activation_forward(ctx, a, x, y.tensor);
            Guarded<float> gx({n}, 0.5f);  // nonzero: backward must accumulate into it
            cpu::activation_backward(ctx, a, y.tensor, gy, gx.tensor);
            Tensor<double, Cpu> y_ref({n}), gx_ref({n});
            for (std::int64_t i = 0; i < n; ++i) {
                y_ref.data()[i] = naive::activation(a, x.data()[i]);
                gx_ref.data()[i] = 0.5 + gy.data()[i] * naive::activation_grad(a, x.data()[i]);
            }
            ENAS_REQUIRE_CLOSE(y.tensor, y_ref, 1e-6, 1e-5);
            ENAS_REQUIRE_CLOSE(gx.tensor, gx_ref, 1e-6, 1e-5);
            REQUIRE(y.guard_intact());
            REQUIRE(gx.guard_intact());
        }
    }
}

TEST_CASE("add, mul, scale and axpy match the naive reference", "[elementwise]") {
    Context<Cpu> ctx(1);
    Rng rng(5);
    const std::int64_t n = 50001;
    const auto a = test::random_tensor<float>({n}, rng), b = test::random_tensor<float>({n}, rng);
    Guarded<float> s({n}), p({n}), c({n}), acc({n}, 1.0f);
    cpu::add_forward(ctx, a, b, s.tensor);
    cpu::mul_forward(ctx, a, b, p.tensor);
    cpu::scale_forward(ctx, 2.5f, a, c.tensor);
    cpu::axpy(ctx, -0.5f, b, acc.tensor);
    Tensor<double, Cpu> rs({n}), rp({n}), rc({n}), racc({n});
    for (std::int64_t i = 0; i < n; ++i) {
        const double x = a.data()[i], y = b.data()[i];
        rs.data()[i] = x + y;
        rp.data()[i] = x * y;
        rc.data()[i] = 2.5 * x;
        racc.data()[i] = 1.0 - 0.5 * y;
    }
    ENAS_REQUIRE_CLOSE(s.tensor, rs, 1e-7, 1e-6);
    ENAS_REQUIRE_CLOSE(p.tensor, rp, 1e-7, 1e-6);
    ENAS_REQUIRE_CLOSE(c.tensor, rc, 1e-7, 1e-6);
    ENAS_REQUIRE_CLOSE(acc.tensor, racc, 1e-7, 1e-6);
    REQUIRE((s.guard_intact() && p.guard_intact() && c.guard_intact() && acc.guard_intact()));
}

TEST_CASE("elementwise ops pass the gradient check", "[elementwise][gradcheck]") {
    Rng rng(3);
    auto x = Var<double, Cpu>(test::random_tensor<double>({3, 4}, rng, -2, 2), true);
    auto y = Var<double, Cpu>(test::random_tensor<double>({3, 4}, rng, -2, 2), true);
    for (Activation a : kActs) {
        INFO(activation_name(a));
        ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::activation(t, a, x); }, {x}));
    }
    ENAS_REQUIRE_GRADCHECK(
        grad_check([&](Tape<Cpu>& t) { return ops::scale(t, ops::mul(t, ops::add(t, x, y), x), 0.75); }, {x, y}));
}

TEST_CASE("elementwise ops reject mismatched and empty shapes", "[elementwise][errors]") {
    Context<Cpu> ctx;
    Tensor<float, Cpu> a({2, 3}), b({3, 2}), e({0, 3});
    a.fill(1);
    b.fill(1);
    ENAS_REQUIRE_THROWS(ops::add(ctx, a, b), ShapeError,
                        Catch::Matchers::Contains("[2, 3]") && Catch::Matchers::Contains("[3, 2]"));
    REQUIRE_THROWS_AS(ops::activation(ctx, Activation::Relu, e), ShapeError);
    REQUIRE_THROWS_AS(ops::mul(ctx, a, Tensor<float, Cpu>()), StateError);
}

TEST_CASE("vectorizable float exp, sigmoid and tanh are accurate to a few ulp", "[elementwise][vec_math]") {
    double worst_exp = 0, worst_sig = 0, worst_tanh = 0;
    for (int i = -200000; i <= 200000; ++i) {
        const float x = static_cast<float>(i) * 4.3e-4f;  // [-86, 86]
        const double xd = x;
        worst_exp = std::max(worst_exp, std::fabs(cpu::vexp(x) - std::exp(xd)) / std::exp(xd));
        const double s = 1 / (1 + std::exp(-xd));
        worst_sig = std::max(worst_sig, std::fabs(cpu::vsigmoid(x) - s) / s);
        if (x != 0)
            worst_tanh = std::max(worst_tanh, std::fabs(cpu::vtanh(x) - std::tanh(xd)) / std::fabs(std::tanh(xd)));
    }
    std::printf("  vec_math worst rel err: exp %.2e, sigmoid %.2e, tanh %.2e\n", worst_exp, worst_sig, worst_tanh);
    REQUIRE(worst_exp < 3e-7);
    REQUIRE(worst_sig < 3e-7);
    REQUIRE(worst_tanh < 3e-7);
    REQUIRE(cpu::vtanh(1e-20f) == 1e-20f);
    REQUIRE(cpu::vtanh(-40.f) == -1.f);
    REQUIRE(cpu::vsigmoid(-100.f) < 1e-37f);  // e^100 saturates at e^88.3: a denormal, as in libm
    REQUIRE(std::isnan(cpu::vtanh(std::numeric_limits<float>::quiet_NaN())));
}
