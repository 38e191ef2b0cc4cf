#include "enas/autograd/grad_check.hpp"
#include "enas/ops/elementwise.hpp"
#include "enas/ops/lstm.hpp"
#include "naive/lstm.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

template <class T>
std::vector<double> doubles(const Tensor<T, Cpu>& t) {
    return std::vector<double>(t.data(), t.data() + t.numel());
}

Tensor<double, Cpu> tensor_of(const Shape& s, std::vector<double> v, double add = 0) {
    for (double& x : v) x += add;
    return Tensor<double, Cpu>::from_vector(s, v);
}

struct Dims {
    std::int64_t batch, in, hidden;
};

}  // namespace

TEMPLATE_TEST_CASE("lstm cell kernels match the naive reference", "[lstm]", float, double) {
    using T = TestType;
    const double atol = std::is_same_v<T, float> ? 2e-6 : 1e-13, rtol = std::is_same_v<T, float> ? 1e-5 : 1e-11;
    Context<Cpu> ctx(1);
    Rng rng(21);
    // Controller sizes (batch 1, H = 64 / 100), awkward sizes, and a batch that crosses the parallel grain.
    const Dims dims[] = {{1, 64, 64}, {1, 100, 100}, {3, 5, 7}, {2, 1, 3}, {1, 13, 1}, {40, 17, 256}};
    enum class Upstream { Both, HOnly, COnly };
    for (const Dims& d : dims) {
        for (Upstream up : {Upstream::Both, Upstream::HOnly, Upstream::COnly}) {
            INFO("B=" << d.batch << " I=" << d.in << " H=" << d.hidden << " upstream " << static_cast<int>(up));
            const Shape xs{d.batch, d.in}, hs{d.batch, d.hidden}, ws{d.in + d.hidden, 4 * d.hidden};
            const auto x = test::random_tensor<T>(xs, rng), h_prev = test::random_tensor<T>(hs, rng);
            const auto c_prev = test::random_tensor<T>(hs, rng, -2, 2), w = test::random_tensor<T>(ws, rng, -0.5, 0.5);
            const auto gh = test::random_tensor<T>(hs, rng), gc = test::random_tensor<T>(hs, rng);
            Guarded<T> gates({d.batch, 4 * d.hidden}), h(hs), c(hs);
            cpu::lstm_cell_forward(ctx, x, h_prev, c_prev, w, gates.tensor, h.tensor, c.tensor);
            Guarded<T> dx(xs, T(0.5)), dh_prev(hs, T(0.5)), dc_prev(hs, T(0.5)), dw(ws, T(0.5));
            cpu::lstm_cell_backward(ctx, x, h_prev, c_prev, w, gates.tensor, c.tensor,
                                    up == Upstream::COnly ? nullptr : &gh, up == Upstream::HOnly ? nullptr : &gc,
                                    &dx.tensor, &dh_prev.tensor, &dc_prev.tensor, &dw.tensor);

            naive::LstmCellRef ref{
                d.batch, d.in, d.hidden, doubles(x), doubles(h_prev), doubles(c_prev), doubles(w), {}, {},
                {},      {},   {},       {}};
            ref.forward();
            ref.backward(up == Upstream::COnly ? std::vector<double>{} : doubles(gh),
                         up == Upstream::HOnly ? std::vector<double>{} : doubles(gc));
            ENAS_REQUIRE_CLOSE(h.tensor, tensor_of(hs, ref.h), atol, rtol);
            ENAS_REQUIRE_CLOSE(c.tensor, tensor_of(hs, ref.c), atol, rtol);
            ENAS_REQUIRE_CLOSE(dx.tensor, tensor_of(xs, ref.dx, 0.5), atol, rtol);
            ENAS_REQUIRE_CLOSE(dh_prev.tensor, tensor_of(hs, ref.dh_prev, 0.5), atol, rtol);
            ENAS_REQUIRE_CLOSE(dc_prev.tensor, tensor_of(hs, ref.dc_prev, 0.5), atol, rtol);
            ENAS_REQUIRE_CLOSE(dw.tensor, tensor_of(ws, ref.dw, 0.5), atol, rtol);
            REQUIRE((gates.guard_intact() && h.guard_intact() && c.guard_intact()));
            REQUIRE((dx.guard_intact() && dh_prev.guard_intact() && dc_prev.guard_intact() && dw.guard_intact()));
        }
    }
}

TEST_CASE("lstm cell: tensor-level and Var-level ops agree and backward accumulates", "[lstm]") {
    Context<Cpu> ctx(2);
    Rng rng(22);
    const Dims d{2, 6, 5};
    const Shape xs{d.batch, d.in}, hs{d.batch, d.hidden}, ws{d.in + d.hidden, 4 * d.hidden};
    // Strided inputs: the ops make them contiguous.
    const auto x_wide = test::random_tensor<float>({d.batch, d.in + 3}, rng);
    const auto x0 = x_wide.narrow(1, 1, d.in);
    const auto h0 = test::random_tensor<float>(hs, rng), c0 = test::random_tensor<float>(hs, rng);
    const auto w0 = test::random_tensor<float>(ws, rng);
    const auto t = ops::lstm_cell(ctx, x0, h0, c0, w0);

    Tape<Cpu> tape(ctx);
    Var<float, Cpu> x(x0.clone(), true), h(h0, true), c(c0, true), w(w0, true);
    for (auto* v : {&x, &h, &c, &w}) v->grad() = Tensor<float, Cpu>::full(v->shape(), 0.5f);
    const auto out = ops::lstm_cell(tape, x, h, c, w);
    ENAS_REQUIRE_CLOSE(out.h.value(), t.h, 0.0, 0.0);
    ENAS_REQUIRE_CLOSE(out.c.value(), t.c, 0.0, 0.0);
    REQUIRE(tape.size() == 1);  // one closure for both outputs
    auto sum = ops::add(tape, out.h, out.c);
    const auto up = test::random_tensor<float>(hs, rng);
    tape.backward(sum, up);

    naive::LstmCellRef ref{
        d.batch, d.in, d.hidden, doubles(x0.clone()), doubles(h0), doubles(c0), doubles(w0), {}, {}, {}, {}, {}, {}};
    ref.forward();
    ref.backward(doubles(up), doubles(up));
    ENAS_REQUIRE_CLOSE(x.grad(), tensor_of(xs, ref.dx, 0.5), 2e-6, 1e-5);
    ENAS_REQUIRE_CLOSE(h.grad(), tensor_of(hs, ref.dh_prev, 0.5), 2e-6, 1e-5);
    ENAS_REQUIRE_CLOSE(c.grad(), tensor_of(hs, ref.dc_prev, 0.5), 2e-6, 1e-5);
    ENAS_REQUIRE_CLOSE(w.grad(), tensor_of(ws, ref.dw, 0.5), 2e-6, 1e-5);
}

TEST_CASE("lstm cell passes the gradient check", "[lstm][gradcheck]") {
    Rng rng(23);
    const Dims d{2, 3, 4};
    auto x = Var<double, Cpu>(test::random_tensor<double>({d.batch, d.in}, rng), true);
    auto x2 = Var<double, Cpu>(test::random_tensor<double>({d.batch, d.in}, rng), true);
    auto h = Var<double, Cpu>(test::random_tensor<double>({d.batch, d.hidden}, rng), true);
    auto c = Var<double, Cpu>(test::random_tensor<double>({d.batch, d.hidden}, rng, -2, 2), true);
    auto w = Var<double, Cpu>(test::random_tensor<double>({d.in + d.hidden, 4 * d.hidden}, rng), true);
    SECTION("h only") {
        ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::lstm_cell(t, x, h, c, w).h; }, {x, h, c, w}));
    }
    SECTION("c only") {
        ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::lstm_cell(t, x, h, c, w).c; }, {x, h, c, w}));
    }
    SECTION("two unrolled steps sharing W, through h and c") {
        ENAS_REQUIRE_GRADCHECK(grad_check(
            [&](Tape<Cpu>& t) {
                const auto s1 = ops::lstm_cell(t, x, h, c, w);
                const auto s2 = ops::lstm_cell(t, x2, s1.h, s1.c, w);
                return ops::add(t, s2.h, s2.c);
            },
            {x, x2, h, c, w}));
    }
}

TEST_CASE("lstm cell rejects bad shapes", "[lstm][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    auto full = [](const Shape& s) { return Tensor<float, Cpu>::full(s, 0.1f); };
    const auto x = full({1, 3}), h = full({1, 4}), c = full({1, 4}), w = full({7, 16});
    REQUIRE_NOTHROW(ops::lstm_cell(ctx, x, h, c, w));
    ENAS_REQUIRE_THROWS(ops::lstm_cell(ctx, full({3}), h, c, w), ShapeError, Contains("rank 2") && Contains("[3]"));
    ENAS_REQUIRE_THROWS(ops::lstm_cell(ctx, full({2, 3}), h, c, w), ShapeError,
                        Contains("batch sizes") && Contains("[2, 3]") && Contains("[1, 4]"));
    ENAS_REQUIRE_THROWS(ops::lstm_cell(ctx, x, h, full({1, 5}), w), ShapeError,
                        Contains("c_prev") && Contains("[1, 5]") && Contains("[1, 4]"));
    ENAS_REQUIRE_THROWS(ops::lstm_cell(ctx, x, h, c, full({8, 16})), ShapeError,
                        Contains("'w'") && Contains("[8, 16]") && Contains("[7, 16]"));
    ENAS_REQUIRE_THROWS(ops::lstm_cell(ctx, x, h, c, full({7, 12})), ShapeError, Contains("[7, 12]"));
    ENAS_REQUIRE_THROWS(ops::lstm_cell(ctx, full({1, 0}), h, c, w), ShapeError, Contains("empty"));
}
