// A small synthetic image task for the search-loop and final-training tests: 3x8x8 images whose
// class sets the channel colours, plus noise, so a few steps of training move the
// accuracy above chance; a tiny macro configuration; JSON lines compared without timing fields.
#pragma once
#include <sstream>

#include "enas/core/random.hpp"
#include "enas/train/cnn_setup.hpp"
#include "enas/run/run_folder.hpp"

namespace enas::test {

inline data::ImageDataset synthetic_images(std::int64_t n, std::uint64_t seed) {
    const int classes = 4;
    data::ImageDataset ds;
    ds.name = "synthetic";
    ds.channels = 3;
    ds.height = ds.width = 8;
    ds.num_classes = classes;
    Rng rng(seed);
    for (std::int64_t i = 0; i < n; ++i) {
        const auto label = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(classes)));
        ds.labels.push_back(label);
        const std::int64_t plane = ds.height * ds.width;
        for (std::int64_t k = 0; k < ds.image_elements(); ++k) {
            // class c < 3 brightens channel c; class 3 is mid-grey everywhere; plus noise
            const std::int64_t channel = k / plane;
            const double mean = label == 3 ? 130.0 : (channel == label ? 190.0 : 70.0);
            const double v = mean + 30.0 * rng.normal();
            ds.pixels.push_back(static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0)));
        }
    }
    return ds;
}

inline train::CnnData synthetic_data() {
    train::CnnData d;
    d.train = synthetic_images(96, 1);
    d.valid = synthetic_images(40, 2);
    d.test = synthetic_images(40, 3);
    d.stats = data::channel_stats(d.train);
    return d;
}

inline train::CnnConfig tiny_config(train::CnnSpace space, search::ChildMode mode, std::int64_t epochs) {
    train::CnnConfig c = train::CnnConfig::preset_for(space, mode, "quick");
    c.layers = space == train::CnnSpace::macro ? 3 : 0;
    c.nodes = 2;
    c.filters = 4;
    c.batch = 16;
    c.eval_batch = 20;
    c.epochs = epochs;
    c.lr_t0 = 2;
    c.aux_head = false;
    c.log_every = 2;
    return c;
}

/// The lines of a JSON-lines file with the wall-clock fields removed.
inline std::vector<nlohmann::json> lines_without_timing(const std::filesystem::path& path) {
    std::vector<nlohmann::json> out = run::read_json_lines(path);
    for (auto& j : out)
        for (const char* key : {"seconds", "images_per_second"}) j.erase(key);
    return out;
}

}  // namespace enas::test
