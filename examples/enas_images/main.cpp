// enas_images: writes images of a dataset (Fashion-MNIST, CIFAR) as an image folder,
// OUT/train/<class>/<n>.png and OUT/test/<class>/<n>.png, the layout of --dataset folder. For trying
// the image-folder path and enas_predict on files without images of one's own (README "Your own
// data"), and for the tests. Class folders are "<index>_<name>" so that their sorted order is the
// dataset's label order.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "../common/run_flags.hpp"
#include "enas/data/datasets.hpp"
#include "enas/data/image_folder_codec.hpp"

using namespace enas;
namespace fs = std::filesystem;

namespace {

std::string class_folder(const data::ImageDataset& ds, std::int32_t label) {
    std::string index = std::to_string(label);
    const std::size_t digits = std::to_string(std::max(ds.num_classes - 1, 0)).size();
    index.insert(0, digits - index.size(), '0');
    std::string name = static_cast<std::size_t>(label) < ds.class_names.size() ? ds.class_names[label] : "";
    for (char& ch : name)
        if (ch == '/' || ch == '\\' || ch == ' ') ch = '-';
    return name.empty() ? index : index + "_" + name;
}

void write_split(const data::ImageDataset& ds, std::int64_t limit, const fs::path& out, const std::string& format) {
    const std::int64_t n = limit > 0 ? std::min(limit, ds.size()) : ds.size();
    const std::int64_t plane = ds.height * ds.width;
    for (std::int64_t i = 0; i < n; ++i) {
        data::DecodedImage img{ds.channels, ds.height, ds.width, {}};
        for (std::int64_t p = 0; p < plane; ++p)
            for (std::int64_t c = 0; c < ds.channels; ++c)
                img.pixels.push_back(ds.pixels[static_cast<std::size_t>((i * ds.channels + c) * plane + p)]);
        const fs::path dir = out / class_folder(ds, ds.labels[static_cast<std::size_t>(i)]);
        fs::create_directories(dir);
        const fs::path file = dir / (std::to_string(i) + "." + format);
        if (format == "png")
            data::write_png(file, img);
        else
            data::write_jpeg(file, img, 95);
    }
    std::printf("enas_images: %lld images of %s in %s\n", static_cast<long long>(n), ds.name.c_str(), out.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"enas_images: write a dataset's images as an image folder (OUT/train/<class>/*, OUT/test/<class>/*)"};
    std::string dataset = "fashion-mnist", data_dir, out, format = "png";
    std::int64_t train = 0, test = 0;
    app.add_option("--dataset", dataset, "cifar10 | cifar100 | fashion-mnist")->capture_default_str();
    app.add_option("--data", data_dir, "the dataset's folder (default for fashion-mnist: Debian's)");
    app.add_option("--out", out, "the image folder to write")->required();
    app.add_option("--train", train, "write the first N training images (0: all)");
    app.add_option("--test", test, "write the first N test images (0: all; -1: none)");
    app.add_option("--format", format, "png or jpg (quality 95)")
        ->check(CLI::IsMember({"png", "jpg"}))
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("enas_images", argc, argv, [&] {
        check<ValueError>(dataset != "folder", "--dataset folder is an image folder already");
        write_split(data::load_dataset(dataset, data_dir, "train"), train, fs::path(out) / "train", format);
        if (test >= 0) write_split(data::load_dataset(dataset, data_dir, "test"), test, fs::path(out) / "test", format);
        return 0;
    });
}
