// What every child task saves and restores alike: the child's weights, BN statistics and
// momentum, and the context's RNG state (in the checkpoint's "progress" entry).
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/core/context.hpp"
#include "enas/nn/parameter_arena.hpp"
#include "enas/optim/child_sgd.hpp"
#include "enas/run/checkpoint.hpp"

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

/// The context's RNG state into / from a checkpoint's "progress" entry ("rng_seed", "rng_offset").
template <Device D>
void save_rng_state(Context<D>& ctx, nlohmann::json& progress) {
    progress["rng_seed"] = ctx.rng().seed();
    progress["rng_offset"] = ctx.rng().offset();
}
template <Device D>
void restore_rng_state(Context<D>& ctx, const nlohmann::json& progress) {
    ctx.rng().set_state(progress.at("rng_seed").get<std::uint64_t>(), progress.at("rng_offset").get<std::uint64_t>());
}

}  // namespace enas::train
