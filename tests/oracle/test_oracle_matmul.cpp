#include "enas/ops/matmul.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("matmul ops match PyTorch", "[oracle][matmul]") {
    Context<Cpu> ctx(3);
    Rng rng(71);
    std::vector<test::OracleCase> cases;
    for (const auto& [m, k, n] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{1, 64, 256}, {33, 65, 17}})
        for (bool ta : {false, true})
            for (bool tb : {false, true}) {
                Tape<Cpu> tape(ctx);
                Var<float, Cpu> a(test::random_tensor<float>(ta ? Shape{k, m} : Shape{m, k}, rng), true);
                Var<float, Cpu> b(test::random_tensor<float>(tb ? Shape{n, k} : Shape{k, n}, rng), true);
                auto y = ops::matmul(tape, a, b, ta, tb);
                const auto up = test::random_tensor<float>(y.shape(), rng);
                tape.backward(y, up);
                test::OracleCase c;
                c.label = "matmul " + std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) +
                          (ta ? " aT" : "") + (tb ? " bT" : "");
                c.op = "matmul";
                c.attrs = {{"trans_a", ta}, {"trans_b", tb}};
                c.input("a", a.value()).input("b", b.value()).output("y", y.value(), up);
                c.grad("a", a.grad()).grad("b", b.grad());
                cases.push_back(c);
            }
    // The macro child's head (GAP features -> 10 classes), and a layer with a bias.
    for (const auto& [n, in, out, with_bias] :
         {std::tuple<std::int64_t, std::int64_t, std::int64_t, bool>{128, 576, 10, false}, {7, 33, 19, true}}) {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> x(test::random_tensor<float>({n, in}, rng), true);
        Var<float, Cpu> w(test::random_tensor<float>({out, in}, rng, -0.2, 0.2), true);
        Var<float, Cpu> bias(test::random_tensor<float>({out}, rng), true);
        auto y = with_bias ? ops::linear(tape, x, w, bias) : ops::linear(tape, x, w);
        const auto up = test::random_tensor<float>(y.shape(), rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = "linear " + std::to_string(n) + "x" + std::to_string(in) + "x" + std::to_string(out) +
                  (with_bias ? " bias" : "");
        c.op = "linear";
        c.input("x", x.value()).input("w", w.value());
        if (with_bias) c.input("bias", bias.value());
        c.output("y", y.value(), up).grad("x", x.grad()).grad("w", w.grad());
        if (with_bias) c.grad("bias", bias.grad());
        cases.push_back(c);
    }
    REQUIRE(test::run_oracle("matmul", cases));
}
