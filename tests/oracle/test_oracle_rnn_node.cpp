#include "enas/ops/rnn_node.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("rnn node matches PyTorch", "[oracle][rnn_node]") {
    Context<Cpu> ctx(3);
    Rng rng(51);
    std::vector<test::OracleCase> cases;
    for (Activation f : {Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid}) {
        for (const Shape& shape : {Shape{5, 37}, Shape{1, 64}}) {
            Tape<Cpu> tape(ctx);
            Var<float, Cpu> s(test::random_tensor<float>(shape, rng, -2, 2), true);
            Var<float, Cpu> c(test::random_tensor<float>(shape, rng, -3, 3), true);
            Var<float, Cpu> h(test::random_tensor<float>(shape, rng, -3, 3), true);
            auto y = ops::rnn_node(tape, f, s, c, h);
            const auto up = test::random_tensor<float>(shape, rng);
            tape.backward(y, up);
            test::OracleCase oc;
            oc.label = std::string("rnn_node ") + activation_name(f) + " " + shape.str();
            oc.op = "rnn_node";
            oc.attrs = {{"act", activation_name(f)}};
            oc.input("s", s.value()).input("c_pre", c.value()).input("h_pre", h.value());
            oc.output("y", y.value(), up).grad("s", s.grad()).grad("c_pre", c.grad()).grad("h_pre", h.grad());
            cases.push_back(oc);
        }
    }
    REQUIRE(test::run_oracle("rnn_node", cases));
}
