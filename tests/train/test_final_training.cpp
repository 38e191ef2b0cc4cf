// Final training on a synthetic task: an interrupted run resumed from its checkpoint ends with
// the same weights and metrics as an uninterrupted one (micro final mode, so drop-path and the aux
// head take part); a diverging run stops with an error naming the loss and keeps its last good
// checkpoint; training beats chance.
#include <sstream>

#include "enas/train/cnn_task.hpp"
#include "enas/train/final_training.hpp"
#include "search_fixtures.hpp"
#include "test_utils.hpp"
#include "train_test_utils.hpp"

using namespace enas;
using namespace enas::train;
using namespace enas::run;

namespace {

const search::MicroArch& tiny_arch() {
    static const search::MicroArch arch = search::MicroArch::parse("0 0 1 4 2 2 0 1 1 1 0 3 2 4 1 0", 2);
    return arch;
}

struct FinalRun {
    std::vector<float> weights;
    nlohmann::json summary;
    std::string log;
};

/// Trains a 3-epoch run in `dir`, stopping after `stop_at` epochs (an interruption), resuming when asked.
FinalRun run_final(const std::filesystem::path& dir, std::int64_t stop_at, bool resume, const CnnData& data,
                   double lr_max = 0.05) {
    CnnConfig config = test::tiny_config(CnnSpace::micro, search::ChildMode::final, 3);
    config.lr_max = lr_max;
    config.lr_min = std::min(config.lr_min, lr_max);
    config.keep_prob = 0.8;
    config.drop_path_keep_prob = 0.7;
    config.aux_head = false;  // 8x8 inputs are too small for it; drop-path is on
    RunFolder run(dir, resume ? RunFolderMode::resume : RunFolderMode::fresh);
    Context<Cpu> ctx(config.seed);
    child::MicroChild<Cpu> model(ctx, micro_child_config(config, data.train), config.seed, &tiny_arch());
    std::ostringstream log;
    ProgressReporter progress(log, ProgressReporter::Options{});
    MicroTask<Cpu> task(ctx, config, data, model);
    FinalTraining<MicroTask<Cpu>> trainer(task, tiny_arch(), loop_config_of(config), run, progress);
    if (resume) trainer.resume();
    FinalRun r;
    try {
        r.summary = trainer.run(stop_at);
    } catch (const ValueError&) {
        r.log = log.str();
        throw;
    }
    r.weights = model.arena().values().to_vector();
    r.log = log.str();
    return r;
}

}  // namespace

TEST_CASE("final training: resume equals an uninterrupted run", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const FinalRun whole = run_final(tmp / "whole", 3, false, data);
    run_final(tmp / "parts", 2, false, data);
    const FinalRun resumed = run_final(tmp / "parts", 3, true, data);
    REQUIRE(resumed.log.find("2 epochs done") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(test::lines_without_timing(tmp / "parts" / "metrics.jsonl") ==
            test::lines_without_timing(tmp / "whole" / "metrics.jsonl"));
    REQUIRE(resumed.summary["test_accuracy"] == whole.summary["test_accuracy"]);
    for (const char* key : {"arch", "params", "epochs", "train_accuracy", "test_accuracy", "images_per_second"})
        REQUIRE(whole.summary.contains(key));
    REQUIRE(whole.summary["epochs"] == 3);
    REQUIRE(whole.summary["best_test_accuracy"].get<double>() > 0.4);  // 4 classes: chance is 0.25
}

TEST_CASE("final training: a diverging run stops and keeps its last good checkpoint", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    run_final(tmp / "run", 1, false, data);
    const std::string before = test::read_file(tmp / "run" / "checkpoints" / "ckpt-1.bin");
    // Resume with an absurd learning rate: the weights, then the loss, overflow in the next steps.
    ENAS_REQUIRE_THROWS(run_final(tmp / "run", 3, true, data, 1e30), ValueError,
                        Catch::Contains("the training loss became"));
    REQUIRE(test::read_file(tmp / "run" / "checkpoints" / "ckpt-1.bin") == before);
    REQUIRE_FALSE(std::filesystem::exists(tmp / "run" / "checkpoints" / "ckpt-2.bin"));
    const nlohmann::json summary = read_json_file(tmp / "run" / "summary.json");
    REQUIRE(summary["status"] == "diverged");
}
