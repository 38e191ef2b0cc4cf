// Image-folder datasets (data/image_folder.hpp) and their codec: generated PNG and JPEG folders
// (grey and colour, two sizes) load with the right labels and pixels (exact for PNG, within JPEG
// tolerance of the encoder's input), the resize filter's weights, and every bad input's message.
#include <zlib.h>

#include <algorithm>
#include <cstdlib>

#include "data_test_support.hpp"
#include "enas/data/datasets.hpp"
#include "enas/data/image_folder.hpp"
#include "enas/data/image_folder_codec.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// A smooth image (so JPEG keeps it close): base + gradient, distinct per `id`.
data::DecodedImage smooth_image(int id, std::int64_t channels, std::int64_t size) {
    data::DecodedImage img{channels, size, size, {}};
    for (std::int64_t y = 0; y < size; ++y)
        for (std::int64_t x = 0; x < size; ++x)
            for (std::int64_t c = 0; c < channels; ++c)
                img.pixels.push_back(static_cast<std::uint8_t>(20 + 30 * id + 2 * x + y + 15 * c));
    return img;
}

struct Written {
    data::DecodedImage image;
    std::string class_name;
    bool jpeg = false;
};

// DIR/<split>/<class>/<name>: PNG or JPEG of smooth_image(id).
Written write_image(const fs::path& dir, const std::string& cls, const std::string& name, int id, std::int64_t channels,
                    std::int64_t size) {
    fs::create_directories((dir / cls / name).parent_path());
    Written w{smooth_image(id, channels, size), cls, name.ends_with(".jpg")};
    if (w.jpeg)
        data::write_jpeg(dir / cls / name, w.image, 95);
    else
        data::write_png(dir / cls / name, w.image);
    return w;
}

// Image n of `ds` in HWC order.
std::vector<std::uint8_t> hwc(const data::ImageDataset& ds, std::int64_t n) {
    std::vector<std::uint8_t> out;
    const std::int64_t plane = ds.height * ds.width;
    for (std::int64_t p = 0; p < plane; ++p)
        for (std::int64_t c = 0; c < ds.channels; ++c)
            out.push_back(ds.pixels[static_cast<std::size_t>((n * ds.channels + c) * plane + p)]);
    return out;
}

int max_diff(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    int m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(int(a[i]) - int(b[i])));
    return m;
}

// Every loaded image matches exactly one written one (exactly for PNG, within 6 for JPEG), with
// the label of its class.
void require_matches(const data::ImageDataset& ds, const std::vector<Written>& written) {
    REQUIRE(ds.size() == static_cast<std::int64_t>(written.size()));
    std::vector<int> hits(written.size(), 0);
    for (std::int64_t n = 0; n < ds.size(); ++n) {
        const std::vector<std::uint8_t> got = hwc(ds, n);
        std::size_t best = 0;
        int best_diff = 256;
        for (std::size_t k = 0; k < written.size(); ++k) {
            const int d = max_diff(got, written[k].image.pixels);
            if (d < best_diff) best = k, best_diff = d;
        }
        INFO("image " << n << " closest to written image " << best << ", max difference " << best_diff);
        REQUIRE(best_diff <= (written[best].jpeg ? 6 : 0));
        REQUIRE(ds.class_names[static_cast<std::size_t>(ds.labels[static_cast<std::size_t>(n)])] ==
                written[best].class_name);
        ++hits[best];
    }
    REQUIRE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
}

}  // namespace

TEST_CASE("a colour image folder of PNG and JPEG loads with sorted classes, labels and pixels", "[data]") {
    test::TempDir tmp("folder-rgb");
    std::vector<Written> train, test;
    // Created out of order: the classes are numbered by sorted name, as torchvision's ImageFolder.
    train.push_back(write_image(tmp.path / "train", "zebra", "a.png", 0, 3, 8));
    train.push_back(write_image(tmp.path / "train", "zebra", "sub/b.jpg", 1, 3, 8));
    train.push_back(write_image(tmp.path / "train", "cat", "c.PNG", 2, 3, 8));
    train.push_back(write_image(tmp.path / "train", "cat", "d.jpg", 3, 3, 8));
    train.push_back(write_image(tmp.path / "train", "cat", "e.png", 4, 3, 8));
    test.push_back(write_image(tmp.path / "test", "zebra", "f.jpg", 5, 3, 8));
    test::write_bytes(tmp.path / "train" / "cat" / "notes.txt", {'h', 'i'});  // skipped: not an image

    const data::ImageDataset tr = data::load_dataset("folder", tmp.path, "train");
    REQUIRE(tr.class_names == std::vector<std::string>{"cat", "zebra"});
    REQUIRE(tr.num_classes == 2);
    REQUIRE((tr.channels == 3 && tr.height == 8 && tr.width == 8));
    require_matches(tr, train);
    const data::ImageDataset te = data::load_dataset("folder", tmp.path, "test");
    REQUIRE(te.class_names == tr.class_names);
    require_matches(te, test);
    REQUIRE(te.labels == std::vector<std::int32_t>{1});

    // The stored order is fixed: a second load is identical (the validation split is reproducible).
    const data::ImageDataset again = data::load_dataset("folder", tmp.path, "train");
    REQUIRE(again.pixels == tr.pixels);
    REQUIRE(again.labels == tr.labels);
}

TEST_CASE("a grey folder of two sizes loads resized to --image-size", "[data]") {
    test::TempDir tmp("folder-grey");
    std::vector<Written> train;
    train.push_back(write_image(tmp.path / "train", "one", "a.png", 0, 1, 6));
    train.push_back(write_image(tmp.path / "train", "two", "b.jpg", 1, 1, 6));
    // A 12x12 constant image: its 6x6 resize is the same constant.
    fs::create_directories(tmp.path / "train" / "two");
    data::write_png(tmp.path / "train" / "two" / "big.png",
                    data::DecodedImage{1, 12, 12, std::vector<std::uint8_t>(144, 77)});

    ENAS_REQUIRE_THROWS(data::load_dataset("folder", tmp.path, "train"), ValueError,
                        Contains("big.png' is 12x12") && Contains("pass --image-size N"));
    const data::ImageDataset ds = data::load_dataset("folder", tmp.path, "train", {6});
    REQUIRE((ds.channels == 1 && ds.height == 6 && ds.width == 6 && ds.size() == 3));
    train.push_back({data::DecodedImage{1, 6, 6, std::vector<std::uint8_t>(36, 77)}, "two", false});
    require_matches(ds, train);
    // No test folder: an empty test split with the training layout.
    const data::ImageDataset te = data::load_dataset("folder", tmp.path, "test", {6});
    REQUIRE((te.size() == 0 && te.channels == 1 && te.height == 6 && te.num_classes == 2));
    REQUIRE_THAT(te.description, Contains("no test folder"));
}

TEST_CASE("resize_image uses Pillow's antialiased bilinear weights", "[data]") {
    // 8 -> 4 columns: output 1 is centred on input 3 with weights 1/8, 3/8, 3/8, 1/8 over inputs 1..4
    // (the triangle's support doubled by the scale factor), so [0 0 80 0 160 0 0 0] gives
    // (0 + 3*80 + 3*0 + 160) / 8 = 50.
    data::DecodedImage row{1, 1, 8, {0, 0, 80, 0, 160, 0, 0, 0}};
    const data::DecodedImage half = data::resize_image(row, 1, 4);
    REQUIRE(half.pixels.size() == 4);
    REQUIRE(int(half.pixels[1]) == 50);
    // The same size is the identity; a constant stays constant in both directions.
    REQUIRE(data::resize_image(row, 1, 8).pixels == row.pixels);
    const data::DecodedImage flat{3, 5, 7, std::vector<std::uint8_t>(105, 200)};
    REQUIRE(data::resize_image(flat, 11, 3).pixels == std::vector<std::uint8_t>(99, 200));
    REQUIRE_THROWS_AS(data::resize_image(flat, 0, 3), ValueError);
}

TEST_CASE("bad image folders fail with a message naming the file or folder", "[data]") {
    test::TempDir tmp("folder-bad");
    const fs::path root = tmp.path;
    ENAS_REQUIRE_THROWS(data::load_image_folder(root / "missing", "train"), IoError,
                        Contains((root / "missing").string()) && Contains("does not exist"));
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), IoError, Contains("has no train/ subfolder"));
    fs::create_directories(root / "train");
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), ValueError, Contains("holds no class folders"));
    ENAS_REQUIRE_THROWS(data::load_dataset("folder", "", "train"), ValueError, Contains("--data DIR"));
    ENAS_REQUIRE_THROWS(data::load_dataset("fashion-mnist", "", "train", {28}), ValueError,
                        Contains("'folder' dataset only"));

    write_image(root / "train", "a", "x.png", 0, 3, 8);
    fs::create_directories(root / "train" / "b");
    test::write_bytes(root / "train" / "b" / "readme.txt", {'x'});
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), ValueError,
                        Contains((root / "train" / "b").string()) && Contains("holds no images"));

    // A grey image among colour ones.
    write_image(root / "train", "b", "grey.png", 1, 1, 8);
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), FormatError,
                        Contains("grey.png' has 1 channel(s) (grey)") && Contains("x.png' has 3 (colour)"));
    fs::remove(root / "train" / "b" / "grey.png");
    write_image(root / "train", "b", "ok.jpg", 2, 3, 8);
    REQUIRE(data::load_image_folder(root, "train").size() == 2);

    // Truncated PNG and JPEG files, and a file that is no image at all.
    const auto truncate = [](const fs::path& p) { fs::resize_file(p, fs::file_size(p) * 2 / 3); };
    write_image(root / "train", "b", "cut.png", 3, 3, 8);
    truncate(root / "train" / "b" / "cut.png");
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), FormatError,
                        Contains("cannot decode PNG '" + (root / "train" / "b" / "cut.png").string()));
    fs::remove(root / "train" / "b" / "cut.png");
    write_image(root / "train", "b", "cut.jpg", 3, 3, 8);
    truncate(root / "train" / "b" / "cut.jpg");
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), FormatError,
                        Contains("cannot decode JPEG '" + (root / "train" / "b" / "cut.jpg").string()) &&
                            Contains("corrupt or truncated"));
    fs::remove(root / "train" / "b" / "cut.jpg");
    test::write_bytes(root / "train" / "b" / "fake.png", {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0});
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), FormatError,
                        Contains("fake.png' is neither PNG nor JPEG"));
    fs::remove(root / "train" / "b" / "fake.png");
    test::write_bytes(root / "train" / "b" / "empty.jpg", {});
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "train"), FormatError, Contains("empty.jpg' is empty"));
    fs::remove(root / "train" / "b" / "empty.jpg");

    // A non-square first image without --image-size; a test class that training lacks.
    test::TempDir tmp2("folder-bad2");
    fs::create_directories(tmp2.path / "train" / "a");
    data::write_png(tmp2.path / "train" / "a" / "wide.png",
                    data::DecodedImage{1, 4, 6, std::vector<std::uint8_t>(24, 1)});
    ENAS_REQUIRE_THROWS(data::load_image_folder(tmp2.path, "train"), ValueError,
                        Contains("wide.png' is 6x4") && Contains("not square"));
    REQUIRE(data::load_image_folder(tmp2.path, "train", {4}).height == 4);
    write_image(root / "test", "c", "t.png", 4, 3, 8);
    ENAS_REQUIRE_THROWS(data::load_image_folder(root, "test"), ValueError,
                        Contains((root / "test" / "c").string()) && Contains("has no counterpart"));
}

TEST_CASE("an image header claiming more pixels than allowed is refused before any allocation", "[data]") {
    // A PNG whose IHDR says 60000 x 60000 (3.6 GB of grey pixels) and that has no pixel data:
    // found by tests/fuzz/fuzz_image_file, where the decoder allocated the buffer first.
    std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const auto chunk = [&](const char* kind, std::vector<std::uint8_t> payload) {
        const auto n = static_cast<std::uint32_t>(payload.size());
        for (int s = 24; s >= 0; s -= 8) png.push_back(static_cast<std::uint8_t>(n >> s));
        std::vector<std::uint8_t> body(kind, kind + 4);
        body.insert(body.end(), payload.begin(), payload.end());
        png.insert(png.end(), body.begin(), body.end());
        const auto crc = static_cast<std::uint32_t>(crc32(0, body.data(), static_cast<uInt>(body.size())));
        for (int s = 24; s >= 0; s -= 8) png.push_back(static_cast<std::uint8_t>(crc >> s));
    };
    const std::uint8_t side[4] = {0x00, 0x00, 0xEA, 0x60};  // 60000, big-endian
    std::vector<std::uint8_t> ihdr(side, side + 4);
    ihdr.insert(ihdr.end(), side, side + 4);
    ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // 8-bit grey
    chunk("IHDR", ihdr);
    std::vector<std::uint8_t> row(64, 0), idat(compressBound(64));  // a little data, far from enough
    uLongf idat_size = idat.size();
    REQUIRE(compress(idat.data(), &idat_size, row.data(), row.size()) == Z_OK);
    idat.resize(idat_size);
    chunk("IDAT", idat);
    chunk("IEND", {});
    test::TempDir tmp("folder-bomb");
    const fs::path file = tmp.path / "bomb.png";
    test::write_bytes(file, png);
    ENAS_REQUIRE_THROWS(data::decode_image(file), FormatError,
                        Contains("bomb.png' is 60000x60000 pixels, more than the 89478485"));
    ENAS_REQUIRE_THROWS(data::read_image_header(file), FormatError, Contains("more than the 89478485"));
}

TEST_CASE("load_image_files decodes files for a model's layout and names a mismatching one", "[data]") {
    test::TempDir tmp("folder-files");
    const Written a = write_image(tmp.path, "x", "a.png", 0, 3, 8);
    write_image(tmp.path, "x", "g.png", 1, 1, 8);
    const data::ImageDataset ds = data::load_image_files({tmp.path / "x" / "a.png"}, 3, 8);
    REQUIRE(hwc(ds, 0) == a.image.pixels);
    REQUIRE(data::find_image_files(tmp.path) ==
            std::vector<fs::path>{tmp.path / "x" / "a.png", tmp.path / "x" / "g.png"});
    ENAS_REQUIRE_THROWS(data::load_image_files({tmp.path / "x" / "g.png"}, 3, 8), FormatError,
                        Contains("g.png' has 1 channel(s) (grey), expected 3 (colour)"));
}
