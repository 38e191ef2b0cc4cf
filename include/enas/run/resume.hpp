// The resume procedure every run type shares, with no ML in it: load the newest valid checkpoint,
// report the damaged newer ones, let the caller restore its state from it, drop the newer files
// and the run-file lines written after it. Plus a small clock helper for the loops' timings.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/run/checkpoint.hpp"
#include "enas/run/checkpoint_set.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"

namespace enas::run {

/// Restores the newest valid checkpoint of `checkpoints`: warnings about skipped (damaged) newer
/// ones go to `progress`; `restore(checkpoint, progress_entry)` restores the caller's state from
/// it (its "progress" JSON entry must hold "epochs_done"); newer checkpoints and the run-file lines
/// of later epochs are removed. Returns the "progress" entry, or nullopt without a checkpoint.
inline std::optional<nlohmann::json> resume_latest(
    CheckpointSet& checkpoints, RunFolder& run, ProgressReporter& progress,
    const std::function<void(const Checkpoint&, const nlohmann::json&)>& restore) {
    auto latest = checkpoints.load_latest();
    if (!latest) return std::nullopt;
    for (const std::string& w : latest->warnings) progress.message("warning: " + w);
    const Checkpoint& c = latest->checkpoint;
    nlohmann::json p = c.json("progress");
    restore(c, p);
    const std::int64_t done = p.at("epochs_done").get<std::int64_t>();
    checkpoints.remove_after(latest->epoch);
    run.truncate_after_epoch(done - 1);
    progress.message("resuming from " + checkpoints.path_for(latest->epoch).string() + " (" + std::to_string(done) +
                     " epochs done)");
    return p;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace enas::run
