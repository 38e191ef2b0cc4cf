// The run flags every binary shares (--device, --out, --resume, --force), the default run folder
// name, and opening the run folder with the resume check.
#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/core/error.hpp"
#include "enas/run/run_folder.hpp"

namespace enas_cli {

struct RunFlags {
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
    }

    /// --out, or runs/<program>-<space>-<YYYYmmdd-HHMMSS>.
    std::string out_dir(const std::string& program, const std::string& space) const {
        if (!out.empty()) return out;
        const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        return "runs/" + program + "-" + space + "-" + stamp;
    }
};

/// Opens the run folder: fresh (refuses an existing non-empty folder), --force,
/// or --resume (the saved config must equal this run's apart from the epoch
/// count).
inline enas::run::RunFolder open_run(const RunFlags& flags, const std::string& dir, const nlohmann::json& config) {
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

}  // namespace enas_cli
