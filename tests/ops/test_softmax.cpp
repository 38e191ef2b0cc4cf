#include "enas/autograd/grad_check.hpp"
#include "enas/ops/elementwise.hpp"
#include "enas/ops/softmax.hpp"
#include "naive/softmax.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {
Tensor<std::int32_t, Cpu> random_labels(std::int64_t n, std::int64_t k, Rng& rng) {
    Tensor<std::int32_t, Cpu> t({n});
    for (std::int64_t i = 0; i < n; ++i)
        t.data()[i] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(k)));
    return t;
}
}  // namespace

TEST_CASE("the vectorizable float exp is accurate over the whole float range", "[softmax]") {
    using cpu::vexp;
    double worst = 0;
    float worst_x = 0;
    for (int i = 0; i <= 2000000; ++i) {  // a dense sweep of [-87.3, 88.3]
        const float x = -87.3f + 175.6f * static_cast<float>(i) / 2000000.f;
        const double ref = std::exp(static_cast<double>(x));
        const double rel = std::fabs(vexp(x) - ref) / ref;
        if (rel > worst) worst = rel, worst_x = x;
    }
    INFO("worst relative error " << worst << " at x = " << worst_x);
    REQUIRE(worst < 3e-7);
    REQUIRE(vexp(0.f) == 1.f);
    REQUIRE(vexp(-88.f) == 0.f);
    REQUIRE(vexp(-std::numeric_limits<float>::infinity()) == 0.f);
    REQUIRE(std::isnan(vexp(std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("softmax and log_softmax match the naive reference", "[softmax]") {
    Context<Cpu> ctx(1);
    Rng rng(41);
    // Batch 1, K = 1, odd K, rank 3, and a case that crosses the parallel grain.
    const Shape shapes[] = {{1, 1}, {1, 7}, {5, 10}, {3, 2, 13}, {9}, {67, 1001}};
    for (const Shape& s : shapes)
        for (bool log_space : {false, true}) {
            INFO((log_space ? "log_softmax " : "softmax ") << s.str());
            const Tensor<float, Cpu> x = test::random_tensor<float>(s, rng, -6, 6);
            const Tensor<float, Cpu> gy = test::random_tensor<float>(s, rng);
            Guarded<float> y(s);
            if (log_space)
                cpu::log_softmax_forward(ctx, x, y.tensor);
            else
                cpu::softmax_forward(ctx, x, y.tensor);
            ENAS_REQUIRE_CLOSE(y.tensor, naive::softmax(x, log_space), 1e-6, 1e-5);
            REQUIRE(y.guard_intact());

            Guarded<float> gx(s, 0.5f);  // nonzero: backward must accumulate into it
            if (log_space)
                cpu::log_softmax_backward(ctx, y.tensor, gy, gx.tensor);
            else
                cpu::softmax_backward(ctx, y.tensor, gy, gx.tensor);
            ENAS_REQUIRE_CLOSE(gx.tensor, naive::softmax_grad(x, gy, log_space, 0.5), 1e-5, 1e-4);
            REQUIRE(gx.guard_intact());
        }
}

TEST_CASE("softmax cross-entropy matches the naive reference", "[softmax]") {
    Context<Cpu> ctx(1);
    Rng rng(42);
    const std::pair<std::int64_t, std::int64_t> sizes[] = {{1, 1}, {1, 10}, {7, 3}, {130, 10}, {64, 1003}};
    for (const auto& [n, k] : sizes) {
        INFO("N=" << n << " K=" << k);
        const Tensor<float, Cpu> x = test::random_tensor<float>({n, k}, rng, -5, 5);
        const Tensor<std::int32_t, Cpu> labels = random_labels(n, k, rng);
        Guarded<float> probs({n, k}), loss({1});
        cpu::softmax_cross_entropy_forward(ctx, x, labels, probs.tensor, loss.tensor);
        ENAS_REQUIRE_CLOSE(probs.tensor, naive::softmax(x, false), 1e-6, 1e-5);
        const auto loss_ref = Tensor<double, Cpu>::full({1}, naive::cross_entropy(x, labels));
        ENAS_REQUIRE_CLOSE(loss.tensor, loss_ref, 1e-6, 1e-5);
        REQUIRE((probs.guard_intact() && loss.guard_intact()));

        const auto upstream = Tensor<float, Cpu>::full({1}, 1.75f);
        Guarded<float> gx({n, k}, 0.5f);
        cpu::softmax_cross_entropy_backward(ctx, probs.tensor, labels, upstream, gx.tensor);
        ENAS_REQUIRE_CLOSE(gx.tensor, naive::cross_entropy_grad(x, labels, 1.75, 0.5), 1e-6, 1e-5);
        REQUIRE(gx.guard_intact());
    }
}

TEST_CASE("softmax ops are stable for large logits", "[softmax]") {
    // exp(1000) overflows float and double; the max subtraction must keep everything finite.
    Context<Cpu> ctx;
    Rng rng(43);
    Tensor<float, Cpu> x = test::random_tensor<float>({4, 6}, rng, 900, 1000);
    x.data()[3] = -1000;  // and a tiny probability next to huge ones
    const Tensor<std::int32_t, Cpu> labels =
        Tensor<std::int32_t, Cpu>::from_vector({4}, {3, 5, 2, 3});  // row 0 picks the -1000
    const Tensor<float, Cpu> loss = ops::softmax_cross_entropy(ctx, x, labels);
    const auto loss_ref = Tensor<double, Cpu>::full({1}, naive::cross_entropy(x, labels));
    ENAS_REQUIRE_CLOSE(loss, loss_ref, 1e-4, 1e-5);
    ENAS_REQUIRE_CLOSE(ops::softmax(ctx, x), naive::softmax(x, false), 1e-6, 1e-5);
    ENAS_REQUIRE_CLOSE(ops::log_softmax(ctx, x), naive::softmax(x, true), 1e-4, 1e-5);
}

TEST_CASE("argmax, count_correct and accuracy", "[softmax]") {
    Context<Cpu> ctx;
    // Row 1 has a tie (first index wins); row 2 has its maximum last.
    const auto x =
        Tensor<float, Cpu>::from_vector({3, 4}, {0.1f, 0.9f, 0.3f, -1.f, 2.f, 0.f, 2.f, 1.f, -5.f, -4.f, -3.f, -2.f});
    REQUIRE(ops::argmax(ctx, x).to_vector() == std::vector<std::int32_t>{1, 0, 3});
    REQUIRE(ops::argmax(ctx, x.view({12})).shape().rank() == 0);
    REQUIRE(ops::argmax(ctx, x.view({12})).item() == 4);
    const auto labels = Tensor<std::int32_t, Cpu>::from_vector({3}, {1, 2, 3});
    REQUIRE(ops::count_correct(ctx, x, labels) == 2);
    REQUIRE(ops::accuracy(ctx, x, labels) == 2.0 / 3.0);

    // Random rows against a naive argmax (values distinct with probability 1).
    Rng rng(44);
    const Tensor<double, Cpu> r = test::random_tensor<double>({37, 1000}, rng);
    const std::vector<std::int32_t> got = ops::argmax(ctx, r).to_vector();
    for (std::int64_t i = 0; i < 37; ++i) {
        std::int64_t best = 0;
        for (std::int64_t j = 1; j < 1000; ++j)
            if (r.data()[i * 1000 + j] > r.data()[i * 1000 + best]) best = j;
        REQUIRE(got[static_cast<std::size_t>(i)] == best);
    }
}

TEST_CASE("softmax ops pass the gradient check", "[softmax][gradcheck]") {
    Rng rng(45);
    auto x = Var<double, Cpu>(test::random_tensor<double>({2, 3, 5}, rng, -2, 2), true);
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::softmax(t, x); }, {x}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::log_softmax(t, x); }, {x}));
    auto logits = Var<double, Cpu>(test::random_tensor<double>({4, 5}, rng, -2, 2), true);
    const auto labels = Tensor<std::int32_t, Cpu>::from_vector({4}, {4, 0, 2, 2});
    ENAS_REQUIRE_GRADCHECK(
        grad_check([&](Tape<Cpu>& t) { return ops::softmax_cross_entropy(t, logits, labels); }, {logits}));
    // With a non-unit upstream gradient (scaled loss), as in the controller's REINFORCE loss.
    ENAS_REQUIRE_GRADCHECK(grad_check(
        [&](Tape<Cpu>& t) { return ops::scale(t, ops::softmax_cross_entropy(t, logits, labels), -2.5); }, {logits}));
}

TEST_CASE("Var-level softmax ops accumulate into a shared input's gradient", "[softmax]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    Rng rng(46);
    Var<float, Cpu> x(test::random_tensor<float>({3, 4}, rng, -2, 2), true);
    auto y = ops::add(tape, ops::softmax(tape, x), ops::log_softmax(tape, x));
    const Tensor<float, Cpu> gy = test::random_tensor<float>({3, 4}, rng);
    tape.backward(y, gy);
    Tensor<double, Cpu> expected = naive::softmax_grad(x.value(), gy, false, 0.0);
    const Tensor<double, Cpu> second = naive::softmax_grad(x.value(), gy, true, 0.0);
    for (std::int64_t i = 0; i < expected.numel(); ++i) expected.data()[i] += second.data()[i];
    ENAS_REQUIRE_CLOSE(x.grad(), expected, 1e-6, 1e-5);
}

TEST_CASE("softmax ops reject bad shapes and labels", "[softmax][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    const auto logits = Tensor<float, Cpu>::full({3, 10}, 0.5f);
    const auto good = Tensor<std::int32_t, Cpu>::from_vector({3}, {0, 9, 4});
    ENAS_REQUIRE_THROWS(
        ops::softmax_cross_entropy(ctx, logits, Tensor<std::int32_t, Cpu>::from_vector({3}, {0, 10, 4})), ValueError,
        Contains("label 10") && Contains("position 1") && Contains("K = 10"));
    ENAS_REQUIRE_THROWS(
        ops::softmax_cross_entropy(ctx, logits, Tensor<std::int32_t, Cpu>::from_vector({3}, {0, 1, -3})), ValueError,
        Contains("label -3") && Contains("position 2"));
    ENAS_REQUIRE_THROWS(ops::softmax_cross_entropy(ctx, logits, Tensor<std::int32_t, Cpu>::from_vector({2}, {0, 1})),
                        ShapeError, Contains("[2]") && Contains("expected [3]"));
    ENAS_REQUIRE_THROWS(ops::softmax_cross_entropy(ctx, logits.view({30}), good), ShapeError,
                        Contains("rank 2") && Contains("[30]"));
    ENAS_REQUIRE_THROWS(ops::softmax_cross_entropy(ctx, Tensor<float, Cpu>::zeros({0, 10}), good), ShapeError,
                        Contains("empty") && Contains("[0, 10]"));
    REQUIRE_THROWS_AS(ops::softmax_cross_entropy(ctx, logits, Tensor<std::int32_t, Cpu>()), StateError);
    ENAS_REQUIRE_THROWS(ops::count_correct(ctx, logits, Tensor<std::int32_t, Cpu>::from_vector({3}, {0, 1, 12})),
                        ValueError, Contains("label 12"));
    ENAS_REQUIRE_THROWS(ops::softmax(ctx, Tensor<float, Cpu>::zeros({4, 0})), ShapeError, Contains("[4, 0]"));
    ENAS_REQUIRE_THROWS(ops::log_softmax(ctx, Tensor<float, Cpu>::full({}, 1.f)), ShapeError, Contains("rank >= 1"));
    REQUIRE_THROWS_AS(ops::argmax(ctx, Tensor<float, Cpu>()), StateError);
}
