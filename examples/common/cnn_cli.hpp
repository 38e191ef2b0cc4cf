// Command-line conventions shared by cifar_train and cifar_search: the flags of
// the config field tables (CnnConfig, SearchConfig; a flag given overrides the
// preset's value), reading an architecture given as a string, a file (flat
// string or JSON) or the word "released", and the run-folder / resume handling.
#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "enas/run/run_folder.hpp"
#include "enas/search/arch_json.hpp"
#include "enas/train/cnn_config.hpp"
#include "enas/train/search_config.hpp"
#include "field_flags.hpp"

namespace enas_cli {

/// The flags shared by the CNN binaries: CnnConfig's field table (data and
/// preset selection first, then the run folder, then the settings that override
/// the preset when given).
struct CnnFlags {
    std::string dataset = "cifar10";  ///< the program's default dataset (set before add_to)
    std::string device = "cpu";
    std::string out;
    bool resume = false, force = false;

    void add_to(CLI::App& app) {
        enas::train::CnnConfig defaults;
        defaults.dataset = dataset;
        fields_ = FieldFlags<enas::train::CnnConfig>(defaults);
        fields_.add(app, enas::train::CnnConfig::selection_fields());
        app.add_option("--device", device, "cpu | cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
        app.add_option("--out", out, "run folder (default: runs/<program>-<space>-<time>)");
        app.add_flag("--resume", resume,
                     "continue the interrupted run in --out from its newest valid "
                     "checkpoint");
        app.add_flag("--force", force, "delete an existing run in --out and start over");
        fields_.add(app, enas::train::CnnConfig::setting_fields());
    }

    /// The value of a setting's flag, if it was given (e.g.
    /// given(&CnnConfig::layers)).
    template <class T>
    std::optional<T> given(T enas::train::CnnConfig::*member) const {
        return fields_.given(member);
    }

    /// The preset for the space and mode with every given flag applied.
    enas::train::CnnConfig config(enas::search::ChildMode mode) const {
        using enas::train::CnnConfig;
        CnnConfig selection;  // the space and preset the flags ask for
        selection.dataset = dataset;
        fields_.apply(selection);
        CnnConfig c = CnnConfig::preset_for(selection.space, mode, selection.preset);
        c.dataset = dataset;
        fields_.apply(c);
        if (c.lr_t0 > c.epochs && c.preset == "quick") c.lr_t0 = static_cast<int>(c.epochs);
        c.validate();
        return c;
    }

    /// --out, or runs/<program>-<space>-<YYYYmmdd-HHMMSS>.
    std::string out_dir(const std::string& program) const {
        if (!out.empty()) return out;
        enas::train::CnnConfig selection;
        fields_.apply(selection);
        const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        return "runs/" + program + "-" + enas::search::space_name(selection.space) + "-" + stamp;
    }

private:
    FieldFlags<enas::train::CnnConfig> fields_;
};

/// cifar_search's controller flags: SearchConfig's field table over the space's
/// preset.
struct SearchFlags {
    void add_to(CLI::App& app) { fields_.add(app, enas::train::SearchConfig::fields()); }

    /// The preset for `c`'s space and preset with every given flag applied.
    enas::train::SearchConfig config(const enas::train::CnnConfig& c) const {
        enas::train::SearchConfig s = enas::train::SearchConfig::preset_for(c.space, c.preset);
        fields_.apply(s);
        s.validate();
        return s;
    }

private:
    FieldFlags<enas::train::SearchConfig> fields_;
};

/// Opens the run folder: fresh (refuses an existing non-empty folder), --force,
/// or --resume (the saved config must equal this run's apart from the epoch
/// count).
inline enas::run::RunFolder open_run(const CnnFlags& flags, const std::string& dir, const nlohmann::json& config) {
    using enas::run::RunFolderMode;
    enas::check<enas::ValueError>(!(flags.resume && flags.force), "--resume and --force exclude each other");
    const RunFolderMode mode = flags.resume  ? RunFolderMode::resume
                               : flags.force ? RunFolderMode::force
                                             : RunFolderMode::fresh;
    enas::run::RunFolder run(dir, mode);
    if (flags.resume && std::filesystem::exists(run.file(enas::run::RunFolder::kConfig))) {
        nlohmann::json saved = run.read_config(), now = config;
        saved.erase("epochs");
        now.erase("epochs");
        const auto diffs = enas::run::json_differences(saved, now);
        if (!diffs.empty()) {
            std::string text;
            for (const auto& d : diffs) text += "\n  " + d;
            throw enas::ValueError("--resume: the flags differ from the run's config.json (" +
                                   run.file(enas::run::RunFolder::kConfig).string() + "):" + text);
        }
    }
    run.write_config(config);
    return run;
}

/// The text of an --arch value: the file's content when it names a file, else
/// the value itself.
inline std::string arch_text(const std::string& value) {
    std::error_code ec;  // a flat string is usually no valid path at all (too
                         // long): not a file
    if (value.empty() || !std::filesystem::is_regular_file(value, ec)) return value;
    std::ifstream in(value);
    enas::check<enas::IoError>(static_cast<bool>(in), "cannot read the architecture file ", value);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline bool is_json_text(const std::string& text) {
    const auto p = text.find_first_not_of(" \t\r\n");
    return p != std::string::npos && text[p] == '{';
}

}  // namespace enas_cli
