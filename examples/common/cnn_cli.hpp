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
#include "run_flags.hpp"

namespace enas_cli {

/// The flags shared by the CNN binaries: CnnConfig's field table (data and
/// preset selection first, then the run folder, then the settings that override
/// the preset when given).
struct CnnFlags : RunFlags {
    std::string dataset = "cifar10";  ///< the program's default dataset (set before add_to)

    void add_to(CLI::App& app) {
        enas::train::CnnConfig defaults;
        defaults.dataset = dataset;
        fields_ = FieldFlags<enas::train::CnnConfig>(defaults);
        fields_.add(app, enas::train::CnnConfig::selection_fields());
        RunFlags::add_to(app);
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
        enas::train::CnnConfig selection;
        fields_.apply(selection);
        return RunFlags::out_dir(program, enas::search::space_name(selection.space));
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
