// Command-line conventions shared by ptb_search and ptb_train: one flag per
// PtbConfig field (its table, core/config_fields.hpp; a flag given overrides
// the preset's value), --device, --out,
// --resume, --force, the run folder, reading a cell given as a string or a
// file, and the summary's extra fields.
#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cnn_cli.hpp"  // arch_text, is_json_text, open_run
#include "enas/core/config_fields.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/search/arch_json.hpp"
#include "enas/search/released.hpp"
#include "enas/search/rnn_arch.hpp"
#include "enas/train/ptb_config.hpp"
#include "field_flags.hpp"
#include "run_flags.hpp"

namespace enas_cli {

struct PtbFlags : RunFlags {
    void add_to(CLI::App& app) {
        RunFlags::add_to(app);
        fields_.add(app, enas::train::PtbConfig::fields());
    }

    /// The preset of the given space and preset in `mode` (search | final), every
    /// given flag applied.
    enas::train::PtbConfig config(const std::string& mode) const {
        enas::train::PtbConfig selection;
        fields_.apply(selection);
        enas::train::PtbConfig c = enas::train::PtbConfig::preset_for(selection.space, mode, selection.preset);
        fields_.apply(c);
        c.validate();
        return c;
    }

    /// Whether the flag of the PtbConfig field `key` was given.
    bool given(const std::string& key) const { return fields_.given(key); }

private:
    FieldFlags<enas::train::PtbConfig> fields_;
};

/// A cell from --arch: a flat string, a file (best_arch.txt / best_arch.json)
/// or "released" (enas_lm's published cell for rnn, the TF seed cell for
/// rnn-original). FormatError or ValueError with the reason for a bad one.
inline enas::search::RnnArch read_rnn_arch(const std::string& value, bool original) {
    using namespace enas::search;
    const std::string text = arch_text(value == "released" ? (original ? kSeedRnnOriginal : kReleasedRnnLm) : value);
    if (is_json_text(text)) return rnn_arch_from_json(ArchJson::parse(text));
    return RnnArch::parse(text, original ? RnnFormat::original : RnnFormat::lm);
}

/// Total seconds of a history of epoch records.
inline double history_seconds(const nlohmann::json& history) {
    double s = 0;
    for (const auto& h : history) s += h.value("seconds", 0.0);
    return s;
}

}  // namespace enas_cli
