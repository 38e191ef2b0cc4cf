// Micro child (reference §4): logits (and aux logits) in both modes, parameter counts against the
// arithmetic of search/param_count.hpp (and the released arc at the final script's sizes), the
// drop-path schedule, a search step touching only the sampled weights, a frozen aux head.
#include <random>

#include "child_fixtures.hpp"
#include "enas/child/micro_child.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::child;
using search::MicroArch;

namespace {

MicroChildConfig small_config(search::ChildMode mode, int layers, int nodes, int filters, int size) {
    MicroChildConfig c;
    c.mode = mode;
    c.num_layers = layers;
    c.num_nodes = nodes;
    c.filters = filters;
    c.image_size = size;
    c.aux_head = size >= 20;
    return c;
}

search::MicroChildSizes sizes_of(const MicroChildConfig& c, bool with_aux) {
    search::MicroChildSizes s;
    s.mode = c.mode;
    s.num_layers = c.num_layers;
    s.filters = c.filters;
    s.image_channels = c.image_channels;
    s.image_size = c.image_size;
    s.num_classes = c.num_classes;
    s.include_aux_head = with_aux;
    return s;
}

MicroArch random_micro(std::mt19937& rng, int nodes) {
    return MicroArch::from_tokens(search::fixtures::random_micro_tokens(rng, nodes), nodes);
}

}  // namespace

TEST_CASE("micro child: logits and aux logits in search and final mode", "[child]") {
    std::mt19937 rng(2);
    Context<Cpu> ctx(1);
    for (auto mode : {search::ChildMode::search, search::ChildMode::final}) {
        for (int trial = 0; trial < 3; ++trial) {
            const int nodes = 1 + trial * 2;
            const MicroArch arch = random_micro(rng, nodes);
            MicroChildConfig c = small_config(mode, trial == 2 ? 3 : 0, nodes, 4, trial == 2 ? 24 : 9);
            MicroChild<Cpu> model(ctx, c, 3, &arch);
            const auto x = test::random_images(1, 2, 3, c.image_size, c.image_size);
            Tape<Cpu> tape(ctx);
            nn::ForwardPass<Cpu> f{tape, model.arena(), true, nn::BnStats::batch_and_update};
            auto out = model.forward(f, Var<float, Cpu>(x), arch);
            INFO("arch " << arch.to_string());
            REQUIRE(out.logits.shape() == Shape{2, 10});
            REQUIRE(out.aux_logits.defined() == c.aux_head);
            if (c.aux_head) REQUIRE(out.aux_logits.shape() == Shape{2, 10});
            const double loss = test::forward_backward(ctx, model, arch, x, test::random_labels(2, 2, 10));
            REQUIRE(std::isfinite(loss));
        }
    }
}

TEST_CASE("micro child: parameters equal the architecture arithmetic", "[child]") {
    std::mt19937 rng(17);
    Context<Cpu> ctx(1);
    for (int trial = 0; trial < 5; ++trial) {
        const int nodes = 1 + trial;
        const MicroArch arch = random_micro(rng, nodes);
        MicroChildConfig c = small_config(search::ChildMode::final, 3, nodes, 6, 24);
        {
            MicroChild<Cpu> model(ctx, c, 1, &arch);
            INFO("final, arch " << arch.to_string());
            REQUIRE(model.arena().param_elements() == search::count_parameters(arch, sizes_of(c, true)));
        }
        c.mode = search::ChildMode::search;
        MicroChild<Cpu> model(ctx, c, 1);
        test::forward_backward(ctx, model, arch, test::random_images(1, 2, 3, 24, 24), test::random_labels(1, 2, 10));
        INFO("search, arch " << arch.to_string());
        REQUIRE(model.arena().touched_elements() == search::count_parameters(arch, sizes_of(c, true)));
    }
}

TEST_CASE("micro child: the released arc at the final script's sizes", "[child]") {
    Context<Cpu> ctx(1);
    const MicroArch arch = MicroArch::parse(search::fixtures::kReleasedMicro);
    MicroChildConfig c = MicroChildConfig::final_script();
    MicroChild<Cpu> model(ctx, c, 1, &arch);
    REQUIRE(model.arena().param_elements() == 3'894'372 + 494'848);  // trunk + aux head
    c.aux_head = false;
    MicroChild<Cpu> trunk(ctx, c, 1, &arch);
    REQUIRE(trunk.arena().param_elements() == 3'894'372);
}

TEST_CASE("micro child: drop-path keep probability schedule", "[child]") {
    // p_layer = 1 - (c + 1) / cells * (1 - p0), then p = 1 - progress * (1 - p_layer)
    REQUIRE(micro::drop_path_keep(0.6, 16, 17, 1.0) == Approx(0.6));
    REQUIRE(micro::drop_path_keep(0.6, 0, 17, 1.0) == Approx(1 - 0.4 / 17));
    REQUIRE(micro::drop_path_keep(0.6, 16, 17, 0.5) == Approx(0.8));
    REQUIRE(micro::drop_path_keep(0.6, 7, 17, 0.0) == Approx(1.0));
}

TEST_CASE("micro child: a search step changes only sampled weights; a frozen aux head stays put", "[child]") {
    std::mt19937 rng(9);
    Context<Cpu> ctx(2);
    const MicroArch arch = random_micro(rng, 3);
    MicroChildConfig c = small_config(search::ChildMode::search, 3, 3, 4, 24);
    c.train_aux_head = false;
    MicroChild<Cpu> model(ctx, c, 5);
    optim::ChildSgd<Cpu> sgd(ctx, model.arena(), optim::ChildSgdConfig{});
    const std::vector<float> before = model.arena().values().to_vector();
    test::forward_backward(ctx, model, arch, test::random_images(5, 3, 3, 24, 24), test::random_labels(6, 3, 10));
    std::vector<char> touched;
    for (std::size_t i = 0; i < model.arena().num_params(); ++i)
        touched.push_back(model.arena().touched(static_cast<nn::ParamId>(i)));
    sgd.step(ctx, 0.1);
    const std::vector<float> after = model.arena().values().to_vector();
    int changed_untouched = 0, aux_params = 0, num_touched = 0;
    for (std::size_t i = 0; i < model.arena().num_params(); ++i) {
        const auto& e = model.arena().param_entry(static_cast<nn::ParamId>(i));
        bool changed = false;
        for (std::int64_t k = e.offset; k < e.offset + e.shape.numel(); ++k)
            changed = changed || before[static_cast<std::size_t>(k)] != after[static_cast<std::size_t>(k)];
        num_touched += touched[i];
        if (changed && !touched[i]) ++changed_untouched;
        if (e.name.rfind("aux_head/", 0) == 0) {
            ++aux_params;
            INFO(e.name);
            REQUIRE_FALSE(changed);
            REQUIRE_FALSE(touched[i]);
        }
    }
    REQUIRE(aux_params == 7);
    REQUIRE(num_touched > 0);
    REQUIRE(changed_untouched == 0);
}

TEST_CASE("micro child: bad configurations are rejected", "[child]") {
    Context<Cpu> ctx(1);
    MicroChildConfig c = small_config(search::ChildMode::search, 3, 2, 4, 12);
    c.aux_head = true;
    ENAS_REQUIRE_THROWS(MicroChild<Cpu>(ctx, c, 1), ValueError, Catch::Contains("aux head needs at least 5x5"));
    c.aux_head = false;
    MicroChild<Cpu> model(ctx, c, 1);
    Tape<Cpu> tape(ctx);
    nn::ForwardPass<Cpu> f{tape, model.arena(), true, nn::BnStats::batch_and_update};
    std::mt19937 rng(1);
    ENAS_REQUIRE_THROWS(model.forward(f, Var<float, Cpu>(test::random_images(1, 1, 3, 12, 12)), random_micro(rng, 3)),
                        ValueError, Catch::Contains("3 nodes per cell given to a model with 2"));
    ENAS_REQUIRE_THROWS(model.forward(f, Var<float, Cpu>(test::random_images(1, 1, 3, 10, 10)), random_micro(rng, 2)),
                        ShapeError, Catch::Contains("[N, 3, 12, 12]"));
}

TEST_CASE("micro child: shapes through the network (F, 2F, 4F; n_loose F in final mode)", "[child]") {
    Context<Cpu> ctx(1);
    const MicroArch arch = MicroArch::parse(search::fixtures::kReleasedMicro);  // loose ends 5 and 4
    for (auto mode : {search::ChildMode::search, search::ChildMode::final}) {
        MicroChildConfig c = small_config(mode, 3, 5, 4, 32);  // cells N R N R N, aux after cell 4
        MicroChild<Cpu> model(ctx, c, 1, &arch);
        Tape<Cpu> tape(ctx);
        std::vector<std::pair<std::string, Shape>> shapes;
        nn::ForwardPass<Cpu> f{tape, model.arena(), true, nn::BnStats::batch_and_update, &shapes};
        model.forward(f, Var<float, Cpu>(test::random_images(1, 2, 3, 32, 32)), arch);
        const bool fin = mode == search::ChildMode::final;
        const std::int64_t normal = fin ? 5 : 1, reduction = fin ? 4 : 1;  // loose ends per cell kind
        const std::vector<std::pair<std::string, Shape>> expected = {{"stem", {2, 12, 32, 32}},
                                                                     {"cell_0", {2, normal * 4, 32, 32}},
                                                                     {"cell_1", {2, reduction * 8, 16, 16}},
                                                                     {"cell_2", {2, normal * 8, 16, 16}},
                                                                     {"cell_3", {2, reduction * 16, 8, 8}},
                                                                     {"cell_4", {2, normal * 16, 8, 8}}};
        REQUIRE(shapes == expected);
    }
}
