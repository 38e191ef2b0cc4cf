#include "enas/data/augment.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "enas/core/error.hpp"
#include "enas/data/shuffle.hpp"

namespace enas::data {

namespace {

// A uniform integer in [0, n) from one word (multiply-shift; bias below n / 2^32, n is tiny here).
std::int64_t small_below(std::uint32_t w, std::int64_t n) {
    return static_cast<std::int64_t>((static_cast<std::uint64_t>(w) * static_cast<std::uint64_t>(n)) >> 32);
}

// The one augmentation kernel: `value(c, x)` reads source row `x` of the current channel/row and
// maps it to a standardised float. Each output row is written once: zeros where the crop window
// lies in the padding, the (possibly mirrored) source row elsewhere; the cutout is zeroed last.
template <class RowValue>
void augment_kernel(std::int64_t channels, std::int64_t height, std::int64_t width, const AugmentConfig& cfg,
                    const AugmentDraw& d, float* dst, RowValue&& value) {
    const std::int64_t oh = cfg.out_height(height), ow = cfg.out_width(width), pad = cfg.pad;
    // Valid output columns [j_lo, j_hi): where the source column is inside the image.
    const std::int64_t x0 = d.crop_x - pad;  // source column of the crop's left edge
    std::int64_t j_lo = 0, j_hi = 0;
    if (d.flip) {  // output j reads crop column ow - 1 - j, i.e. source column x0 + ow - 1 - j
        j_lo = std::max<std::int64_t>(0, x0 + ow - width);
        j_hi = std::min<std::int64_t>(ow, x0 + ow);
    } else {  // output j reads source column x0 + j
        j_lo = std::max<std::int64_t>(0, -x0);
        j_hi = std::min<std::int64_t>(ow, width - x0);
    }
    j_hi = std::max(j_hi, j_lo);
    for (std::int64_t c = 0; c < channels; ++c) {
        for (std::int64_t i = 0; i < oh; ++i) {
            float* out = dst + (c * oh + i) * ow;
            const std::int64_t sy = d.crop_y - pad + i;
            if (sy < 0 || sy >= height) {
                std::fill(out, out + ow, 0.0f);
                continue;
            }
            std::fill(out, out + j_lo, 0.0f);
            if (d.flip) {
                const std::int64_t base = x0 + ow - 1;
                for (std::int64_t j = j_lo; j < j_hi; ++j) out[j] = value(c, sy, base - j);
            } else {
                for (std::int64_t j = j_lo; j < j_hi; ++j) out[j] = value(c, sy, x0 + j);
            }
            std::fill(out + j_hi, out + ow, 0.0f);
        }
    }
    if (cfg.cutout > 0) {
        const std::int64_t y_end = std::min(oh, d.cutout_y + cfg.cutout), x_end = std::min(ow, d.cutout_x + cfg.cutout);
        for (std::int64_t c = 0; c < channels; ++c)
            for (std::int64_t y = d.cutout_y; y < y_end; ++y) {
                float* row = dst + (c * oh + y) * ow;
                std::fill(row + d.cutout_x, row + std::max(x_end, d.cutout_x), 0.0f);
            }
    }
}

}  // namespace

void check_augment_config(const AugmentConfig& cfg, std::int64_t height, std::int64_t width) {
    check<ValueError>(cfg.pad >= 0, "augmentation: pad must be >= 0, got ", cfg.pad);
    check<ValueError>(cfg.cutout >= 0, "augmentation: cutout size must be >= 0, got ", cfg.cutout);
    check<ValueError>(cfg.crop_height >= 0 && cfg.crop_width >= 0, "augmentation: crop size must be >= 0, got ",
                      cfg.crop_height, "x", cfg.crop_width);
    check<ValueError>(height > 0 && width > 0, "augmentation: image size ", height, "x", width, " is empty");
    const std::int64_t oh = cfg.out_height(height), ow = cfg.out_width(width);
    check<ValueError>(oh <= height + 2 * cfg.pad && ow <= width + 2 * cfg.pad, "augmentation: crop ", oh, "x", ow,
                      " is larger than the padded image ", height + 2 * cfg.pad, "x", width + 2 * cfg.pad);
}

AugmentDraw draw_augmentation(const AugmentConfig& cfg, std::int64_t height, std::int64_t width, std::uint64_t seed,
                              std::int64_t epoch, std::int64_t position) {
    const std::int64_t oh = cfg.out_height(height), ow = cfg.out_width(width);
    const auto ep = static_cast<std::uint64_t>(epoch);
    const auto pos = static_cast<std::uint64_t>(position);
    const PhiloxBlock a = data_random(seed, DataStream::kAugment, ep, pos);
    AugmentDraw d;
    d.crop_y = small_below(a.v[0], height + 2 * cfg.pad - oh + 1);
    d.crop_x = small_below(a.v[1], width + 2 * cfg.pad - ow + 1);
    d.flip = cfg.flip && (a.v[2] >> 31) != 0;
    if (cfg.cutout > 0) {
        const PhiloxBlock b = data_random(seed, DataStream::kCutout, ep, pos);
        d.cutout_y = small_below(b.v[0], oh);
        d.cutout_x = small_below(b.v[1], ow);
    }
    return d;
}

void augment_image(const float* src, std::int64_t channels, std::int64_t height, std::int64_t width,
                   const AugmentConfig& cfg, const AugmentDraw& draw, float* dst) {
    augment_kernel(channels, height, width, cfg, draw, dst,
                   [&](std::int64_t c, std::int64_t y, std::int64_t x) { return src[(c * height + y) * width + x]; });
}

void augment_image_u8(const std::uint8_t* src, std::int64_t channels, std::int64_t height, std::int64_t width,
                      const float* scale, const float* shift, const AugmentConfig& cfg, const AugmentDraw& draw,
                      float* dst) {
    augment_kernel(channels, height, width, cfg, draw, dst, [&](std::int64_t c, std::int64_t y, std::int64_t x) {
        return static_cast<float>(src[(c * height + y) * width + x]) * scale[c] - shift[c];
    });
}

void augment_batch(const Tensor<float, Cpu>& in, const AugmentConfig& cfg, std::uint64_t seed, std::int64_t epoch,
                   std::int64_t first_position, Tensor<float, Cpu>& out) {
    check<ShapeError>(in.shape().rank() == 4, "augment_batch: input has shape ", in.shape(), ", expected [B, C, H, W]");
    const std::int64_t b = in.shape()[0], c = in.shape()[1], h = in.shape()[2], w = in.shape()[3];
    check_augment_config(cfg, h, w);
    const Shape want{b, c, cfg.out_height(h), cfg.out_width(w)};
    check<ShapeError>(out.shape() == want, "augment_batch: output has shape ", out.shape(), ", expected ", want);
    const Tensor<float, Cpu> src = in.contiguous();
    check<ShapeError>(out.is_contiguous(), "augment_batch: output must be contiguous");
    const std::int64_t out_elems = c * want[2] * want[3];
    for (std::int64_t k = 0; k < b; ++k)
        augment_image(src.data() + k * c * h * w, c, h, w, cfg,
                      draw_augmentation(cfg, h, w, seed, epoch, first_position + k), out.data() + k * out_elems);
}

void gather_augmented_batch(const ImageDataset& ds, std::span<const std::int64_t> indices, const ChannelStats& stats,
                            const AugmentConfig& cfg, std::uint64_t seed, std::int64_t epoch,
                            std::int64_t first_position, Tensor<float, Cpu>& images,
                            Tensor<std::int32_t, Cpu>& labels) {
    const auto b = static_cast<std::int64_t>(indices.size());
    check_augment_config(cfg, ds.height, ds.width);
    const std::int64_t oh = cfg.out_height(ds.height), ow = cfg.out_width(ds.width);
    const Shape want{b, ds.channels, oh, ow};
    check<ShapeError>(images.shape() == want && images.is_contiguous(),
                      "gather_augmented_batch: images tensor has shape ", images.shape(), ", expected contiguous ",
                      want);
    check<ShapeError>(labels.shape() == Shape{b} && labels.is_contiguous(),
                      "gather_augmented_batch: labels tensor has shape ", labels.shape(), ", expected [", b, "]");
    check<ShapeError>(static_cast<std::int64_t>(stats.mean.size()) == ds.channels &&
                          static_cast<std::int64_t>(stats.stddev.size()) == ds.channels,
                      "gather_augmented_batch: stats for ", stats.mean.size(), " channels, dataset has ", ds.channels);
    check_pixel_count(ds, "gather_augmented_batch");
    // Per-channel affine map; on the stack for up to 16 channels (no heap allocation per batch).
    constexpr std::size_t kInline = 16;
    std::array<float, 2 * kInline> inline_buf{};
    std::vector<float> heap_buf;
    const auto nc = static_cast<std::size_t>(ds.channels);
    if (nc > kInline) heap_buf.resize(2 * nc);
    float* scale = nc > kInline ? heap_buf.data() : inline_buf.data();
    float* shift = scale + nc;
    for (std::size_t c = 0; c < nc; ++c) {
        scale[c] = 1.0f / (255.0f * stats.stddev[c]);
        shift[c] = stats.mean[c] / stats.stddev[c];
    }
    const std::int64_t in_elems = ds.image_elements(), out_elems = ds.channels * oh * ow;
    for (std::int64_t k = 0; k < b; ++k) {
        const std::int64_t n = indices[static_cast<std::size_t>(k)];
        check<ValueError>(n >= 0 && n < ds.size(), "gather_augmented_batch: index ", n, " out of range for ", ds.name,
                          " with ", ds.size(), " images");
        const AugmentDraw d = draw_augmentation(cfg, ds.height, ds.width, seed, epoch, first_position + k);
        augment_image_u8(ds.pixels.data() + n * in_elems, ds.channels, ds.height, ds.width, scale, shift, cfg, d,
                         images.data() + k * out_elems);
        labels.data()[k] = ds.labels[static_cast<std::size_t>(n)];
    }
}

}  // namespace enas::data
