#include <omp.h>

#include <algorithm>
#include <cmath>

#include "enas/autograd/grad_check.hpp"
#include "enas/ops/dropout.hpp"
#include "naive/dropout.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

template <class T>
std::vector<double> doubles(const Tensor<T, Cpu>& t) {
    const Tensor<T, Cpu> c = t.contiguous();
    return std::vector<double>(c.data(), c.data() + c.numel());
}

Tensor<double, Cpu> tensor_of(const Shape& s, const std::vector<double>& v) {
    return Tensor<double, Cpu>::from_vector(s, v);
}

std::vector<double> plus(std::vector<double> a, double c, const std::vector<double>& b, const std::vector<double>& m) {
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = c + b[i] * m[i];
    return a;
}

std::int64_t count_nonzero(const Tensor<float, Cpu>& t) {
    std::int64_t k = 0;
    for (std::int64_t i = 0; i < t.numel(); ++i) k += t.data()[i] != 0.0f;
    return k;
}

}  // namespace

TEMPLATE_TEST_CASE("dropout kernels match the naive reference", "[dropout]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    Context<Cpu> ctx(1);
    Rng rng(11);
    for (double keep : {0.25, 0.9}) {
        for (std::int64_t n : {1, 3, 7, 1001, 100003}) {  // 100003 crosses the parallel grain, n % 4 != 0
            INFO("keep=" << keep << " n=" << n);
            const DropoutDraw d{77, static_cast<std::uint64_t>(5 + n), keep};
            const auto x = test::random_tensor<T>({n}, rng, -3, 3);
            const auto gy = test::random_tensor<T>({n}, rng);
            Guarded<T> y({n}), m({n}), gx({n}, T(0.5));  // gx nonzero: backward must accumulate
            cpu::dropout_forward(ctx, d, x, y.tensor);
            cpu::dropout_mask(ctx, d, m.tensor);
            cpu::dropout_backward(ctx, d, gy, gx.tensor);
            const std::vector<double> mask = naive::dropout_mask(d.seed, d.base, n, keep);
            const std::vector<double> zero(static_cast<std::size_t>(n), 0.0);
            ENAS_REQUIRE_CLOSE(m.tensor, tensor_of({n}, mask), tol, tol);
            ENAS_REQUIRE_CLOSE(y.tensor, tensor_of({n}, plus(zero, 0.0, doubles(x), mask)), tol, tol);
            ENAS_REQUIRE_CLOSE(gx.tensor, tensor_of({n}, plus(zero, 0.5, doubles(gy), mask)), tol, tol);
            REQUIRE((y.guard_intact() && m.guard_intact() && gx.guard_intact()));
        }
    }
}

TEMPLATE_TEST_CASE("row and locked mask kernels match the naive reference", "[dropout]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    Context<Cpu> ctx(1);
    Rng rng(12);
    struct Case {
        Shape x;
        std::int64_t mask_numel;
        bool locked;
    };
    const Case cases[] = {{{1, 3, 5, 5}, 1, false},  {{7, 13, 3, 3}, 7, false}, {{5}, 5, false},
                          {{300, 129}, 300, false},  {{1, 1, 1}, 1, true},      {{5, 3, 7}, 21, true},
                          {{35, 20, 53}, 1060, true}};
    for (const Case& c : cases) {
        INFO("x " << c.x.str() << (c.locked ? " locked" : " rows"));
        const auto x = test::random_tensor<T>(c.x, rng, -2, 2);
        const auto gy = test::random_tensor<T>(c.x, rng);
        Tensor<T, Cpu> mask({c.mask_numel});
        cpu::dropout_mask(ctx, DropoutDraw{3, 9, 0.6}, mask);
        Guarded<T> y(c.x), gx(c.x, T(0.5));
        if (c.locked) {
            cpu::locked_mask_forward(ctx, x, mask, y.tensor);
            cpu::locked_mask_backward(ctx, gy, mask, gx.tensor);
        } else {
            cpu::row_mask_forward(ctx, x, mask, y.tensor);
            cpu::row_mask_backward(ctx, gy, mask, gx.tensor);
        }
        const auto m = doubles(mask);
        const auto ref_y = c.locked ? naive::apply_locked_mask(doubles(x), m) : naive::apply_row_mask(doubles(x), m);
        auto ref_g = c.locked ? naive::apply_locked_mask(doubles(gy), m) : naive::apply_row_mask(doubles(gy), m);
        for (double& v : ref_g) v += 0.5;
        ENAS_REQUIRE_CLOSE(y.tensor, tensor_of(c.x, ref_y), tol, tol);
        ENAS_REQUIRE_CLOSE(gx.tensor, tensor_of(c.x, ref_g), tol, tol);
        REQUIRE((y.guard_intact() && gx.guard_intact()));
    }
}

TEST_CASE("dropout ops draw their masks from the context RNG", "[dropout]") {
    Context<Cpu> ctx(42);
    Rng rng(13);
    const double keep = 0.7;
    auto check_op = [&](const char* name, const Shape& xs, const Shape& ms, bool locked, auto&& op) {
        INFO(name << " x " << xs.str());
        const auto x = test::random_tensor<float>(xs, rng, -2, 2);
        const Rng before = ctx.rng();
        Tensor<float, Cpu> mask;
        const Tensor<float, Cpu> y = op(x, &mask);
        REQUIRE(mask.shape() == ms);
        const auto ref_mask = naive::dropout_mask(before.seed(), before.offset(), ms.numel(), keep);
        ENAS_REQUIRE_CLOSE(mask, tensor_of(ms, ref_mask), 1e-6, 1e-6);
        const auto ref_y = xs == ms ? plus(doubles(x), 0.0, doubles(x), ref_mask)
                           : locked ? naive::apply_locked_mask(doubles(x), ref_mask)
                                    : naive::apply_row_mask(doubles(x), ref_mask);
        ENAS_REQUIRE_CLOSE(y, tensor_of(xs, ref_y), 1e-6, 1e-6);
        // The draw reserved exactly ceil(n / 4) Philox counters.
        REQUIRE(ctx.rng().offset() == before.offset() + static_cast<std::uint64_t>((ms.numel() + 3) / 4));
    };
    check_op("dropout", {3, 5, 7}, {3, 5, 7}, false,
             [&](const auto& x, auto* m) { return ops::dropout(ctx, x, keep, m); });
    check_op("drop_path", {9, 4, 3, 3}, {9}, false,
             [&](const auto& x, auto* m) { return ops::drop_path(ctx, x, keep, m); });
    check_op("locked_dropout", {6, 4, 11}, {4, 11}, true,
             [&](const auto& x, auto* m) { return ops::locked_dropout(ctx, x, keep, m); });
    check_op("embedding_dropout", {50, 7}, {50}, false,
             [&](const auto& x, auto* m) { return ops::embedding_dropout(ctx, x, keep, m); });
    // A strided (non-contiguous) input gives the same result as its contiguous copy.
    const auto wide = test::random_tensor<float>({8, 6, 5}, rng);
    const auto strided = wide.narrow(1, 2, 3);
    REQUIRE(!strided.is_contiguous());
    Context<Cpu> a(3), b(3);
    ENAS_REQUIRE_CLOSE(ops::drop_path(a, strided, 0.5), ops::drop_path(b, strided.clone(), 0.5), 0.0, 0.0);
    ENAS_REQUIRE_CLOSE(ops::dropout(a, strided, 0.5), ops::dropout(b, strided.clone(), 0.5), 0.0, 0.0);
}

TEST_CASE("Var-level dropout ops match the tensor-level ops and accumulate gradients", "[dropout]") {
    Rng rng(14);
    const Shape xs{6, 4, 5};
    const auto x0 = test::random_tensor<float>(xs, rng, -2, 2);
    const auto up = test::random_tensor<float>(xs, rng);
    using TensorOp = Tensor<float, Cpu> (*)(Context<Cpu>&, const Tensor<float, Cpu>&, double, Tensor<float, Cpu>*);
    using VarOp = Var<float, Cpu> (*)(Tape<Cpu>&, const Var<float, Cpu>&, double, Tensor<float, Cpu>*);
    struct Op {
        const char* name;
        TensorOp t;
        VarOp v;
        Shape mask;
        bool locked;
    };
    const Op list[] = {
        {"dropout", &ops::dropout<float, Cpu>, &ops::dropout<float, Cpu>, xs, false},
        {"drop_path", &ops::drop_path<float, Cpu>, &ops::drop_path<float, Cpu>, {6}, false},
        {"locked_dropout", &ops::locked_dropout<float, Cpu>, &ops::locked_dropout<float, Cpu>, {4, 5}, true},
    };
    for (const Op& op : list) {
        INFO(op.name);
        Context<Cpu> c1(9), c2(9);
        Tensor<float, Cpu> m1, m2;
        const auto y_tensor = op.t(c1, x0, 0.55, &m1);
        Tape<Cpu> tape(c2);
        Var<float, Cpu> x(x0.clone(), true);
        x.grad() = Tensor<float, Cpu>::full(xs, 0.5f);  // pre-existing gradient: backward must add to it
        Var<float, Cpu> y = op.v(tape, x, 0.55, &m2);
        ENAS_REQUIRE_CLOSE(y.value(), y_tensor, 0.0, 0.0);
        ENAS_REQUIRE_CLOSE(m2, m1, 0.0, 0.0);
        tape.backward(y, up);
        const auto m = doubles(m1);
        const auto g = op.mask == xs ? plus(doubles(up), 0.0, doubles(up), m)
                       : op.locked   ? naive::apply_locked_mask(doubles(up), m)
                                     : naive::apply_row_mask(doubles(up), m);
        std::vector<double> expected(g.size());
        for (std::size_t i = 0; i < g.size(); ++i) expected[i] = 0.5 + g[i];
        ENAS_REQUIRE_CLOSE(x.grad(), tensor_of(xs, expected), 1e-6, 1e-6);
    }
}

TEST_CASE("dropout masks have the right statistics and depend only on (seed, offset)", "[dropout][stats]") {
    const std::int64_t n = 100000;
    const auto ones = Tensor<float, Cpu>::full({n}, 1.0f);
    for (double keep : {0.1, 0.5, 0.75, 0.9}) {
        Context<Cpu> ctx(2024);
        const double kept = static_cast<double>(count_nonzero(ops::dropout(ctx, ones, keep))) / n;
        const double sigma = std::sqrt(keep * (1 - keep) / n);
        INFO("keep " << keep << " kept fraction " << kept << " sigma " << sigma);
        REQUIRE(std::fabs(kept - keep) < 4 * sigma);
        // drop-path: one draw per sample
        const auto per_sample = ops::drop_path(ctx, Tensor<float, Cpu>::full({n, 2}, 1.0f), keep);
        const double kept_samples = static_cast<double>(count_nonzero(per_sample)) / (2.0 * n);
        REQUIRE(std::fabs(kept_samples - keep) < 4 * sigma);
    }
    Context<Cpu> a(5), b(5), c(6);
    const auto ya = ops::dropout(a, ones, 0.5), yb = ops::dropout(b, ones, 0.5), yc = ops::dropout(c, ones, 0.5);
    ENAS_REQUIRE_CLOSE(ya, yb, 0.0, 0.0);  // same seed and offset: identical mask
    std::int64_t differ_seed = 0, differ_call = 0;
    const auto ya2 = ops::dropout(a, ones, 0.5);  // the second call continues the counter: a new mask
    for (std::int64_t i = 0; i < n; ++i) {
        differ_seed += ya.data()[i] != yc.data()[i];
        differ_call += ya.data()[i] != ya2.data()[i];
    }
    // Independent masks differ in about half the elements.
    REQUIRE(std::fabs(differ_seed / double(n) - 0.5) < 0.01);
    REQUIRE(std::fabs(differ_call / double(n) - 0.5) < 0.01);
}

TEST_CASE("dropout masks do not depend on the thread count", "[dropout]") {
    const std::int64_t n = 300001;
    const auto x = Tensor<float, Cpu>::full({n}, 2.0f);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    Context<Cpu> c1(8);
    const auto y1 = ops::dropout(c1, x, 0.3);
    omp_set_num_threads(std::max(2, saved));
    Context<Cpu> c2(8);
    const auto y2 = ops::dropout(c2, x, 0.3);
    omp_set_num_threads(saved);
    ENAS_REQUIRE_CLOSE(y1, y2, 0.0, 0.0);
}

TEST_CASE("keep_prob == 1 is the identity and draws nothing", "[dropout]") {
    Context<Cpu> ctx(4);
    Rng rng(15);
    const auto x = test::random_tensor<float>({4, 3, 5}, rng);
    const std::uint64_t offset = ctx.rng().offset();
    Tensor<float, Cpu> mask;
    const auto y = ops::dropout(ctx, x, 1.0, &mask);
    ENAS_REQUIRE_CLOSE(y, x, 0.0, 0.0);
    REQUIRE(!y.shares_storage(x));
    ENAS_REQUIRE_CLOSE(mask, (Tensor<float, Cpu>::full({4, 3, 5}, 1.0f)), 0.0, 0.0);
    ENAS_REQUIRE_CLOSE(ops::drop_path(ctx, x, 1.0), x, 0.0, 0.0);
    ENAS_REQUIRE_CLOSE(ops::locked_dropout(ctx, x, 1.0), x, 0.0, 0.0);
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> v(x, true);
    REQUIRE(ops::dropout(tape, v, 1.0).same_as(v));
    REQUIRE(ops::embedding_dropout(tape, Var<float, Cpu>(x.view({12, 5}), true), 1.0).value().shares_storage(x));
    REQUIRE(ctx.rng().offset() == offset);
    REQUIRE(tape.size() == 0);
}

TEST_CASE("dropout ops pass the gradient check", "[dropout][gradcheck]") {
    Rng rng(3);
    auto x3 = Var<double, Cpu>(test::random_tensor<double>({3, 4, 5}, rng, -2, 2), true);
    auto table = Var<double, Cpu>(test::random_tensor<double>({9, 3}, rng, -2, 2), true);
    // The checker seeds its context with GradCheckOptions::seed; each mask it will draw must hold
    // both kept and dropped entries, or part of the backward would go unchecked.
    auto mixed = [](auto&& op) {
        Context<Cpu> c(GradCheckOptions{}.seed);
        Tensor<double, Cpu> m;
        op(c, &m);
        const auto v = doubles(m);
        return std::count(v.begin(), v.end(), 0.0) > 0 && std::count(v.begin(), v.end(), 0.0) < std::ssize(v);
    };
    REQUIRE(mixed([&](auto& c, auto* m) { ops::dropout(c, x3.value(), 0.6, m); }));
    REQUIRE(mixed([&](auto& c, auto* m) { ops::drop_path(c, x3.value(), 0.6, m); }));
    REQUIRE(mixed([&](auto& c, auto* m) { ops::locked_dropout(c, x3.value(), 0.6, m); }));
    REQUIRE(mixed([&](auto& c, auto* m) { ops::embedding_dropout(c, table.value(), 0.6, m); }));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::dropout(t, x3, 0.6); }, {x3}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::drop_path(t, x3, 0.6); }, {x3}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::locked_dropout(t, x3, 0.6); }, {x3}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::embedding_dropout(t, table, 0.6); }, {table}));
}

TEST_CASE("dropout ops reject bad keep_prob and shapes", "[dropout][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    const auto x = Tensor<float, Cpu>::full({2, 3}, 1.0f);
    for (double bad : {0.0, -0.5, 1.5, std::nan("")}) {
        INFO("keep_prob " << bad);
        ENAS_REQUIRE_THROWS(ops::dropout(ctx, x, bad), ValueError, Contains("dropout: keep_prob must be in (0, 1]"));
        REQUIRE_THROWS_AS(ops::drop_path(ctx, x, bad), ValueError);
        REQUIRE_THROWS_AS(ops::embedding_dropout(ctx, x, bad), ValueError);
    }
    ENAS_REQUIRE_THROWS(ops::dropout(ctx, x, 1.5), ValueError, Contains("got 1.5"));
    ENAS_REQUIRE_THROWS(ops::locked_dropout(ctx, x, 0.5), ShapeError, Contains("rank 3") && Contains("[2, 3]"));
    ENAS_REQUIRE_THROWS(ops::embedding_dropout(ctx, Tensor<float, Cpu>::full({2, 3, 4}, 1.0f), 0.5), ShapeError,
                        Contains("rank 2") && Contains("[2, 3, 4]"));
    ENAS_REQUIRE_THROWS(ops::drop_path(ctx, Tensor<float, Cpu>({0, 3}), 0.5), ShapeError, Contains("empty"));
    REQUIRE_THROWS_AS(ops::dropout(ctx, Tensor<float, Cpu>(), 0.5), StateError);
}
