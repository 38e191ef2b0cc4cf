// Wiring: which split each part of a CNN search reads. The splits' labels tell them apart (train
// all 1, validation all 0, test all 2) and the supernet's weights are all zero, so every logit is
// 0 and every image is predicted as class 0 (the first of equal logits): an accuracy of 1 means
// the validation split was read, 0 means another one. A reward or derive batch drawn from the
// training split, a child step on another split, or an evaluation of the wrong split fails here
// whatever the model learned.
#include "enas/train/cnn_task.hpp"
#include "search_fixtures.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::train;

namespace {

train::CnnData labelled_splits() {
    train::CnnData d = test::synthetic_data();
    std::fill(d.train.labels.begin(), d.train.labels.end(), 1);
    std::fill(d.valid.labels.begin(), d.valid.labels.end(), 0);
    std::fill(d.test.labels.begin(), d.test.labels.end(), 2);
    return d;
}

template <class Task, class Arch>
void check_splits(Task& task, const Arch& arch) {
    for (int i = 0; i < 5; ++i) REQUIRE(task.reward(arch) == 1.0);  // a validation batch each time
    REQUIRE(task.derive_reward(arch, 3) == 1.0);
    const auto same = [&] { return arch; };
    REQUIRE(task.evaluate(Split::valid, same) == 1.0);
    REQUIRE(task.evaluate(Split::test, same) == 0.0);
    REQUIRE(task.evaluate(Split::train, same) == 0.0);
    // A child step trains on training images: its batch accuracy (of the forward before the
    // update; lr 0 keeps the weights at zero) is 0 on them, 1 on any other split's.
    task.start_training(0);
    for (std::int64_t s = 0; s < 3; ++s) REQUIRE(task.train_step(arch, 0.0, StepAt{0, s, 3, 1}).metric == 0.0);
}

}  // namespace

TEST_CASE("wiring: rewards and derive read the validation split, evaluations the split they name", "[train]") {
    const train::CnnData data = labelled_splits();
    SearchConfig sc = SearchConfig::preset_for(CnnSpace::macro, "quick");
    sc.reward_batch = 8;
    SECTION("macro") {
        const CnnConfig c = test::tiny_config(CnnSpace::macro, search::ChildMode::search, 1);
        Context<Cpu> ctx(c.seed);
        child::MacroChild<Cpu> model(ctx, macro_child_config(c, data.train), c.seed);
        model.arena().values().fill(0.0f);
        MacroSearchTask<Cpu> task(ctx, c, sc, data, model);
        check_splits(task, search::MacroArch::parse("0 1 0 2 1 0"));
    }
    SECTION("micro") {
        CnnConfig c = test::tiny_config(CnnSpace::micro, search::ChildMode::search, 1);
        Context<Cpu> ctx(c.seed);
        child::MicroChild<Cpu> model(ctx, micro_child_config(c, data.train), c.seed);
        model.arena().values().fill(0.0f);
        MicroSearchTask<Cpu> task(ctx, c, sc, data, model);
        check_splits(task, search::MicroArch::parse("0 0 1 1 0 2 1 3 1 0 0 1 1 4 2 2", 2));
    }
}

TEST_CASE("wiring: the training loader augments (with the config's cutout); reward batches cannot", "[train]") {
    // CnnTask builds its training loader from train_loader_options; the reward and derive batches
    // come from data::RandomBatchSampler, which has no augmentation (standardised images only).
    for (const char* preset : {"quick", "scripts", "paper"})
        for (const search::ChildMode mode : {search::ChildMode::search, search::ChildMode::final})
            for (const CnnSpace space : {CnnSpace::macro, CnnSpace::micro}) {
                const CnnConfig c = CnnConfig::preset_for(space, mode, preset);
                const data::LoaderOptions o = train_loader_options(c, c.seed);
                INFO(preset << " " << search::space_name(space) << " " << search::child_mode_name(mode));
                REQUIRE(o.augment);
                REQUIRE(o.augmentation.cutout == c.cutout);
                REQUIRE(o.batch_size == c.batch);
                REQUIRE(o.shuffle);
            }
}
