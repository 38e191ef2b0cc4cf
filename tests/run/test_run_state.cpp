// Opening a run folder for --resume (run_state.hpp): the format version is written and checked
// (newer and older folders refused with both versions named, unversioned folders read as version
// 1), flags that contradict the saved config are refused with each field's saved and given value,
// a complete run throws RunComplete without touching the folder, and an extension (more epochs)
// or a stopped / diverged run is resumed.
#include <catch2/catch.hpp>

#include "enas/run/run_state.hpp"
#include "test_utils.hpp"
#include "train/train_test_utils.hpp"

using namespace enas;
using namespace enas::run;
using enas::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json config_of(std::int64_t epochs) { return {{"space", "macro"}, {"dataset", "cifar10"}, {"epochs", epochs}}; }

// A run of config_of(epochs) that finished (its summary written) with `status` ("" for none).
fs::path finished_run(const TempDir& tmp, std::int64_t epochs, const std::string& status = "") {
    const fs::path dir = tmp / "run";
    RunFolder run = open_run_folder(dir, RunFolderMode::fresh, config_of(epochs));
    json summary = {{"epochs", epochs}, {"test_accuracy", 0.5}};
    if (!status.empty()) summary["status"] = status;
    run.write_summary(summary);
    return dir;
}

void set_format_version(const fs::path& dir, const json& version) {
    json saved = read_json_file(dir / "config.json");
    if (version.is_null())
        saved.erase(kFormatVersionKey);
    else
        saved[kFormatVersionKey] = version;
    write_json_file(dir / "config.json", saved);
}

}  // namespace

TEST_CASE("run state: config.json records the format version; resuming with the same flags opens the run", "[run]") {
    TempDir tmp;
    {
        RunFolder run = open_run_folder(tmp / "run", RunFolderMode::fresh, config_of(3));
        json saved = run.read_config();
        CHECK(saved.at(kFormatVersionKey) == kRunFormatVersion);
        saved.erase(kFormatVersionKey);
        CHECK(saved == config_of(3));
    }
    RunFolder again = open_run_folder(tmp / "run", RunFolderMode::resume, config_of(3));
    CHECK(again.read_config().at(kFormatVersionKey) == kRunFormatVersion);
}

TEST_CASE("run state: a complete run is reported, not run again, and left untouched", "[run]") {
    TempDir tmp;
    for (const std::string status : {"", "finished"}) {  // search summaries have no status
        const fs::path dir = finished_run(tmp, 2, status);
        const std::string config_before = test::read_file(dir / "config.json");
        const std::string summary_before = test::read_file(dir / "summary.json");
        CHECK(run_is_complete(dir, config_of(2)));
        try {
            open_run_folder(dir, RunFolderMode::resume, config_of(2));
            FAIL("a complete run was opened for resuming");
        } catch (const RunComplete& e) {
            CHECK(e.dir() == dir);
            CHECK(e.summary() == dir / "summary.json");
            CHECK(e.epochs() == 2);
            const std::string what = e.what();
            CHECK_THAT(what, Catch::Contains("already complete") && Catch::Contains(dir.string()) &&
                                 Catch::Contains((dir / "summary.json").string()) && Catch::Contains("2 epochs"));
        }
        CHECK(test::read_file(dir / "config.json") == config_before);
        CHECK(test::read_file(dir / "summary.json") == summary_before);
        fs::remove_all(dir);
    }
}

TEST_CASE("run state: an extended, stopped or diverged run is resumed; fewer epochs are refused", "[run]") {
    TempDir tmp;
    SECTION("more epochs extend a finished run") {
        const fs::path dir = finished_run(tmp, 2);
        CHECK_FALSE(run_is_complete(dir, config_of(4)));
        RunFolder run = open_run_folder(dir, RunFolderMode::resume, config_of(4));
        CHECK(run.read_config().at("epochs") == 4);
    }
    SECTION("a diverged run") {
        const fs::path dir = finished_run(tmp, 2, "diverged");
        CHECK_FALSE(run_is_complete(dir, config_of(2)));
        CHECK_NOTHROW(open_run_folder(dir, RunFolderMode::resume, config_of(2)));
    }
    SECTION("a run without a summary") {
        open_run_folder(tmp / "run", RunFolderMode::fresh, config_of(2));
        CHECK_FALSE(run_is_complete(tmp / "run", config_of(2)));
        CHECK_NOTHROW(open_run_folder(tmp / "run", RunFolderMode::resume, config_of(2)));
    }
    SECTION("fewer epochs than done") {
        const fs::path dir = finished_run(tmp, 3);
        ENAS_REQUIRE_THROWS(open_run_folder(dir, RunFolderMode::resume, config_of(2)), ValueError,
                            Catch::Contains("--epochs 2 is fewer than the 3 epochs"));
    }
}

TEST_CASE("run state: flags that contradict the saved config are refused, naming saved and given values", "[run]") {
    TempDir tmp;
    const fs::path dir = finished_run(tmp, 2);
    json other = config_of(2);
    other["space"] = "micro";
    other["dataset"] = "fashion-mnist";
    other["filters"] = 16;
    try {
        open_run_folder(dir, RunFolderMode::resume, other);
        FAIL("contradicting flags were accepted");
    } catch (const ValueError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("saved value vs given value"));
        CHECK_THAT(what, Catch::Contains("/space: \"macro\" vs \"micro\""));
        CHECK_THAT(what, Catch::Contains("/dataset: \"cifar10\" vs \"fashion-mnist\""));
        CHECK_THAT(what, Catch::Contains("/filters: (absent) vs 16"));
        CHECK_THAT(what, Catch::Contains((dir / "config.json").string()));
    }
    // The refused run changed nothing.
    CHECK(read_json_file(dir / "config.json").at("space") == "macro");
}

TEST_CASE("run state: a setting newer than the run resumes at its default and is refused at another value", "[run]") {
    // Each case on a fresh run saved without "image_size" (a resume rewrites config.json).
    const json defaults = {{"space", "micro"}, {"image_size", 0}};  // only absent keys are taken
    json given = config_of(4);                                      // extended by one epoch
    given["image_size"] = 0;
    {
        TempDir tmp;
        CHECK_NOTHROW(open_run_folder(finished_run(tmp, 3), RunFolderMode::resume, given, {"epochs"}, defaults));
    }
    given["image_size"] = 32;
    {
        TempDir tmp;
        const fs::path dir = finished_run(tmp, 3);
        ENAS_REQUIRE_THROWS(open_run_folder(dir, RunFolderMode::resume, given, {"epochs"}, defaults), ValueError,
                            Catch::Contains("/image_size: 0 vs 32"));
    }
    {
        TempDir tmp;  // without defaults the new key is a difference, as before
        const fs::path dir = finished_run(tmp, 3);
        ENAS_REQUIRE_THROWS(open_run_folder(dir, RunFolderMode::resume, given), ValueError,
                            Catch::Contains("/image_size: (absent) vs 32"));
    }
}

TEST_CASE("run state: folders of another format version are refused with both versions named", "[run]") {
    TempDir tmp;
    const fs::path dir = finished_run(tmp, 2);
    set_format_version(dir, kRunFormatVersion + 1);
    ENAS_REQUIRE_THROWS(open_run_folder(dir, RunFolderMode::resume, config_of(4)), ValueError,
                        Catch::Contains("format version " + std::to_string(kRunFormatVersion + 1)) &&
                            Catch::Contains("reads version " + std::to_string(kRunFormatVersion)) &&
                            Catch::Contains("newer"));
    set_format_version(dir, 0);
    ENAS_REQUIRE_THROWS(open_run_folder(dir, RunFolderMode::resume, config_of(4)), ValueError,
                        Catch::Contains("format version 0") &&
                            Catch::Contains("reads version " + std::to_string(kRunFormatVersion)) &&
                            Catch::Contains("older"));
    // A foreign version is refused even when the run looks complete.
    set_format_version(dir, kRunFormatVersion + 1);
    REQUIRE_THROWS_AS(open_run_folder(dir, RunFolderMode::resume, config_of(2)), ValueError);
    set_format_version(dir, "two");
    ENAS_REQUIRE_THROWS(open_run_folder(dir, RunFolderMode::resume, config_of(4)), FormatError,
                        Catch::Contains("not a format version number"));
    // A folder from before versioning is version 1 and resumes; its config then gets the field.
    set_format_version(dir, nullptr);
    CHECK(run_format_version(read_json_file(dir / "config.json"), dir / "config.json") == 1);
    RunFolder run = open_run_folder(dir, RunFolderMode::resume, config_of(4));
    CHECK(run.read_config().at(kFormatVersionKey) == kRunFormatVersion);
}

TEST_CASE("run folder: resuming from a mid-epoch checkpoint drops the lines written after its step", "[run]") {
    TempDir tmp;
    RunFolder run(tmp / "run", RunFolderMode::fresh);
    for (int e = 0; e <= 1; ++e) {
        for (int step = 2; step <= 6; step += 2) run.append_metrics({{"phase", "train"}, {"epoch", e}, {"step", step}});
        run.append_metrics({{"phase", "epoch"}, {"epoch", e}});
        run.append_arch({{"epoch", e}, {"arch", "0 1"}});
    }
    run.append_metrics({{"note", "no epoch field"}});
    // 1 epoch and 4 steps of epoch 2 done: epoch 1's step-6 line, its epoch line and its arch go.
    CHECK(run.truncate_after_step(1, 4) == 3);
    const auto metrics = read_json_lines(tmp / "run" / "metrics.jsonl");
    REQUIRE(metrics.size() == 7);
    CHECK(metrics[5] == json{{"phase", "train"}, {"epoch", 1}, {"step", 4}});
    CHECK(metrics[6].at("note") == "no epoch field");
    CHECK(read_json_lines(tmp / "run" / "archs.jsonl").size() == 1);
}
