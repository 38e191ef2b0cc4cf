#include "enas/ops/elementwise.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("elementwise ops match PyTorch", "[oracle][elementwise]") {
    Context<Cpu> ctx(3);
    Rng rng(17);
    std::vector<test::OracleCase> cases;
    const Shape s{4, 5, 6, 7};
    for (Activation a : {Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid}) {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> x(test::random_tensor<float>(s, rng, -3, 3), true);
        auto y = ops::activation(tape, a, x);
        auto up = test::random_tensor<float>(s, rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = std::string("activation ") + activation_name(a);
        c.op = "activation";
        c.attrs = {{"act", activation_name(a)}};
        c.input("x", x.value()).output("y", y.value(), up).grad("x", x.grad());
        cases.push_back(c);
    }
    {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> a(test::random_tensor<float>(s, rng), true), b(test::random_tensor<float>(s, rng), true);
        auto y = ops::add(tape, a, b);
        auto z = ops::mul(tape, a, b);
        auto up = test::random_tensor<float>(s, rng), up2 = test::random_tensor<float>(s, rng);
        tape.backward(y, up);
        tape.clear();
        test::OracleCase c;
        c.label = "add";
        c.op = "add";
        c.input("a", a.value())
            .input("b", b.value())
            .output("y", y.value(), up)
            .grad("a", a.grad())
            .grad("b", b.grad());
        cases.push_back(c);
        (void)z;
    }
    {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> a(test::random_tensor<float>(s, rng), true), b(test::random_tensor<float>(s, rng), true);
        auto y = ops::mul(tape, a, b);
        auto up = test::random_tensor<float>(s, rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = "mul";
        c.op = "mul";
        c.input("a", a.value())
            .input("b", b.value())
            .output("y", y.value(), up)
            .grad("a", a.grad())
            .grad("b", b.grad());
        cases.push_back(c);
    }
    {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> x(test::random_tensor<float>(s, rng), true);
        auto y = ops::scale(tape, x, -1.75f);
        auto up = test::random_tensor<float>(s, rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = "scale";
        c.op = "scale";
        c.attrs = {{"alpha", -1.75}};
        c.input("x", x.value()).output("y", y.value(), up).grad("x", x.grad());
        cases.push_back(c);
    }
    REQUIRE(test::run_oracle("elementwise", cases));
}
