#include "enas/ops/dropout.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

namespace {

using VarOp = Var<float, Cpu> (*)(Tape<Cpu>&, const Var<float, Cpu>&, double, Tensor<float, Cpu>*);

/// The 0/1 keep mask behind a scaled mask (entries 0 or 1 / keep_prob).
Tensor<float, Cpu> keep_of(const Tensor<float, Cpu>& scaled) {
    Tensor<float, Cpu> k(scaled.shape());
    for (std::int64_t i = 0; i < k.numel(); ++i) k.data()[i] = scaled.data()[i] != 0.0f ? 1.0f : 0.0f;
    return k;
}

test::OracleCase run_case(Context<Cpu>& ctx, Rng& rng, const char* op, VarOp fn, const char* input_name,
                          const Shape& shape, double keep_prob) {
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> x(test::random_tensor<float>(shape, rng, -2, 2), true);
    Tensor<float, Cpu> mask;
    Var<float, Cpu> y = fn(tape, x, keep_prob, &mask);
    const Tensor<float, Cpu> keep = keep_of(mask);
    std::int64_t kept = 0;
    for (std::int64_t i = 0; i < keep.numel(); ++i) kept += keep.data()[i] != 0.0f;
    // Both kept and dropped entries must occur, or the case would not test the mask.
    REQUIRE(kept > 0);
    REQUIRE(kept < keep.numel());
    const auto up = test::random_tensor<float>(shape, rng);
    tape.backward(y, up);
    test::OracleCase c;
    c.label = std::string(op) + " keep " + std::to_string(keep_prob).substr(0, 4);
    c.op = op;
    c.attrs = {{"keep_prob", keep_prob}};
    c.input(input_name, x.value()).input("keep", keep, false).output("y", y.value(), up).grad(input_name, x.grad());
    return c;
}

}  // namespace

TEST_CASE("dropout ops match PyTorch given our masks", "[oracle][dropout]") {
    Context<Cpu> ctx(3);
    Rng rng(17);
    std::vector<test::OracleCase> cases;
    cases.push_back(run_case(ctx, rng, "dropout", &ops::dropout<float, Cpu>, "x", {4, 5, 6, 7}, 0.7));
    cases.push_back(run_case(ctx, rng, "dropout", &ops::dropout<float, Cpu>, "x", {1, 33}, 0.25));
    cases.push_back(run_case(ctx, rng, "drop_path", &ops::drop_path<float, Cpu>, "x", {8, 6, 5, 5}, 0.6));
    cases.push_back(run_case(ctx, rng, "locked_dropout", &ops::locked_dropout<float, Cpu>, "x", {7, 4, 9}, 0.75));
    cases.push_back(
        run_case(ctx, rng, "embedding_dropout", &ops::embedding_dropout<float, Cpu>, "table", {30, 8}, 0.8));
    REQUIRE(test::run_oracle("dropout", cases));
}
