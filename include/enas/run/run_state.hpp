// Opening a run folder for a run, with the checks `--resume` needs (docs/cli.md, "Resuming"):
//   - the folder's format version ("format_version" in config.json) must be this build's; a
//     folder without one was written before versioning and is read as version 1 (the layout has
//     not changed since);
//   - the saved config must equal this run's, apart from the keys that may change on resume
//     (the epoch count: a finished run can be extended); a difference is refused, naming each
//     differing field with its saved and given values;
//   - a run that is already complete (summary.json says so, for the same epoch count) is not run
//     again: RunComplete is thrown, which the binaries report and exit 0 on.
#pragma once
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/run/run_folder.hpp"

namespace enas::run {

/// The run-folder format this build writes and reads (config.json, the run files, checkpoints/).
inline constexpr int kRunFormatVersion = 1;
/// The key of config.json that holds it.
inline constexpr const char* kFormatVersionKey = "format_version";

/// Not an error: `--resume` found a run that has nothing left to do. what() names the folder,
/// the epochs and the summary file.
class RunComplete : public std::runtime_error {
public:
    RunComplete(std::filesystem::path dir, std::filesystem::path summary, std::int64_t epochs);
    const std::filesystem::path& dir() const { return dir_; }
    const std::filesystem::path& summary() const { return summary_; }
    std::int64_t epochs() const { return epochs_; }

private:
    std::filesystem::path dir_, summary_;
    std::int64_t epochs_;
};

/// The format version of a saved config (1 when it has none: a folder from before versioning).
/// FormatError if the field is not a non-negative integer.
int run_format_version(const nlohmann::json& saved_config, const std::filesystem::path& config_file);

/// Whether the run in folder `dir` is complete for `config`: its summary.json exists, its "status"
/// is absent or "finished" (search summaries have none) and its "epochs" equals config["epochs"].
bool run_is_complete(const std::filesystem::path& dir, const nlohmann::json& config);

/// Opens `dir` for a run of `config` in `mode` (see RunFolderMode) and writes config.json with
/// the format version. With RunFolderMode::resume and a saved config.json:
///   - ValueError naming both versions if the folder's format version is not kRunFormatVersion;
///   - ValueError naming every differing field ("/space: saved \"macro\", given \"micro\"") if
///     the saved config differs from `config` outside `may_change`;
///   - ValueError if config["epochs"] is fewer than the epochs the run's summary records;
///   - RunComplete if run_is_complete (checked first; nothing in the folder is touched then).
/// `added_defaults` holds the default value of each setting (a default-constructed config's
/// JSON): a top-level key the saved config lacks (a setting added to enas after the run started)
/// is compared as that default, so such runs resume when the new setting is left at its default.
RunFolder open_run_folder(const std::filesystem::path& dir, RunFolderMode mode, const nlohmann::json& config,
                          const std::vector<std::string>& may_change = {"epochs"},
                          const nlohmann::json& added_defaults = nlohmann::json::object());

}  // namespace enas::run
