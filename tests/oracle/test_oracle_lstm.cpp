#include "enas/ops/lstm.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("lstm cell matches PyTorch", "[oracle][lstm]") {
    Context<Cpu> ctx(3);
    Rng rng(31);
    std::vector<test::OracleCase> cases;
    struct Dims {
        std::int64_t batch, in, hidden;
        bool h_up, c_up;
    };
    // Controller sizes (batch 1, H = 64 / 100; c unused after the last step), and an awkward one.
    const Dims dims[] = {{1, 64, 64, true, true}, {1, 100, 100, true, false}, {3, 7, 5, true, true}};
    for (const Dims& d : dims) {
        for (const char* op : {"lstm_cell", "lstm_cell_formula"}) {
            Tape<Cpu> tape(ctx);
            Var<float, Cpu> x(test::random_tensor<float>({d.batch, d.in}, rng), true);
            Var<float, Cpu> h(test::random_tensor<float>({d.batch, d.hidden}, rng), true);
            Var<float, Cpu> c(test::random_tensor<float>({d.batch, d.hidden}, rng, -2, 2), true);
            Var<float, Cpu> w(test::random_tensor<float>({d.in + d.hidden, 4 * d.hidden}, rng, -0.1, 0.1), true);
            const auto out = ops::lstm_cell(tape, x, h, c, w);
            const auto up_h = test::random_tensor<float>(out.h.shape(), rng);
            const auto up_c = test::random_tensor<float>(out.c.shape(), rng);
            test::OracleCase oc;
            oc.label = std::string(op == std::string("lstm_cell") ? "LSTMCell" : "formula") + " B" +
                       std::to_string(d.batch) + " I" + std::to_string(d.in) + " H" + std::to_string(d.hidden) +
                       (d.c_up ? "" : " h-only");
            oc.op = op;
            // Both outputs carry an upstream gradient, or only h (c's gradient absent).
            if (d.c_up) {
                auto& seed_c = out.c.grad_buffer(ctx);
                for (std::int64_t i = 0; i < seed_c.numel(); ++i) seed_c.data()[i] = up_c.data()[i];
            }
            auto oh = out.h;
            tape.backward(oh, up_h);
            oc.input("x", x.value()).input("h_prev", h.value()).input("c_prev", c.value()).input("w", w.value());
            oc.output("h", out.h.value(), up_h);
            if (d.c_up)
                oc.output("c", out.c.value(), up_c);
            else
                oc.output("c", out.c.value());
            oc.grad("x", x.grad()).grad("h_prev", h.grad()).grad("c_prev", c.grad()).grad("w", w.grad());
            cases.push_back(oc);
        }
    }
    REQUIRE(test::run_oracle("lstm", cases));
}
