#include "enas/autograd/grad_check.hpp"
#include "enas/ops/pool.hpp"
#include "naive/pool.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

struct PoolCase {
    Shape x;
    Pool2dParams p;
};

Pool2dParams params(int kh, int kw, int sh, int sw, Padding pad) { return Pool2dParams{kh, kw, sh, sw, pad}; }

// Odd and even sizes (SAME padding symmetric and asymmetric), batch 1, channel counts that are
// not multiples of 4/8, stride larger than the kernel, non-square windows, and sizes large
// enough to cross the parallel grain.
const PoolCase kCases[] = {
    {{1, 1, 1, 1}, params(3, 3, 1, 1, Padding::Same)},
    {{2, 3, 7, 5}, params(3, 3, 1, 1, Padding::Same)},
    {{1, 5, 8, 8}, params(3, 3, 2, 2, Padding::Same)},
    {{3, 7, 9, 11}, params(3, 3, 2, 2, Padding::Same)},
    {{2, 3, 8, 8}, params(5, 5, 3, 3, Padding::Valid)},
    {{1, 3, 4, 5}, params(3, 3, 2, 2, Padding::Valid)},
    {{1, 2, 6, 10}, params(2, 3, 1, 2, Padding::Same)},
    {{1, 2, 7, 7}, params(1, 1, 2, 2, Padding::Same)},
    {{1, 1, 2, 9}, params(1, 4, 1, 3, Padding::Same)},
    {{6, 11, 23, 29}, params(3, 3, 1, 1, Padding::Same)},
    {{6, 11, 23, 29}, params(3, 3, 2, 2, Padding::Same)},
    // The max pool's specialized 3-wide row pass (stride 1 and 2) under VALID, with 2-row and
    // 3-row column windows, and the benchmark's 32 x 32 plane.
    {{2, 3, 10, 13}, params(3, 3, 1, 1, Padding::Valid)},
    {{2, 3, 11, 12}, params(3, 3, 2, 2, Padding::Valid)},
    {{1, 2, 9, 10}, params(2, 3, 1, 2, Padding::Same)},
    {{2, 5, 32, 32}, params(3, 3, 1, 1, Padding::Same)},
};

std::string describe(const PoolCase& c) {
    std::ostringstream os;
    os << c.x.str() << " k" << c.p.kernel_h << "x" << c.p.kernel_w << " s" << c.p.stride_h << "x" << c.p.stride_w << " "
       << padding_name(c.p.padding);
    return os.str();
}

template <class T>
void check_avg_against_naive(const PoolCase& c, Rng& rng, double atol, double rtol) {
    Context<Cpu> ctx(1);
    const Shape ys = naive::pool_output_shape(c.x, c.p);
    const auto x = test::random_tensor<T>(c.x, rng, -2, 2);
    const auto gy = test::random_tensor<T>(ys, rng);
    Guarded<T> y(ys), gx(c.x, T(0.5));  // gx nonzero: backward must accumulate into it
    cpu::avg_pool2d_forward(ctx, c.p, x, y.tensor);
    cpu::avg_pool2d_backward(ctx, c.p, gy, gx.tensor);
    ENAS_REQUIRE_CLOSE(y.tensor, naive::avg_pool2d(x, c.p), atol, rtol);
    ENAS_REQUIRE_CLOSE(gx.tensor, naive::avg_pool2d_backward(c.x, c.p, gy, 0.5), atol, rtol);
    REQUIRE(y.guard_intact());
    REQUIRE(gx.guard_intact());
}

template <class T>
void check_max_against_naive(const PoolCase& c, const Tensor<T, Cpu>& x, Rng& rng, double atol, double rtol) {
    Context<Cpu> ctx(1);
    const Shape ys = naive::pool_output_shape(c.x, c.p);
    const auto gy = test::random_tensor<T>(ys, rng);
    Guarded<T> y(ys), y_no_arg(ys), gx(c.x, T(0.5));
    Guarded<std::int32_t> arg(ys, -7);
    Tensor<std::int32_t, Cpu> no_arg;
    cpu::max_pool2d_forward(ctx, c.p, x, y.tensor, arg.tensor);
    cpu::max_pool2d_forward(ctx, c.p, x, y_no_arg.tensor, no_arg);
    cpu::max_pool2d_backward(ctx, arg.tensor, gy, gx.tensor);
    std::vector<std::int64_t> arg_ref;
    const Tensor<double, Cpu> y_ref = naive::max_pool2d(x, c.p, &arg_ref);
    ENAS_REQUIRE_CLOSE(y.tensor, y_ref, 0.0, 0.0);  // max is exact
    ENAS_REQUIRE_CLOSE(y_no_arg.tensor, y_ref, 0.0, 0.0);
    std::int64_t arg_mismatches = 0;
    for (std::int64_t i = 0; i < arg.tensor.numel(); ++i)
        arg_mismatches += arg.tensor.data()[i] != arg_ref[static_cast<std::size_t>(i)];
    REQUIRE(arg_mismatches == 0);
    ENAS_REQUIRE_CLOSE(gx.tensor, naive::max_pool2d_backward(x, c.p, gy, 0.5), atol, rtol);
    REQUIRE((y.guard_intact() && y_no_arg.guard_intact() && gx.guard_intact() && arg.guard_intact()));
}

}  // namespace

TEST_CASE("avg_pool2d forward and backward match the naive reference", "[pool]") {
    Rng rng(21);
    for (const PoolCase& c : kCases) {
        INFO(describe(c));
        check_avg_against_naive<float>(c, rng, 1e-6, 1e-5);
        check_avg_against_naive<double>(c, rng, 1e-13, 1e-12);
    }
}

TEST_CASE("max_pool2d forward, argmax and backward match the naive reference", "[pool]") {
    Rng rng(22);
    for (const PoolCase& c : kCases) {
        INFO(describe(c));
        check_max_against_naive<float>(c, test::random_tensor<float>(c.x, rng, -2, 2), rng, 1e-6, 1e-5);
        check_max_against_naive<double>(c, test::random_tensor<double>(c.x, rng, -2, 2), rng, 1e-13, 1e-12);
    }
}

TEST_CASE("max_pool2d breaks ties at the first maximum and never picks padding", "[pool]") {
    Rng rng(23);
    for (const PoolCase& c : kCases) {
        INFO(describe(c));
        // Values from {-3, -2, -1}: many ties, and every window's maximum is below the zero a
        // padded implementation would see.
        Tensor<float, Cpu> x(c.x);
        for (std::int64_t i = 0; i < x.numel(); ++i) x.data()[i] = -1.0f - static_cast<float>(rng.below(3));
        check_max_against_naive<float>(c, x, rng, 1e-6, 1e-5);
    }
}

TEST_CASE("pool ops on non-contiguous inputs match the naive reference", "[pool]") {
    Context<Cpu> ctx(1);
    Rng rng(24);
    const auto full = test::random_tensor<float>({2, 6, 9, 7}, rng);
    const Tensor<float, Cpu> x = full.narrow(1, 1, 4);  // a channel slice: not contiguous
    REQUIRE_FALSE(x.is_contiguous());
    const Pool2dParams p = params(3, 3, 2, 2, Padding::Same);
    ENAS_REQUIRE_CLOSE(ops::avg_pool2d(ctx, x, p), naive::avg_pool2d(x.contiguous(), p), 1e-6, 1e-5);
    ENAS_REQUIRE_CLOSE(ops::max_pool2d(ctx, x, p), naive::max_pool2d(x.contiguous(), p, nullptr), 0.0, 0.0);
}

TEST_CASE("pool ops pass the gradient check", "[pool][gradcheck]") {
    Rng rng(25);
    const PoolCase small[] = {
        {{2, 2, 5, 4}, params(3, 3, 1, 1, Padding::Same)},
        {{1, 3, 6, 5}, params(3, 3, 2, 2, Padding::Same)},
        {{1, 2, 8, 8}, params(5, 5, 3, 3, Padding::Valid)},
        {{1, 2, 5, 6}, params(2, 3, 2, 1, Padding::Same)},
    };
    for (const PoolCase& c : small) {
        INFO(describe(c));
        auto x = Var<double, Cpu>(test::random_tensor<double>(c.x, rng, -2, 2), true);
        ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::avg_pool2d(t, x, c.p); }, {x}));
        ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::max_pool2d(t, x, c.p); }, {x}));
    }
}

TEST_CASE("max_pool2d on a Var that needs no gradient records nothing", "[pool]") {
    Context<Cpu> ctx(1);
    Tape<Cpu> tape(ctx);
    Rng rng(26);
    Var<float, Cpu> x(test::random_tensor<float>({1, 2, 5, 5}, rng), false);
    Var<float, Cpu> y = ops::max_pool2d(tape, x, Pool2dParams{});
    REQUIRE_FALSE(y.requires_grad());
    REQUIRE(tape.size() == 0);
    ENAS_REQUIRE_CLOSE(y.value(), naive::max_pool2d(x.value(), Pool2dParams{}, nullptr), 0.0, 0.0);
}

TEST_CASE("pool ops reject bad shapes and parameters", "[pool][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    Tensor<float, Cpu> x = Tensor<float, Cpu>::full({1, 2, 4, 4}, 1.0f);
    Tensor<float, Cpu> rank3 = Tensor<float, Cpu>::full({2, 4, 4}, 1.0f);
    Tensor<float, Cpu> empty({0, 2, 4, 4});
    ENAS_REQUIRE_THROWS(ops::avg_pool2d(ctx, rank3, Pool2dParams{}), ShapeError,
                        Contains("avg_pool2d") && Contains("rank 4") && Contains("[2, 4, 4]"));
    ENAS_REQUIRE_THROWS(ops::max_pool2d(ctx, empty, Pool2dParams{}), ShapeError,
                        Contains("max_pool2d") && Contains("empty") && Contains("[0, 2, 4, 4]"));
    ENAS_REQUIRE_THROWS(ops::avg_pool2d(ctx, x, params(0, 3, 1, 1, Padding::Same)), ValueError, Contains("kernel 0x3"));
    ENAS_REQUIRE_THROWS(ops::max_pool2d(ctx, x, params(3, 3, 1, -2, Padding::Same)), ValueError,
                        Contains("stride 1x-2"));
    ENAS_REQUIRE_THROWS(ops::avg_pool2d(ctx, x, params(5, 5, 3, 3, Padding::Valid)), ShapeError,
                        Contains("5x5") && Contains("[1, 2, 4, 4]"));
    REQUIRE_THROWS_AS(ops::max_pool2d(ctx, Tensor<float, Cpu>(), Pool2dParams{}), StateError);
}
