#include "enas/run/run_state.hpp"

#include <algorithm>

#include "enas/core/error.hpp"

namespace enas::run {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string complete_message(const fs::path& dir, const fs::path& summary, std::int64_t epochs) {
    return "the run in '" + dir.string() + "' is already complete (" + std::to_string(epochs) +
           " epochs; summary: " + summary.string() +
           "); nothing to do. Use a larger --epochs with --resume to extend it, or --force to start over";
}

// Each key in `keys` removed from a copy of `j` (when `j` is an object).
json without(json j, const std::vector<std::string>& keys) {
    if (j.is_object())
        for (const std::string& k : keys) j.erase(k);
    return j;
}

std::int64_t summary_epochs(const json& summary) {
    const auto it = summary.find("epochs");
    return it != summary.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

}  // namespace

RunComplete::RunComplete(fs::path dir, fs::path summary, std::int64_t epochs)
    : std::runtime_error(complete_message(dir, summary, epochs)), dir_(std::move(dir)), summary_(std::move(summary)),
      epochs_(epochs) {}

int run_format_version(const json& saved_config, const fs::path& config_file) {
    if (!saved_config.is_object() || !saved_config.contains(kFormatVersionKey)) return 1;  // before versioning
    const json& v = saved_config.at(kFormatVersionKey);
    check<FormatError>(v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() < (1 << 30), "'",
                       config_file.string(), "': \"", kFormatVersionKey, "\" is ", v.dump(),
                       ", not a format version number");
    return v.get<int>();
}

bool run_is_complete(const fs::path& dir, const json& config) {
    std::error_code ec;
    const fs::path file = dir / RunFolder::kSummary;
    if (!fs::is_regular_file(file, ec)) return false;
    const json summary = read_json_file(file);
    if (!summary.is_object()) return false;
    const auto status = summary.find("status");
    if (status != summary.end() && *status != "finished") return false;  // stopped or diverged: resume it
    const std::int64_t done = summary_epochs(summary);
    const auto wanted = config.find("epochs");
    return done >= 0 && wanted != config.end() && wanted->is_number_integer() && wanted->get<std::int64_t>() == done;
}

RunFolder open_run_folder(const fs::path& dir, RunFolderMode mode, const json& config,
                          const std::vector<std::string>& may_change, const json& added_defaults) {
    std::error_code ec;
    const fs::path config_file = dir / RunFolder::kConfig;
    if (mode == RunFolderMode::resume && fs::is_regular_file(config_file, ec)) {
        json saved = read_json_file(config_file);
        const int version = run_format_version(saved, config_file);
        if (version != kRunFormatVersion)
            throw ValueError("cannot resume '" + dir.string() + "': its run folder has format version " +
                             std::to_string(version) + " (" + config_file.string() + "), this build of enas reads " +
                             "version " + std::to_string(kRunFormatVersion) + " (" +
                             (version > kRunFormatVersion ? "written by a newer enas" : "written by an older enas") +
                             "); resume it with the enas that wrote it, or start over with --force");
        if (saved.is_object() && added_defaults.is_object())
            for (const auto& [key, value] : added_defaults.items())
                if (!saved.contains(key)) saved[key] = value;
        std::vector<std::string> ignored = may_change;
        ignored.emplace_back(kFormatVersionKey);
        const auto diffs = json_differences(without(saved, ignored), without(config, ignored));
        if (!diffs.empty()) {
            std::string text;
            for (const auto& d : diffs) text += "\n  " + d;
            throw ValueError("--resume: the flags contradict the run's saved config (" + config_file.string() +
                             "); saved value vs given value:" + text +
                             "\n(give the run's own settings to resume it, or --force to start over)");
        }
        const fs::path summary_file = dir / RunFolder::kSummary;
        if (run_is_complete(dir, config)) throw RunComplete(dir, summary_file, config.at("epochs").get<std::int64_t>());
        if (fs::is_regular_file(summary_file, ec) && config.contains("epochs") &&
            config["epochs"].is_number_integer()) {
            const std::int64_t done = summary_epochs(read_json_file(summary_file));
            check<ValueError>(done < 0 || config["epochs"].get<std::int64_t>() >= done, "--resume: --epochs ",
                              config["epochs"].get<std::int64_t>(), " is fewer than the ", done,
                              " epochs the run has done (", summary_file.string(), ")");
        }
    }
    RunFolder run(dir, mode);
    json saved = config;
    if (saved.is_object()) saved[kFormatVersionKey] = kRunFormatVersion;
    run.write_config(saved);
    return run;
}

}  // namespace enas::run
