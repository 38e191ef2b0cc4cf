// CIFAR-10/100 binary loaders, load_dataset and the train/valid split: on the shared CIFAR-10
// copy, on Debian's Fashion-MNIST, and on synthetic good and bad files.
#include <array>

#include "data_test_support.hpp"
#include "enas/data/cifar.hpp"
#include "enas/data/datasets.hpp"
#include "enas/data/idx.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Records with the given label bytes (one vector per record); pixel p of record r is (r * 7 + p) & 255.
std::vector<std::uint8_t> cifar_records(const std::vector<std::vector<std::uint8_t>>& labels, int first_record = 0) {
    std::vector<std::uint8_t> b;
    for (std::size_t r = 0; r < labels.size(); ++r) {
        b.insert(b.end(), labels[r].begin(), labels[r].end());
        for (int p = 0; p < 3072; ++p)
            b.push_back(static_cast<std::uint8_t>((static_cast<int>(r) + first_record) * 7 + p));
    }
    return b;
}

std::array<int, 10> label_counts(const data::ImageDataset& ds) {
    std::array<int, 10> c{};
    for (auto l : ds.labels) ++c[static_cast<std::size_t>(l)];
    return c;
}

}  // namespace

TEST_CASE("CIFAR-10 loads from the shared copy with the published label counts", "[data][needs-cifar10]") {
    REQUIRE(test::missing_need("cifar10").empty());
    const fs::path dir = test::shared_data_dir() / "cifar10-jpeg75";
    const auto train = data::load_cifar10(dir, "train");
    REQUIRE(train.size() == 10000);  // the shared copy has data_batch_1.bin only
    REQUIRE((train.channels == 3 && train.height == 32 && train.width == 32 && train.num_classes == 10));
    REQUIRE(train.pixels.size() == 10000u * 3072u);
    REQUIRE(train.name == "cifar10/train");
    REQUIRE_THAT(train.description, Contains("1 of 5") && Contains("data_batch_1.bin"));
    REQUIRE(label_counts(train) == std::array<int, 10>{1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981});
    // The official first batch in official order: frog, truck, truck, deer, automobile, ...
    REQUIRE(std::vector<std::int32_t>(train.labels.begin(), train.labels.begin() + 5) ==
            std::vector<std::int32_t>{6, 9, 9, 4, 1});
    // The first pixels of the first two images (R plane, row 0), read independently of the loader.
    REQUIRE(std::vector<int>(train.pixels.begin(), train.pixels.begin() + 5) == std::vector<int>{61, 48, 56, 81, 107});
    REQUIRE(std::vector<int>(train.pixels.begin() + 3072, train.pixels.begin() + 3077) ==
            std::vector<int>{169, 138, 91, 94, 124});

    const auto test = data::load_cifar10(dir, "test");
    REQUIRE(test.size() == 10000);
    for (int c : label_counts(test)) REQUIRE(c == 1000);
    for (std::int64_t i = 0; i < 20; ++i) REQUIRE(test.labels[static_cast<std::size_t>(i)] == i % 10);  // round-robin

    // A single file is accepted too, and load_dataset gives the same thing.
    const auto single = data::load_cifar10(dir / "data_batch_1.bin", "train");
    REQUIRE(single.labels == train.labels);
    REQUIRE(single.pixels == train.pixels);
    const auto via_name = data::load_dataset("cifar10", dir, "test");
    REQUIRE(via_name.labels == test.labels);

    // Statistics of the training split, close to CIFAR-10's well-known ones.
    const auto stats = data::channel_stats(train);
    REQUIRE(stats.mean[0] == Approx(0.4914).margin(0.01));
    REQUIRE(stats.mean[1] == Approx(0.4822).margin(0.01));
    REQUIRE(stats.mean[2] == Approx(0.4465).margin(0.01));
    REQUIRE(stats.stddev[0] == Approx(0.2470).margin(0.01));

    // The reference's split: the last images are the validation set.
    const auto split = data::split_train_valid(train, 1000);
    REQUIRE(split.train.size() == 9000);
    REQUIRE(split.valid.size() == 1000);
    REQUIRE(split.valid.labels.front() == train.labels[9000]);
    REQUIRE(std::equal(split.valid.pixels.begin(), split.valid.pixels.end(), train.pixels.begin() + 9000 * 3072));
}

TEST_CASE("CIFAR-10 training batches are concatenated in order, those present", "[data]") {
    test::TempDir tmp("cifar10-multi");
    test::write_bytes(tmp.path / "data_batch_1.bin", cifar_records({{3}, {1}, {4}}));
    test::write_bytes(tmp.path / "data_batch_3.bin", cifar_records({{1}, {5}}, 3));
    const auto ds = data::load_cifar10(tmp.path, "train");
    REQUIRE(ds.labels == std::vector<std::int32_t>{3, 1, 4, 1, 5});
    for (int r = 0; r < 5; ++r)
        for (int p : {0, 1, 3071})
            REQUIRE(ds.pixels[static_cast<std::size_t>(r * 3072 + p)] == static_cast<std::uint8_t>(r * 7 + p));
    REQUIRE_THAT(ds.description, Contains("2 of 5") && Contains("data_batch_1.bin, data_batch_3.bin"));
}

TEST_CASE("CIFAR-100 uses the fine label and checks both", "[data]") {
    test::TempDir tmp("cifar100");
    test::write_bytes(tmp.path / "train.bin", cifar_records({{19, 99}, {0, 42}, {7, 0}}));
    const auto ds = data::load_dataset("cifar100", tmp.path, "train");
    REQUIRE(ds.labels == std::vector<std::int32_t>{99, 42, 0});
    REQUIRE(ds.num_classes == 100);
    REQUIRE(ds.pixels.size() == 3u * 3072u);
    REQUIRE(ds.pixels[3072 + 5] == static_cast<std::uint8_t>(7 + 5));
    ENAS_REQUIRE_THROWS(data::load_cifar100(tmp.path, "test"), IoError,
                        Contains((tmp.path / "test.bin").string()) && Contains("test.bin for the test split"));

    test::write_bytes(tmp.path / "fine.bin", cifar_records({{1, 2}, {3, 100}}));
    ENAS_REQUIRE_THROWS(data::load_cifar100(tmp.path / "fine.bin", "train"), FormatError,
                        Contains("fine.bin") && Contains("record 1 has label 100") && Contains("[0, 100)"));
    test::write_bytes(tmp.path / "coarse.bin", cifar_records({{20, 2}}));
    ENAS_REQUIRE_THROWS(data::load_cifar100(tmp.path / "coarse.bin", "train"), FormatError,
                        Contains("coarse.bin") && Contains("record 0 has coarse label 20") && Contains("[0, 20)"));
    // A CIFAR-10 file is not a whole number of CIFAR-100 records.
    test::write_bytes(tmp.path / "ten.bin", cifar_records({{1}, {2}}));
    ENAS_REQUIRE_THROWS(data::load_cifar100(tmp.path / "ten.bin", "train"), FormatError,
                        Contains("6146 bytes") && Contains("3074-byte record") && Contains("3072 bytes left over"));
}

TEST_CASE("Bad CIFAR files and folders give errors naming the file and what was expected", "[data]") {
    test::TempDir tmp("cifar-bad");
    const fs::path none = tmp.path / "no-such-folder";
    ENAS_REQUIRE_THROWS(data::load_cifar10(none, "train"), IoError,
                        Contains(none.string()) && Contains("data_batch_1.bin"));
    ENAS_REQUIRE_THROWS(data::load_cifar10(tmp.path, "train"), IoError,
                        Contains((tmp.path / "data_batch_1.bin").string()) && Contains("required"));
    ENAS_REQUIRE_THROWS(
        data::load_cifar10(tmp.path, "test"), IoError,
        Contains((tmp.path / "test_batch.bin").string()) && Contains("test_batch.bin for the test split"));
    ENAS_REQUIRE_THROWS(data::load_cifar10(tmp.path, "valid"), ValueError, Contains("'valid'"));

    // Truncated: two records less five bytes.
    auto two = cifar_records({{1}, {2}});
    two.resize(two.size() - 5);
    test::write_bytes(tmp.path / "data_batch_1.bin", two);
    ENAS_REQUIRE_THROWS(data::load_cifar10(tmp.path, "train"), FormatError,
                        Contains("data_batch_1.bin") && Contains("6141 bytes") && Contains("3073-byte record") &&
                            Contains("1 whole records and 3068 bytes left over"));
    // Wrong size: a record plus one stray byte.
    auto extra = cifar_records({{1}});
    extra.push_back(0);
    test::write_bytes(tmp.path / "test_batch.bin", extra);
    ENAS_REQUIRE_THROWS(data::load_cifar10(tmp.path, "test"), FormatError,
                        Contains("test_batch.bin") && Contains("3074 bytes") && Contains("1 bytes left over"));
    test::write_bytes(tmp.path / "empty.bin", {});
    ENAS_REQUIRE_THROWS(data::load_cifar10(tmp.path / "empty.bin", "test"), FormatError,
                        Contains("empty.bin") && Contains("is empty") && Contains("3073 bytes"));
    // Out-of-range label in record 2.
    test::write_bytes(tmp.path / "data_batch_1.bin", cifar_records({{0}, {9}, {10}}));
    ENAS_REQUIRE_THROWS(data::load_cifar10(tmp.path, "train"), FormatError,
                        Contains("data_batch_1.bin") && Contains("record 2 has label 10") && Contains("[0, 10)"));
    // A bad later batch is reported too, with its own name.
    test::write_bytes(tmp.path / "data_batch_1.bin", cifar_records({{0}}));
    test::write_bytes(tmp.path / "data_batch_2.bin", cifar_records({{255}}));
    ENAS_REQUIRE_THROWS(data::load_cifar10(tmp.path, "train"), FormatError,
                        Contains("data_batch_2.bin") && Contains("record 0 has label 255"));
}

TEST_CASE("load_dataset dispatches by name and reports bad names, folders and IDX files", "[data]") {
    test::TempDir tmp("load-dataset");
    ENAS_REQUIRE_THROWS(data::load_dataset("mnist", tmp.path, "train"), ValueError,
                        Contains("'mnist'") && Contains("cifar10, cifar100, fashion-mnist, folder"));
    ENAS_REQUIRE_THROWS(data::load_dataset("cifar10", "", "train"), ValueError,
                        Contains("no default folder") && Contains("cifar-10-batches-bin"));
    REQUIRE(data::dataset_names() == std::vector<std::string>{"cifar10", "cifar100", "fashion-mnist", "folder"});
    // Fashion-MNIST files with a bad IDX magic number.
    test::write_bytes(tmp.path / "train-images-idx3-ubyte", {1, 2, 8, 3, 0, 0, 0, 0});
    test::write_bytes(tmp.path / "train-labels-idx1-ubyte", {0, 0, 8, 1, 0, 0, 0, 0});
    ENAS_REQUIRE_THROWS(data::load_dataset("fashion-mnist", tmp.path, "train"), FormatError,
                        Contains("train-images-idx3-ubyte") && Contains("bad IDX magic") && Contains("expected 0 0"));
}

TEST_CASE("Fashion-MNIST through load_dataset with Debian's default folder", "[data][needs-fashion-mnist]") {
    REQUIRE(test::missing_need("fashion-mnist").empty());
    const auto train = data::load_dataset("fashion-mnist", "", "train");
    const auto test = data::load_dataset("fashion-mnist", "", "test");
    REQUIRE(train.size() == 60000);
    REQUIRE(test.size() == 10000);
    REQUIRE((train.channels == 1 && train.height == 28 && train.width == 28 && train.num_classes == 10));
    REQUIRE(train.pixels.size() == 60000u * 784u);
    REQUIRE_THAT(test.description, Contains("t10k-images-idx3-ubyte"));
    for (int c : label_counts(train)) REQUIRE(c == 6000);
    const auto split = data::split_train_valid(train, 5000);
    REQUIRE((split.train.size() == 55000 && split.valid.size() == 5000));
}

TEST_CASE("split_train_valid keeps the order and takes the last images as valid", "[data]") {
    const auto ds = test::numbered_dataset(10, 2, 3, 3);
    const auto s = data::split_train_valid(ds, 3);
    REQUIRE(s.train.size() == 7);
    REQUIRE(s.valid.size() == 3);
    REQUIRE(s.valid.labels == std::vector<std::int32_t>{0, 1, 2});  // images 7, 8, 9 (labels i % 7)
    REQUIRE(s.valid.pixels[0] == 7);
    REQUIRE(s.train.pixels.size() == 7u * 18u);
    REQUIRE((s.train.channels == 2 && s.valid.height == 3 && s.valid.num_classes == 7));
    REQUIRE(s.valid.name == "numbered[7:10]");
    const auto none = data::split_train_valid(ds, 0);
    REQUIRE(none.valid.size() == 0);
    REQUIRE(none.train.pixels == ds.pixels);
    ENAS_REQUIRE_THROWS(data::split_train_valid(ds, 10), ValueError,
                        Contains("10 validation images") && Contains("0 <= num_valid < 10"));
    ENAS_REQUIRE_THROWS(data::split_train_valid(ds, -1), ValueError, Contains("-1 validation images"));
}
