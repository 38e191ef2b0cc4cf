// REINFORCE: the baseline update (b0 = 0, updated before the advantage), the loss gradient of the
// fused backward against central differences of the teacher-forced loss, Adam in TF form with
// beta1 = 0 and epsilon = 1e-3, averaging over num_aggregate samples, and the step counter.
#include "enas/controller/controllers.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::controller;

namespace {

/// loss(θ) = −log π(tokens)·A + skip_weight·skip_penalty(tokens), by teacher forcing.
template <class Controller>
double teacher_forced_loss(Controller& c, const std::vector<int>& tokens, double advantage, double skip_weight) {
    const Sample s = c.score(tokens);
    return -s.log_prob * advantage + skip_weight * s.skip_penalty;
}

template <class Controller>
void check_gradient(Controller& controller, double skip_weight) {
    auto& p = controller.parameters();
    for (int trial = 0; trial < 3; ++trial) {
        const Sample s = controller.sample();
        const double advantage = trial == 0 ? 0.7 : (trial == 1 ? -1.3 : 0.0);
        p.zero_grads();
        const double loss = controller.accumulate_gradient(s, advantage, 1.0);
        REQUIRE(loss == Approx(teacher_forced_loss(controller, s.tokens, advantage, skip_weight)).epsilon(1e-12));
        const std::vector<double> analytic = p.grads().to_vector();
        double* theta = p.values().data();
        double worst = 0, worst_numeric = 0, worst_analytic = 0;
        std::int64_t worst_at = -1;
        for (std::int64_t i = 0; i < p.size(); ++i) {
            const double saved = theta[i], eps = 1e-5;
            theta[i] = saved + eps;
            const double plus = teacher_forced_loss(controller, s.tokens, advantage, skip_weight);
            theta[i] = saved - eps;
            const double minus = teacher_forced_loss(controller, s.tokens, advantage, skip_weight);
            theta[i] = saved;
            const double numeric = (plus - minus) / (2 * eps);
            // Relative error with a floor of 1e-3: the loss is O(1), so differences carry ~1e-10 of
            // rounding noise, which must not count against gradients of 1e-6.
            const double err =
                std::fabs(numeric - analytic[static_cast<std::size_t>(i)]) /
                std::max(1e-3, std::max(std::fabs(numeric), std::fabs(analytic[static_cast<std::size_t>(i)])));
            if (err > worst) {
                worst = err;
                worst_at = i;
                worst_numeric = numeric;
                worst_analytic = analytic[static_cast<std::size_t>(i)];
            }
        }
        std::printf(
            "  %s advantage %+.1f: %lld weights, worst scaled error %.3g (weight %lld: analytic %.9g, "
            "numeric %.9g)\n",
            space_name(controller.space()), advantage, static_cast<long long>(p.size()), worst,
            static_cast<long long>(worst_at), worst_analytic, worst_numeric);
        REQUIRE(worst < 1e-5);
    }
}

}  // namespace

TEST_CASE("the fused backward matches central differences of the REINFORCE loss", "[controller]") {
    SECTION("macro (with the skip KL term)") {
        MacroControllerConfig c;
        c.num_layers = 4;
        c.hidden_size = 8;
        c.init_range = 0.5;
        BasicMacroController<double> macro(c, 5);
        check_gradient(macro, c.skip_weight);
        c.temperature = 2;  // the temperature path too
        BasicMacroController<double> warm(c, 6);
        check_gradient(warm, c.skip_weight);
    }
    SECTION("micro") {
        MicroControllerConfig c;
        c.num_nodes = 2;
        c.hidden_size = 8;
        c.init_range = 0.5;
        c.op_bias_init = 0.5;  // unsaturated, so b_soft gets a visible gradient
        BasicMicroController<double> micro(c, 5);
        check_gradient(micro, 0.0);
    }
    SECTION("recurrent, LM and original") {
        RnnControllerConfig lm;
        lm.num_nodes = 4;
        lm.hidden_size = 8;
        lm.init_range = 0.5;
        BasicRnnController<double> rnn(lm, 5);
        check_gradient(rnn, 0.0);
        RnnControllerConfig orig = RnnControllerConfig::original();
        orig.num_nodes = 4;
        orig.hidden_size = 8;
        BasicRnnController<double> rnn_orig(orig, 5);
        check_gradient(rnn_orig, 0.0);
    }
}

TEST_CASE("the gradient is the same from the sampling recording and from a re-recording", "[controller]") {
    MacroControllerConfig c;
    c.num_layers = 5;
    BasicMacroController<double> a(c, 2), b(c, 2);
    const Sample s = a.sample();
    b.sample();  // b now holds a recording of the same sample, then another:
    b.sample();
    a.parameters().zero_grads();
    b.parameters().zero_grads();
    a.accumulate_gradient(s, 0.3);  // reuses the recording
    b.accumulate_gradient(s, 0.3);  // records s again by teacher forcing
    ENAS_REQUIRE_CLOSE(a.parameters().grads(), b.parameters().grads(), 0.0, 1e-13);

    // A sample edited after sampling is not mistaken for its recording.
    Sample edited = a.sample();
    edited.tokens[0] = (edited.tokens[0] + 1) % 6;
    a.parameters().zero_grads();
    b.parameters().zero_grads();
    const double loss_a = a.accumulate_gradient(edited, 0.3);
    const double loss_b = b.accumulate_gradient(b.score(edited.tokens), 0.3);
    REQUIRE(loss_a == Approx(loss_b).epsilon(1e-13));
    ENAS_REQUIRE_CLOSE(a.parameters().grads(), b.parameters().grads(), 0.0, 1e-13);

    // An invalid sample is rejected before the baseline moves.
    Sample bad = a.sample();
    bad.tokens[1] = 7;
    const double baseline = a.baseline();
    ENAS_REQUIRE_THROWS(a.update(bad, 0.5), ValueError, Catch::Contains("token 1 is 7"));
    REQUIRE(a.baseline() == baseline);
}

TEST_CASE("baseline: b0 = 0, b <- b - (1 - beta)(b - R), and the updated b forms the advantage", "[controller]") {
    MacroControllerConfig c;
    c.num_layers = 4;
    BasicMacroController<double> macro(c, 1);
    REQUIRE(macro.baseline() == 0.0);
    const double beta = c.reinforce.baseline_decay, w = c.reinforce.entropy_weight;
    REQUIRE(beta == 0.99);
    double b = 0;
    for (double task_reward : {0.8, 0.1, 0.55}) {
        const Sample s = macro.sample();
        const UpdateResult r = macro.update(s, task_reward);
        const double R = task_reward + w * s.entropy;
        b = b - (1 - beta) * (b - R);
        REQUIRE(r.reward == Approx(R).epsilon(1e-15));
        REQUIRE(r.baseline == Approx(b).epsilon(1e-15));
        REQUIRE(macro.baseline() == Approx(b).epsilon(1e-15));
        REQUIRE(r.advantage == Approx(R - b).epsilon(1e-14));
        REQUIRE(r.loss == Approx(-s.log_prob * (R - b) + c.skip_weight * s.skip_penalty).epsilon(1e-14));
    }
    // The first update: b1 = (1 - beta) R, so the advantage is beta R, not R.
    BasicMacroController<double> fresh(c, 1);
    const Sample s = fresh.sample();
    const UpdateResult r = fresh.update(s, 1.0);
    REQUIRE(r.advantage == Approx(beta * r.reward).epsilon(1e-14));
    ENAS_REQUIRE_THROWS(fresh.update(s, std::nan("")), ValueError, Catch::Contains("not finite"));
}

TEST_CASE("Adam in TF form with beta1 = 0, epsilon = 1e-3, one step per num_aggregate samples", "[controller]") {
    MicroControllerConfig c;
    c.num_nodes = 2;
    c.reinforce.num_aggregate = 3;
    REQUIRE(c.reinforce.adam_beta1 == 0.0);
    REQUIRE(c.reinforce.adam_eps == 1e-3);
    REQUIRE(c.reinforce.adam_form == AdamForm::TensorFlow);
    BasicMicroController<double> trained(c, 4), shadow(c, 4);
    const std::vector<double> theta0 = trained.parameters().values().to_vector();

    for (int group = 1; group <= 2; ++group) {
        shadow.parameters().zero_grads();
        for (int k = 1; k <= 3; ++k) {
            const Sample s = trained.sample();
            const UpdateResult r = trained.update(s, 0.3 * k);
            shadow.accumulate_gradient(s, r.advantage, 1.0 / 3);  // the average of the group
            REQUIRE(r.applied == (k == 3));
            REQUIRE(r.step == (k == 3 ? group : group - 1));
            REQUIRE(trained.step() == r.step);
            if (k < 3) {
                // Until the group is complete the weights do not move; the averaged gradient builds up.
                ENAS_REQUIRE_CLOSE(trained.parameters().grads(), shadow.parameters().grads(), 1e-15, 1e-12);
            }
        }
        // One TF-form Adam step on the averaged gradient, by hand:
        //   m = g (beta1 = 0), v = beta2 v + (1 - beta2) g^2,
        //   theta -= lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps).
        auto& sp = shadow.parameters();
        const double lr = c.reinforce.learning_rate, beta2 = 0.999, eps = 1e-3;
        const double lr_t = lr * std::sqrt(1 - std::pow(beta2, group));
        for (std::int64_t i = 0; i < sp.size(); ++i) {
            const double g = sp.grads().data()[i];
            double& v = sp.adam_v().data()[i];
            v = beta2 * v + (1 - beta2) * g * g;
            sp.adam_m().data()[i] = g;
            sp.values().data()[i] -= lr_t * g / (std::sqrt(v) + eps);
        }
        ENAS_REQUIRE_CLOSE(trained.parameters().values(), sp.values(), 1e-15, 1e-12);
        // The trained controller's gradients were cleared for the next group.
        for (double g : trained.parameters().grads().to_vector()) REQUIRE(g == 0.0);
    }
    REQUIRE(trained.step() == 2);
    REQUIRE(trained.parameters().values().to_vector() != theta0);
}

TEST_CASE("num_aggregate = 1 applies Adam after every sample; RandomSearch never steps", "[controller]") {
    MacroControllerConfig c;
    c.num_layers = 3;
    c.reinforce.num_aggregate = 1;
    MacroController macro(c, 1);
    for (int i = 1; i <= 4; ++i) {
        const UpdateResult r = macro.update(macro.sample(), 0.5);
        REQUIRE(r.applied);
        REQUIRE(r.step == i);
    }
    RandomSearch random(c, 1);
    for (int i = 1; i <= 4; ++i) {
        const UpdateResult r = random.update(random.sample(), 0.5);
        REQUIRE_FALSE(r.applied);
        REQUIRE(r.step == 0);
    }
    REQUIRE(random.baseline() > 0);  // it does track the baseline, for logs
}
