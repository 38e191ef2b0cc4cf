// What final training and the search loop save and restore alike: the child's weights, BN
// statistics and momentum, the context's RNG, the epochs done and the metrics history; plus the
// resume procedure (newest valid checkpoint, warnings for damaged newer ones, run files truncated
// to the checkpoint). Each run type adds its own entries (e.g. the controller) through `extra`.
#pragma once
#include <chrono>
#include <functional>
#include <optional>

#include "enas/optim/child_sgd.hpp"
#include "enas/run/checkpoint_set.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"

namespace enas::train {

/// Saves / restores the child's whole training state into / from a checkpoint.
template <Device D>
void add_child_state(run::CheckpointWriter& w, nn::ParameterArena<D>& arena, optim::ChildSgd<D>& sgd,
                     const std::string& prefix = "child") {
    w.add_tensor(prefix + "/values", arena.values());
    w.add_tensor(prefix + "/state", arena.state_buffer());
    w.add_tensor(prefix + "/momentum", sgd.momentum());
}
template <Device D>
void restore_child_state(const run::Checkpoint& c, nn::ParameterArena<D>& arena, optim::ChildSgd<D>& sgd,
                         const std::string& prefix = "child") {
    c.restore(prefix + "/values", arena.values());
    c.restore(prefix + "/state", arena.state_buffer());
    c.restore(prefix + "/momentum", sgd.momentum());
}

/// The "progress" entry common to every run: epochs done, the context's RNG state, history.
template <Device D>
nlohmann::json child_progress(Context<D>& ctx, std::int64_t epochs_done, const nlohmann::json& history) {
    return {{"epochs_done", epochs_done}, {"rng_seed", ctx.rng().seed()}, {"rng_offset", ctx.rng().offset()},
            {"history", history}};
}

/// Restores the newest valid checkpoint of `checkpoints` into the child, its optimizer and the
/// context, lets `extra` restore the rest, drops newer (damaged) checkpoints and the run-file
/// lines written after it, and returns its "progress" entry (nullopt without a checkpoint).
template <Device D>
std::optional<nlohmann::json> resume_child_run(run::CheckpointSet& checkpoints, run::RunFolder& run, run::ProgressReporter& progress,
                                               Context<D>& ctx, nn::ParameterArena<D>& arena,
                                               optim::ChildSgd<D>& sgd,
                                               const std::function<void(const run::Checkpoint&)>& extra = {}) {
    auto latest = checkpoints.load_latest();
    if (!latest) return std::nullopt;
    for (const std::string& w : latest->warnings) progress.message("warning: " + w);
    const run::Checkpoint& c = latest->checkpoint;
    restore_child_state(c, arena, sgd);
    if (extra) extra(c);
    nlohmann::json p = c.json("progress");
    ctx.rng().set_state(p.at("rng_seed").get<std::uint64_t>(), p.at("rng_offset").get<std::uint64_t>());
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

}  // namespace enas::train
