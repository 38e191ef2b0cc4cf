// A user's own labelled images as an ImageDataset (`--dataset folder --data DIR`):
//
//   DIR/train/<class>/...*.png|*.jpg|*.jpeg     required
//   DIR/test/<class>/...                        optional (without it the test split is empty)
//
// Classes are the subfolders of DIR/train sorted by name (byte order), as torchvision's
// ImageFolder numbers them; a class folder's images are found recursively and other files are
// skipped. The images are decoded once into memory (image_folder_codec.hpp: libpng and
// libjpeg-turbo, grey or RGB) and resized to a square of `image_size` with Pillow's antialiased
// bilinear filter (resize_image). There is no on-disk cache: a set must fit in memory (one byte
// per pixel and channel). The images of a split are stored in a fixed pseudo-random order (the
// same on every run and machine), so that the last --num-valid training images, the validation
// split, mix the classes as CIFAR's do; loader, normalisation and augmentation are the CIFAR
// sets'.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "enas/data/image_dataset.hpp"

namespace enas::data {

struct ImageFolderOptions {
    /// The side of the square every image is resized to; 0: the images' own size, which must then
    /// be square and the same for every image of both splits.
    std::int64_t image_size = 0;
};

/// The class names of image folder `root`: the subfolders of root/train, sorted. Throws IoError
/// when root or root/train is missing, ValueError when root/train holds no class folder.
std::vector<std::string> image_folder_classes(const std::filesystem::path& root);

/// Split "train" or "test" of image folder `root` (see above); `class_names` holds the classes,
/// `description` the folder and counts. A missing root/test gives an empty test split. Throws,
/// naming the file or folder: IoError (missing or unreadable), FormatError (not PNG/JPEG, corrupt
/// or truncated, a channel count that differs from the first training image's), ValueError (no
/// class folder, a class folder without images, a test class that training lacks, images of
/// different or non-square sizes without `image_size`, a bad split name).
ImageDataset load_image_folder(const std::filesystem::path& root, const std::string& split,
                               const ImageFolderOptions& options = {});

/// Decodes `files` (PNG or JPEG) into a dataset of `channels` x `size` x `size` images with label 0
/// (what a trained model expects, for classifying them). Throws as load_image_folder, and
/// FormatError naming a file whose channel count is not `channels`.
ImageDataset load_image_files(const std::vector<std::filesystem::path>& files, std::int64_t channels,
                              std::int64_t size);

/// The image files under `dir` (recursively), sorted by path; `dir` itself when it is a file.
std::vector<std::filesystem::path> find_image_files(const std::filesystem::path& dir);

}  // namespace enas::data
