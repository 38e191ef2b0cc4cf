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

namespace enas_cli {

struct PtbFlags {
    std::string device = "cpu";
    std::string out;
    bool resume = false, force = false;

    void add_to(CLI::App& app) {
        app.add_option("--device", device, "cpu | cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
        app.add_option("--out", out, "run folder (default: runs/<program>-<space>-<time>)");
        app.add_flag("--resume", resume,
                     "continue the interrupted run in --out from its newest valid "
                     "checkpoint");
        app.add_flag("--force", force, "delete an existing run in --out and start over");
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

    /// --out, or runs/<program>-<space>-<YYYYmmdd-HHMMSS>.
    std::string out_dir(const std::string& program, const std::string& space) const {
        if (!out.empty()) return out;
        const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        return "runs/" + program + "-" + space + "-" + stamp;
    }

private:
    FieldFlags<enas::train::PtbConfig> fields_;
};

/// Opens the run folder: fresh (refuses an existing non-empty folder), --force,
/// or --resume (the saved config must equal this run's apart from the epoch
/// count).
inline enas::run::RunFolder open_ptb_run(const PtbFlags& flags, const std::string& dir, const nlohmann::json& config) {
    CnnFlags f;
    f.resume = flags.resume;
    f.force = flags.force;
    return open_run(f, dir, config);
}

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
