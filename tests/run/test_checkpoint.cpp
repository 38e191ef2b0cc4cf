// Checkpoint files: exact round trip of every dtype and shape (empty, rank 0, rank 1, rank 6),
// JSON and blobs; damaged files (a flipped byte, truncation, trailing bytes, wrong magic) and
// missing files fail with errors naming the file and the problem; atomic replacement.
#include <zlib.h>

#include <cstring>

#include <catch2/catch.hpp>

#include "enas/run/atomic_file.hpp"
#include "enas/run/checkpoint.hpp"
#include "test_utils.hpp"
#include "train/train_test_utils.hpp"

using namespace enas;
using namespace enas::run;
using enas::test::TempDir;

namespace {

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// A checkpoint with several entries; 'child/w3' is big enough to cut in the middle.
CheckpointWriter sample_writer(Rng& rng) {
    CheckpointWriter w;
    w.add_tensor("child/w1", enas::test::random_tensor<float>(Shape{4, 3}, rng));
    w.add_json("meta", nlohmann::json{{"epoch", 3}, {"arch", "0 1 2"}});
    w.add_tensor("child/w3", enas::test::random_tensor<float>(Shape{64, 64}, rng));
    w.add_blob("rng", std::string("\x01\x00\x02", 3));
    return w;
}

}  // namespace

TEST_CASE("checkpoint round trip: every dtype and shape, JSON and blobs, bit-exact", "[train]") {
    TempDir dir;
    Rng rng(7);
    const auto f32 = enas::test::random_tensor<float>(Shape{2, 3, 4}, rng);
    const auto f64 = enas::test::random_tensor<double>(Shape{5}, rng);
    const auto i32 = Tensor<std::int32_t, Cpu>::from_vector(Shape{3, 2}, {-7, 0, 1, 2147483647, -2147483647 - 1, 42});
    const auto scalar = Tensor<float, Cpu>::from_vector(Shape{}, {3.25f});
    const auto empty = Tensor<float, Cpu>(Shape{0});
    const auto empty3 = Tensor<std::int32_t, Cpu>(Shape{3, 0, 2});
    const auto rank6 = enas::test::random_tensor<double>(Shape{1, 2, 1, 3, 1, 2}, rng);
    // A strided view is stored as its logical (row-major) values.
    const auto big = enas::test::random_tensor<float>(Shape{4, 6}, rng);
    const auto strided = big.narrow(1, 2, 3);
    const nlohmann::json meta = {{"epoch", 12}, {"lr", 0.0125}, {"arch", {1, 2, 3}}, {"name", "micro"}};
    const std::string bytes("\x00\xff\x10zero\x00end", 11);

    CheckpointWriter w;
    w.add_tensor("f32", f32);
    w.add_tensor("f64", f64);
    w.add_tensor("i32", i32);
    w.add_tensor("scalar", scalar);
    w.add_tensor("empty", empty);
    w.add_tensor("empty3", empty3);
    w.add_tensor("rank6", rank6);
    w.add_tensor("strided", strided);
    w.add_values<double>("vector", {1.5, -2.5});
    w.add_values<std::int32_t>("matrix", {1, 2, 3, 4, 5, 6}, Shape{2, 3});
    w.add_json("meta", meta);
    w.add_blob("bytes", bytes);
    w.add_blob("no bytes", std::string());
    const auto path = dir / "ckpt.bin";
    w.write(path);
    CHECK_FALSE(std::filesystem::exists(dir / "ckpt.bin.tmp"));

    const Checkpoint c = Checkpoint::read(path);
    REQUIRE(c.entries().size() == 13);
    CHECK(c.entries()[0].name == "f32");
    CHECK(c.entries()[12].name == "no bytes");
    CHECK(same_bits(c.values<float>("f32"), f32.to_vector()));
    CHECK(c.tensor<float>("f32").shape() == Shape{2, 3, 4});
    CHECK(same_bits(c.values<double>("f64"), f64.to_vector()));
    CHECK(same_bits(c.values<std::int32_t>("i32"), i32.to_vector()));
    CHECK(c.tensor<std::int32_t>("i32").shape() == Shape{3, 2});
    CHECK(c.tensor<float>("scalar").shape().rank() == 0);
    CHECK(c.tensor<float>("scalar").item() == 3.25f);
    CHECK(c.tensor<float>("empty").shape() == Shape{0});
    CHECK(c.tensor<std::int32_t>("empty3").shape() == Shape{3, 0, 2});
    CHECK(c.tensor<double>("rank6").shape() == Shape{1, 2, 1, 3, 1, 2});
    CHECK(same_bits(c.values<double>("rank6"), rank6.to_vector()));
    CHECK(same_bits(c.values<float>("strided"), strided.to_vector()));
    CHECK(c.tensor<float>("strided").shape() == Shape{4, 3});
    CHECK(c.values<double>("vector") == std::vector<double>{1.5, -2.5});
    CHECK(c.tensor<std::int32_t>("matrix").shape() == Shape{2, 3});
    CHECK(c.json("meta") == meta);
    CHECK(c.blob("bytes") == bytes);
    CHECK(c.blob("no bytes").empty());
    CHECK(c.entry("f64").dtype == DType::float64);
    CHECK(c.entry("meta").kind == EntryKind::json);

    // restore() into an existing tensor, including a strided destination.
    Tensor<float, Cpu> into(Shape{2, 3, 4});
    c.restore("f32", into);
    CHECK(same_bits(into.to_vector(), f32.to_vector()));
    auto host = Tensor<float, Cpu>::zeros(Shape{4, 6});
    auto window = host.narrow(1, 2, 3);
    c.restore("strided", window);
    CHECK(same_bits(window.to_vector(), strided.to_vector()));
    CHECK(host.data()[0] == 0.0f);  // outside the window: untouched
    auto second = Tensor<float, Cpu>::zeros(Shape{4, 6});
    c.restore("strided", second.narrow(1, 0, 3));  // a temporary view
    CHECK(same_bits(second.narrow(1, 0, 3).to_vector(), strided.to_vector()));
}

TEST_CASE("checkpoint lookups name the entry, the file, the shapes and the types", "[train]") {
    TempDir dir;
    Rng rng(1);
    const auto path = dir / "ckpt-3.bin";
    sample_writer(rng).write(path);
    const Checkpoint c = Checkpoint::read(path);

    CHECK_THROWS_AS(c.tensor<float>("child/w2"), FormatError);
    CHECK_THROWS_WITH(c.tensor<float>("child/w2"), Catch::Contains("no entry 'child/w2'") &&
                                                       Catch::Contains("'child/w1'") && Catch::Contains("'child/w3'") &&
                                                       Catch::Contains(path.string()));
    Tensor<float, Cpu> wrong(Shape{3, 4});
    CHECK_THROWS_AS(c.restore("child/w1", wrong), ShapeError);
    CHECK_THROWS_WITH(c.restore("child/w1", wrong), Catch::Contains("[4, 3]") && Catch::Contains("[3, 4]"));
    CHECK_THROWS_WITH(c.values<double>("child/w1"),
                      Catch::Contains("float32 tensor") && Catch::Contains("float64 tensor"));
    CHECK_THROWS_WITH(c.blob("meta"), Catch::Contains("'meta' is a json"));

    CheckpointWriter w;
    w.add_blob("x", std::string("a"));
    CHECK_THROWS_WITH(w.add_blob("x", std::string("b")), Catch::Contains("duplicate entry 'x'"));
    CHECK_THROWS_AS(w.add_json("", nlohmann::json(1)), ValueError);
    CHECK_THROWS_AS(w.add_values<float>("v", {1.0f, 2.0f}, Shape{3}), ShapeError);
}

TEST_CASE("a flipped byte anywhere is detected", "[train]") {
    TempDir dir;
    Rng rng(2);
    const auto path = dir / "ckpt.bin";
    const auto pristine = [&] { sample_writer(rng).write(path); };

    pristine();
    const auto size = std::filesystem::file_size(path);
    enas::test::flip_byte(path, size / 2);  // inside child/w3's values
    CHECK_THROWS_AS(Checkpoint::read(path), FormatError);
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains(path.string()) && Catch::Contains("checksum mismatch"));

    pristine();
    enas::test::flip_byte(path, 13);  // entry count
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("corrupt header"));

    pristine();
    enas::test::flip_byte(path, 40);  // an entry's name / header
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("checksum mismatch"));

    pristine();
    enas::test::flip_byte(path, size - 1);  // the stored checksum itself
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("checksum mismatch"));

    pristine();
    CHECK_NOTHROW(Checkpoint::read(path));
}

TEST_CASE("truncation is reported with the entry that was cut and the byte counts", "[train]") {
    TempDir dir;
    Rng rng(3);
    const auto path = dir / "ckpt-3.bin";
    sample_writer(rng).write(path);
    const std::string full = enas::test::read_file(path);
    const Checkpoint c = Checkpoint::read(path);
    const CheckpointEntry w3 = c.entry("child/w3");
    REQUIRE(w3.bytes == 64 * 64 * 4);

    // Cut 100 bytes into child/w3's values.
    enas::test::write_file(path, full.substr(0, w3.offset + 100));
    CHECK_THROWS_AS(Checkpoint::read(path), FormatError);
    CHECK_THROWS_WITH(Checkpoint::read(path),
                      Catch::Contains("checkpoint " + path.string() + ": truncated") &&
                          Catch::Contains("expected 16384 bytes of tensor 'child/w3', found 100"));
    // Cut inside an entry header.
    enas::test::write_file(path, full.substr(0, w3.offset - 3));
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("truncated") && Catch::Contains("after 'meta'"));
    // Only the final checksum missing.
    enas::test::write_file(path, full.substr(0, full.size() - 2));
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("final checksum is missing"));
    // Less than a header.
    enas::test::write_file(path, full.substr(0, 10));
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("truncated") && Catch::Contains("header"));
    enas::test::write_file(path, "");
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("empty file"));
    // Extra bytes after the end.
    enas::test::write_file(path, full + "xyz");
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("3 unexpected bytes"));
    // Not a checkpoint at all.
    enas::test::write_file(path, "{\"epoch\": 3}\n plain text that is long enough");
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("not an enas checkpoint"));
}

TEST_CASE("a missing checkpoint raises IoError naming the path", "[train]") {
    TempDir dir;
    const auto path = dir / "nowhere" / "ckpt-1.bin";
    CHECK_THROWS_AS(Checkpoint::read(path), IoError);
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains(path.string()));
    // Writing into a folder that does not exist fails cleanly, naming the file.
    CheckpointWriter w;
    w.add_json("x", 1);
    CHECK_THROWS_AS(w.write(path), IoError);
    CHECK_THROWS_WITH(w.write(path), Catch::Contains(path.string()));
}

TEST_CASE("writes are atomic: a replaced checkpoint is either old or new, and no .tmp remains", "[train]") {
    TempDir dir;
    const auto path = dir / "ckpt.bin";
    CheckpointWriter first;
    first.add_json("version", 1);
    first.write(path);
    CheckpointWriter second;
    second.add_json("version", 2);
    second.write(path);
    CHECK(Checkpoint::read(path).json("version") == 2);
    CHECK_FALSE(std::filesystem::exists(dir / "ckpt.bin.tmp"));

    // A writer abandoned before commit (an exception mid-write) leaves the old file and no .tmp.
    {
        AtomicFileWriter abandoned(path);
        abandoned.write("partial");
        CHECK(std::filesystem::exists(abandoned.temporary_path()));
    }
    CHECK(Checkpoint::read(path).json("version") == 2);
    CHECK_FALSE(std::filesystem::exists(dir / "ckpt.bin.tmp"));

    // Blobs carry whole files (a controller state) both ways.
    enas::test::write_file(dir / "controller.state", std::string("ENASCTRL\0\x01 state", 16));
    CheckpointWriter w;
    w.add_blob_from_file("controller", dir / "controller.state");
    w.write(path);
    Checkpoint::read(path).blob_to_file("controller", dir / "restored.state");
    CHECK(enas::test::read_file(dir / "restored.state") == enas::test::read_file(dir / "controller.state"));
    CHECK_THROWS_AS(w.add_blob_from_file("missing", dir / "missing.state"), IoError);
}

TEST_CASE("writing to a full disk raises IoError and leaves nothing behind", "[train]") {
    // /dev/full accepts opens and fails every write with ENOSPC.
    REQUIRE(std::filesystem::exists("/dev/full"));
    // The temporary is "<path>.tmp", so point that name at /dev/full.
    TempDir dir;
    std::filesystem::create_symlink("/dev/full", dir / "ckpt.bin.tmp");
    CheckpointWriter w;
    w.add_blob("payload", std::string(4 << 20, 'x'));
    CHECK_THROWS_AS(w.write(dir / "ckpt.bin"), IoError);
    std::filesystem::create_symlink("/dev/full", dir / "ckpt.bin.tmp");
    CHECK_THROWS_WITH(w.write(dir / "ckpt.bin"),
                      Catch::Contains("No space left on device") && Catch::Contains((dir / "ckpt.bin").string()));
    CHECK_FALSE(std::filesystem::exists(dir / "ckpt.bin"));
}

TEST_CASE("dimensions whose product overflows are rejected, not multiplied (a fuzz finding)", "[train]") {
    TempDir dir;
    const auto path = dir / "ckpt.bin";
    CheckpointWriter w;
    w.add_tensor("w", Tensor<float, Cpu>(Shape{2, 2}));
    w.write(path);
    std::string bytes = enas::test::read_file(path);
    // header (28 bytes), then kind, dtype, u16, u32 name length, "w", u32 rank, i64 dims[2].
    const std::size_t dims_at = 28 + 1 + 1 + 2 + 4 + 1 + 4;
    const std::int64_t huge[2] = {std::int64_t{1} << 62, std::int64_t{1} << 62};
    std::int64_t before[2];
    std::memcpy(before, bytes.data() + dims_at, sizeof before);
    REQUIRE(before[0] == 2);
    REQUIRE(before[1] == 2);
    std::memcpy(bytes.data() + dims_at, huge, sizeof huge);
    // A valid checksum over the forged bytes, so the reader gets as far as the shape.
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
    std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
    enas::test::write_file(path, bytes);
    CHECK_THROWS_AS(Checkpoint::read(path), FormatError);
    CHECK_THROWS_WITH(Checkpoint::read(path), Catch::Contains("has shape") && Catch::Contains("16 payload bytes"));
}
