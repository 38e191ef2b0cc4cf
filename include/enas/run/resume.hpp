// The resume procedure every run type shares, with no ML in it: load the newest valid checkpoint
// (an epoch checkpoint, or a mid-epoch one after it),
// report the damaged newer ones, let the caller restore its state from it, drop the newer files
// and the run-file lines written after it. Plus a small clock helper for the loops' timings.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/core/error.hpp"
#include "enas/run/checkpoint.hpp"
#include "enas/run/checkpoint_set.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"

namespace enas::run {

/// Restores the newest valid checkpoint of `checkpoints`: warnings about skipped (damaged) newer
/// ones go to `progress`; `restore(checkpoint, progress_entry)` restores the caller's state from
/// it (its "progress" JSON entry must hold "epochs_done"); newer checkpoints and the run-file lines
/// of later epochs are removed. Returns the "progress" entry, or nullopt without a checkpoint (the
/// run starts over: every line with an "epoch" field, left by a process killed before its first
/// checkpoint, is removed).
///
/// With `steps` (mid-epoch checkpoints, "step-<steps done>.bin", whose "progress" also holds
/// "steps_done"): a valid one inside the epoch after the newest epoch checkpoint is restored
/// instead (the lines written after its step are removed); older or damaged ones are deleted.
inline std::optional<nlohmann::json> resume_latest(
    CheckpointSet& checkpoints, RunFolder& run, ProgressReporter& progress,
    const std::function<void(const Checkpoint&, const nlohmann::json&)>& restore, CheckpointSet* steps = nullptr) {
    auto latest = checkpoints.load_latest();
    if (steps) {
        std::optional<LatestCheckpoint> step;
        try {
            step = steps->load_latest();
        } catch (const Error& e) { progress.message(std::string("warning: ") + e.what()); }
        const std::int64_t epochs_saved =
            latest ? latest->checkpoint.json("progress").at("epochs_done").get<std::int64_t>() : 0;
        if (step) {
            nlohmann::json p = step->checkpoint.json("progress");
            const std::int64_t done = p.at("epochs_done").get<std::int64_t>();
            if (done >= epochs_saved) {
                for (const std::string& w : step->warnings) progress.message("warning: " + w);
                restore(step->checkpoint, p);
                const std::int64_t steps_done = p.at("steps_done").get<std::int64_t>();
                checkpoints.remove_after(done);
                steps->remove_after(step->epoch);
                run.truncate_after_step(done, steps_done);
                progress.message("resuming from " + steps->path_for(step->epoch).string() + " (" +
                                 std::to_string(done) + " epochs and " + std::to_string(steps_done) +
                                 " steps of epoch " + std::to_string(done + 1) + " done)");
                return p;
            }
        }
        std::error_code ec;  // stale ones (older than the newest epoch checkpoint)
        for (const std::int64_t e : steps->epochs()) std::filesystem::remove(steps->path_for(e), ec);
    }
    if (!latest) {
        // Killed before its first checkpoint: the run starts over, so the lines the killed
        // process wrote go too (else they would be there twice).
        if (run.truncate_after_epoch(-1) > 0)
            progress.message("no checkpoint yet: starting from the first epoch (its earlier lines removed)");
        return std::nullopt;
    }
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
