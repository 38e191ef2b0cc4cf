// What a trained CNN expects of an image, as cifar_train / enas_train writes it into the run folder
// (preprocessing.json) and enas_predict reads it back: the image layout, the per-channel
// standardisation of the training split and the class names.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/data/image_dataset.hpp"

namespace enas::data {

struct Preprocessing {
    static constexpr const char* kFile = "preprocessing.json";

    std::string dataset;  ///< the dataset's name (cifar10, fashion-mnist, folder, ...)
    std::int64_t channels = 0, height = 0, width = 0;
    ChannelStats stats;                    ///< of the training split (the model's input standardisation)
    std::vector<std::string> class_names;  ///< one per class: the dataset's names, else "0", "1", ...

    std::int64_t num_classes() const { return static_cast<std::int64_t>(class_names.size()); }

    /// The preprocessing of a model trained on `train` (standardised with `stats`).
    static Preprocessing of(const std::string& dataset, const ImageDataset& train, const ChannelStats& stats);

    /// The JSON form: the fields above plus a plain-words "recipe" of the input (decode to 8-bit
    /// grey or RGB, resize with Pillow's antialiased bilinear filter, x / 255, (x - mean[c]) /
    /// stddev[c], NCHW). Floats round-trip exactly.
    nlohmann::json to_json() const;
    /// Reads the JSON form; FormatError naming the missing or bad field.
    static Preprocessing from_json(const nlohmann::json& j);
};

}  // namespace enas::data
