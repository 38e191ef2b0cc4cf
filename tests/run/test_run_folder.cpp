// Run folders: refuse / force / resume semantics, atomic config and summary, JSON-lines appends,
// truncation of metrics on resume (a resumed run ends byte-identical to an uninterrupted one),
// torn last lines, unwritable folders and full disks.
#include <catch2/catch.hpp>

#include "enas/run/run_folder.hpp"
#include "train/train_test_utils.hpp"

using namespace enas;
using namespace enas::run;
using enas::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
// What a run logs in epoch `e`: two step lines and an epoch line, plus two sampled archs.
void log_epoch(RunFolder& run, std::int64_t e) {
    run.append_metrics({{"epoch", e}, {"step", 2 * e}, {"loss", 1.0 / (1.0 + static_cast<double>(e))}});
    run.append_metrics({{"epoch", e}, {"step", 2 * e + 1}, {"loss", 0.5 / (1.0 + static_cast<double>(e))}});
    run.append_metrics({{"epoch", e}, {"valid_accuracy", 0.1 * static_cast<double>(e)}});
    run.append_arch({{"epoch", e}, {"arch", "0 1 " + std::to_string(e)}, {"reward", 0.25}});
    run.append_arch({{"epoch", e}, {"arch", "1 0 " + std::to_string(e)}, {"reward", 0.5}});
}
}  // namespace

TEST_CASE("a fresh run folder is created with its parents and its files", "[train]") {
    TempDir tmp;
    const fs::path out = tmp / "a" / "b" / "run";
    RunFolder run(out, RunFolderMode::fresh);
    CHECK(fs::is_directory(out));
    CHECK(fs::is_regular_file(out / "metrics.jsonl"));
    CHECK(fs::is_regular_file(out / "archs.jsonl"));
    CHECK(fs::is_directory(run.checkpoint_folder()));
    CHECK_FALSE(fs::exists(out / ".enas-write-test"));

    const json config = {{"space", "macro"}, {"epochs", 3}, {"lr", {{"kind", "sgdr"}, {"lr_max", 0.05}}}};
    run.write_config(config);
    CHECK(run.read_config() == config);
    CHECK_FALSE(fs::exists(out / "config.json.tmp"));
    run.append_metrics({{"epoch", 0}, {"loss", 2.3}});
    run.write_summary({{"best_arch", "0 1"}, {"test_accuracy", 0.5}});
    CHECK(read_json_file(out / "summary.json").at("best_arch") == "0 1");
    run.write_text("best_arch.txt", "0 1\n");
    CHECK(enas::test::read_file(out / "best_arch.txt") == "0 1\n");
    const auto lines = read_json_lines(out / "metrics.jsonl");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].at("loss") == 2.3);
    // Every line is flushed as it is appended: a second reader sees it at once.
    CHECK(enas::test::read_file(out / "metrics.jsonl") == "{\"epoch\":0,\"loss\":2.3}\n");

    // An existing but empty folder is fine too.
    fs::create_directories(tmp / "empty");
    CHECK_NOTHROW(RunFolder(tmp / "empty", RunFolderMode::fresh));
}

TEST_CASE("an existing non-empty folder is refused unless resume or force", "[train]") {
    TempDir tmp;
    const fs::path out = tmp / "run";
    {
        RunFolder run(out, RunFolderMode::fresh);
        run.write_config({{"seed", 1}});
        log_epoch(run, 0);
    }
    enas::test::write_file(out / "notes.txt", "mine");
    CHECK_THROWS_AS(RunFolder(out, RunFolderMode::fresh), IoError);
    CHECK_THROWS_WITH(RunFolder(out, RunFolderMode::fresh),
                      Catch::Contains(out.string()) && Catch::Contains("not empty") && Catch::Contains("--resume") &&
                          Catch::Contains("--force"));
    CHECK(read_json_lines(out / "metrics.jsonl").size() == 3);  // refusing touched nothing

    SECTION("resume keeps the files and appends") {
        RunFolder run(out, RunFolderMode::resume);
        CHECK(run.read_config().at("seed") == 1);
        log_epoch(run, 1);
        CHECK(read_json_lines(out / "metrics.jsonl").size() == 6);
        CHECK(read_json_lines(out / "archs.jsonl").size() == 4);
    }
    SECTION("force starts over but leaves files it does not own") {
        enas::test::write_file(out / "checkpoints" / "ckpt-0.bin", "old");
        RunFolder run(out, RunFolderMode::force);
        CHECK(read_json_lines(out / "metrics.jsonl").empty());
        CHECK(read_json_lines(out / "archs.jsonl").empty());
        CHECK_FALSE(fs::exists(out / "config.json"));
        CHECK_FALSE(fs::exists(out / "checkpoints" / "ckpt-0.bin"));
        CHECK(fs::is_directory(out / "checkpoints"));
        CHECK(enas::test::read_file(out / "notes.txt") == "mine");
    }
    SECTION("resume of a folder that does not exist") {
        CHECK_THROWS_WITH(RunFolder(tmp / "other", RunFolderMode::resume),
                          Catch::Contains("cannot resume") && Catch::Contains((tmp / "other").string()));
    }
}

TEST_CASE("unusable output folders raise IoError naming the folder", "[train]") {
    TempDir tmp;
    enas::test::write_file(tmp / "file", "x");
    CHECK_THROWS_AS(RunFolder(tmp / "file", RunFolderMode::fresh), IoError);
    CHECK_THROWS_WITH(RunFolder(tmp / "file", RunFolderMode::force), Catch::Contains("is not a folder"));
    // A parent that is a file: the folder cannot be created.
    CHECK_THROWS_AS(RunFolder(tmp / "file" / "run", RunFolderMode::fresh), IoError);
    CHECK_THROWS_WITH(RunFolder(tmp / "file" / "run", RunFolderMode::fresh),
                      Catch::Contains((tmp / "file" / "run").string()));
    CHECK_THROWS_AS(RunFolder("", RunFolderMode::fresh), ValueError);
}

TEST_CASE("resuming drops the lines logged after the checkpoint: same files as an uninterrupted run", "[train]") {
    TempDir tmp;
    // Uninterrupted: epochs 0..4.
    {
        RunFolder run(tmp / "straight", RunFolderMode::fresh);
        for (int e = 0; e <= 4; ++e) log_epoch(run, e);
    }
    // Interrupted during epoch 3 after the checkpoint of epoch 2: some of epoch 3's lines were
    // written, the last one torn by the crash.
    {
        RunFolder run(tmp / "resumed", RunFolderMode::fresh);
        for (int e = 0; e <= 2; ++e) log_epoch(run, e);
        run.append_metrics({{"epoch", 3}, {"step", 6}, {"loss", 9.0}});
        run.append_arch({{"epoch", 3}, {"arch", "stale"}});
    }
    {
        std::ofstream torn(tmp / "resumed" / "metrics.jsonl", std::ios::app);
        torn << "{\"epoch\":3,\"st";
    }
    {
        RunFolder run(tmp / "resumed", RunFolderMode::resume);
        // The torn line was cut when the folder was opened; epoch 3's metrics and arch lines go now.
        CHECK(run.truncate_after_epoch(2) == 2);
        for (int e = 3; e <= 4; ++e) log_epoch(run, e);
    }
    for (const char* name : {"metrics.jsonl", "archs.jsonl"}) {
        INFO(name);
        CHECK(enas::test::read_file(tmp / "resumed" / name) == enas::test::read_file(tmp / "straight" / name));
    }
    CHECK(read_json_lines(tmp / "resumed" / "metrics.jsonl").size() == 15);

    // Lines without the epoch field are kept; a custom key works.
    RunFolder run(tmp / "keys", RunFolderMode::fresh);
    run.append_metrics({{"note", "header"}});
    run.append_metrics({{"round", 1}});
    run.append_metrics({{"round", 2}});
    CHECK(run.truncate_after_epoch(1, "round") == 1);
    const auto lines = read_json_lines(tmp / "keys" / "metrics.jsonl");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].at("note") == "header");
    run.append_metrics({{"round", 2}});  // appending after truncation still works
    CHECK(read_json_lines(tmp / "keys" / "metrics.jsonl").size() == 3);
}

TEST_CASE("JSON lines: torn last lines are cut on open, bad lines are reported, full disks raise", "[train]") {
    TempDir tmp;
    enas::test::write_file(tmp / "m.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"a\":");
    CHECK(read_json_lines(tmp / "m.jsonl").size() == 2);  // the torn line is ignored when reading
    JsonLinesFile file(tmp / "m.jsonl");
    file.append({{"a", 3}});
    CHECK(enas::test::read_file(tmp / "m.jsonl") == "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");

    enas::test::write_file(tmp / "bad.jsonl", "{\"a\":1}\nnot json\n");
    CHECK_THROWS_AS(read_json_lines(tmp / "bad.jsonl"), FormatError);
    CHECK_THROWS_WITH(read_json_lines(tmp / "bad.jsonl"), Catch::Contains((tmp / "bad.jsonl").string() + ":2"));
    CHECK_THROWS_AS(read_json_lines(tmp / "missing.jsonl"), IoError);

    REQUIRE(fs::exists("/dev/full"));  // accepts opens, fails every write with ENOSPC
    JsonLinesFile full("/dev/full");
    CHECK_THROWS_AS(full.append({{"a", 1}}), IoError);
    CHECK_THROWS_WITH(full.append({{"a", 1}}), Catch::Contains("/dev/full") && Catch::Contains("No space left"));

    const auto diff =
        json_differences({{"lr", 0.05}, {"seed", 1}, {"arch", {1, 2}}}, {{"lr", 0.1}, {"seed", 1}, {"arch", {1, 3}}});
    REQUIRE(diff.size() == 2);
    CHECK_THAT(diff[0], Catch::Contains("/arch") && Catch::Contains("[1,2] vs [1,3]"));
    CHECK_THAT(diff[1], Catch::Contains("/lr") && Catch::Contains("0.05 vs 0.1"));
    CHECK(json_differences({{"a", 1}}, {{"a", 1}}).empty());
    CHECK(json_differences({{"a", 1}}, {{"b", 1}}).size() == 2);
}
