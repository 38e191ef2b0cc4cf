#include "enas/data/image_dataset.hpp"

#include <algorithm>
#include <cmath>

namespace enas::data {

void check_pixel_count(const ImageDataset& ds, const char* who) {
    const auto want = static_cast<std::size_t>(ds.size() * ds.image_elements());
    check<ValueError>(ds.pixels.size() == want, who, ": image dataset '", ds.name, "' holds ", ds.pixels.size(),
                      " pixel bytes for ", ds.size(), " images of ", ds.channels, "x", ds.height, "x", ds.width,
                      ", expected ", want);
}

ChannelStats channel_stats(const ImageDataset& ds) {
    check_pixel_count(ds, "channel_stats");
    ChannelStats s;
    const std::int64_t plane = ds.height * ds.width;
    for (std::int64_t c = 0; c < ds.channels; ++c) {
        double sum = 0, sq = 0;
        for (std::int64_t n = 0; n < ds.size(); ++n) {
            const std::uint8_t* p = ds.pixels.data() + (n * ds.channels + c) * plane;
            for (std::int64_t i = 0; i < plane; ++i) {
                const double v = p[i] / 255.0;
                sum += v;
                sq += v * v;
            }
        }
        const double count = static_cast<double>(ds.size() * plane);
        const double mean = count > 0 ? sum / count : 0.0;
        const double var = count > 0 ? std::max(sq / count - mean * mean, 0.0) : 0.0;
        s.mean.push_back(static_cast<float>(mean));
        s.stddev.push_back(static_cast<float>(std::sqrt(var) > 1e-6 ? std::sqrt(var) : 1.0));
    }
    return s;
}

void gather_batch(const ImageDataset& ds, std::span<const std::int64_t> indices, const ChannelStats& stats,
                  Tensor<float, Cpu>& images, Tensor<std::int32_t, Cpu>& labels) {
    const auto b = static_cast<std::int64_t>(indices.size());
    const Shape want{b, ds.channels, ds.height, ds.width};
    check<ShapeError>(images.shape() == want && images.is_contiguous(), "gather_batch: images tensor has shape ",
                      images.shape(), ", expected contiguous ", want);
    check<ShapeError>(labels.shape() == Shape{b} && labels.is_contiguous(), "gather_batch: labels tensor has shape ",
                      labels.shape(), ", expected [", b, "]");
    check<ShapeError>(static_cast<std::int64_t>(stats.mean.size()) == ds.channels, "gather_batch: stats for ",
                      stats.mean.size(), " channels, dataset has ", ds.channels);
    check_pixel_count(ds, "gather_batch");
    const std::int64_t plane = ds.height * ds.width;
    for (std::int64_t k = 0; k < b; ++k) {
        const std::int64_t n = indices[static_cast<std::size_t>(k)];
        check<ValueError>(n >= 0 && n < ds.size(), "gather_batch: index ", n, " out of range for ", ds.name, " with ",
                          ds.size(), " images");
        for (std::int64_t c = 0; c < ds.channels; ++c) {
            const std::uint8_t* src = ds.pixels.data() + (n * ds.channels + c) * plane;
            float* dst = images.data() + (k * ds.channels + c) * plane;
            const float scale = 1.0f / (255.0f * stats.stddev[static_cast<std::size_t>(c)]);
            const float shift = stats.mean[static_cast<std::size_t>(c)] / stats.stddev[static_cast<std::size_t>(c)];
            for (std::int64_t i = 0; i < plane; ++i) dst[i] = static_cast<float>(src[i]) * scale - shift;
        }
        labels.data()[k] = ds.labels[static_cast<std::size_t>(n)];
    }
}

}  // namespace enas::data
