#include "enas/autograd/grad_check.hpp"
#include "enas/ops/copy.hpp"
#include "naive/copy.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {
/// `shape` with dimension 1 replaced by `c`.
Shape with_channels(Shape s, std::int64_t c) {
    s[1] = c;
    return s;
}
/// base + x (as doubles), the expected content of a gradient buffer pre-filled with `base`.
template <class T>
Tensor<double, Cpu> plus(const Tensor<T, Cpu>& x, double base) {
    Tensor<double, Cpu> r = test::cast<double>(x);
    for (std::int64_t i = 0; i < r.numel(); ++i) r.data()[i] += base;
    return r;
}
}  // namespace

TEST_CASE("concat forward and backward match the naive reference", "[copy]") {
    Context<Cpu> ctx(1);
    Rng rng(21);
    // Ranks 2, 3 and 4; batch 1; odd spatial sizes; channel counts not multiples of 4; the last
    // case crosses the parallel grain.
    const std::vector<std::pair<Shape, std::vector<std::int64_t>>> cases = {
        {{1, 0}, {3, 5}},          {{3, 0}, {1, 2, 7}},    {{2, 0, 5}, {4, 1}},
        {{1, 0, 7, 5}, {3, 5, 1}}, {{3, 0, 1, 1}, {2, 9}}, {{4, 0, 33, 31}, {17, 9, 6, 3}},
    };
    for (const auto& [base, channels] : cases) {
        INFO("shape " << base.str() << " with " << channels.size() << " inputs");
        std::vector<Tensor<float, Cpu>> xs;
        std::int64_t total = 0;
        for (std::int64_t c : channels) {
            xs.push_back(test::random_tensor<float>(with_channels(base, c), rng));
            total += c;
        }
        Guarded<float> y(with_channels(base, total));
        cpu::concat_forward(ctx, std::span<const Tensor<float, Cpu>>(xs), y.tensor);
        ENAS_REQUIRE_CLOSE(y.tensor, naive::concat(xs), 0.0, 0.0);
        REQUIRE(y.guard_intact());

        const Tensor<float, Cpu> gy = test::random_tensor<float>(y.tensor.shape(), rng);
        std::int64_t start = 0;
        for (std::int64_t c : channels) {
            Guarded<float> gx(with_channels(base, c), 0.5f);  // nonzero: backward must accumulate
            cpu::concat_backward(ctx, start, gy, gx.tensor);
            ENAS_REQUIRE_CLOSE(gx.tensor, plus(naive::slice(gy, start, c), 0.5), 1e-7, 1e-6);
            REQUIRE(gx.guard_intact());
            start += c;
        }
    }
}

TEST_CASE("slice forward and backward match the naive reference", "[copy]") {
    Context<Cpu> ctx(1);
    Rng rng(22);
    struct Case {
        Shape shape;
        std::int64_t start, length;
    };
    const Case cases[] = {{{1, 5}, 0, 5},       {{3, 7}, 2, 3},        {{2, 6, 5}, 5, 1},
                          {{1, 9, 7, 5}, 1, 7}, {{3, 10, 3, 3}, 0, 4}, {{4, 40, 31, 33}, 13, 19}};
    for (const Case& c : cases) {
        INFO("shape " << c.shape.str() << " start " << c.start << " length " << c.length);
        const Tensor<float, Cpu> x = test::random_tensor<float>(c.shape, rng);
        Guarded<float> y(with_channels(c.shape, c.length));
        cpu::slice_forward(ctx, c.start, x, y.tensor);
        ENAS_REQUIRE_CLOSE(y.tensor, naive::slice(x, c.start, c.length), 0.0, 0.0);
        REQUIRE(y.guard_intact());

        // Backward: gx gets gy in the channel range and keeps its 0.5 elsewhere.
        const Tensor<float, Cpu> gy = test::random_tensor<float>(y.tensor.shape(), rng);
        Guarded<float> gx(c.shape, 0.5f);
        cpu::slice_backward(ctx, c.start, gy, gx.tensor);
        std::vector<Tensor<float, Cpu>> parts;
        if (c.start > 0) parts.push_back(Tensor<float, Cpu>::zeros(with_channels(c.shape, c.start)));
        parts.push_back(gy);
        const std::int64_t rest = c.shape[1] - c.start - c.length;
        if (rest > 0) parts.push_back(Tensor<float, Cpu>::zeros(with_channels(c.shape, rest)));
        ENAS_REQUIRE_CLOSE(gx.tensor, plus(naive::concat(parts), 0.5), 1e-7, 1e-6);
        REQUIRE(gx.guard_intact());
    }
}

TEST_CASE("shifted_subsample forward and backward match the naive reference", "[copy]") {
    Context<Cpu> ctx(1);
    Rng rng(23);
    const Shape shapes[] = {{1, 1, 1, 1}, {1, 3, 2, 2}, {2, 5, 7, 5}, {3, 2, 8, 8}, {1, 7, 6, 9}, {4, 12, 33, 31}};
    for (const Shape& s : shapes)
        for (std::int64_t offset : {0, 1, 2})
            for (std::int64_t stride : {1, 2, 3}) {
                INFO("shape " << s.str() << " offset " << offset << " stride " << stride);
                const Tensor<float, Cpu> x = test::random_tensor<float>(s, rng);
                const Tensor<double, Cpu> ref = naive::shifted_subsample(x, offset, stride);
                Guarded<float> y(ref.shape());
                cpu::shifted_subsample_forward(ctx, offset, stride, x, y.tensor);
                ENAS_REQUIRE_CLOSE(y.tensor, ref, 0.0, 0.0);
                REQUIRE(y.guard_intact());

                const Tensor<float, Cpu> gy = test::random_tensor<float>(ref.shape(), rng);
                Guarded<float> gx(s, 0.5f);
                cpu::shifted_subsample_backward(ctx, offset, stride, gy, gx.tensor);
                ENAS_REQUIRE_CLOSE(gx.tensor, naive::shifted_subsample_grad(gy, s[2], s[3], offset, stride, 0.5), 1e-7,
                                   1e-6);
                REQUIRE(gx.guard_intact());
            }
}

TEST_CASE("factorized-reduction paths have the reference semantics", "[copy]") {
    // A 1 x 1 x 3 x 3 image 1..9: path 1 takes the even pixels, path 2 pads a zero row and column
    // at the bottom and right, drops the first row and column, then takes the even pixels.
    Context<Cpu> ctx;
    const auto x = Tensor<float, Cpu>::from_vector({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    REQUIRE(ops::shifted_subsample(ctx, x, 0, 2).to_vector() == std::vector<float>{1, 3, 7, 9});
    REQUIRE(ops::shifted_subsample(ctx, x, 1, 2).to_vector() == std::vector<float>{5, 0, 0, 0});
    REQUIRE(ops::shift_pad(ctx, x).to_vector() == std::vector<float>{5, 6, 0, 8, 9, 0, 0, 0, 0});
}

TEST_CASE("copy ops pass the gradient check", "[copy][gradcheck]") {
    Rng rng(24);
    auto a = Var<double, Cpu>(test::random_tensor<double>({2, 3, 3, 2}, rng), true);
    auto b = Var<double, Cpu>(test::random_tensor<double>({2, 2, 3, 2}, rng), true);
    auto c = Var<double, Cpu>(test::random_tensor<double>({2, 1, 3, 2}, rng), false);  // no gradient wanted
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::concat(t, {a, c, b}); }, {a, b, c}));
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::slice(t, a, 1, 2); }, {a}));
    // reshape, alone and in the recurrent child's pattern (rows stacked through a dim-1 concat).
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::reshape(t, a, Shape{6, 6}); }, {a}));
    ENAS_REQUIRE_GRADCHECK(grad_check(
        [&](Tape<Cpu>& t) {
            return ops::reshape(t, ops::concat(t, {ops::reshape(t, a, Shape{1, 36}), ops::reshape(t, b, Shape{1, 24})}),
                                Shape{10, 6});
        },
        {a, b}));
    auto x = Var<double, Cpu>(test::random_tensor<double>({2, 2, 5, 4}, rng), true);
    for (std::int64_t offset : {0, 1})
        for (std::int64_t stride : {1, 2}) {
            INFO("offset " << offset << " stride " << stride);
            ENAS_REQUIRE_GRADCHECK(
                grad_check([&](Tape<Cpu>& t) { return ops::shifted_subsample(t, x, offset, stride); }, {x}));
        }
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::shift_pad(t, x); }, {x}));
    // The factorized-reduction pattern end to end: both paths concatenated on channels.
    ENAS_REQUIRE_GRADCHECK(grad_check(
        [&](Tape<Cpu>& t) {
            return ops::concat(t, {ops::shifted_subsample(t, x, 0, 2), ops::shifted_subsample(t, x, 1, 2)});
        },
        {x}));
}

TEST_CASE("Var-level copy ops accumulate gradients of a reused input", "[copy]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    Rng rng(25);
    Var<float, Cpu> x(test::random_tensor<float>({2, 3, 2}, rng), true);
    auto y = ops::concat(tape, {x, ops::slice(tape, x, 0, 3), x});  // x reaches y three times
    const Tensor<float, Cpu> gy = test::random_tensor<float>(y.shape(), rng);
    tape.backward(y, gy);
    Tensor<double, Cpu> expected = plus(naive::slice(gy, 0, 3), 0.0);
    for (std::int64_t start : {3, 6}) {
        const Tensor<double, Cpu> part = naive::slice(gy, start, 3);
        for (std::int64_t i = 0; i < expected.numel(); ++i) expected.data()[i] += part.data()[i];
    }
    ENAS_REQUIRE_CLOSE(x.grad(), expected, 1e-6, 1e-6);
}

TEST_CASE("reshape keeps the row-major order and shares the storage", "[copy]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> x(Tensor<float, Cpu>::from_vector({2, 3}, {1, 2, 3, 4, 5, 6}), true);
    Var<float, Cpu> y = ops::reshape(tape, x, Shape{3, 2});
    REQUIRE(y.shape() == Shape{3, 2});
    REQUIRE(y.value().to_vector() == x.value().to_vector());
    REQUIRE(y.value().data() == x.value().data());
    const Tensor<float, Cpu> gy = Tensor<float, Cpu>::from_vector({3, 2}, {6, 5, 4, 3, 2, 1});
    tape.backward(y, gy);
    REQUIRE(x.grad().shape() == Shape{2, 3});
    REQUIRE(x.grad().to_vector() == std::vector<float>{6, 5, 4, 3, 2, 1});
    ENAS_REQUIRE_THROWS(
        ops::reshape(tape, x, Shape{4, 2}), ShapeError,
        Catch::Matchers::Contains("[2, 3] has 6 elements") && Catch::Matchers::Contains("[4, 2] has 8"));
}

TEST_CASE("copy ops reject bad shapes and arguments", "[copy][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    const auto a = Tensor<float, Cpu>::full({2, 3, 4, 4}, 1.f), b = Tensor<float, Cpu>::full({2, 3, 5, 4}, 1.f);
    const auto v = Tensor<float, Cpu>::full({6}, 1.f), e = Tensor<float, Cpu>::zeros({2, 0, 4, 4});
    ENAS_REQUIRE_THROWS(ops::concat(ctx, std::vector<Tensor<float, Cpu>>{}), ShapeError, Contains("at least one"));
    ENAS_REQUIRE_THROWS(ops::concat(ctx, {a, b}), ShapeError,
                        Contains("input 1") && Contains("[2, 3, 5, 4]") && Contains("[2, 3, 4, 4]"));
    ENAS_REQUIRE_THROWS(ops::concat(ctx, {v, v}), ShapeError, Contains("rank >= 2") && Contains("[6]"));
    ENAS_REQUIRE_THROWS(ops::concat(ctx, {a, e}), ShapeError, Contains("xs[1]") && Contains("empty"));
    REQUIRE_THROWS_AS(ops::concat(ctx, {a, Tensor<float, Cpu>()}), StateError);
    ENAS_REQUIRE_THROWS(ops::slice(ctx, a, 2, 2), ShapeError,
                        Contains("[2, 4)") && Contains("size 3") && Contains("[2, 3, 4, 4]"));
    REQUIRE_THROWS_AS(ops::slice(ctx, a, -1, 1), ShapeError);
    REQUIRE_THROWS_AS(ops::slice(ctx, a, 0, 0), ShapeError);
    ENAS_REQUIRE_THROWS(ops::slice(ctx, v, 0, 1), ShapeError, Contains("rank >= 2"));
    ENAS_REQUIRE_THROWS(ops::shifted_subsample(ctx, a.view({2, 3, 16}), 0, 2), ShapeError,
                        Contains("rank 4") && Contains("[2, 3, 16]"));
    ENAS_REQUIRE_THROWS(ops::shifted_subsample(ctx, a, -1, 2), ValueError, Contains("offset") && Contains("-1"));
    ENAS_REQUIRE_THROWS(ops::shifted_subsample(ctx, a, 0, 0), ValueError, Contains("stride") && Contains("0"));
    ENAS_REQUIRE_THROWS(ops::shift_pad(ctx, e), ShapeError, Contains("empty") && Contains("[2, 0, 4, 4]"));
}
