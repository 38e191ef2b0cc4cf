#include "enas/data/image_folder_preprocess.hpp"

#include "enas/core/error.hpp"

namespace enas::data {

Preprocessing Preprocessing::of(const std::string& dataset, const ImageDataset& train, const ChannelStats& stats) {
    Preprocessing p;
    p.dataset = dataset;
    p.channels = train.channels;
    p.height = train.height;
    p.width = train.width;
    p.stats = stats;
    p.class_names = train.class_names;
    if (static_cast<std::int64_t>(p.class_names.size()) != train.num_classes) {
        p.class_names.clear();
        for (std::int32_t k = 0; k < train.num_classes; ++k) p.class_names.push_back(std::to_string(k));
    }
    return p;
}

nlohmann::json Preprocessing::to_json() const {
    return {{"dataset", dataset},
            {"channels", channels},
            {"height", height},
            {"width", width},
            {"mean", stats.mean},
            {"stddev", stats.stddev},
            {"class_names", class_names},
            {"recipe",
             {{"decode", channels == 1 ? "8-bit grey" : "8-bit RGB (alpha dropped)"},
              {"resize", "to height x width, Pillow's antialiased bilinear (Image.resize(BILINEAR))"},
              {"scale", "x / 255"},
              {"standardise", "(x - mean[c]) / stddev[c]"},
              {"layout", "NCHW float32"}}}};
}

Preprocessing Preprocessing::from_json(const nlohmann::json& j) {
    Preprocessing p;
    try {
        p.dataset = j.at("dataset").get<std::string>();
        p.channels = j.at("channels").get<std::int64_t>();
        p.height = j.at("height").get<std::int64_t>();
        p.width = j.at("width").get<std::int64_t>();
        p.stats.mean = j.at("mean").get<std::vector<float>>();
        p.stats.stddev = j.at("stddev").get<std::vector<float>>();
        p.class_names = j.at("class_names").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) { throw FormatError(detail::concat(kFile, ": ", e.what())); }
    check<FormatError>(p.channels >= 1 && p.height >= 1 && p.width >= 1 && !p.class_names.empty() &&
                           static_cast<std::int64_t>(p.stats.mean.size()) == p.channels &&
                           static_cast<std::int64_t>(p.stats.stddev.size()) == p.channels,
                       kFile, ": inconsistent: ", p.channels, " channels, ", p.stats.mean.size(), " means, ",
                       p.stats.stddev.size(), " deviations, ", p.class_names.size(), " classes");
    return p;
}

}  // namespace enas::data
