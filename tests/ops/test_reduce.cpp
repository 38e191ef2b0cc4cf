#include <omp.h>

#include "enas/autograd/grad_check.hpp"
#include "enas/ops/reduce.hpp"
#include "naive/reduce.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

template <class T>
void check_global_avg_pool(const Shape& s, Rng& rng, double atol, double rtol) {
    Context<Cpu> ctx(1);
    const Shape ys{s[0], s[1]};
    const auto x = test::random_tensor<T>(s, rng, -2, 2);
    const auto gy = test::random_tensor<T>(ys, rng);
    Guarded<T> y(ys), gx(s, T(0.5));  // gx nonzero: backward must accumulate into it
    cpu::global_avg_pool_forward(ctx, x, y.tensor);
    cpu::global_avg_pool_backward(ctx, gy, gx.tensor);
    ENAS_REQUIRE_CLOSE(y.tensor, naive::global_avg_pool(x), atol, rtol);
    ENAS_REQUIRE_CLOSE(gx.tensor, naive::global_avg_pool_backward(s, gy, 0.5), atol, rtol);
    REQUIRE((y.guard_intact() && gx.guard_intact()));
}

template <class T>
void check_totals(const Shape& s, Rng& rng, double atol, double rtol) {
    Context<Cpu> ctx(1);
    const auto x = test::random_tensor<T>(s, rng, -2, 2);
    const auto gy = test::random_tensor<T>({1}, rng);
    const double g = double(gy.data()[0]), n = double(s.numel());
    Guarded<T> total({1}), avg({1}), squares({1});
    Guarded<T> g_total(s, T(0.5)), g_avg(s, T(-0.25)), g_squares(s, T(0.75));
    cpu::sum_forward(ctx, 1.0, x, total.tensor);
    cpu::sum_forward(ctx, 1.0 / n, x, avg.tensor);
    cpu::sum_squares_forward(ctx, x, squares.tensor);
    cpu::sum_backward(ctx, 1.0, gy, g_total.tensor);
    cpu::sum_backward(ctx, 1.0 / n, gy, g_avg.tensor);
    cpu::sum_squares_backward(ctx, x, gy, g_squares.tensor);
    const auto ref_sum = naive::total(x, [](double v) { return v; });
    Tensor<double, Cpu> ref_mean = Tensor<double, Cpu>::full({1}, ref_sum.data()[0] / n);
    ENAS_REQUIRE_CLOSE(total.tensor, ref_sum, atol, rtol);
    ENAS_REQUIRE_CLOSE(avg.tensor, ref_mean, atol, rtol);
    ENAS_REQUIRE_CLOSE(squares.tensor, naive::total(x, [](double v) { return v * v; }), atol, rtol);
    ENAS_REQUIRE_CLOSE(g_total.tensor, naive::pointwise(x, 0.5, [&](double) { return g; }), atol, rtol);
    ENAS_REQUIRE_CLOSE(g_avg.tensor, naive::pointwise(x, -0.25, [&](double) { return g / n; }), atol, rtol);
    ENAS_REQUIRE_CLOSE(g_squares.tensor, naive::pointwise(x, 0.75, [&](double v) { return 2 * g * v; }), atol, rtol);
    REQUIRE((total.guard_intact() && avg.guard_intact() && squares.guard_intact()));
    REQUIRE((g_total.guard_intact() && g_avg.guard_intact() && g_squares.guard_intact()));
}

}  // namespace

TEST_CASE("global_avg_pool forward and backward match the naive reference", "[reduce]") {
    Rng rng(31);
    // Batch 1, odd planes, channel counts not multiples of 4/8, and enough planes to split.
    for (const Shape& s : {Shape{1, 1, 1, 1}, Shape{2, 3, 5, 7}, Shape{3, 13, 8, 8}, Shape{7, 11, 33, 31}}) {
        INFO(s.str());
        check_global_avg_pool<float>(s, rng, 1e-6, 1e-5);
        check_global_avg_pool<double>(s, rng, 1e-13, 1e-12);
    }
}

TEST_CASE("sum, mean and sum of squares match the naive reference", "[reduce]") {
    Rng rng(32);
    // 1000003 elements: many reduction blocks, split over threads.
    for (const Shape& s : {Shape{1}, Shape{7}, Shape{3, 5, 7}, Shape{2, 36, 11, 13}, Shape{1000003}}) {
        INFO(s.str());
        check_totals<float>(s, rng, 1e-6, 1e-6);
        check_totals<double>(s, rng, 1e-12, 1e-12);
    }
}

TEST_CASE("whole-tensor sums do not depend on the number of threads", "[reduce]") {
    Context<Cpu> ctx(1);
    Rng rng(33);
    const auto x = test::random_tensor<float>({1000003}, rng, -2, 2);
    const int threads = omp_get_max_threads();
    Tensor<float, Cpu> many({1}), one({1});
    cpu::sum_squares_forward(ctx, x, many);
    omp_set_num_threads(1);
    cpu::sum_squares_forward(ctx, x, one);
    omp_set_num_threads(threads);
    REQUIRE(many.item() == one.item());
}

TEST_CASE("reduce ops on Vars give [1]-shaped results and pass the gradient check", "[reduce][gradcheck]") {
    Rng rng(34);
    auto x = Var<double, Cpu>(test::random_tensor<double>({2, 3, 3, 2}, rng, -2, 2), true);
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::global_avg_pool(t, x); }, {x}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::sum(t, x); }, {x}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::mean(t, x); }, {x}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::sum_squares(t, x); }, {x}));
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    REQUIRE(ops::sum(tape, x).shape() == Shape{1});
    REQUIRE(ops::mean(tape, x).shape() == Shape{1});
    REQUIRE(ops::sum_squares(tape, x).shape() == Shape{1});
    REQUIRE(ops::global_avg_pool(tape, x).shape() == Shape{2, 3});
}

TEST_CASE("reduce ops on non-contiguous inputs match the naive reference", "[reduce]") {
    Context<Cpu> ctx;
    Rng rng(35);
    const auto full = test::random_tensor<double>({3, 5, 4, 6}, rng);
    const Tensor<double, Cpu> x = full.narrow(1, 2, 3);
    REQUIRE_FALSE(x.is_contiguous());
    ENAS_REQUIRE_CLOSE(ops::global_avg_pool(ctx, x), naive::global_avg_pool(x.contiguous()), 1e-13, 1e-12);
    ENAS_REQUIRE_CLOSE(ops::sum_squares(ctx, x), naive::total(x.contiguous(), [](double v) { return v * v; }), 1e-13,
                       1e-12);
}

TEST_CASE("reduce ops reject bad shapes", "[reduce][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    Tensor<float, Cpu> rank2 = Tensor<float, Cpu>::full({4, 3}, 1.0f), empty({3, 0});
    ENAS_REQUIRE_THROWS(ops::global_avg_pool(ctx, rank2), ShapeError,
                        Contains("global_avg_pool") && Contains("rank 4") && Contains("[4, 3]"));
    ENAS_REQUIRE_THROWS(ops::global_avg_pool(ctx, Tensor<float, Cpu>({2, 3, 0, 4})), ShapeError,
                        Contains("empty") && Contains("[2, 3, 0, 4]"));
    ENAS_REQUIRE_THROWS(ops::sum(ctx, empty), ShapeError, Contains("sum") && Contains("[3, 0]"));
    ENAS_REQUIRE_THROWS(ops::mean(ctx, empty), ShapeError, Contains("mean") && Contains("[3, 0]"));
    ENAS_REQUIRE_THROWS(ops::sum_squares(ctx, empty), ShapeError, Contains("sum_squares") && Contains("[3, 0]"));
    REQUIRE_THROWS_AS(ops::sum(ctx, Tensor<float, Cpu>()), StateError);
}
