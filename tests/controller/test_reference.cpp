// The fused controllers against independent transcriptions of the authors' code
// (reference_controllers.hpp), and the reference's stated formulas checked on the recorded
// decisions: P(skip) = σ(2C·tanh(s)), micro op logits 0.44·tanh(h·W + b) (+ b₀ on the normal
// cell), the b_soft initialisation, and float against double.
#include "controller/reference_controllers.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::controller;

namespace {

template <class Controller, class Config, class Reference>
void compare_with_reference(const Config& cfg, Reference reference, int samples) {
    Controller controller(cfg, 17);
    const auto w = test::weights_of(controller);
    for (int i = 0; i < samples; ++i) {
        const Sample s = controller.sample();
        const test::ReferenceScore ref = reference(cfg, w, s.tokens);
        INFO("sample " << i);
        REQUIRE(s.log_prob == Approx(ref.log_prob).epsilon(1e-11).margin(1e-12));
        REQUIRE(s.entropy == Approx(ref.entropy).epsilon(1e-11).margin(1e-12));
        REQUIRE(s.skip_penalty == Approx(ref.skip_penalty).epsilon(1e-11).margin(1e-12));
    }
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

}  // namespace

TEST_CASE("fused controllers match naive transcriptions of the authors' code", "[controller]") {
    SECTION("macro") {
        MacroControllerConfig c;
        c.num_layers = 6;
        c.hidden_size = 16;
        c.init_range = 0.6;  // larger than the default so that every nonlinearity is exercised
        compare_with_reference<BasicMacroController<double>>(c, test::reference_macro, 20);
        c.temperature = 3.0;
        c.entropy_form = EntropyForm::Full;
        compare_with_reference<BasicMacroController<double>>(c, test::reference_macro, 10);
    }
    SECTION("micro") {
        MicroControllerConfig c;
        c.num_nodes = 3;
        c.hidden_size = 16;
        c.init_range = 0.6;
        compare_with_reference<BasicMicroController<double>>(c, test::reference_micro, 20);
        c.op_bias_init = 0.5;
        c.temperature = 2.0;
        compare_with_reference<BasicMicroController<double>>(c, test::reference_micro, 10);
    }
    SECTION("recurrent, LM corrected and original") {
        RnnControllerConfig lm;
        lm.num_nodes = 6;
        lm.hidden_size = 16;
        lm.init_range = 0.6;
        compare_with_reference<BasicRnnController<double>>(lm, test::reference_rnn, 20);
        RnnControllerConfig orig = RnnControllerConfig::original();
        orig.num_nodes = 6;
        orig.hidden_size = 16;
        orig.init_range = 0.6;
        compare_with_reference<BasicRnnController<double>>(orig, test::reference_rnn, 20);
    }
}

TEST_CASE("P(skip) = sigmoid(2 C tanh(s)) for the computed attention scores", "[controller]") {
    MacroControllerConfig c;
    c.num_layers = 5;
    c.init_range = 0.5;
    BasicMacroController<double> macro(c, 4);
    const Sample s = macro.sample();
    const auto& trace = macro.trace();
    int skip_layers = 0;
    for (const auto& d : trace.decisions()) {
        if (!d.skip) continue;
        ++skip_layers;
        for (int j = 0; j < d.choices; ++j) {
            const double score = trace.value(d.raw)[j];
            const double p1 = trace.value(d.probs)[j];
            REQUIRE(p1 == Approx(sigmoid(2 * c.tanh_constant * std::tanh(score))).epsilon(1e-13));
            REQUIRE(trace.value(d.shaped)[j] == Approx(c.tanh_constant * std::tanh(score)).epsilon(1e-13));
        }
        // And the scores come from the attention v·tanh(W1 a_j + W2 h): nonzero and bounded by |v|_1.
        double v_norm = 0;
        const auto& p = macro.parameters();
        for (std::int64_t i = 0; i < c.hidden_size; ++i) v_norm += std::fabs(p.data(p.find("v_attn"))[i]);
        for (int j = 0; j < d.choices; ++j) REQUIRE(std::fabs(trace.value(d.raw)[j]) <= v_norm);
    }
    REQUIRE(skip_layers == c.num_layers - 1);
    REQUIRE(s.skip_count >= 0);
}

TEST_CASE("micro op logits are 0.44 tanh(hW + b), plus the fixed bias on the normal cell only", "[controller]") {
    BasicMicroController<double> micro({}, 6);
    REQUIRE(micro.config().tanh_constant / micro.config().op_tanh_reduce == Approx(0.44));
    micro.sample();
    const auto& trace = micro.trace();
    const std::vector<double> b0 = BasicMicroController<double>::fixed_normal_cell_bias(5);
    REQUIRE(b0 == std::vector<double>{0.25, 0.25, -0.25, -0.25, -0.25});
    int op_decisions = 0;
    for (const auto& d : trace.decisions()) {
        const bool is_op = d.position % 2 == 1;  // [idx1, op1, idx2, op2]: ops at odd positions
        if (!is_op) continue;
        REQUIRE(d.choices == 5);
        ++op_decisions;
        const bool normal = d.position < 20;
        for (int k = 0; k < 5; ++k) {
            const double z = trace.value(d.raw)[k];
            const double expected = 0.44 * std::tanh(z) + (normal ? b0[static_cast<std::size_t>(k)] : 0.0);
            REQUIRE(trace.value(d.shaped)[k] == Approx(expected).epsilon(1e-13));
        }
        // At initialisation b_soft = [10, 10, 0, 0, 0] saturates ops 0 and 1.
        const double first = trace.value(d.shaped)[0];
        REQUIRE(first == Approx(normal ? 0.44 + 0.25 : 0.44).epsilon(1e-6));
    }
    REQUIRE(op_decisions == 20);
}

TEST_CASE("micro b_soft starts at [10, 10, 0, 0, 0] and is learned", "[controller]") {
    MicroController micro({}, 1);
    const auto& p = micro.parameters();
    const float* b = p.data(p.find("b_soft"));
    REQUIRE(std::vector<float>(b, b + 5) == std::vector<float>{10, 10, 0, 0, 0});
    REQUIRE(BasicMicroController<double>::initial_op_bias(5) == std::vector<double>{10, 10, 0, 0, 0});
    // The other weights are U[-0.1, 0.1].
    for (const char* name : {"w_lstm", "g_emb", "w_emb", "w_soft", "w_attn_1", "w_attn_2", "v_attn"}) {
        const int i = p.find(name);
        float lo = 1, hi = -1;
        for (std::int64_t k = 0; k < p.block(i).numel(); ++k) {
            lo = std::min(lo, p.data(i)[k]);
            hi = std::max(hi, p.data(i)[k]);
        }
        INFO(name);
        REQUIRE(lo >= -0.1f);
        REQUIRE(hi <= 0.1f);
        REQUIRE(hi - lo > 0.1f);
    }
    RnnController lm({}, 1);
    const auto& q = lm.parameters();
    for (std::int64_t k = 0; k < q.size(); ++k) REQUIRE(std::fabs(q.values().data()[k]) <= 0.01f);
}

TEST_CASE("float controllers (fast activations) agree with double ones", "[controller]") {
    MacroController f32({}, 8);
    BasicMacroController<double> f64({}, 8);
    MicroController mf32({}, 8);
    BasicMicroController<double> mf64({}, 8);
    for (int i = 0; i < 10; ++i) {
        const Sample a = f64.sample(), b = f32.score(a.tokens);
        REQUIRE(b.log_prob == Approx(a.log_prob).epsilon(1e-5));
        REQUIRE(b.entropy == Approx(a.entropy).epsilon(1e-5));
        REQUIRE(b.skip_penalty == Approx(a.skip_penalty).epsilon(1e-5));
        const Sample c = mf64.sample(), d = mf32.score(c.tokens);
        REQUIRE(d.log_prob == Approx(c.log_prob).epsilon(1e-5));
    }
    // The fast activations themselves.
    double worst_exp = 0, worst_tanh = 0, worst_sig = 0;
    for (double x = -30; x <= 30; x += 0.0137) {
        const float xf = static_cast<float>(x);
        worst_exp = std::max(worst_exp, std::fabs(kernels::fast_exp(xf) / std::exp(static_cast<double>(xf)) - 1));
        worst_tanh = std::max(worst_tanh, std::fabs(kernels::fast_tanh(xf) - std::tanh(static_cast<double>(xf))));
        worst_sig =
            std::max(worst_sig, std::fabs(kernels::fast_sigmoid(xf) * (1 + std::exp(-static_cast<double>(xf))) - 1));
    }
    std::printf("  fast_exp max rel err %.3g, fast_tanh max abs err %.3g, fast_sigmoid max rel err %.3g\n", worst_exp,
                worst_tanh, worst_sig);
    REQUIRE(worst_exp < 3e-7);
    REQUIRE(worst_tanh < 3e-7);
    REQUIRE(worst_sig < 5e-7);
    REQUIRE(kernels::fast_tanh(1e-5f) == Approx(1e-5).epsilon(1e-6));
    REQUIRE(kernels::fast_sigmoid(-200.0f) >= 0.0f);
    REQUIRE(kernels::fast_tanh(200.0f) == 1.0f);
}
