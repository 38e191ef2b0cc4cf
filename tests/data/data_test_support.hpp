// Helpers shared by the data tests: where the shared datasets are, temp folders, raw files,
// and small synthetic datasets.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "enas/data/image_dataset.hpp"
#include "test_needs.hpp"  // shared_data_dir

namespace enas::test {

/// A fresh, empty folder under the system temp folder, removed by the destructor.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag) {
        path = std::filesystem::temp_directory_path() / ("enas-data-" + tag + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

inline void write_bytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& b) {
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

/// A dataset of n images (channels x h x w) whose image i holds i % 256 in channel 0 and
/// i / 256 in the other channels (so an unaugmented, unit-stat batch names its images), label i % classes.
inline data::ImageDataset numbered_dataset(std::int64_t n, std::int64_t channels, std::int64_t h, std::int64_t w,
                                           std::int32_t classes = 7) {
    data::ImageDataset ds;
    ds.name = "numbered";
    ds.channels = channels;
    ds.height = h;
    ds.width = w;
    ds.num_classes = classes;
    const std::int64_t plane = h * w;
    ds.pixels.resize(static_cast<std::size_t>(n * channels * plane));
    for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t c = 0; c < channels; ++c)
            for (std::int64_t p = 0; p < plane; ++p)
                ds.pixels[static_cast<std::size_t>((i * channels + c) * plane + p)] =
                    static_cast<std::uint8_t>(c == 0 ? i % 256 : i / 256);
        ds.labels.push_back(static_cast<std::int32_t>(i % classes));
    }
    return ds;
}

/// Statistics that make a standardised value equal pixel / 255.
inline data::ChannelStats unit_stats(std::int64_t channels) {
    return data::ChannelStats{std::vector<float>(static_cast<std::size_t>(channels), 0.0f),
                              std::vector<float>(static_cast<std::size_t>(channels), 1.0f)};
}

/// The image index encoded by numbered_dataset in image k of an unaugmented unit-stat batch.
inline std::int64_t decode_index(const float* image, std::int64_t channels, std::int64_t plane) {
    const auto lo = static_cast<std::int64_t>(image[0] * 255.0f + 0.5f);
    const auto hi = channels > 1 ? static_cast<std::int64_t>(image[plane] * 255.0f + 0.5f) : 0;
    return hi * 256 + lo;
}

}  // namespace enas::test
