// Public batch normalization over the channels (dimension 1) of NCHW tensors or [N, C] matrices,
// on tensors (no autograd) and on Vars (recorded on a Tape). gamma (scale) and beta (offset) are
// optional: undefined means affine=false. The running statistics are plain tensors updated in
// place (they are state, not parameters). See BatchNormParams for the modes, decay and epsilon.
#pragma once
#include <cmath>

#include "enas/backend/cpu/batchnorm.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/batchnorm.hpp"
#endif

namespace enas::ops {

namespace detail {

/// The normalized output and the per-channel statistics the backward needs.
template <Scalar T, Device D>
struct BatchNormForward {
    Tensor<T, D> y, mean, inv_std;
};

template <Scalar T, Device D>
void check_batch_norm(const Tensor<T, D>& x, const Tensor<T, D>& gamma, const Tensor<T, D>& beta,
                      const Tensor<T, D>& running_mean, const Tensor<T, D>& running_var, const BatchNormParams& p) {
    require_nonempty("batch_norm", "x", x);
    check<ShapeError>(x.rank() == 2 || x.rank() == 4,
                      "batch_norm: argument 'x' must have rank 2 ([N, C]) or 4 "
                      "([N, C, H, W]), got shape ",
                      x.shape().str());
    const Shape channels{x.dim(1)};
    if (gamma.defined()) require_shape("batch_norm", "gamma", gamma, channels);
    if (beta.defined()) require_shape("batch_norm", "beta", beta, channels);
    check<ValueError>(std::isfinite(p.epsilon) && p.epsilon > 0, "batch_norm: epsilon ", p.epsilon,
                      " must be positive and finite");
    check<ValueError>(p.decay >= 0 && p.decay <= 1, "batch_norm: decay ", p.decay, " must be in [0, 1]");
    if (p.mode == BatchNormMode::TrainNoRunningUpdate) return;
    check<StateError>(running_mean.defined() && running_var.defined(), "batch_norm: mode ",
                      batch_norm_mode_name(p.mode),
                      " needs running_mean and running_var, got an undefined tensor "
                      "(use BatchNormMode::TrainNoRunningUpdate for batch statistics without running ones)");
    require_shape("batch_norm", "running_mean", running_mean, channels);
    require_shape("batch_norm", "running_var", running_var, channels);
    check<ShapeError>(running_mean.is_contiguous() && running_var.is_contiguous(),
                      "batch_norm: running_mean and running_var must be contiguous (they are updated in place)");
    const std::int64_t per_channel = x.numel() / x.dim(1);
    check<ValueError>(
        p.mode != BatchNormMode::Train || p.variance_update == RunningVarianceUpdate::Biased || per_channel > 1,
        "batch_norm: the unbiased running-variance update needs more than one value per channel, "
        "got ",
        per_channel, " for input shape ", x.shape().str());
}

template <Scalar T, Device D>
BatchNormForward<T, D> batch_norm_forward(Context<D>& ctx, const Tensor<T, D>& x, const Tensor<T, D>& gamma,
                                          const Tensor<T, D>& beta, Tensor<T, D>& running_mean,
                                          Tensor<T, D>& running_var, const BatchNormParams& p) {
    check_batch_norm(x, gamma, beta, running_mean, running_var, p);
    Tensor<T, D> xc = x.contiguous();
    const Tensor<T, D> gc = gamma.defined() ? gamma.contiguous() : Tensor<T, D>();
    const Tensor<T, D> bc = beta.defined() ? beta.contiguous() : Tensor<T, D>();
    BatchNormForward<T, D> r{ctx.template empty<T>(x.shape()), ctx.template empty<T>(Shape{x.dim(1)}),
                             ctx.template empty<T>(Shape{x.dim(1)})};
    Tensor<T, D> no_running;
    Tensor<T, D>& rm = p.mode == BatchNormMode::TrainNoRunningUpdate ? no_running : running_mean;
    Tensor<T, D>& rv = p.mode == BatchNormMode::TrainNoRunningUpdate ? no_running : running_var;
    ENAS_BACKEND_CALL(D, batch_norm_forward, ctx, p, xc, gc, bc, rm, rv, r.y, r.mean, r.inv_std);
    return r;
}

}  // namespace detail

/// Batch norm of x [N, C, H, W] or [N, C] with per-channel gamma, beta [C] (either may be
/// undefined: scale 1, offset 0). Train normalizes with the batch mean and biased variance and
/// updates running_mean / running_var [C] in place; TrainNoRunningUpdate does the same without
/// touching them (they may be undefined); Eval normalizes with them.
template <Scalar T, Device D>
Tensor<T, D> batch_norm(Context<D>& ctx, const Tensor<T, D>& x, const Tensor<T, D>& gamma, const Tensor<T, D>& beta,
                        Tensor<T, D>& running_mean, Tensor<T, D>& running_var, const BatchNormParams& p) {
    return detail::batch_norm_forward(ctx, x, gamma, beta, running_mean, running_var, p).y;
}

/// The Var form: gamma and beta are parameters (undefined Vars for affine=false). The backward
/// goes through the batch statistics in the training modes and treats the statistics as
/// constants in Eval.
template <Scalar T, Device D>
Var<T, D> batch_norm(Tape<D>& tape, const Var<T, D>& x, const Var<T, D>& gamma, const Var<T, D>& beta,
                     Tensor<T, D>& running_mean, Tensor<T, D>& running_var, const BatchNormParams& p) {
    const Tensor<T, D> none;
    auto r = detail::batch_norm_forward(tape.ctx(), x.value(), gamma.defined() ? gamma.value() : none,
                                        beta.defined() ? beta.value() : none, running_mean, running_var, p);
    // Undefined gamma / beta stand in as x, which adds nothing to "does any input need a gradient".
    Var<T, D> out = tape.output(std::move(r.y), x, gamma.defined() ? gamma : x, beta.defined() ? beta : x);
    tape.record(out, [x, gamma, beta, mean = r.mean, inv_std = r.inv_std, mode = p.mode, out](Context<D>& ctx) {
        if (!out.has_grad()) return;
        Tensor<T, D> gx = x.requires_grad() ? x.grad_buffer(ctx) : Tensor<T, D>();
        Tensor<T, D> ggamma = gamma.defined() && gamma.requires_grad() ? gamma.grad_buffer(ctx) : Tensor<T, D>();
        Tensor<T, D> gbeta = beta.defined() && beta.requires_grad() ? beta.grad_buffer(ctx) : Tensor<T, D>();
        const Tensor<T, D> xv = x.value().contiguous();
        const Tensor<T, D> gv = gamma.defined() ? gamma.value().contiguous() : Tensor<T, D>();
        const Tensor<T, D> gy = out.grad().contiguous();
        ENAS_BACKEND_CALL(D, batch_norm_backward, ctx, mode, xv, gv, mean, inv_std, gy, gx, ggamma, gbeta);
    });
    return out;
}

/// Batch norm with batch statistics and no running statistics at all; p.mode must be
/// TrainNoRunningUpdate (the micro search's _enas_conv BN).
template <Scalar T, Device D>
Var<T, D> batch_norm(Tape<D>& tape, const Var<T, D>& x, const Var<T, D>& gamma, const Var<T, D>& beta,
                     const BatchNormParams& p) {
    check<ValueError>(p.mode == BatchNormMode::TrainNoRunningUpdate,
                      "batch_norm: without running statistics the "
                      "mode must be train-no-running-update, got ",
                      batch_norm_mode_name(p.mode));
    Tensor<T, D> no_mean, no_var;
    return batch_norm(tape, x, gamma, beta, no_mean, no_var, p);
}

}  // namespace enas::ops
