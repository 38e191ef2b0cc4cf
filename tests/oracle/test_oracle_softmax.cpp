#include "enas/ops/softmax.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("softmax ops match PyTorch", "[oracle][softmax]") {
    Context<Cpu> ctx(3);
    Rng rng(51);
    std::vector<test::OracleCase> cases;
    // The child's loss (N=128, K=10), a batch of 1, and a wide vocabulary-sized case.
    for (const auto& [n, k, spread] : {std::tuple<std::int64_t, std::int64_t, double>{128, 10, 4.0},
                                       {1, 10, 4.0},
                                       {33, 1001, 8.0},
                                       {16, 5, 300.0}}) {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> logits(test::random_tensor<float>({n, k}, rng, -spread, spread), true);
        std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
        Tensor<std::int32_t, Cpu> lab({n});
        for (std::int64_t i = 0; i < n; ++i) {
            labels[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(k)));
            lab.data()[i] = static_cast<std::int32_t>(labels[static_cast<std::size_t>(i)]);
        }
        auto loss = ops::softmax_cross_entropy(tape, logits, lab);
        const auto up = Tensor<float, Cpu>::full({1}, 1.3f);
        tape.backward(loss, up);
        test::OracleCase c;
        c.label = "cross_entropy N=" + std::to_string(n) + " K=" + std::to_string(k) + (spread > 100 ? " large" : "");
        c.op = "softmax_cross_entropy";
        c.input("logits", logits.value()).int_input("labels", labels, {n});
        c.output("loss", loss.value(), up).grad("logits", logits.grad());
        cases.push_back(c);
    }
    for (const Shape& s : {Shape{6, 10}, Shape{3, 4, 17}, Shape{2, 1001}, Shape{5}})
        for (bool log_space : {false, true}) {
            Tape<Cpu> tape(ctx);
            Var<float, Cpu> x(test::random_tensor<float>(s, rng, -5, 5), true);
            auto y = log_space ? ops::log_softmax(tape, x) : ops::softmax(tape, x);
            const auto up = test::random_tensor<float>(s, rng);
            tape.backward(y, up);
            test::OracleCase c;
            c.label = std::string(log_space ? "log_softmax " : "softmax ") + s.str();
            c.op = log_space ? "log_softmax" : "softmax";
            c.input("x", x.value()).output("y", y.value(), up).grad("x", x.grad());
            cases.push_back(c);
        }
    REQUIRE(test::run_oracle("softmax", cases));
}
