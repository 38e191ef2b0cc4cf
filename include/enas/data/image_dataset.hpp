// An in-memory labelled image dataset (uint8 pixels, NCHW) and minibatch extraction into float
// tensors. Loaders for each file format fill one of these.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "enas/core/context.hpp"

namespace enas::data {

struct ImageDataset {
    std::string name;         ///< e.g. "fashion-mnist/train"
    std::string description;  ///< where it came from, e.g. which files were found
    std::int64_t channels = 0, height = 0, width = 0;
    std::int32_t num_classes = 0;
    std::vector<std::uint8_t> pixels;      ///< size() * channels * height * width, NCHW order
    std::vector<std::int32_t> labels;      ///< one per image, in [0, num_classes)
    std::vector<std::string> class_names;  ///< num_classes names where the format has them, else empty

    std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
    std::int64_t image_elements() const { return channels * height * width; }
};

/// Throws ValueError unless ds.pixels holds exactly size() * image_elements() bytes (`who` names
/// the caller in the message).
void check_pixel_count(const ImageDataset& ds, const char* who);

/// Per-channel mean and standard deviation of the pixels scaled to [0, 1].
struct ChannelStats {
    std::vector<float> mean, stddev;
};
ChannelStats channel_stats(const ImageDataset& ds);

/// Writes images `indices` of `ds`, scaled to [0, 1] and standardised with `stats`, into
/// `images` [B, C, H, W] and their labels into `labels` [B] (B = indices.size()).
/// Throws ValueError on an index outside [0, size()) and ShapeError on mismatched tensors.
void gather_batch(const ImageDataset& ds, std::span<const std::int64_t> indices, const ChannelStats& stats,
                  Tensor<float, Cpu>& images, Tensor<std::int32_t, Cpu>& labels);
/// The same for a vector of indices (also accepts a braced list).
inline void gather_batch(const ImageDataset& ds, const std::vector<std::int64_t>& indices, const ChannelStats& stats,
                         Tensor<float, Cpu>& images, Tensor<std::int32_t, Cpu>& labels) {
    gather_batch(ds, std::span<const std::int64_t>(indices), stats, images, labels);
}

}  // namespace enas::data
