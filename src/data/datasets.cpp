#include "enas/data/datasets.hpp"

#include "enas/core/error.hpp"
#include "enas/data/cifar.hpp"
#include "enas/data/idx.hpp"
#include "enas/data/image_folder.hpp"

namespace enas::data {
namespace fs = std::filesystem;

namespace {

// The class names the binary releases document (Fashion-MNIST's README, CIFAR-10's batches.meta.txt).
const std::vector<std::string> kFashionMnistClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                       "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const std::vector<std::string> kCifar10Classes = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                  "dog",      "frog",       "horse", "ship", "truck"};

}  // namespace

std::vector<std::string> dataset_names() { return {"cifar10", "cifar100", "fashion-mnist", "folder"}; }

ImageDataset load_dataset(const std::string& name, const fs::path& dir, const std::string& split,
                          const DatasetOptions& options) {
    check<ValueError>(options.image_size == 0 || name == "folder", "an image size (", options.image_size,
                      ") applies to the 'folder' dataset only, not to '", name, "'");
    if (name == "folder") {
        check<ValueError>(!dir.empty(),
                          "dataset 'folder' needs its folder (--data DIR, holding DIR/train/<class>/...)");
        return load_image_folder(dir, split, ImageFolderOptions{options.image_size});
    }
    if (name == "fashion-mnist") {
        ImageDataset ds = load_fashion_mnist(dir.empty() ? fs::path(kDebianFashionMnistDir) : dir, split);
        ds.class_names = kFashionMnistClasses;
        return ds;
    }
    if (name == "cifar10" || name == "cifar100") {
        check<ValueError>(!dir.empty(), "dataset '", name,
                          "' has no default folder: pass the folder of its binary release (",
                          name == "cifar10" ? "cifar-10-batches-bin" : "cifar-100-binary", ")");
        if (name == "cifar100") return load_cifar100(dir, split);
        ImageDataset ds = load_cifar10(dir, split);
        ds.class_names = kCifar10Classes;
        return ds;
    }
    throw ValueError(
        detail::concat("unknown dataset '", name, "', expected one of: cifar10, cifar100, fashion-mnist, folder"));
}

ImageDataset subset(const ImageDataset& ds, std::int64_t begin, std::int64_t end) {
    check<ValueError>(0 <= begin && begin <= end && end <= ds.size(), "subset: range [", begin, ", ", end,
                      ") is not inside [0, ", ds.size(), ") of '", ds.name, "'");
    ImageDataset out;
    out.name = detail::concat(ds.name, "[", begin, ":", end, "]");
    out.description = detail::concat("images [", begin, ", ", end, ") of ", ds.name, ds.description.empty() ? "" : " (",
                                     ds.description, ds.description.empty() ? "" : ")");
    out.channels = ds.channels;
    out.height = ds.height;
    out.width = ds.width;
    out.num_classes = ds.num_classes;
    out.class_names = ds.class_names;
    const std::int64_t elems = ds.image_elements();
    out.pixels.assign(ds.pixels.begin() + begin * elems, ds.pixels.begin() + end * elems);
    out.labels.assign(ds.labels.begin() + begin, ds.labels.begin() + end);
    return out;
}

TrainValidSplit split_train_valid(const ImageDataset& ds, std::int64_t num_valid) {
    check<ValueError>(num_valid >= 0 && num_valid < ds.size(), "split_train_valid: ", num_valid,
                      " validation images requested from '", ds.name, "' with ", ds.size(),
                      " images; expected 0 <= num_valid < ", ds.size(), " so that training images remain");
    const std::int64_t cut = ds.size() - num_valid;
    return TrainValidSplit{subset(ds, 0, cut), subset(ds, cut, ds.size())};
}

}  // namespace enas::data
