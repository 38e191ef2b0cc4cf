#include "enas/autograd/grad_check.hpp"
#include "enas/ops/embedding.hpp"
#include "naive/embedding.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {
/// Ids of `shape` drawn from [0, v) (small v forces repeats).
Tensor<std::int32_t, Cpu> random_ids(const Shape& shape, std::int64_t v, Rng& rng) {
    Tensor<std::int32_t, Cpu> t(shape);
    for (std::int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(v)));
    return t;
}
}  // namespace

TEST_CASE("embedding forward and backward match the naive reference", "[embedding]") {
    Context<Cpu> ctx(1);
    Rng rng(81);
    struct Case {
        std::int64_t v, d;
        Shape ids;
    };
    // A one-row table, a single id, repeated ids, odd widths, a scalar id, and the PTB batch
    // (35 x 64 ids into a 10000 x 400 table), which crosses the parallel grain both ways.
    const Case cases[] = {{1, 3, {4}}, {7, 1, {1}},        {5, 7, {4, 5}},
                          {9, 13, {}}, {50, 6, {2, 3, 4}}, {10000, 400, {35, 64}}};
    for (const Case& c : cases) {
        INFO("V=" << c.v << " D=" << c.d << " ids " << c.ids.str());
        const auto table = test::random_tensor<float>({c.v, c.d}, rng);
        const auto ids = random_ids(c.ids, c.v, rng);
        Shape out_shape = c.ids;
        out_shape.push_back(c.d);
        Guarded<float> y(out_shape);
        cpu::embedding_forward(ctx, table, ids, y.tensor);
        ENAS_REQUIRE_CLOSE(y.tensor, naive::embedding(table, ids), 0.0, 0.0);
        REQUIRE(y.guard_intact());

        const auto gy = test::random_tensor<float>(out_shape, rng);
        Guarded<float> gt({c.v, c.d}, 0.5f);  // nonzero: backward must accumulate into it
        cpu::embedding_backward(ctx, ids, gy, gt.tensor);
        if (c.v <= 50) {
            ENAS_REQUIRE_CLOSE(gt.tensor, naive::embedding_grad(ids, gy, c.v, c.d, 0.5), 1e-6, 1e-5);
        } else {  // the naive V x n scan is too slow here: accumulate per id instead
            auto ref = Tensor<double, Cpu>::full({c.v, c.d}, 0.5);
            for (std::int64_t i = 0; i < ids.numel(); ++i)
                for (std::int64_t j = 0; j < c.d; ++j) ref.data()[ids.data()[i] * c.d + j] += gy.data()[i * c.d + j];
            ENAS_REQUIRE_CLOSE(gt.tensor, ref, 1e-6, 1e-5);
        }
        REQUIRE(gt.guard_intact());
    }
}

TEST_CASE("Var-level embedding has the lookup shape and sums repeated ids", "[embedding]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> table(Tensor<float, Cpu>::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}), true);
    const auto ids = Tensor<std::int32_t, Cpu>::from_vector({2, 2}, {2, 0, 2, 2});
    auto y = ops::embedding(tape, table, ids);
    REQUIRE(y.shape() == Shape{2, 2, 2});
    REQUIRE(y.value().to_vector() == std::vector<float>{5, 6, 1, 2, 5, 6, 5, 6});
    tape.backward(y, Tensor<float, Cpu>::full({2, 2, 2}, 1.f));
    REQUIRE(table.grad().to_vector() == std::vector<float>{1, 1, 0, 0, 3, 3});
}

TEST_CASE("embedding passes the gradient check", "[embedding][gradcheck]") {
    Rng rng(82);
    auto table = Var<double, Cpu>(test::random_tensor<double>({5, 3}, rng), true);
    const auto ids = Tensor<std::int32_t, Cpu>::from_vector({2, 3}, {4, 0, 4, 1, 4, 0});
    ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::embedding(t, table, ids); }, {table}));
}

TEST_CASE("embedding rejects bad ids and tables", "[embedding][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    const auto table = Tensor<float, Cpu>::full({10, 4}, 1.f);
    ENAS_REQUIRE_THROWS(ops::embedding(ctx, table, Tensor<std::int32_t, Cpu>::from_vector({2, 3}, {0, 1, 2, 3, 4, 10})),
                        ValueError, Contains("id 10") && Contains("position [1, 2]") && Contains("V = 10"));
    ENAS_REQUIRE_THROWS(ops::embedding(ctx, table, Tensor<std::int32_t, Cpu>::from_vector({3}, {0, -1, 2})), ValueError,
                        Contains("id -1") && Contains("position 1"));
    ENAS_REQUIRE_THROWS(ops::embedding(ctx, table.view({40}), Tensor<std::int32_t, Cpu>::from_vector({1}, {0})),
                        ShapeError, Contains("rank 2") && Contains("[40]"));
    ENAS_REQUIRE_THROWS(ops::embedding(ctx, table, Tensor<std::int32_t, Cpu>::zeros({0, 3})), ShapeError,
                        Contains("empty") && Contains("[0, 3]"));
    ENAS_REQUIRE_THROWS(ops::embedding(ctx, table, Tensor<std::int32_t, Cpu>::zeros({1, 1, 1, 1, 1, 2})), ShapeError,
                        Contains("rank 6"));
    REQUIRE_THROWS_AS(ops::embedding(ctx, table, Tensor<std::int32_t, Cpu>()), StateError);
}
