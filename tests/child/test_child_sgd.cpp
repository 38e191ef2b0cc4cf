// The child optimiser's policy for the weights a step did not touch (optim/child_sgd.hpp): by
// default a branch the sampled architecture did not use stays exactly as it is; with the authors'
// policy (--authors-decay-all, UntouchedPolicy::zero_gradient) weight decay and momentum move it
// every step, as in the TF graph (reference §7.1).
#include <catch2/catch.hpp>

#include "child_fixtures.hpp"
#include "enas/child/macro_child.hpp"
#include "enas/train/cnn_setup.hpp"

using namespace enas;
using namespace enas::child;

namespace {

// One training step of a one-layer macro supernet on conv3 (branch 0); returns the values of
// conv5's (branch 2, never used) output weight and of conv3's before and after the step.
struct Moved {
    bool untouched_changed, touched_changed;
};

Moved one_step(const optim::ChildSgdConfig& sgd_config) {
    Context<Cpu> ctx(3);
    MacroChildConfig c;
    c.num_layers = 1;
    c.filters = 4;
    MacroChild<Cpu> model(ctx, c, 11);
    optim::ChildSgd<Cpu> sgd(ctx, model.arena(), sgd_config);
    const nn::ParamId unused = model.arena().find("layer_0/branch_2/out_conv/w");
    const nn::ParamId used = model.arena().find("layer_0/branch_0/out_conv/w");
    const std::vector<float> unused_before = model.arena().peek(unused).value().to_vector();
    const std::vector<float> used_before = model.arena().peek(used).value().to_vector();
    test::forward_backward(ctx, model, search::MacroArch::parse("0"), test::random_images(1, 2, 3, 8, 8),
                           test::random_labels(2, 2, 10));
    REQUIRE_FALSE(model.arena().touched(unused));
    sgd.step(ctx, 0.1);
    return {model.arena().peek(unused).value().to_vector() != unused_before,
            model.arena().peek(used).value().to_vector() != used_before};
}

}  // namespace

TEST_CASE("child SGD: an untouched branch changes only under the authors' decay-all policy", "[child]") {
    const Moved skip = one_step(optim::ChildSgdConfig{});
    CHECK(skip.touched_changed);
    CHECK_FALSE(skip.untouched_changed);
    optim::ChildSgdConfig all;
    all.untouched = optim::UntouchedPolicy::zero_gradient;
    const Moved decay_all = one_step(all);
    CHECK(decay_all.touched_changed);
    CHECK(decay_all.untouched_changed);
}

TEST_CASE("child SGD: --authors-decay-all selects the zero-gradient policy", "[child]") {
    train::CnnConfig c;
    CHECK(train::child_sgd_config(c).untouched == optim::UntouchedPolicy::skip);
    c.authors_decay_all = true;
    CHECK(train::child_sgd_config(c).untouched == optim::UntouchedPolicy::zero_gradient);
    CHECK(one_step(train::child_sgd_config(c)).untouched_changed);
}
