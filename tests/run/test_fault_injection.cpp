// Fault injection (run/fault_injection.hpp) as the process-level tests use it: the ENAS_FAULT
// rules are parsed strictly, a full disk injected into the run's writers fails like the real one
// (an IoError, no temporary file left, whole lines only), and a resume that finds no checkpoint
// (a process killed before its first one) starts over without the killed process's lines.
// The kills themselves are exercised in separate processes (examples/*_kills).
#include <catch2/catch.hpp>

#include <sstream>

#include "enas/run/atomic_file.hpp"
#include "enas/run/fault_injection.hpp"
#include "enas/run/resume.hpp"
#include "enas/run/run_folder.hpp"
#include "train/train_test_utils.hpp"

using namespace enas;
using namespace enas::run;
using enas::test::TempDir;
namespace fs = std::filesystem;

namespace {
struct Disarm {
    ~Disarm() { fault::arm(""); }
};
}  // namespace

TEST_CASE("ENAS_FAULT rules are parsed strictly, naming the bad rule", "[train]") {
    Disarm disarm;
    fault::arm("");
    CHECK_FALSE(fault::armed());
    fault::arm("kill-at=controller:3,enospc-after=0");
    CHECK(fault::armed());
    fault::arm("kill-in-checkpoint=2");
    CHECK(fault::armed());
    fault::at_step_boundary("child");  // another phase: nothing happens
    CHECK_THROWS_WITH(fault::arm("kill-at=lunch:1"), Catch::Contains("unknown phase 'lunch'"));
    CHECK_THROWS_WITH(fault::arm("kill-at=child:0"), Catch::Contains("integer >= 1") && Catch::Contains("'0'"));
    CHECK_THROWS_WITH(fault::arm("kill-at=child"), Catch::Contains("kill-at=PHASE:N"));
    CHECK_THROWS_WITH(fault::arm("enospc-after=lots"), Catch::Contains("'enospc-after=lots'"));
    CHECK_THROWS_WITH(fault::arm("explode=1"), Catch::Contains("unknown rule 'explode'"));
    CHECK_THROWS_AS(fault::arm("kill-in-checkpoint"), ValueError);
}

TEST_CASE("an injected full disk fails the run's writers like a real one", "[train]") {
    Disarm disarm;
    TempDir tmp;
    RunFolder run(tmp / "run", RunFolderMode::fresh);
    fault::arm("enospc-after=40");
    run.append_metrics({{"epoch", 0}, {"loss", 1.5}});  // 26 bytes: within the budget
    CHECK_THROWS_WITH(run.append_metrics({{"epoch", 0}, {"loss", 1.25}}),
                      Catch::Contains("No space left on device") && Catch::Contains("metrics.jsonl"));
    CHECK_THROWS_AS(write_file_atomically(tmp / "run" / "summary.json", "{}"), IoError);
    CHECK_FALSE(fs::exists(tmp / "run" / "summary.json"));
    CHECK_FALSE(fs::exists(tmp / "run" / "summary.json.tmp"));
    CHECK(read_json_lines(tmp / "run" / "metrics.jsonl").size() == 1);  // whole lines only

    fault::arm("");  // space is back
    write_file_atomically(tmp / "run" / "summary.json", "{}");
    CHECK(enas::test::read_file(tmp / "run" / "summary.json") == "{}");
}

TEST_CASE("a resume without any checkpoint starts over and drops the killed process's lines", "[train]") {
    TempDir tmp;
    {
        RunFolder run(tmp / "run", RunFolderMode::fresh);
        run.append_metrics({{"epoch", 0}, {"step", 1}, {"loss", 2.0}});
        run.append_arch({{"epoch", 0}, {"arch", "0 1"}});
    }  // killed before the first checkpoint
    RunFolder run(tmp / "run", RunFolderMode::resume);
    CheckpointSet checkpoints(run.checkpoint_folder());
    std::ostringstream log;
    ProgressReporter progress(log, {});
    bool restored = false;
    const auto p =
        resume_latest(checkpoints, run, progress, [&](const Checkpoint&, const nlohmann::json&) { restored = true; });
    CHECK_FALSE(p.has_value());
    CHECK_FALSE(restored);
    CHECK(read_json_lines(tmp / "run" / "metrics.jsonl").empty());
    CHECK(read_json_lines(tmp / "run" / "archs.jsonl").empty());
    CHECK_THAT(log.str(), Catch::Contains("no checkpoint yet"));
}
