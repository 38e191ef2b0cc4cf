#include "enas/ops/reduce.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("reduce ops match PyTorch", "[oracle][reduce]") {
    Context<Cpu> ctx(6);
    Rng rng(61);
    std::vector<test::OracleCase> cases;
    struct Op {
        const char* name;
        Shape shape;
        Var<float, Cpu> (*fn)(Tape<Cpu>&, const Var<float, Cpu>&);
    };
    const Op ops_list[] = {
        {"global_avg_pool",
         {4, 6, 5, 7},
         [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::global_avg_pool(t, x); }},
        {"sum", {3, 40, 33, 29}, [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::sum(t, x); }},
        {"mean", {3, 40, 33, 29}, [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::mean(t, x); }},
        {"sum_squares", {3, 40, 33, 29}, [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::sum_squares(t, x); }},
    };
    for (const Op& op : ops_list) {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> x(test::random_tensor<float>(op.shape, rng, -2, 2), true);
        Var<float, Cpu> y = op.fn(tape, x);
        const auto up = test::random_tensor<float>(y.shape(), rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = std::string(op.name) + " " + op.shape.str();
        c.op = op.name;
        c.input("x", x.value()).output("y", y.value(), up).grad("x", x.grad());
        cases.push_back(c);
    }
    REQUIRE(test::run_oracle("reduce", cases));
}
