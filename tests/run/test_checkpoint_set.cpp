// CheckpointSet: keeps the newest K checkpoints, ignores leftover .tmp files and unrelated names,
// and falls back to the previous checkpoint (with a warning) when the newest is corrupt or
// truncated.
#include <catch2/catch.hpp>

#include "enas/run/checkpoint_set.hpp"
#include "train/train_test_utils.hpp"

using namespace enas;
using namespace enas::run;
using enas::test::TempDir;

namespace {
CheckpointWriter checkpoint_of_epoch(std::int64_t epoch) {
    CheckpointWriter w;
    w.add_json("meta", nlohmann::json{{"epoch", epoch}});
    w.add_values<float>("weights", std::vector<float>(1000, static_cast<float>(epoch)));
    return w;
}
}  // namespace

TEST_CASE("CheckpointSet keeps the newest K and loads the newest", "[train]") {
    TempDir dir;
    CheckpointSet set(dir / "checkpoints");  // created on the first save
    CHECK(set.keep_last() == 2);
    CHECK_FALSE(set.load_latest().has_value());
    CHECK(set.path_for(7) == dir / "checkpoints" / "ckpt-7.bin");
    for (std::int64_t e = 1; e <= 4; ++e) CHECK(set.save(e, checkpoint_of_epoch(e)) == set.path_for(e));
    CHECK(set.epochs() == std::vector<std::int64_t>{3, 4});
    const auto latest = set.load_latest();
    REQUIRE(latest.has_value());
    CHECK(latest->epoch == 4);
    CHECK(latest->warnings.empty());
    CHECK(latest->checkpoint.json("meta").at("epoch") == 4);
    CHECK(latest->checkpoint.values<float>("weights")[999] == 4.0f);

    CheckpointSet three(dir / "three", 3);
    for (std::int64_t e : {10, 2, 30, 4}) three.save(e, checkpoint_of_epoch(e));  // numeric, not text, order
    CHECK(three.epochs() == std::vector<std::int64_t>{4, 10, 30});
    three.remove_after(4);
    CHECK(three.epochs() == std::vector<std::int64_t>{4});
    CHECK_THROWS_AS(CheckpointSet(dir / "x", 0), ValueError);
}

TEST_CASE("CheckpointSet falls back to the previous checkpoint when the newest is damaged", "[train]") {
    TempDir dir;
    CheckpointSet set(dir.path());
    set.save(5, checkpoint_of_epoch(5));
    set.save(6, checkpoint_of_epoch(6));

    SECTION("a flipped byte") {
        enas::test::flip_byte(set.path_for(6), std::filesystem::file_size(set.path_for(6)) / 2);
        const auto latest = set.load_latest();
        REQUIRE(latest.has_value());
        CHECK(latest->epoch == 5);
        CHECK(latest->checkpoint.json("meta").at("epoch") == 5);
        REQUIRE(latest->warnings.size() == 1);
        CHECK_THAT(latest->warnings[0], Catch::Contains("ckpt-6.bin") && Catch::Contains("checksum mismatch"));
    }
    SECTION("a truncated file") {
        const std::string bytes = enas::test::read_file(set.path_for(6));
        enas::test::write_file(set.path_for(6), bytes.substr(0, bytes.size() / 3));
        const auto latest = set.load_latest();
        REQUIRE(latest.has_value());
        CHECK(latest->epoch == 5);
        REQUIRE(latest->warnings.size() == 1);
        CHECK_THAT(latest->warnings[0], Catch::Contains("ckpt-6.bin") && Catch::Contains("truncated"));
    }
    SECTION("every checkpoint damaged: an error listing each problem") {
        enas::test::write_file(set.path_for(5), "garbage");
        enas::test::write_file(set.path_for(6), "");
        CHECK_THROWS_AS(set.load_latest(), FormatError);
        CHECK_THROWS_WITH(set.load_latest(), Catch::Contains("no valid checkpoint") && Catch::Contains("ckpt-5.bin") &&
                                                 Catch::Contains("ckpt-6.bin"));
    }
}

TEST_CASE("leftover .tmp files and unrelated names are ignored, and pruned", "[train]") {
    TempDir dir;
    CheckpointSet set(dir.path());
    set.save(1, checkpoint_of_epoch(1));
    // An interrupted write of epoch 2 leaves only its temporary file behind.
    enas::test::write_file(dir / "ckpt-2.bin.tmp", "half a checkpoint");
    enas::test::write_file(dir / "ckpt-abc.bin", "not numbered");
    enas::test::write_file(dir / "ckpt-3.bin.bak", "a backup");
    enas::test::write_file(dir / "notes.txt", "keep me");
    CHECK(set.epochs() == std::vector<std::int64_t>{1});
    const auto latest = set.load_latest();
    REQUIRE(latest.has_value());
    CHECK(latest->epoch == 1);
    CHECK(latest->warnings.empty());

    set.prune();
    CHECK_FALSE(std::filesystem::exists(dir / "ckpt-2.bin.tmp"));
    CHECK(std::filesystem::exists(dir / "ckpt-abc.bin"));
    CHECK(std::filesystem::exists(dir / "notes.txt"));
    CHECK(std::filesystem::exists(set.path_for(1)));
}
