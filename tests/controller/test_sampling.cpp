// Sampling basics of every controller: token counts in the authors' flat orders, every token in
// range, reproducibility from the seed, greedy decoding, teacher-forced scoring and bad input.
#include <set>

#include "enas/controller/controllers.hpp"
#include "enas/search/space.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::controller;

namespace {

void require_in_range(const ArchitecturePolicy& policy, const Sample& s) {
    REQUIRE(s.tokens.size() == policy.num_tokens());
    const auto card = policy.cardinalities();
    for (std::size_t i = 0; i < s.tokens.size(); ++i) {
        INFO("token " << i << " = " << s.tokens[i] << ", cardinality " << card[i]);
        REQUIRE(s.tokens[i] >= 0);
        REQUIRE(s.tokens[i] < card[i]);
    }
}

void check_policy(ArchitecturePolicy& policy, std::size_t expected_tokens) {
    REQUIRE(policy.num_tokens() == expected_tokens);
    for (int i = 0; i < 50; ++i) {
        const Sample s = policy.sample();
        require_in_range(policy, s);
        REQUIRE(s.log_prob <= 0);
        REQUIRE(std::isfinite(s.log_prob));
        REQUIRE(std::isfinite(s.entropy));
        REQUIRE(s.entropy >= 0);
    }
}

}  // namespace

TEST_CASE("token counts follow the authors' formats", "[controller]") {
    SECTION("macro: L(L+1)/2") {
        for (int layers : {1, 2, 5, 12, 24}) {
            MacroControllerConfig c;
            c.num_layers = layers;
            MacroController m(c, 7);
            check_policy(m, static_cast<std::size_t>(layers * (layers + 1) / 2));
        }
        REQUIRE(MacroController().num_tokens() == 78);
    }
    SECTION("micro: 2 cells x 4B = 40 for B = 5") {
        MicroController m({}, 3);
        check_policy(m, 40);
        MicroControllerConfig c;
        c.num_nodes = 2;
        MicroController small(c, 3);
        check_policy(small, 16);
    }
    SECTION("recurrent: 2N (LM) and 2N - 1 (original)") {
        RnnController lm({}, 1);
        check_policy(lm, 18);  // N = 9
        RnnController orig(RnnControllerConfig::original(), 1);
        check_policy(orig, 23);  // N = 12
        REQUIRE(orig.space() == SpaceKind::rnn_original);
        REQUIRE(lm.space() == SpaceKind::rnn);
    }
    SECTION("random search: same layouts") {
        RandomSearch macro(MacroControllerConfig{}, 1), micro(MicroControllerConfig{}, 1);
        RandomSearch lm(RnnControllerConfig{}, 1), orig(RnnControllerConfig::original(), 1);
        check_policy(macro, 78);
        check_policy(micro, 40);
        check_policy(lm, 18);
        check_policy(orig, 23);
    }
}

TEST_CASE("the original recurrent controller only samples its num_funcs functions", "[controller]") {
    RnnController orig(RnnControllerConfig::original(), 5);
    for (int i = 0; i < 20; ++i) {
        const Sample s = orig.sample();
        REQUIRE(s.tokens[0] < 2);
        for (std::size_t k = 2; k < s.tokens.size(); k += 2) REQUIRE(s.tokens[k] < 2);
    }
}

TEST_CASE("the same seed gives the same samples; another seed others", "[controller]") {
    auto draw = [](std::uint64_t seed) {
        MacroControllerConfig c;
        c.num_layers = 6;
        MacroController m(c, seed);
        std::vector<std::vector<int>> all;
        for (int i = 0; i < 20; ++i) all.push_back(m.sample().tokens);
        return all;
    };
    REQUIRE(draw(11) == draw(11));
    REQUIRE(draw(11) != draw(12));
    MicroController a({}, 4), b({}, 4);
    for (int i = 0; i < 10; ++i) REQUIRE(a.sample().tokens == b.sample().tokens);
}

TEST_CASE("scoring a sample under teacher forcing reproduces its log-probability and entropy", "[controller]") {
    MacroControllerConfig mc;
    mc.num_layers = 6;
    MacroController macro(mc, 2);
    MicroController micro({}, 2);
    RnnController lm({}, 2), orig(RnnControllerConfig::original(), 2);
    for (ArchitecturePolicy* p : std::initializer_list<ArchitecturePolicy*>{&macro, &micro, &lm, &orig}) {
        INFO(space_name(p->space()));
        for (int i = 0; i < 10; ++i) {
            const Sample s = p->sample();
            const Sample scored = p->score(s.tokens);
            REQUIRE(scored.tokens == s.tokens);
            REQUIRE(scored.log_prob == Approx(s.log_prob).epsilon(1e-6));
            REQUIRE(scored.entropy == Approx(s.entropy).epsilon(1e-6));
            REQUIRE(scored.skip_penalty == Approx(s.skip_penalty).epsilon(1e-6));
            REQUIRE(scored.skip_count == s.skip_count);
        }
    }
}

template <class Controller>
void check_greedy(Controller& controller) {
    const Sample g = controller.sample(SampleMode::Greedy);
    REQUIRE(controller.sample(SampleMode::Greedy).tokens == g.tokens);  // deterministic
    REQUIRE(g.log_prob == Approx(controller.log_prob(g.tokens)).epsilon(1e-12));
    controller.sample(SampleMode::Greedy);
    const auto& trace = controller.trace();
    for (const auto& d : trace.decisions()) {
        const auto* p = trace.value(d.probs);
        if (d.skip) {
            for (int j = 0; j < d.choices; ++j)
                REQUIRE(g.tokens[static_cast<std::size_t>(d.position + j)] == (p[j] > 0.5 ? 1 : 0));
        } else {
            int best = 0;
            for (int k = 1; k < d.choices; ++k)
                if (p[k] > p[best]) best = k;
            REQUIRE(g.tokens[static_cast<std::size_t>(d.position)] == best);
        }
    }
}

TEST_CASE("greedy sampling takes the argmax at every decision", "[controller]") {
    MacroControllerConfig mc;
    mc.num_layers = 6;
    mc.init_range = 0.5;
    BasicMacroController<double> macro(mc, 3);
    check_greedy(macro);
    MicroControllerConfig uc;
    uc.op_bias_init = 0.3;
    uc.init_range = 0.5;
    BasicMicroController<double> micro(uc, 9);
    check_greedy(micro);
    RnnControllerConfig rc;
    rc.init_range = 0.5;
    BasicRnnController<double> rnn(rc, 2);
    check_greedy(rnn);
    BasicRnnController<double> orig(RnnControllerConfig::original(), 2);
    check_greedy(orig);
    // The stochastic samples of the same controller differ from one another.
    std::set<std::vector<int>> seen;
    for (int i = 0; i < 20; ++i) seen.insert(macro.sample().tokens);
    REQUIRE(seen.size() > 10);
}

TEST_CASE("invalid token vectors are rejected with the position and the allowed range", "[controller]") {
    MacroControllerConfig mc;
    mc.num_layers = 3;
    MacroController macro(mc, 1);
    ENAS_REQUIRE_THROWS(macro.score(std::vector<int>{0, 1}), ValueError, Catch::Contains("expected 6 tokens, got 2"));
    ENAS_REQUIRE_THROWS(macro.score(std::vector<int>{0, 0, 6, 0, 0, 0}), ValueError,
                        Catch::Contains("token 2 is 6, allowed range [0, 1]"));
    ENAS_REQUIRE_THROWS(macro.score(std::vector<int>{-1, 0, 0, 0, 0, 0}), ValueError,
                        Catch::Contains("token 0 is -1, allowed range [0, 5]"));
    MicroController micro({}, 1);
    std::vector<int> t(40, 0);
    t[4] = 3;  // node 3's first index: only 0..2 are defined
    ENAS_REQUIRE_THROWS(micro.score(t), ValueError,
                        Catch::Contains("micro architecture: token 4 is 3, allowed range [0, 2]"));
    MacroControllerConfig bad;
    bad.num_layers = 0;
    ENAS_REQUIRE_THROWS(MacroController(bad), ValueError, Catch::Contains("num_layers must be >= 1, got 0"));
}

TEST_CASE("samples convert to the search layer's architecture values and back", "[controller]") {
    MacroController macro({}, 1);
    MicroController micro({}, 1);
    RnnController lm({}, 1), orig(RnnControllerConfig::original(), 1);
    for (int i = 0; i < 20; ++i) {
        const Sample m = macro.sample();
        const search::MacroArch ma = search::arch_from_tokens<search::MacroArch>(macro.space(), m.tokens);
        REQUIRE(ma.tokens() == m.tokens);
        REQUIRE(ma.num_layers() == 12);
        const Sample u = micro.sample();
        REQUIRE(search::arch_from_tokens<search::MicroArch>(micro.space(), u.tokens).tokens() == u.tokens);
        const Sample r = lm.sample();
        REQUIRE(search::arch_from_tokens<search::RnnArch>(lm.space(), r.tokens).tokens() == r.tokens);
        const Sample o = orig.sample();
        REQUIRE(search::arch_from_tokens<search::RnnArch>(orig.space(), o.tokens).tokens() == o.tokens);
    }
    ENAS_REQUIRE_THROWS(search::arch_from_tokens<search::RnnArch>(SpaceKind::macro, macro.sample().tokens), ValueError,
                        Catch::Contains("not a recurrent space"));
}
