// The IDX format of MNIST and Fashion-MNIST (big-endian magic 0x00 0x00 0x08 <rank>, then the
// dimension sizes, then uint8 data), plain or gzip'd, and the Fashion-MNIST loader on top.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "enas/data/image_dataset.hpp"

namespace enas::data {

struct IdxArray {
    std::vector<std::int64_t> dims;
    std::vector<std::uint8_t> values;
};

/// Reads an IDX file of unsigned bytes (gzip'd or not). Throws IoError when the file is missing
/// or unreadable and FormatError (naming the file and what was expected) on a bad magic number,
/// a non-byte element type or a truncated body.
IdxArray read_idx(const std::filesystem::path& path);

/// Where Debian's dataset-fashion-mnist package installs the files.
inline const char* kDebianFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// Loads Fashion-MNIST's "train" (60,000) or "test" (10,000) split from `dir`, which holds
/// {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]. Images are 1 x 28 x 28, 10 classes. Throws
/// IoError naming the missing file and how to get it; FormatError on inconsistent files or labels
/// outside [0, 10).
ImageDataset load_fashion_mnist(const std::filesystem::path& dir, const std::string& split);

}  // namespace enas::data
