// The search loop on a synthetic task: both phases run and every run file is written; an
// interrupted search resumed from its checkpoint ends in exactly the state of an uninterrupted
// one (weights, controller, metrics, derived architecture); a damaged newest checkpoint is
// detected and the previous one is used.
#include <fstream>
#include <sstream>

#include "enas/controller/controllers.hpp"
#include "enas/train/cnn_task.hpp"
#include "enas/train/derive.hpp"
#include "enas/train/search_loop.hpp"
#include "search_fixtures.hpp"
#include "test_utils.hpp"
#include "train_test_utils.hpp"

using namespace enas;
using namespace enas::train;
using namespace enas::run;

namespace {

using Model = child::MacroChild<Cpu>;
using Task = MacroSearchTask<Cpu>;
using Loop = SearchLoop<Task>;

struct SearchRun {
    std::vector<float> weights;
    std::string best_arch;
    std::string log;
};

SearchConfig tiny_search() {
    SearchConfig s = SearchConfig::preset_for(CnnSpace::macro, "quick");
    s.train_steps = 3;
    s.num_aggregate = 2;
    s.eval_archs = 3;
    s.derive_k = 4;
    s.derive_batches = 2;
    s.reward_batch = 8;
    return s;
}

/// Runs a 3-epoch search in `dir`, stopping after `stop_at` epochs (an interruption), resuming
/// when asked, then derives.
SearchRun run_search(const std::filesystem::path& dir, std::int64_t stop_at, bool resume, const CnnData& data) {
    const CnnConfig config = test::tiny_config(CnnSpace::macro, search::ChildMode::search, 3);
    const SearchConfig sc = tiny_search();
    RunFolder run(dir, resume ? RunFolderMode::resume : RunFolderMode::fresh);
    run.write_config(config.to_json());
    Context<Cpu> ctx(config.seed);
    Model model(ctx, macro_child_config(config, data.train), config.seed);
    controller::MacroControllerConfig cc;
    cc.num_layers = config.layers;
    cc.reinforce = sc.reinforce(cc.reinforce);
    controller::MacroController policy(cc, 77);
    std::ostringstream log;
    ProgressReporter progress(log, ProgressReporter::Options{});
    Task task(ctx, config, sc, data, model);
    Loop loop(task, policy, sc, loop_config_of(config), run, progress);
    if (resume) loop.resume();
    loop.run(stop_at);
    const auto candidates = derive(task, policy, sc, run, progress);
    return {model.arena().values().to_vector(), candidates.front().arch.to_string(), log.str()};
}

}  // namespace

TEST_CASE("search loop: both phases run and every run file is written", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const SearchRun r = run_search(tmp / "run", 2, false, data);
    for (const char* f :
         {"config.json", "metrics.jsonl", "archs.jsonl", "best_arch.txt", "best_arch.json", "derive.json"})
        REQUIRE(std::filesystem::exists(tmp / "run" / f));
    REQUIRE(std::filesystem::exists(tmp / "run" / "checkpoints" / "ckpt-2.bin"));
    const auto metrics = read_json_lines(tmp / "run" / "metrics.jsonl");
    int epochs = 0, child_lines = 0;
    for (const auto& m : metrics) {
        if (m["phase"] == "child") ++child_lines;
        if (m["phase"] != "epoch") continue;
        ++epochs;
        for (const char* key : {"train_loss", "train_accuracy", "reward", "baseline", "controller_entropy", "skip_rate",
                                "lr", "images_per_second", "valid_accuracy", "test_accuracy"})
            REQUIRE(m.contains(key));
        REQUIRE(m["reward"].get<double>() >= 0);
        REQUIRE(m["reward"].get<double>() <= 1);
    }
    REQUIRE(epochs == 2);
    REQUIRE(child_lines == 6);  // 6 steps per epoch, a line every 2
    const auto archs = read_json_lines(tmp / "run" / "archs.jsonl");
    REQUIRE(archs.size() == 6);  // 3 per epoch
    REQUIRE(archs[0]["epoch"] == 0);
    REQUIRE(search::MacroArch::parse(archs[5]["arch"].get<std::string>()).num_layers() == 3);
    REQUIRE(search::MacroArch::parse(r.best_arch).num_layers() == 3);
    REQUIRE(test::read_file(tmp / "run" / "best_arch.txt") == r.best_arch + "\n");
    const auto derive_list = read_json_file(tmp / "run" / "derive.json");
    REQUIRE(derive_list["candidates"][0]["arch"] == r.best_arch);
}

TEST_CASE("search loop: an interrupted search resumed from its checkpoint equals an uninterrupted one", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const SearchRun whole = run_search(tmp / "whole", 3, false, data);
    run_search(tmp / "parts", 1, false, data);  // "interrupted" after epoch 1
    const SearchRun resumed = run_search(tmp / "parts", 3, true, data);
    REQUIRE(resumed.log.find("resuming from") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(resumed.best_arch == whole.best_arch);
    REQUIRE(test::lines_without_timing(tmp / "parts" / "metrics.jsonl") ==
            test::lines_without_timing(tmp / "whole" / "metrics.jsonl"));
    REQUIRE(test::lines_without_timing(tmp / "parts" / "archs.jsonl") ==
            test::lines_without_timing(tmp / "whole" / "archs.jsonl"));
}

TEST_CASE("search loop: a damaged newest checkpoint is detected and the previous one is used", "[train]") {
    test::TempDir tmp;
    const CnnData data = test::synthetic_data();
    const SearchRun whole = run_search(tmp / "whole", 3, false, data);
    run_search(tmp / "parts", 2, false, data);
    const auto newest = tmp / "parts" / "checkpoints" / "ckpt-2.bin";
    std::string bytes = test::read_file(newest);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5A);
    std::ofstream(newest, std::ios::binary | std::ios::trunc) << bytes;
    ENAS_REQUIRE_THROWS(Checkpoint::read(newest), FormatError, Catch::Contains("checksum mismatch"));
    const SearchRun resumed = run_search(tmp / "parts", 3, true, data);
    REQUIRE(resumed.log.find("skipping checkpoint") != std::string::npos);
    REQUIRE(resumed.log.find("1 epochs done") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(resumed.best_arch == whole.best_arch);
}
