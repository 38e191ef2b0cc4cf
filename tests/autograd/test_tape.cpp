#include "enas/autograd/grad_check.hpp"
#include "enas/ops/elementwise.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;

namespace {
Var<double, Cpu> param(std::vector<double> v) {
    const auto n = static_cast<std::int64_t>(v.size());
    return Var<double, Cpu>(Tensor<double, Cpu>::from_vector({n}, v), true);
}
}  // namespace

TEST_CASE("backward accumulates into existing gradients", "[autograd]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    auto x = param({1, -2, 3});
    auto y = ops::mul(tape, x, x);  // dy/dx = 2x
    tape.backward(y, Tensor<double, Cpu>::from_vector({3}, {1, 1, 1}));
    REQUIRE(x.grad().to_vector() == std::vector<double>{2, -4, 6});
    tape.clear();
    auto z = ops::scale(tape, x, 3.0);
    tape.backward(z, Tensor<double, Cpu>::from_vector({3}, {1, 1, 1}));
    REQUIRE(x.grad().to_vector() == std::vector<double>{5, -1, 9});  // += not =
    x.zero_grad();
    REQUIRE_FALSE(x.has_grad());
}

TEST_CASE("a Var used twice sums both paths", "[autograd]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    auto x = param({0.5, -1.5});
    auto y = ops::add(tape, ops::tanh(tape, x), ops::scale(tape, x, 2.0));
    tape.backward(y, Tensor<double, Cpu>::from_vector({2}, {1, 1}));
    const auto g = x.grad().to_vector();
    REQUIRE(g[0] == Approx(1 - std::tanh(0.5) * std::tanh(0.5) + 2));
    REQUIRE(g[1] == Approx(1 - std::tanh(-1.5) * std::tanh(-1.5) + 2));
}

TEST_CASE("no-grad scopes record nothing", "[autograd]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    auto x = param({1, 2});
    {
        NoGrad<Cpu> guard(tape);
        auto y = ops::relu(tape, x);
        REQUIRE_FALSE(y.requires_grad());
        REQUIRE(tape.size() == 0);
        ENAS_REQUIRE_THROWS(tape.backward(y, y.value()), StateError, Contains("does not require a gradient"));
    }
    auto y = ops::relu(tape, x);
    REQUIRE(y.requires_grad());
    REQUIRE(tape.size() == 1);
}

TEST_CASE("misuse of the tape raises StateError naming the state", "[autograd][errors]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx), other(ctx);
    auto x = param({1, 2});
    auto y = ops::sigmoid(tape, x);
    const auto ones = Tensor<double, Cpu>::from_vector({2}, {1, 1});
    ENAS_REQUIRE_THROWS(other.backward(y, ones), StateError, Contains("not recorded on this tape"));
    ENAS_REQUIRE_THROWS(tape.backward(y), ShapeError, Contains("one element"));
    ENAS_REQUIRE_THROWS(tape.backward(y, Tensor<double, Cpu>::from_vector({1}, {1})), ShapeError,
                        Contains("[1]") && Contains("[2]"));
    tape.backward(y, ones);
    ENAS_REQUIRE_THROWS(tape.backward(y, ones), StateError, Contains("second time"));
    tape.clear();
    ENAS_REQUIRE_THROWS(tape.backward(y, ones), StateError,
                        Contains("cleared tape") && Contains("generation 1") && Contains("generation 2"));
    Var<double, Cpu> undefined;
    ENAS_REQUIRE_THROWS(undefined.value(), StateError, Contains("undefined Var"));
}

TEST_CASE("the gradient checker detects a wrong gradient", "[autograd][gradcheck]") {
    auto x = param({0.3, -0.7, 1.1});
    // Correct op passes.
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::tanh(t, x); }, {x}));
    // An op whose recorded backward is deliberately wrong (scales by 2 but claims 3) must fail.
    auto bad = [&](Tape<Cpu>& t) {
        Var<double, Cpu> out = t.output(ops::scale(t.ctx(), x.value(), 2.0), x);
        t.record(out, [x, out](Context<Cpu>& c) {
            if (out.has_grad()) cpu::axpy(c, 3.0, out.grad(), x.grad_buffer(c));
        });
        return out;
    };
    const GradCheckResult r = grad_check(bad, {x});
    INFO(r.message);
    REQUIRE_FALSE(r.ok);
    REQUIRE(r.analytic == Approx(1.5 * r.numeric));
}
