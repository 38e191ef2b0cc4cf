// A stop request (SIGINT / SIGTERM, run/stop.hpp) in the middle of an epoch stops the search loop,
// the derive step and final training at the next step boundary with run::Interrupted; in the
// child / training steps a mid-epoch checkpoint is written first, elsewhere the last checkpoint
// is kept. Mid-epoch checkpoints
// (--checkpoint-every) also survive a crash, only the newest is kept and an epoch checkpoint
// deletes them. --resume then ends in exactly the state of an uninterrupted run (weights,
// metrics.jsonl and archs.jsonl lines, derived architecture, summary).
#include <algorithm>
#include <csignal>
#include <sstream>
#include <stdexcept>

#include "enas/controller/controllers.hpp"
#include "enas/run/stop.hpp"
#include "enas/train/cnn_task.hpp"
#include "enas/train/derive.hpp"
#include "enas/train/final_training.hpp"
#include "enas/train/search_loop.hpp"
#include "search_fixtures.hpp"
#include "test_utils.hpp"
#include "train_test_utils.hpp"

using namespace enas;
using namespace enas::train;
using namespace enas::run;
namespace fs = std::filesystem;

namespace {

/// A task that requests a stop (as the signal handler would) after `stop_after` training steps, or
/// at its first derive reward when `stop_in_derive`.
template <class Base>
struct StoppingTask : Base {
    using Base::Base;
    std::int64_t stop_after = 0, steps = 0;
    bool stop_in_derive = false, crash = false;
    int signal_number = SIGINT;

    StepStats train_step(const typename Base::Arch& arch, double lr, const StepAt& at) {
        if (stop_after > 0 && ++steps == stop_after) {
            if (crash) throw std::runtime_error("killed");  // as a SIGKILL would, before the step
            request_stop(signal_number);
        }
        return Base::train_step(arch, lr, at);
    }
    double derive_reward(const typename Base::Arch& arch, int batches) {
        if (stop_in_derive) request_stop(signal_number);
        return Base::derive_reward(arch, batches);
    }
};

std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct Outcome {
    std::vector<float> weights;
    std::string best_arch, log, interrupted;
    int exit_code = 0;
};

SearchConfig tiny_search() {
    SearchConfig s = SearchConfig::preset_for(CnnSpace::macro, "quick");
    s.train_steps = 2;
    s.num_aggregate = 2;
    s.eval_archs = 2;
    s.derive_k = 3;
    s.derive_batches = 1;
    s.reward_batch = 8;
    return s;
}

/// A 3-epoch macro search in `dir` (6 child steps per epoch), resumed when asked; `every` minutes
/// between mid-epoch checkpoints; `crash` turns the stop into an exception.
Outcome search_run(const fs::path& dir, bool resume, const CnnData& data, std::int64_t stop_after = 0,
                   bool stop_in_derive = false, double every = 30, bool crash = false) {
    using Task = StoppingTask<MacroSearchTask<Cpu>>;
    const CnnConfig config = test::tiny_config(CnnSpace::macro, search::ChildMode::search, 3);
    const SearchConfig sc = tiny_search();
    RunFolder run(dir, resume ? RunFolderMode::resume : RunFolderMode::fresh);
    Context<Cpu> ctx(config.seed);
    child::MacroChild<Cpu> model(ctx, macro_child_config(config, data.train), config.seed);
    controller::MacroControllerConfig cc;
    cc.num_layers = config.layers;
    cc.reinforce = sc.reinforce(cc.reinforce);
    controller::MacroController policy(cc, 77);
    std::ostringstream log;
    ProgressReporter progress(log, ProgressReporter::Options{});
    Task task(ctx, config, sc, data, model);
    task.stop_after = stop_after;
    task.stop_in_derive = stop_in_derive;
    task.crash = crash;
    SearchLoop<Task> loop(task, policy, sc, loop_config_of(config), run, progress);
    loop.set_checkpoint_every(every);
    if (resume) loop.resume();
    Outcome out;
    try {
        const nlohmann::json last = loop.run();
        REQUIRE(last.at("epoch") == 2);  // also when every epoch was done before (a resumed derive)
        out.best_arch = derive(task, policy, sc, run, progress).front().arch.to_string();
    } catch (const Interrupted& e) {
        out.interrupted = e.what();
        out.exit_code = e.exit_code();
    } catch (const std::runtime_error& e) { out.interrupted = e.what(); }
    clear_stop_request();
    out.weights = model.arena().values().to_vector();
    out.log = log.str();
    return out;
}

/// A 3-epoch micro final training in `dir`, resumed when asked; `every` minutes between mid-epoch
/// checkpoints (default: none in this test's time); `crash` turns the stop into an exception.
Outcome final_run(const fs::path& dir, bool resume, const CnnData& data, std::int64_t stop_after = 0, double every = 30,
                  bool crash = false) {
    using Task = StoppingTask<MicroTask<Cpu>>;
    static const search::MicroArch arch = search::MicroArch::parse("0 0 1 4 2 2 0 1 1 1 0 3 2 4 1 0", 2);
    CnnConfig config = test::tiny_config(CnnSpace::micro, search::ChildMode::final, 3);
    config.drop_path_keep_prob = 0.7;
    RunFolder run(dir, resume ? RunFolderMode::resume : RunFolderMode::fresh);
    Context<Cpu> ctx(config.seed);
    child::MicroChild<Cpu> model(ctx, micro_child_config(config, data.train), config.seed, &arch);
    std::ostringstream log;
    ProgressReporter progress(log, ProgressReporter::Options{});
    Task task(ctx, config, data, model);
    task.stop_after = stop_after;
    task.signal_number = SIGTERM;
    task.crash = crash;
    FinalTraining<Task> trainer(task, arch, loop_config_of(config), run, progress);
    trainer.set_checkpoint_every(every);
    if (resume) trainer.resume();
    Outcome out;
    try {
        out.best_arch = trainer.run().dump();  // the summary, for comparing
    } catch (const Interrupted& e) {
        out.interrupted = e.what();
        out.exit_code = e.exit_code();
    } catch (const std::runtime_error& e) { out.interrupted = e.what(); }
    clear_stop_request();
    out.weights = model.arena().values().to_vector();
    out.log = log.str();
    return out;
}

nlohmann::json summary_without_timing(const fs::path& dir) {
    nlohmann::json s = read_json_file(dir / "summary.json");
    s.erase("images_per_second");
    for (auto& h : s["history"]) h.erase("seconds"), h.erase("images_per_second");
    return s;
}

void require_same_lines(const fs::path& a, const fs::path& b) {
    for (const char* f : {"metrics.jsonl", "archs.jsonl"})
        REQUIRE(test::lines_without_timing(a / f) == test::lines_without_timing(b / f));
}

}  // namespace

TEST_CASE("stop: a search stopped mid-epoch keeps its last checkpoint and resumes to the same end", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const Outcome whole = search_run(tmp / "whole", false, data);
    REQUIRE(whole.interrupted.empty());

    const Outcome stopped = search_run(tmp / "parts", false, data, 9);  // the 3rd child step of epoch 2
    REQUIRE(stopped.exit_code == 130);
    REQUIRE_THAT(stopped.interrupted, Catch::Contains("epoch 2 (child step 3 of 6)") &&
                                          Catch::Contains("step-3.bin (1 epochs and 3 steps of epoch 2 done)"));
    REQUIRE_THAT(stopped.interrupted, !Catch::Contains("redoes"));
    REQUIRE(files_in(tmp / "parts" / "checkpoints") == std::vector<std::string>{"ckpt-1.bin", "step-3.bin"});
    REQUIRE_FALSE(fs::exists(tmp / "parts" / "best_arch.txt"));

    const Outcome resumed = search_run(tmp / "parts", true, data);
    REQUIRE(resumed.interrupted.empty());
    REQUIRE(resumed.log.find("1 epochs and 3 steps of epoch 2 done") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(resumed.best_arch == whole.best_arch);
    require_same_lines(tmp / "parts", tmp / "whole");
}

TEST_CASE("stop: a search killed after a mid-epoch checkpoint resumes to the same end", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const Outcome whole = search_run(tmp / "whole", false, data);
    // A checkpoint after every child step; killed before the 9th step (epoch 2, 2 steps done).
    const Outcome crashed = search_run(tmp / "parts", false, data, 9, false, 0.0, true);
    REQUIRE(crashed.interrupted == "killed");
    REQUIRE(files_in(tmp / "parts" / "checkpoints") == std::vector<std::string>{"ckpt-1.bin", "step-2.bin"});
    const Outcome resumed = search_run(tmp / "parts", true, data);
    REQUIRE(resumed.log.find("1 epochs and 2 steps of epoch 2 done") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(resumed.best_arch == whole.best_arch);
    require_same_lines(tmp / "parts", tmp / "whole");
    REQUIRE(files_in(tmp / "parts" / "checkpoints") == std::vector<std::string>{"ckpt-2.bin", "ckpt-3.bin"});
}

TEST_CASE("stop: a search stopped in its derive step redoes only the derive step on resume", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const Outcome whole = search_run(tmp / "whole", false, data);
    const Outcome stopped = search_run(tmp / "parts", false, data, 0, true);
    REQUIRE_THAT(stopped.interrupted, Catch::Contains("derive step (candidate 1 of 3)"));
    REQUIRE(fs::exists(tmp / "parts" / "checkpoints" / "ckpt-3.bin"));
    const Outcome resumed = search_run(tmp / "parts", true, data);
    REQUIRE(resumed.log.find("3 epochs done") != std::string::npos);
    REQUIRE(resumed.best_arch == whole.best_arch);
    REQUIRE(resumed.weights == whole.weights);
    require_same_lines(tmp / "parts", tmp / "whole");
}

TEST_CASE("stop: final training stopped mid-epoch by SIGTERM saves a mid-epoch checkpoint and resumes from it",
          "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const Outcome whole = final_run(tmp / "whole", false, data);
    const Outcome stopped = final_run(tmp / "parts", false, data, 16);  // the 4th step of epoch 3
    REQUIRE(stopped.exit_code == 143);
    REQUIRE_THAT(stopped.interrupted, Catch::Contains("interrupted by SIGTERM") &&
                                          Catch::Contains("epoch 3 (train step 4 of 6)") &&
                                          Catch::Contains("step-4.bin (2 epochs and 4 steps of epoch 3 done)"));
    REQUIRE_THAT(stopped.interrupted, !Catch::Contains("redoes"));
    REQUIRE(files_in(tmp / "parts" / "checkpoints") ==
            std::vector<std::string>{"ckpt-1.bin", "ckpt-2.bin", "step-4.bin"});
    REQUIRE_FALSE(fs::exists(tmp / "parts" / "summary.json"));
    const Outcome resumed = final_run(tmp / "parts", true, data);
    REQUIRE(resumed.log.find("step-4.bin (2 epochs and 4 steps of epoch 3 done)") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(summary_without_timing(tmp / "parts") == summary_without_timing(tmp / "whole"));
    require_same_lines(tmp / "parts", tmp / "whole");
}

TEST_CASE("mid-epoch checkpoints: the newest survives a crash, resumes to the same end, and is pruned", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const Outcome whole = final_run(tmp / "whole", false, data);
    // A checkpoint after every step (--checkpoint-every 0); killed before the 16th step (epoch 3,
    // 3 steps done): only the newest mid-epoch checkpoint is left beside the epoch ones.
    const Outcome crashed = final_run(tmp / "parts", false, data, 16, 0.0, true);
    REQUIRE(crashed.interrupted == "killed");
    REQUIRE(files_in(tmp / "parts" / "checkpoints") ==
            std::vector<std::string>{"ckpt-1.bin", "ckpt-2.bin", "step-3.bin"});
    const Outcome resumed = final_run(tmp / "parts", true, data, 0, 0.0);
    REQUIRE(resumed.interrupted.empty());
    REQUIRE(resumed.log.find("step-3.bin (2 epochs and 3 steps of epoch 3 done)") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(summary_without_timing(tmp / "parts") == summary_without_timing(tmp / "whole"));
    require_same_lines(tmp / "parts", tmp / "whole");
    // The last epoch checkpoint deleted every mid-epoch one.
    REQUIRE(files_in(tmp / "parts" / "checkpoints") == std::vector<std::string>{"ckpt-2.bin", "ckpt-3.bin"});
}

TEST_CASE("mid-epoch checkpoints: a stale one older than the newest epoch checkpoint is ignored and deleted",
          "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const Outcome whole = final_run(tmp / "whole", false, data);
    final_run(tmp / "parts", false, data, 16, 0.0, true);  // leaves step-3.bin of epoch 3
    // As if a crash came between writing the next epoch checkpoint and deleting step-3.bin.
    fs::copy_file(tmp / "parts" / "checkpoints" / "step-3.bin", tmp / "step-3.bin");
    const Outcome finished = final_run(tmp / "parts", true, data);
    fs::copy_file(tmp / "step-3.bin", tmp / "parts" / "checkpoints" / "step-3.bin");
    fs::remove(tmp / "parts" / "summary.json");
    std::ostringstream log;
    ProgressReporter progress(log, ProgressReporter::Options{});
    RunFolder run(tmp / "parts", RunFolderMode::resume);
    CheckpointSet epochs(run.checkpoint_folder()), steps(run.checkpoint_folder(), 1, "step");
    nlohmann::json restored;
    const auto p = resume_latest(
        epochs, run, progress, [&](const Checkpoint&, const nlohmann::json& j) { restored = j; }, &steps);
    REQUIRE(p);
    REQUIRE(p->at("epochs_done") == 3);
    REQUIRE_FALSE(p->contains("steps_done"));
    REQUIRE(steps.epochs().empty());
    REQUIRE(finished.weights == whole.weights);
}
