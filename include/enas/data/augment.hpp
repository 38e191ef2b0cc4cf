// Training augmentation of the reference (§8, §4.5), applied to standardised images so that the
// padding and the cutout value 0 are the dataset mean: pad `pad` pixels on each side, take a
// random crop (32x32 for CIFAR; generally crop_height x crop_width, by default the image's own
// size), flip it horizontally with probability 1/2, and optionally zero an s x s cutout square
// whose top-left corner is uniform over the output image, clipped at its border (the TF form).
//
// The random choices for an image are a pure function of (seed, epoch, position), where
// position is the image's place in the epoch's order (step * batch + k). So the same batch comes
// out whichever thread computes it, with or without prefetching, and after a resume.
#pragma once
#include <cstdint>
#include <span>

#include "enas/core/tensor.hpp"
#include "enas/data/image_dataset.hpp"

namespace enas::data {

struct AugmentConfig {
    std::int64_t pad = 4;          ///< zero (= mean) padding on each side, >= 0
    std::int64_t crop_height = 0;  ///< output height; 0 = the image height
    std::int64_t crop_width = 0;   ///< output width; 0 = the image width
    bool flip = true;              ///< random horizontal flip
    std::int64_t cutout = 0;       ///< side of the cutout square; 0 = no cutout (16 for the "paper" preset)

    std::int64_t out_height(std::int64_t image_height) const { return crop_height > 0 ? crop_height : image_height; }
    std::int64_t out_width(std::int64_t image_width) const { return crop_width > 0 ? crop_width : image_width; }
};

/// Throws ValueError unless `cfg` fits images of height x width: pad >= 0, cutout >= 0 and the
/// crop no larger than the padded image.
void check_augment_config(const AugmentConfig& cfg, std::int64_t height, std::int64_t width);

/// The random choices for one image.
struct AugmentDraw {
    std::int64_t crop_y = 0, crop_x = 0;      ///< crop corner in the padded image, in [0, H + 2 pad - out_h]
    bool flip = false;                        ///< mirror the cropped image left-right
    std::int64_t cutout_y = 0, cutout_x = 0;  ///< cutout corner in the output image, in [0, out_h) x [0, out_w)
};

/// The draw for image `position` of `epoch` under `seed` (Philox; see data/shuffle.hpp).
AugmentDraw draw_augmentation(const AugmentConfig& cfg, std::int64_t height, std::int64_t width, std::uint64_t seed,
                              std::int64_t epoch, std::int64_t position);

/// Applies `draw` to one standardised image `src` [C, H, W], writing `dst` [C, out_h, out_w]
/// (dst must not overlap src).
void augment_image(const float* src, std::int64_t channels, std::int64_t height, std::int64_t width,
                   const AugmentConfig& cfg, const AugmentDraw& draw, float* dst);

/// The same from a uint8 image, standardising on the fly: value = pixel * scale[c] - shift[c]
/// inside the image, 0 in the padding and the cutout.
void augment_image_u8(const std::uint8_t* src, std::int64_t channels, std::int64_t height, std::int64_t width,
                      const float* scale, const float* shift, const AugmentConfig& cfg, const AugmentDraw& draw,
                      float* dst);

/// Augments a batch of standardised images `in` [B, C, H, W] into `out` [B, C, out_h, out_w];
/// image k uses the draw for (seed, epoch, first_position + k).
void augment_batch(const Tensor<float, Cpu>& in, const AugmentConfig& cfg, std::uint64_t seed, std::int64_t epoch,
                   std::int64_t first_position, Tensor<float, Cpu>& out);

/// gather_batch with augmentation: images `indices` of `ds`, standardised with `stats` and
/// augmented, into `images` [B, C, out_h, out_w] and their labels into `labels` [B]; image k
/// uses the draw for (seed, epoch, first_position + k). No heap allocation per image.
void gather_augmented_batch(const ImageDataset& ds, std::span<const std::int64_t> indices, const ChannelStats& stats,
                            const AugmentConfig& cfg, std::uint64_t seed, std::int64_t epoch,
                            std::int64_t first_position, Tensor<float, Cpu>& images, Tensor<std::int32_t, Cpu>& labels);

}  // namespace enas::data
