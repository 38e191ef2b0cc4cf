#include "enas/autograd/grad_check.hpp"
#include "enas/ops/rnn_node.hpp"
#include "naive/rnn_node.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {
const Activation kActs[] = {Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid};
}

TEMPLATE_TEST_CASE("rnn node kernels match the naive reference", "[rnn_node]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    Context<Cpu> ctx(1);
    Rng rng(41);
    const Shape shapes[] = {{1, 1}, {1, 7}, {3, 13}, {64, 1000}};  // 64 x 1000 crosses the parallel grain
    for (Activation f : kActs) {
        for (const Shape& shape : shapes) {
            INFO(activation_name(f) << " " << shape.str());
            const auto s = test::random_tensor<T>(shape, rng, -2, 2), c = test::random_tensor<T>(shape, rng, -3, 3);
            const auto h = test::random_tensor<T>(shape, rng, -3, 3), gy = test::random_tensor<T>(shape, rng);
            Guarded<T> out(shape), ds(shape, T(0.5)), dc(shape, T(0.5)), dh(shape, T(0.5));
            cpu::rnn_node_forward(ctx, f, s, c, h, out.tensor);
            cpu::rnn_node_backward(ctx, f, s, c, h, gy, &ds.tensor, &dc.tensor, &dh.tensor);
            Tensor<double, Cpu> r_out(shape), r_ds(shape), r_dc(shape), r_dh(shape);
            for (std::int64_t i = 0; i < s.numel(); ++i) {
                const double sv = s.data()[i], cv = c.data()[i], hv = h.data()[i];
                r_out.data()[i] = naive::rnn_node(f, sv, cv, hv);
                const auto g = naive::rnn_node_grads(f, sv, cv, hv, gy.data()[i]);
                r_ds.data()[i] = 0.5 + g.ds;
                r_dc.data()[i] = 0.5 + g.dc;
                r_dh.data()[i] = 0.5 + g.dh;
            }
            ENAS_REQUIRE_CLOSE(out.tensor, r_out, tol, tol);
            ENAS_REQUIRE_CLOSE(ds.tensor, r_ds, tol, tol);
            ENAS_REQUIRE_CLOSE(dc.tensor, r_dc, tol, tol);
            ENAS_REQUIRE_CLOSE(dh.tensor, r_dh, tol, tol);
            REQUIRE((out.guard_intact() && ds.guard_intact() && dc.guard_intact() && dh.guard_intact()));
            // Null gradients are skipped: only dh is written here.
            Guarded<T> dh_only(shape, T(0.5));
            cpu::rnn_node_backward<T>(ctx, f, s, c, h, gy, nullptr, nullptr, &dh_only.tensor);
            ENAS_REQUIRE_CLOSE(dh_only.tensor, dh.tensor, 0.0, 0.0);
        }
    }
}

TEST_CASE("rnn node: Var-level op matches the tensor op and accumulates", "[rnn_node]") {
    Context<Cpu> ctx(2);
    Rng rng(42);
    const Shape shape{4, 9};
    const auto s0 = test::random_tensor<float>(shape, rng), c0 = test::random_tensor<float>(shape, rng);
    const auto wide = test::random_tensor<float>({4, 12}, rng);
    const auto h0 = wide.narrow(1, 2, 9);  // strided: the op makes it contiguous
    const auto y_tensor = ops::rnn_node(ctx, Activation::Tanh, s0, c0, h0);
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> s(s0, true), c(c0, true), h(h0.clone(), false);  // h needs no gradient
    s.grad() = Tensor<float, Cpu>::full(shape, 0.5f);
    auto y = ops::rnn_node(tape, Activation::Tanh, s, c, h);
    ENAS_REQUIRE_CLOSE(y.value(), y_tensor, 0.0, 0.0);
    const auto up = test::random_tensor<float>(shape, rng);
    tape.backward(y, up);
    Tensor<double, Cpu> r_ds(shape), r_dc(shape);
    for (std::int64_t i = 0; i < shape.numel(); ++i) {
        const auto g =
            naive::rnn_node_grads(Activation::Tanh, s0.data()[i], c0.data()[i], h.value().data()[i], up.data()[i]);
        r_ds.data()[i] = 0.5 + g.ds;
        r_dc.data()[i] = g.dc;
    }
    ENAS_REQUIRE_CLOSE(s.grad(), r_ds, 1e-6, 1e-6);
    ENAS_REQUIRE_CLOSE(c.grad(), r_dc, 1e-6, 1e-6);
    REQUIRE(!h.has_grad());
}

TEST_CASE("rnn node passes the gradient check", "[rnn_node][gradcheck]") {
    Rng rng(43);
    auto s = Var<double, Cpu>(test::random_tensor<double>({2, 5}, rng, -2, 2), true);
    auto c = Var<double, Cpu>(test::random_tensor<double>({2, 5}, rng, -2, 2), true);
    auto h = Var<double, Cpu>(test::random_tensor<double>({2, 5}, rng, -2, 2), true);
    for (Activation f : kActs) {
        INFO(activation_name(f));
        ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::rnn_node(t, f, s, c, h); }, {s, c, h}));
    }
    // A chain of two nodes where the second reads the first (node l reads node prev_l).
    ENAS_REQUIRE_GRADCHECK(grad_check(
        [&](Tape<Cpu>& t) {
            auto s1 = ops::rnn_node(t, Activation::Relu, s, c, h);
            return ops::rnn_node(t, Activation::Sigmoid, s1, h, s1);
        },
        {s, c, h}));
}

TEST_CASE("rnn node rejects bad shapes", "[rnn_node][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    auto full = [](const Shape& sh) { return Tensor<float, Cpu>::full(sh, 0.1f); };
    const auto s = full({2, 3});
    ENAS_REQUIRE_THROWS(ops::rnn_node(ctx, Activation::Tanh, s, full({2, 4}), s), ShapeError,
                        Contains("c_pre") && Contains("[2, 4]") && Contains("[2, 3]"));
    ENAS_REQUIRE_THROWS(ops::rnn_node(ctx, Activation::Tanh, s, s, full({3, 3})), ShapeError,
                        Contains("h_pre") && Contains("[3, 3]"));
    ENAS_REQUIRE_THROWS(ops::rnn_node(ctx, Activation::Tanh, full({6}), full({6}), full({6})), ShapeError,
                        Contains("rank 2") && Contains("[6]"));
    ENAS_REQUIRE_THROWS(ops::rnn_node(ctx, Activation::Tanh, full({0, 3}), full({0, 3}), full({0, 3})), ShapeError,
                        Contains("empty"));
}
