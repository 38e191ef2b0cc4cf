// One entry point for every image dataset the binaries accept, and the train/valid split of the
// reference (§8: the last images of the training set are the validation set).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "enas/data/image_dataset.hpp"

namespace enas::data {

/// The names load_dataset accepts: "cifar10", "cifar100", "fashion-mnist", "folder".
std::vector<std::string> dataset_names();

/// What only some datasets take.
struct DatasetOptions {
    std::int64_t image_size = 0;  ///< folder: resize to image_size x image_size (0: the images' size)
};

/// Loads split "train" or "test" of dataset `name` from `dir` (see load_cifar10, load_cifar100,
/// load_fashion_mnist, load_image_folder). An empty `dir` means the default folder, which only
/// Fashion-MNIST has (Debian's /usr/share/datasets/fashion-mnist); for CIFAR and folder it is a
/// ValueError asking for the folder. Fashion-MNIST and CIFAR-10 get their documented class names.
/// Throws ValueError on an unknown name (listing the known ones), on an image size for another
/// dataset than folder, and the loaders' errors.
ImageDataset load_dataset(const std::string& name, const std::filesystem::path& dir, const std::string& split,
                          const DatasetOptions& options = {});

/// A training set cut in two.
struct TrainValidSplit {
    ImageDataset train;  ///< images [0, size - num_valid)
    ImageDataset valid;  ///< images [size - num_valid, size): the LAST num_valid images
};

/// Splits `ds` into its first size - num_valid images (train) and its last num_valid images
/// (valid), keeping the order (reference §8: CIFAR-10 valid = images 45000..49999). num_valid = 0
/// gives an empty valid set. Throws ValueError when num_valid < 0 or num_valid >= ds.size()
/// (the training part would be empty).
TrainValidSplit split_train_valid(const ImageDataset& ds, std::int64_t num_valid);

/// Images [begin, end) of `ds` as a dataset of their own, named "<name>[begin:end]".
ImageDataset subset(const ImageDataset& ds, std::int64_t begin, std::int64_t end);

}  // namespace enas::data
