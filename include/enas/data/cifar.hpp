// CIFAR-10 and CIFAR-100 in their binary format (https://www.cs.toronto.edu/~kriz/cifar.html):
// records of label byte(s) followed by 3,072 pixel bytes, channel-major (R, G, B planes, each
// 32x32 row-major), which is already the NCHW layout of ImageDataset.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "enas/data/image_dataset.hpp"

namespace enas::data {

/// Bytes of one CIFAR-10 record: 1 label byte + 3 x 32 x 32 pixel bytes.
inline constexpr std::int64_t kCifar10RecordBytes = 1 + 3 * 32 * 32;
/// Bytes of one CIFAR-100 record: coarse label byte, fine label byte, then the pixels.
inline constexpr std::int64_t kCifar100RecordBytes = 2 + 3 * 32 * 32;

/// Loads CIFAR-10's "train" or "test" split. `path` is either the folder of the binary release
/// (cifar-10-batches-bin) or a single batch file (then `split` only names the result).
/// - "train": data_batch_1.bin .. data_batch_5.bin, those present, concatenated in order
///   (data_batch_1.bin is required; `description` says which batches were found, e.g.
///   "1 of 5 training batches: data_batch_1.bin").
/// - "test": test_batch.bin.
/// Result: 3 x 32 x 32 images, 10 classes, name "cifar10/<split>".
/// Throws ValueError on another split; IoError when the folder or a required file is missing
/// (naming the path and the files expected); FormatError when a file's size is not a positive
/// multiple of the 3,073-byte record (naming the size, the record size and the remainder) or a
/// label is outside [0, 10) (naming the file, the record index and the value).
ImageDataset load_cifar10(const std::filesystem::path& path, const std::string& split);

/// Loads CIFAR-100's "train" (train.bin, 50,000 images) or "test" (test.bin, 10,000 images) from
/// the folder of the binary release (cifar-100-binary) or a single file. Labels are the fine
/// labels (100 classes); coarse labels are checked to be in [0, 20) and dropped. Errors as
/// load_cifar10, with a 3,074-byte record.
ImageDataset load_cifar100(const std::filesystem::path& path, const std::string& split);

/// Reads one CIFAR binary file with `label_bytes` label bytes per record (1 for CIFAR-10, 2 for
/// CIFAR-100; the last one is the label) and labels in [0, num_classes), and appends its
/// records to `ds` (whose channels/height/width must already be 3/32/32). The checks and
/// messages of load_cifar10.
void append_cifar_file(const std::filesystem::path& file, int label_bytes, std::int32_t num_classes, ImageDataset& ds);

}  // namespace enas::data
