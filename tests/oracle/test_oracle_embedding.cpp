#include "enas/ops/embedding.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("embedding matches PyTorch", "[oracle][embedding]") {
    Context<Cpu> ctx(3);
    Rng rng(91);
    std::vector<test::OracleCase> cases;
    // Repeated ids (V small), a 2-D batch of token ids, and a single id.
    for (const auto& [v, d, ids_shape] : {std::tuple<std::int64_t, std::int64_t, Shape>{6, 5, Shape{4, 7}},
                                          {1000, 40, Shape{35, 8}},
                                          {3, 9, Shape{1}},
                                          {20, 3, Shape{2, 3, 4}}}) {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> table(test::random_tensor<float>({v, d}, rng), true);
        Tensor<std::int32_t, Cpu> ids(ids_shape);
        std::vector<std::int64_t> ids64(static_cast<std::size_t>(ids.numel()));
        for (std::int64_t i = 0; i < ids.numel(); ++i) {
            ids.data()[i] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(v)));
            ids64[static_cast<std::size_t>(i)] = ids.data()[i];
        }
        auto y = ops::embedding(tape, table, ids);
        const auto up = test::random_tensor<float>(y.shape(), rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = "embedding V=" + std::to_string(v) + " D=" + std::to_string(d) + " ids " + ids_shape.str();
        c.op = "embedding";
        c.input("table", table.value()).int_input("ids", ids64, ids_shape);
        c.output("y", y.value(), up).grad("table", table.grad());
        cases.push_back(c);
    }
    REQUIRE(test::run_oracle("embedding", cases));
}
