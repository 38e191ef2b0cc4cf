// On tiny spaces, every architecture is scored by teacher forcing: the probabilities sum to 1,
// sampling returns exactly the enumerated log-probability of what it drew, and the empirical
// frequencies of many samples match the enumerated distribution.
#include <map>

#include "enas/controller/controllers.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::controller;

namespace {

/// Scores every token vector of the policy's space (an odometer over the cardinalities).
std::map<std::vector<int>, double> enumerate(ArchitecturePolicy& policy) {
    const auto card = policy.cardinalities();
    std::vector<int> t(card.size(), 0);
    std::map<std::vector<int>, double> log_probs;
    Sample s;
    while (true) {
        policy.score_into(t, s);
        log_probs[t] = s.log_prob;
        std::size_t i = 0;
        while (i < t.size() && ++t[i] == card[i]) t[i++] = 0;
        if (i == t.size()) break;
    }
    return log_probs;
}

void check_space(ArchitecturePolicy& policy, std::size_t expected_count, int samples_to_match) {
    const auto all = enumerate(policy);
    REQUIRE(all.size() == expected_count);
    double total = 0;
    for (const auto& [tokens, lp] : all) total += std::exp(lp);
    std::printf("  %s: %zu architectures, total probability %.15f\n", space_name(policy.space()), all.size(), total);
    REQUIRE(total == Approx(1.0).epsilon(1e-10));
    for (int i = 0; i < samples_to_match; ++i) {
        const Sample s = policy.sample();
        const auto it = all.find(s.tokens);
        REQUIRE(it != all.end());
        REQUIRE(s.log_prob == Approx(it->second).epsilon(1e-12).margin(1e-13));
    }
}

}  // namespace

TEST_CASE("probabilities of all architectures sum to 1 and match the sampled log-probabilities", "[controller]") {
    SECTION("macro, L = 3 (6^3 ops x 2^3 skip patterns)") {
        MacroControllerConfig c;
        c.num_layers = 3;
        BasicMacroController<double> macro(c, 1);
        check_space(macro, 6 * 6 * 6 * 8, 50);
    }
    SECTION("micro, B = 1 (per cell 2 x 5 x 2 x 5)") {
        MicroControllerConfig c;
        c.num_nodes = 1;
        c.hidden_size = 16;
        c.op_bias_init = 1.0;  // unsaturated, so every op has visible probability
        BasicMicroController<double> micro(c, 1);
        check_space(micro, 100 * 100, 50);
    }
    SECTION("recurrent LM, N = 3 (1 x 2 x 3 prevs, 4^3 functions)") {
        RnnControllerConfig c;
        c.num_nodes = 3;
        BasicRnnController<double> rnn(c, 1);
        check_space(rnn, 6 * 64, 50);
    }
    SECTION("recurrent original, N = 4 (1 x 2 x 3 prevs, 2^4 functions)") {
        RnnControllerConfig c = RnnControllerConfig::original();
        c.num_nodes = 4;
        BasicRnnController<double> rnn(c, 1);
        check_space(rnn, 6 * 16, 50);
    }
}

TEST_CASE("sample frequencies match the enumerated distribution", "[controller]") {
    MacroControllerConfig c;
    c.num_layers = 2;
    c.init_range = 0.8;  // a distribution far from uniform
    MacroController macro(c, 3);
    const auto all = enumerate(macro);
    REQUIRE(all.size() == 72);
    std::map<std::vector<int>, int> counts;
    const int n = 60000;
    Sample s;
    for (int i = 0; i < n; ++i) {
        macro.sample_into(s);
        ++counts[s.tokens];
    }
    double tv = 0;
    for (const auto& [tokens, lp] : all) {
        const auto it = counts.find(tokens);
        tv += std::fabs((it == counts.end() ? 0 : it->second) / static_cast<double>(n) - std::exp(lp));
    }
    tv /= 2;
    std::printf("  total variation between %d samples and the enumerated distribution: %.4f\n", n, tv);
    REQUIRE(tv < 0.02);  // the sampling noise alone is about 0.01 here
}
