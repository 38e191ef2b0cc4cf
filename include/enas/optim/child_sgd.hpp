// The child networks' optimizer (reference §7.1): SGD with Nesterov momentum 0.9, L2 as the loss
// term l2 * sum(w^2) (gradient 2 * l2 * w, i.e. PyTorch-style weight_decay = 2 * l2), optional
// global-norm clipping (off by default: the authors' code computes a clipped gradient and then
// applies the unclipped one, quirk §9 #2), over the parameters of a ParameterArena.
//
// Untouched parameters: an ENAS step samples one child, so most supernet weights get no gradient.
// `UntouchedPolicy::skip` (default) leaves them exactly as they are: no L2 shrink and no momentum
// step, so a step changes only the sampled branch's and the shared weights. `zero_gradient`
// treats them as having gradient zero, as the authors' TF graph does (every variable gets its L2
// gradient and its momentum keeps moving every step).
#pragma once
#include <vector>

#include "enas/nn/parameter_arena.hpp"
#include "enas/ops/optim.hpp"

namespace enas::optim {

enum class UntouchedPolicy { skip, zero_gradient };

struct ChildSgdConfig {
    double momentum = 0.9;
    bool nesterov = true;
    double l2 = 2.5e-4;           ///< the loss-term coefficient (weight_decay = 2 * l2)
    double clip_global_norm = 0;  ///< 0: no clipping
    UntouchedPolicy untouched = UntouchedPolicy::skip;
};

template <Device D>
class ChildSgd {
public:
    ChildSgd(Context<D>& ctx, nn::ParameterArena<D>& arena, const ChildSgdConfig& config)
        : arena_(arena), config_(config) {
        check<ValueError>(arena.finalized(), "child optimizer: the parameter arena is not finalized");
        check<ValueError>(config.l2 >= 0 && config.momentum >= 0 && config.clip_global_norm >= 0,
                          "child optimizer: l2, momentum and clip_global_norm must be >= 0, got ", config.l2, ", ",
                          config.momentum, ", ", config.clip_global_norm);
        momentum_ = ctx.template zeros<float>(arena.values().shape());
        for (std::size_t i = 0; i < arena.num_params(); ++i) {
            const auto& e = arena.param_entry(static_cast<nn::ParamId>(i));
            slots_.push_back(momentum_.narrow(0, e.offset, e.shape.numel()).view(e.shape));
        }
    }

    /// One step with learning rate `lr` over the touched parameters (all, under zero_gradient),
    /// then zeroes their gradients and clears the touched marks. Returns the global gradient norm
    /// before clipping (0 when clipping is off and `want_norm` is false).
    double step(Context<D>& ctx, double lr, bool want_norm = false) {
        if (config_.untouched == UntouchedPolicy::zero_gradient) arena_.touch_all();
        double norm = 0;
        if (config_.clip_global_norm > 0 || want_norm) {
            std::vector<Tensor<float, D>> grads = touched_grads();
            norm = config_.clip_global_norm > 0 ? ops::clip_by_global_norm(ctx, grads, config_.clip_global_norm)
                                                : ops::global_norm(ctx, grads);
        }
        const SgdParams p{lr, config_.momentum, config_.nesterov, 2 * config_.l2};
        for (std::size_t i = 0; i < arena_.num_params(); ++i) {
            const auto id = static_cast<nn::ParamId>(i);
            if (!arena_.touched(id)) continue;
            Var<float, D> v = arena_.peek(id);
            ops::sgd_step(ctx, v.value(), v.grad(), slots_[i], p);
        }
        arena_.zero_touched_grads();
        arena_.clear_touched();
        return norm;
    }

    /// The momentum buffer (parallel to arena.values()); checkpoints save and restore it.
    Tensor<float, D>& momentum() { return momentum_; }
    const ChildSgdConfig& config() const { return config_; }

private:
    std::vector<Tensor<float, D>> touched_grads() {
        std::vector<Tensor<float, D>> out;
        for (std::size_t i = 0; i < arena_.num_params(); ++i)
            if (arena_.touched(static_cast<nn::ParamId>(i)))
                out.push_back(arena_.peek(static_cast<nn::ParamId>(i)).grad());
        return out;
    }

    nn::ParameterArena<D>& arena_;
    ChildSgdConfig config_;
    Tensor<float, D> momentum_;
    std::vector<Tensor<float, D>> slots_;
};

}  // namespace enas::optim
