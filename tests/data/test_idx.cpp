#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "enas/data/idx.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {
fs::path temp_dir() {
    fs::path d = fs::temp_directory_path() / ("enas-idx-test-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}
void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& b) {
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
std::vector<std::uint8_t> idx_header(std::uint8_t rank, std::vector<std::uint32_t> dims) {
    std::vector<std::uint8_t> b = {0, 0, 0x08, rank};
    for (auto d : dims)
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
    return b;
}
}  // namespace

TEST_CASE("IDX files: plain and gzip'd round trip, and every malformation is named", "[data]") {
    const fs::path dir = temp_dir();
    auto good = idx_header(2, {2, 3});
    for (std::uint8_t v = 1; v <= 6; ++v) good.push_back(v);
    write_bytes(dir / "good.idx", good);
    const auto a = data::read_idx(dir / "good.idx");
    REQUIRE(a.dims == std::vector<std::int64_t>{2, 3});
    REQUIRE(a.values == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6});

    gzFile gz = gzopen((dir / "good.idx.gz").c_str(), "wb");
    gzwrite(gz, good.data(), static_cast<unsigned>(good.size()));
    gzclose(gz);
    REQUIRE(data::read_idx(dir / "good.idx.gz").values == a.values);

    auto truncated = good;
    truncated.pop_back();
    write_bytes(dir / "short.idx", truncated);
    ENAS_REQUIRE_THROWS(data::read_idx(dir / "short.idx"), FormatError,
                        Contains("short.idx") && Contains("5 data bytes, expected 6"));
    auto bad_magic = good;
    bad_magic[0] = 7;
    write_bytes(dir / "magic.idx", bad_magic);
    ENAS_REQUIRE_THROWS(data::read_idx(dir / "magic.idx"), FormatError, Contains("magic"));
    auto bad_type = good;
    bad_type[2] = 0x0D;
    write_bytes(dir / "type.idx", bad_type);
    ENAS_REQUIRE_THROWS(data::read_idx(dir / "type.idx"), FormatError, Contains("unsigned byte"));
    ENAS_REQUIRE_THROWS(data::read_idx(dir / "missing.idx"), IoError, Contains("missing.idx"));
    ENAS_REQUIRE_THROWS(data::load_fashion_mnist(dir, "train"), IoError,
                        Contains("train-images-idx3-ubyte") && Contains("dataset-fashion-mnist"));
    ENAS_REQUIRE_THROWS(data::load_fashion_mnist(dir, "valid"), ValueError, Contains("'valid'"));

    // A label outside [0, 10) is reported with its record.
    auto images = idx_header(3, {1, 1, 1});
    images.push_back(0);
    write_bytes(dir / "train-images-idx3-ubyte", images);
    auto labels = idx_header(1, {1});
    labels.push_back(12);
    write_bytes(dir / "train-labels-idx1-ubyte", labels);
    ENAS_REQUIRE_THROWS(data::load_fashion_mnist(dir, "train"), FormatError, Contains("label 12 of record 0"));
    fs::remove_all(dir);
}

TEST_CASE("Debian's Fashion-MNIST loads with the published sizes and class balance", "[data]") {
    const fs::path dir = data::kDebianFashionMnistDir;
    const auto train = data::load_fashion_mnist(dir, "train");
    const auto test = data::load_fashion_mnist(dir, "test");
    REQUIRE(train.size() == 60000);
    REQUIRE(test.size() == 10000);
    REQUIRE((train.height == 28 && train.width == 28 && train.channels == 1));
    std::vector<int> counts(10, 0);
    for (auto l : test.labels) ++counts[static_cast<std::size_t>(l)];
    for (int c : counts) REQUIRE(c == 1000);
    const auto stats = data::channel_stats(train);
    REQUIRE(stats.mean[0] == Approx(0.2860).margin(0.001));  // Fashion-MNIST's well-known mean
    Tensor<float, Cpu> x({2, 1, 28, 28});
    Tensor<std::int32_t, Cpu> y({2});
    data::gather_batch(train, {0, 59999}, stats, x, y);
    REQUIRE(y.data()[0] == train.labels[0]);
    ENAS_REQUIRE_THROWS(data::gather_batch(train, {60000, 0}, stats, x, y), ValueError, Contains("60000"));
}
