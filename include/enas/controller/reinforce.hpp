// REINFORCE with a moving-average baseline, as the authors' controllers train (reference §2.1):
//   R = task_reward + entropy_weight · entropy          (the entropy has no gradient)
//   b <- b − (1 − β)(b − R)                             (b starts at 0; updated BEFORE the advantage)
//   loss = (Σ −log π(a)) · (R − b)  [+ skip_weight · mean skip KL, macro]
// The gradients of num_aggregate consecutive samples are averaged and applied in one Adam step
// (TF SyncReplicasOptimizer with one replica); the step counter counts applied steps.
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/controller/config.hpp"
#include "enas/controller/parameters.hpp"
#include "enas/controller/policy.hpp"
#include "enas/backend/cpu/parallel.hpp"
#include "enas/ops/optim.hpp"

namespace enas::controller {

/// Everything REINFORCE carries between samples, besides the weights and Adam moments.
struct ReinforceState {
    double baseline = 0;       ///< moving average of R
    std::int64_t step = 0;     ///< Adam steps applied
    std::int64_t pending = 0;  ///< samples accumulated toward the next step (< num_aggregate)
};

/// R = task_reward + entropy_weight · entropy.
inline double reinforce_reward(double task_reward, double entropy, const ReinforceConfig& config) {
    return task_reward + config.entropy_weight * entropy;
}

/// b <- b − (1 − β)(b − R); returns the new b.
inline double update_baseline(ReinforceState& state, double reward, double decay) {
    state.baseline -= (1.0 - decay) * (state.baseline - reward);
    return state.baseline;
}

/// Forms the update for one sample: reward, updated baseline, advantage and loss. The caller then
/// accumulates the loss gradient scaled by 1 / num_aggregate (gradient_scale) and calls
/// finish_update.
inline UpdateResult begin_update(ReinforceState& state, const ReinforceConfig& config, const Sample& sample,
                                 double task_reward, double skip_weight) {
    check<ValueError>(std::isfinite(task_reward), "controller update: the task reward is not finite (", task_reward,
                      ")");
    UpdateResult r;
    r.reward = reinforce_reward(task_reward, sample.entropy, config);
    r.baseline = update_baseline(state, r.reward, config.baseline_decay);
    r.advantage = r.reward - r.baseline;
    r.loss = -sample.log_prob * r.advantage + skip_weight * sample.skip_penalty;
    r.step = state.step;
    return r;
}

/// The factor applied to each sample's gradient: gradients are averaged over num_aggregate.
inline double gradient_scale(const ReinforceConfig& config) { return 1.0 / config.num_aggregate; }

/// One Adam step over the whole arena, on the calling thread: the update runs in chunks below the
/// CPU backend's parallel grain, because the controller's few tens of thousands of weights are
/// not worth an OpenMP region (whose spinning threads cost far more than they save when the
/// machine is busy).
template <Scalar T>
void adam_step_serial(Context<Cpu>& ctx, ParameterArena<T>& params, const AdamParams& adam, std::int64_t step) {
    const std::int64_t n = params.size();
    for (std::int64_t begin = 0; begin < n; begin += cpu::kParallelGrain) {
        const std::int64_t len = std::min(cpu::kParallelGrain, n - begin);
        Tensor<T, Cpu> values = params.values().narrow(0, begin, len);
        Tensor<T, Cpu> m = params.adam_m().narrow(0, begin, len);
        Tensor<T, Cpu> v = params.adam_v().narrow(0, begin, len);
        ops::adam_step(ctx, values, params.grads().narrow(0, begin, len), m, v, adam, step);
    }
}

/// Counts the sample; when num_aggregate samples have accumulated, applies one Adam step to the
/// arena (gradients are the averaged sum), zeroes the gradients and increments the step.
template <Scalar T>
void finish_update(ReinforceState& state, const ReinforceConfig& config, Context<Cpu>& ctx, ParameterArena<T>& params,
                   UpdateResult& result) {
    ++state.pending;
    if (state.pending >= config.num_aggregate) {
        ++state.step;
        adam_step_serial(ctx, params, config.adam(), state.step);
        params.zero_grads();
        state.pending = 0;
        result.applied = true;
    }
    result.step = state.step;
}

}  // namespace enas::controller
