#include <omp.h>

#include <cmath>
#include <limits>

#include "enas/ops/optim.hpp"
#include "naive/optim.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

template <class T>
std::vector<double> doubles(const Tensor<T, Cpu>& t) {
    return std::vector<double>(t.data(), t.data() + t.numel());
}

Tensor<double, Cpu> tensor_of(const std::vector<double>& v) {
    return Tensor<double, Cpu>::from_vector({static_cast<std::int64_t>(v.size())}, v);
}

/// Gradients of mixed magnitude (1e-3 to 1), so that Adam's epsilon placement matters.
template <class T>
Tensor<T, Cpu> mixed_grad(std::int64_t n, Rng& rng) {
    Tensor<T, Cpu> g({n});
    for (std::int64_t i = 0; i < n; ++i) {
        const double sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
        g.data()[i] = static_cast<T>(sign * std::pow(10.0, -3.0 * rng.uniform()));
    }
    return g;
}

/// A guarded in-place buffer holding `init`.
template <class T>
Guarded<T> guarded_copy(const Tensor<T, Cpu>& init) {
    Guarded<T> g(init.shape());
    g.tensor.copy_from(init);
    return g;
}

}  // namespace

TEMPLATE_TEST_CASE("sgd_step matches the naive TF momentum formula", "[optim]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-13;
    Context<Cpu> ctx;
    Rng rng(61);
    const SgdParams configs[] = {
        {0.1, 0.9, true, 0.0}, {0.05, 0.9, true, 5e-4}, {0.1, 0.9, false, 1e-4}, {0.2, 0.0, false, 1e-4}};
    for (const SgdParams& p : configs) {
        for (std::int64_t n : {1, 7, 1001, 100003}) {
            INFO("lr " << p.lr << " mu " << p.momentum << " nesterov " << p.nesterov << " wd " << p.weight_decay
                       << " n " << n);
            auto param = guarded_copy(test::random_tensor<T>({n}, rng));
            auto mom = guarded_copy(test::random_tensor<T>({n}, rng, -0.1, 0.1));  // a running buffer
            naive::OptimState ref{doubles(param.tensor), doubles(mom.tensor), {}};
            for (int step = 0; step < 4; ++step) {
                const auto g = mixed_grad<T>(n, rng);
                ops::sgd_step(ctx, param.tensor, g, mom.tensor, p);
                naive::sgd(ref, doubles(g), p.lr, p.momentum, p.nesterov, p.weight_decay);
            }
            ENAS_REQUIRE_CLOSE(param.tensor.view({n}), tensor_of(ref.param), tol, tol);
            ENAS_REQUIRE_CLOSE(mom.tensor.view({n}), tensor_of(ref.m), tol, tol);
            REQUIRE((param.guard_intact() && mom.guard_intact()));
        }
    }
}

TEMPLATE_TEST_CASE("adam_step matches the naive formulas in both epsilon forms", "[optim]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-13;
    Context<Cpu> ctx;
    Rng rng(62);
    const AdamParams configs[] = {
        {1e-2, 0.9, 0.999, 1e-8, AdamForm::TensorFlow, 0.0}, {1e-2, 0.9, 0.999, 1e-8, AdamForm::PyTorch, 0.0},
        {0.1, 0.0, 0.999, 1e-3, AdamForm::TensorFlow, 0.0},  {0.1, 0.0, 0.999, 1e-3, AdamForm::PyTorch, 0.0},
        {1e-2, 0.5, 0.9, 1e-4, AdamForm::TensorFlow, 1e-2},  {1e-2, 0.5, 0.9, 1e-4, AdamForm::PyTorch, 1e-2}};
    for (const AdamParams& p : configs) {
        for (std::int64_t n : {1, 7, 1001, 100003}) {
            INFO(adam_form_name(p.form) << " b1 " << p.beta1 << " b2 " << p.beta2 << " eps " << p.eps << " n " << n);
            auto param = guarded_copy(test::random_tensor<T>({n}, rng));
            Guarded<T> m({n}, T(0)), v({n}, T(0));
            naive::OptimState ref{doubles(param.tensor), std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
            for (std::int64_t t = 1; t <= 5; ++t) {
                const auto g = mixed_grad<T>(n, rng);
                ops::adam_step(ctx, param.tensor, g, m.tensor, v.tensor, p, t);
                naive::adam(ref, doubles(g), p.lr, p.beta1, p.beta2, p.eps, p.form == AdamForm::TensorFlow, t,
                            p.weight_decay);
            }
            ENAS_REQUIRE_CLOSE(param.tensor, tensor_of(ref.param), tol, tol);
            ENAS_REQUIRE_CLOSE(m.tensor, tensor_of(ref.m), tol, tol);
            ENAS_REQUIRE_CLOSE(v.tensor, tensor_of(ref.v), tol, tol);
            REQUIRE((param.guard_intact() && m.guard_intact() && v.guard_intact()));
        }
    }
}

TEST_CASE("the two Adam forms differ at the controller's settings and agree without epsilon", "[optim]") {
    Context<Cpu> ctx;
    Rng rng(63);
    const std::int64_t n = 500;
    const auto p0 = test::random_tensor<float>({n}, rng);
    std::vector<Tensor<float, Cpu>> grads;
    for (int t = 0; t < 3; ++t) grads.push_back(mixed_grad<float>(n, rng));
    auto run = [&](AdamForm form, double eps) {
        Tensor<float, Cpu> p = p0.clone(), m = Tensor<float, Cpu>::zeros({n}), v = Tensor<float, Cpu>::zeros({n});
        for (int t = 0; t < 3; ++t)
            ops::adam_step(ctx, p, grads[t], m, v, AdamParams{0.1, 0.0, 0.999, eps, form}, t + 1);
        return p;
    };
    const auto cmp = test::compare(run(AdamForm::TensorFlow, 1e-3), run(AdamForm::PyTorch, 1e-3), 0.0, 0.0);
    INFO(cmp.report);
    REQUIRE(cmp.max_abs > 1e-3);  // far above float rounding: the forms really are different
    ENAS_REQUIRE_CLOSE(run(AdamForm::TensorFlow, 0.0), run(AdamForm::PyTorch, 0.0), 1e-6, 1e-6);
}

TEST_CASE("global norm and clipping match the naive sums", "[optim]") {
    Context<Cpu> ctx;
    Rng rng(64);
    // 70000 elements span two partial-sum chunks; the undefined tensor is a parameter without gradient.
    const std::vector<Tensor<float, Cpu>> originals = {test::random_tensor<float>({3}, rng), Tensor<float, Cpu>(),
                                                       test::random_tensor<float>({1000, 70}, rng, -0.01, 0.01),
                                                       test::random_tensor<float>({2, 5}, rng)};
    auto copies = [&] {
        std::vector<Tensor<float, Cpu>> c;
        for (const auto& t : originals) c.push_back(t.defined() ? t.clone() : t);
        return c;
    };
    double sum = 0;
    for (const auto& t : originals)
        for (std::int64_t i = 0; t.defined() && i < t.numel(); ++i) sum += double(t.data()[i]) * double(t.data()[i]);
    const double norm = std::sqrt(sum);
    REQUIRE(ops::global_norm(ctx, originals) == Approx(norm).epsilon(1e-12));

    SECTION("a norm below the bound leaves the gradients alone") {
        auto g = copies();
        REQUIRE(ops::clip_by_global_norm(ctx, g, norm * 1.01) == Approx(norm).epsilon(1e-12));
        for (std::size_t k = 0; k < g.size(); ++k)
            if (g[k].defined()) ENAS_REQUIRE_CLOSE(g[k], originals[k], 0.0, 0.0);
    }
    SECTION("a norm above the bound scales every gradient by bound / norm") {
        auto g = copies();
        const double bound = norm / 3;
        REQUIRE(ops::clip_by_global_norm(ctx, g, bound) == Approx(norm).epsilon(1e-12));
        for (std::size_t k = 0; k < g.size(); ++k) {
            if (!g[k].defined()) continue;
            Tensor<double, Cpu> expected(g[k].shape());
            for (std::int64_t i = 0; i < g[k].numel(); ++i) expected.data()[i] = originals[k].data()[i] / 3.0;
            ENAS_REQUIRE_CLOSE(g[k], expected, 1e-9, 1e-6);
        }
        REQUIRE(ops::global_norm(ctx, g) == Approx(bound).epsilon(1e-6));
    }
    SECTION("a non-finite norm is returned and nothing is scaled") {
        auto g = copies();
        g[0].data()[1] = std::numeric_limits<float>::quiet_NaN();
        REQUIRE(std::isnan(ops::clip_by_global_norm(ctx, g, 1e-3)));
        ENAS_REQUIRE_CLOSE(g[2], originals[2], 0.0, 0.0);
    }
}

TEST_CASE("global norm does not depend on the thread count", "[optim]") {
    Context<Cpu> ctx;
    Rng rng(65);
    const std::vector<Tensor<float, Cpu>> t = {test::random_tensor<float>({1 << 20}, rng)};
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const double one = ops::global_norm(ctx, t);
    omp_set_num_threads(std::max(2, saved));
    const double two = ops::global_norm(ctx, t);
    omp_set_num_threads(saved);
    REQUIRE(one == two);  // bitwise: fixed chunks summed in a fixed order
}

TEST_CASE("optim ops reject bad arguments", "[optim][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    auto full = [](const Shape& s) { return Tensor<float, Cpu>::full(s, 0.5f); };
    auto p = full({4, 3}), g = full({4, 3}), m = full({4, 3}), v = full({4, 3});
    const AdamParams adam;
    ENAS_REQUIRE_THROWS(ops::adam_step(ctx, p, g, m, v, adam, 0), ValueError, Contains("step") && Contains("got 0"));
    ENAS_REQUIRE_THROWS(ops::adam_step(ctx, p, full({3, 4}), m, v, adam, 1), ShapeError,
                        Contains("'grad'") && Contains("[3, 4]") && Contains("[4, 3]"));
    auto v_bad = full({12});
    ENAS_REQUIRE_THROWS(ops::adam_step(ctx, p, g, m, v_bad, adam, 1), ShapeError, Contains("'v'") && Contains("[12]"));
    auto wide = full({4, 6});
    auto strided = wide.narrow(1, 0, 3);
    ENAS_REQUIRE_THROWS(ops::adam_step(ctx, strided, g, m, v, adam, 1), ShapeError, Contains("contiguous"));
    ENAS_REQUIRE_THROWS(ops::adam_step(ctx, p, g, m, v, AdamParams{1e-3, 1.0, 0.999, 1e-8}, 1), ValueError,
                        Contains("beta1") && Contains("[0, 1)") && Contains("got 1"));
    ENAS_REQUIRE_THROWS(ops::adam_step(ctx, p, g, m, v, AdamParams{1e-3, 0.9, -0.1, 1e-8}, 1), ValueError,
                        Contains("beta2"));
    ENAS_REQUIRE_THROWS(ops::adam_step(ctx, p, g, m, v, AdamParams{-1e-3}, 1), ValueError,
                        Contains("lr") && Contains("-0.001"));
    ENAS_REQUIRE_THROWS(ops::sgd_step(ctx, p, g, m, SgdParams{0.1, 0.0, true}), ValueError, Contains("Nesterov"));
    ENAS_REQUIRE_THROWS(ops::sgd_step(ctx, p, g, m, SgdParams{std::nan(""), 0.9}), ValueError, Contains("lr"));
    Tensor<float, Cpu> no_buffer;
    ENAS_REQUIRE_THROWS(ops::sgd_step(ctx, p, g, no_buffer, SgdParams{}), StateError, Contains("momentum"));
    REQUIRE_NOTHROW(ops::sgd_step(ctx, p, g, no_buffer, SgdParams{0.1, 0.0, false}));  // no buffer needed
    auto empty = Tensor<float, Cpu>({0, 3});
    ENAS_REQUIRE_THROWS(ops::sgd_step(ctx, empty, empty, empty, SgdParams{}), ShapeError, Contains("empty"));
    std::vector<Tensor<float, Cpu>> gs = {full({3})};
    ENAS_REQUIRE_THROWS(ops::clip_by_global_norm(ctx, gs, 0.0), ValueError, Contains("max_norm"));
    std::vector<Tensor<float, Cpu>> strided_grads = {strided};
    ENAS_REQUIRE_THROWS(ops::clip_by_global_norm(ctx, strided_grads, 1e-3), ShapeError, Contains("contiguous"));
}
