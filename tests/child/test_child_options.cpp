// Options of the child models that follow the authors' code on request or by
// default: the depthwise weights' He fan-in (k*k ours, k*k*C the authors' Keras
// he_normal) and the batch norms' running-variance update (Bessel-corrected as
// tf.nn.fused_batch_norm by default, biased on request).
#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "child_fixtures.hpp"
#include "enas/child/macro_child.hpp"
#include "enas/child/micro_child.hpp"
#include "enas/train/cnn_setup.hpp"

using namespace enas;
using namespace enas::child;

namespace {

MacroChildConfig sep_final_config() {
    MacroChildConfig c;
    c.mode = search::ChildMode::final;
    c.num_layers = 1;
    c.filters = 6;
    return c;
}

std::vector<float> param_values(MacroChild<Cpu>& model, const std::string& name) {
    return model.arena().peek(model.arena().find(name)).value().to_vector();
}

}  // namespace

TEST_CASE("depthwise init: the authors' fan-in k*k*C scales the weights by 1/sqrt(C)", "[child]") {
    const search::MacroArch arch = search::MacroArch::parse("1");  // sep3
    Context<Cpu> ctx(1);
    MacroChildConfig c = sep_final_config();
    MacroChild<Cpu> ours(ctx, c, 5, &arch);
    c.authors_depthwise_init = true;
    MacroChild<Cpu> authors(ctx, c, 5, &arch);
    const std::string dw = "layer_0/sep_3/w_depth";
    const std::vector<float> a = param_values(ours, dw), b = param_values(authors, dw);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == Approx(a[i] / std::sqrt(6.0)).epsilon(1e-5));
    // Everything else is untouched by the option.
    CHECK(param_values(ours, "layer_0/sep_3/w_point") == param_values(authors, "layer_0/sep_3/w_point"));
    CHECK(nn::depthwise_he_normal(5, 8).a == 25);
    CHECK(nn::depthwise_he_normal(5, 8, nn::DepthwiseFanIn::kernel_channels).a == 200);
}

TEST_CASE("depthwise init: the flag reaches both child configs", "[child]") {
    train::CnnConfig c;
    data::ImageDataset ds;
    ds.channels = 3;
    ds.height = ds.width = 32;
    ds.num_classes = 10;
    CHECK_FALSE(train::macro_child_config(c, ds).authors_depthwise_init);
    c.authors_depthwise_init = true;
    CHECK(train::macro_child_config(c, ds).authors_depthwise_init);
    CHECK(train::micro_child_config(c, ds).authors_depthwise_init);
}

namespace {
// The stem BN's running variance after one training pass of a macro search
// child (default running momentum 0.9, initial variance 1), with the given
// variance update.
std::vector<float> stem_running_var_after_one_pass(RunningVarianceUpdate update) {
    Context<Cpu> ctx(2);
    MacroChildConfig c;
    c.num_layers = 1;
    c.filters = 4;
    c.running_variance = update;
    MacroChild<Cpu> model(ctx, c, 3);
    test::forward_backward(ctx, model, search::MacroArch::parse("0"), test::random_images(4, 2, 3, 8, 8),
                           test::random_labels(5, 2, 10));
    auto& arena = model.arena();
    for (std::size_t i = 0; i < arena.num_states(); ++i) {
        const auto& e = arena.state_entry(static_cast<nn::ParamId>(i));
        if (e.name == "stem/bn/moving_variance") return arena.state(static_cast<nn::ParamId>(i)).to_vector();
    }
    FAIL("no stem/bn/moving_variance state");
    return {};
}
}  // namespace

TEST_CASE(
    "BN running variance: Bessel-corrected by default "
    "(tf.nn.fused_batch_norm), biased on request",
    "[child]") {
    CHECK(MacroChildConfig{}.running_variance == RunningVarianceUpdate::Unbiased);
    CHECK(MicroChildConfig{}.running_variance == RunningVarianceUpdate::Unbiased);
    const std::vector<float> unbiased = stem_running_var_after_one_pass(RunningVarianceUpdate::Unbiased);
    const std::vector<float> biased = stem_running_var_after_one_pass(RunningVarianceUpdate::Biased);
    REQUIRE(unbiased.size() == biased.size());
    const double m = 2 * 8 * 8;                        // values per channel: N x H x W
    for (std::size_t i = 0; i < unbiased.size(); ++i)  // running = 0.9 * 1 + 0.1 * var_update
        CHECK(unbiased[i] - 0.9 == Approx((biased[i] - 0.9) * m / (m - 1)).epsilon(1e-4));
    train::CnnConfig cnn;
    data::ImageDataset ds;
    ds.channels = 3;
    ds.height = ds.width = 32;
    ds.num_classes = 10;
    CHECK(train::macro_child_config(cnn, ds).running_variance == RunningVarianceUpdate::Unbiased);
    cnn.biased_running_var = true;
    CHECK(train::macro_child_config(cnn, ds).running_variance == RunningVarianceUpdate::Biased);
    CHECK(train::micro_child_config(cnn, ds).running_variance == RunningVarianceUpdate::Biased);
}
