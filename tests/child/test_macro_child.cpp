// Macro child (reference §3): output shapes in both modes, parameter counts against the
// architecture arithmetic of search/param_count.hpp (and the released 24-layer arc at the final
// script's sizes), a search step touching only the sampled branch and the shared weights, and
// determinism from the seed.
#include <random>

#include "child_fixtures.hpp"
#include "enas/child/macro_child.hpp"
#include "enas/train/child_steps.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::child;
using search::MacroArch;

namespace {

MacroChildConfig small_config(search::ChildMode mode, int layers, int filters) {
    MacroChildConfig c;
    c.mode = mode;
    c.num_layers = layers;
    c.filters = filters;
    return c;
}

search::MacroChildSizes sizes_of(const MacroChildConfig& c) {
    search::MacroChildSizes s;
    s.mode = c.mode;
    s.filters = c.filters;
    s.image_channels = c.image_channels;
    s.num_classes = c.num_classes;
    s.final_separable = c.final_separable;
    return s;
}

}  // namespace

TEST_CASE("macro child: logits shape in search and final mode, any input size", "[child]") {
    std::mt19937 rng(5);
    Context<Cpu> ctx(1);
    for (auto mode : {search::ChildMode::search, search::ChildMode::final}) {
        for (int trial = 0; trial < 3; ++trial) {
            const int layers = 3 + trial * 2;
            const MacroArch arch = MacroArch::from_tokens(search::fixtures::random_macro_tokens(rng, layers));
            MacroChildConfig c = small_config(mode, layers, 4);
            c.image_channels = trial == 1 ? 1 : 3;
            MacroChild<Cpu> model(ctx, c, 7, &arch);
            const std::int64_t size = 9 + trial * 4;  // odd sizes too
            const auto x = test::random_images(3, 2, c.image_channels, size, size);
            const double loss = test::forward_backward(ctx, model, arch, x, test::random_labels(4, 2, 10));
            INFO("mode " << (mode == search::ChildMode::final ? "final" : "search") << ", arch " << arch.to_string());
            REQUIRE(std::isfinite(loss));
        }
    }
}

TEST_CASE("macro child: parameters equal the architecture arithmetic", "[child]") {
    std::mt19937 rng(11);
    Context<Cpu> ctx(1);
    for (int trial = 0; trial < 6; ++trial) {
        const int layers = 2 + trial * 2;
        const MacroArch arch = MacroArch::from_tokens(search::fixtures::random_macro_tokens(rng, layers));
        // final mode: the model holds exactly this architecture's weights
        for (auto sep : {search::SeparableConvs::separable, search::SeparableConvs::full}) {
            MacroChildConfig c = small_config(search::ChildMode::final, layers, 6);
            c.final_separable = sep;
            MacroChild<Cpu> model(ctx, c, 1, &arch);
            INFO("final, arch " << arch.to_string());
            REQUIRE(model.arena().param_elements() == search::count_parameters(arch, sizes_of(c)));
        }
        // search mode: a forward pass reads exactly the weights of the sampled child
        MacroChildConfig c = small_config(search::ChildMode::search, layers, 6);
        MacroChild<Cpu> model(ctx, c, 1);
        test::forward_backward(ctx, model, arch, test::random_images(1, 2, 3, 8, 8), test::random_labels(2, 2, 10));
        INFO("search, arch " << arch.to_string());
        REQUIRE(model.arena().touched_elements() == search::count_parameters(arch, sizes_of(c)));
    }
}

TEST_CASE("macro child: the released 24-layer arc at the final script's sizes", "[child]") {
    Context<Cpu> ctx(1);
    const MacroArch arch = MacroArch::parse(search::fixtures::kReleasedMacro);
    MacroChildConfig c = MacroChildConfig::final_script();
    c.final_separable = search::SeparableConvs::full;  // how the authors trained it
    {
        MacroChild<Cpu> model(ctx, c, 1, &arch);
        REQUIRE(model.arena().param_elements() == 42'559'392);
    }
    c.final_separable = search::SeparableConvs::separable;
    MacroChild<Cpu> model(ctx, c, 1, &arch);
    REQUIRE(model.arena().param_elements() == 30'947'424);
}

TEST_CASE("macro child: a search step changes only the sampled branch and the shared weights", "[child]") {
    std::mt19937 rng(3);
    Context<Cpu> ctx(2);
    const MacroArch arch = MacroArch::from_tokens(search::fixtures::random_macro_tokens(rng, 6));
    MacroChild<Cpu> model(ctx, small_config(search::ChildMode::search, 6, 4), 9);
    optim::ChildSgd<Cpu> sgd(ctx, model.arena(), optim::ChildSgdConfig{});
    const std::vector<float> before = model.arena().values().to_vector();
    test::forward_backward(ctx, model, arch, test::random_images(5, 3, 3, 8, 8), test::random_labels(6, 3, 10));
    std::vector<char> touched;
    const std::vector<float> grads = model.arena().grads().to_vector();
    for (std::size_t i = 0; i < model.arena().num_params(); ++i)
        touched.push_back(model.arena().touched(static_cast<nn::ParamId>(i)));
    sgd.step(ctx, 0.1);
    const std::vector<float> after = model.arena().values().to_vector();
    int changed_untouched = 0, unchanged_touched = 0, num_touched = 0;
    for (std::size_t i = 0; i < model.arena().num_params(); ++i) {
        const auto& e = model.arena().param_entry(static_cast<nn::ParamId>(i));
        bool changed = false, moves = false;  // moves: nonzero gradient or nonzero L2 term
        for (std::int64_t k = e.offset; k < e.offset + e.shape.numel(); ++k) {
            const auto kk = static_cast<std::size_t>(k);
            changed = changed || before[kk] != after[kk];
            moves = moves || grads[kk] != 0 || before[kk] != 0;
        }
        if (touched[i]) ++num_touched;
        if (changed && !touched[i]) ++changed_untouched;
        // A beta whose BN feeds a 1x1 conv and another BN has gradient exactly zero (the second BN
        // removes any per-channel shift) and value zero: it may stay put although touched.
        if (!changed && touched[i] && moves) ++unchanged_touched;
        // the op-specific weights of the sampled op of layer l carry "layer_l/branch_<op>/"
        for (int l = 0; l < 6; ++l) {
            const std::string prefix = "layer_" + std::to_string(l) + "/branch_";
            if (e.name.rfind(prefix, 0) == 0) {
                const int op = e.name[prefix.size()] - '0';
                INFO(e.name);
                REQUIRE(static_cast<bool>(touched[i]) == (op == static_cast<int>(arch.layer(l).op)));
            }
        }
    }
    REQUIRE(num_touched > 0);
    REQUIRE(changed_untouched == 0);
    REQUIRE(unchanged_touched == 0);
}

TEST_CASE("macro child: the same seed gives the same loss twice", "[child]") {
    std::mt19937 rng(8);
    const MacroArch arch = MacroArch::from_tokens(search::fixtures::random_macro_tokens(rng, 5));
    std::vector<double> losses[2];
    for (auto& run : losses) {
        Context<Cpu> ctx(4);
        MacroChild<Cpu> model(ctx, small_config(search::ChildMode::search, 5, 4), 21);
        optim::ChildSgd<Cpu> sgd(ctx, model.arena(), optim::ChildSgdConfig{});
        for (int s = 0; s < 3; ++s) {
            run.push_back(test::forward_backward(ctx, model, arch, test::random_images(s, 4, 3, 8, 8),
                                                 test::random_labels(s, 4, 10)));
            sgd.step(ctx, 0.05);
        }
    }
    REQUIRE(losses[0] == losses[1]);
    REQUIRE(losses[0][0] != losses[0][2]);
}

TEST_CASE("macro child: bad configurations and inputs are rejected", "[child]") {
    Context<Cpu> ctx(1);
    MacroChildConfig c = small_config(search::ChildMode::search, 3, 5);
    ENAS_REQUIRE_THROWS(MacroChild<Cpu>(ctx, c, 1), ValueError, Catch::Contains("filters must be even"));
    c.filters = 4;
    ENAS_REQUIRE_THROWS(MacroChild<Cpu>(ctx, small_config(search::ChildMode::final, 3, 4), 1), ValueError,
                        Catch::Contains("final mode needs an architecture"));
    MacroChild<Cpu> model(ctx, c, 1);
    const MacroArch wrong = MacroArch::from_tokens({0, 1, 0});
    Tape<Cpu> tape(ctx);
    nn::ForwardPass<Cpu> f{tape, model.arena(), true, nn::BnStats::batch_and_update};
    ENAS_REQUIRE_THROWS(model.forward(f, Var<float, Cpu>(test::random_images(1, 1, 3, 8, 8)), wrong), ValueError,
                        Catch::Contains("2 layers given to a 3-layer model"));
    const MacroArch arch = MacroArch::from_tokens({0, 1, 0, 2, 1, 1});
    ENAS_REQUIRE_THROWS(model.forward(f, Var<float, Cpu>(test::random_images(1, 1, 1, 8, 8)), arch), ShapeError,
                        Catch::Contains("[N, 3, H, W]"));
}

TEST_CASE("macro child: shapes through the network (search keeps F, final doubles it)", "[child]") {
    std::mt19937 rng(4);
    Context<Cpu> ctx(1);
    const MacroArch arch = MacroArch::from_tokens(search::fixtures::random_macro_tokens(rng, 6));
    for (auto mode : {search::ChildMode::search, search::ChildMode::final}) {
        MacroChild<Cpu> model(ctx, small_config(mode, 6, 4), 1, &arch);  // pools after layers 1 and 3
        Tape<Cpu> tape(ctx);
        std::vector<std::pair<std::string, Shape>> shapes;
        nn::ForwardPass<Cpu> f{tape, model.arena(), true, nn::BnStats::batch_and_update, &shapes};
        model.forward(f, Var<float, Cpu>(test::random_images(1, 2, 3, 32, 32)), arch);
        const bool fin = mode == search::ChildMode::final;
        const std::vector<std::pair<std::string, Shape>> expected = {{"stem", {2, 4, 32, 32}},
                                                                     {"layer_0", {2, 4, 32, 32}},
                                                                     {"layer_1", {2, 4, 32, 32}},
                                                                     {"pool_at_1", {2, fin ? 8 : 4, 16, 16}},
                                                                     {"layer_2", {2, fin ? 8 : 4, 16, 16}},
                                                                     {"layer_3", {2, fin ? 8 : 4, 16, 16}},
                                                                     {"pool_at_3", {2, fin ? 16 : 4, 8, 8}},
                                                                     {"layer_4", {2, fin ? 16 : 4, 8, 8}},
                                                                     {"layer_5", {2, fin ? 16 : 4, 8, 8}}};
        REQUIRE(shapes == expected);
    }
}

TEST_CASE("macro child: evaluation policy (running statistics, or batch statistics in search)", "[child]") {
    Context<Cpu> ctx(1);
    const MacroArch arch = MacroArch::from_tokens({0, 1, 0, 2, 1, 1});
    MacroChildConfig c = small_config(search::ChildMode::search, 3, 4);
    REQUIRE(MacroChild<Cpu>(ctx, c, 1).eval_policy().bn == nn::BnStats::running);
    c.search_eval_batch_statistics = true;
    MacroChild<Cpu> model(ctx, c, 1);
    REQUIRE(model.eval_policy().bn == nn::BnStats::batch);
    REQUIRE_FALSE(model.eval_policy().dropout);
    // Evaluation with batch statistics leaves the running averages alone.
    const std::vector<float> before = model.arena().state_buffer().to_vector();
    data::Batch batch{test::random_images(2, 4, 3, 8, 8), test::random_labels(3, 4, 10), 0, 0};
    train::eval_accuracy(ctx, model, arch, batch);
    REQUIRE(model.arena().state_buffer().to_vector() == before);
    c.mode = search::ChildMode::final;
    REQUIRE(MacroChild<Cpu>(ctx, c, 1, &arch).eval_policy().bn == nn::BnStats::running);
}
