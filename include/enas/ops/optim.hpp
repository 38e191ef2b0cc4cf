// Public optimizer update ops (ENAS reference §2.1 Adam, §7.1 SGD): fused in-place updates over
// tensors of any shape (treated as flat), and global-norm gradient clipping. They are not
// differentiable (no Var-level overloads): an optimizer calls them on parameter values, gradients
// and its own state buffers after backward. SgdParams, AdamParams and AdamForm are documented in
// backend/cpu/optim.hpp.
#pragma once
#include <cmath>
#include <vector>

#include "enas/backend/cpu/optim.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/optim.hpp"
#endif

namespace enas::ops {

namespace optim_detail {

/// An in-place argument: same shape as `param` and contiguous (it is written through).
template <Scalar T, Device D>
void require_state(const char* op, const char* arg, const Tensor<T, D>& t, const Tensor<T, D>& param) {
    detail::require_shape(op, arg, t, param.shape());
    check<ShapeError>(t.is_contiguous(), op, ": argument '", arg, "' (shape ", t.shape().str(),
                      ") must be contiguous: it is updated in place");
}

inline void require_finite_nonnegative(const char* op, const char* name, double value) {
    check<ValueError>(std::isfinite(value) && value >= 0.0, op, ": ", name, " must be finite and >= 0, got ", value);
}

inline void require_unit_interval(const char* op, const char* name, double value) {
    check<ValueError>(value >= 0.0 && value < 1.0, op, ": ", name, " must be in [0, 1), got ", value);
}

}  // namespace optim_detail

/// One SGD step (see SgdParams): updates `param` and the `momentum` buffer in place. All three
/// tensors have the same shape; param and momentum must be contiguous. With p.momentum == 0 the
/// momentum buffer is not used and may be undefined.
template <Scalar T, Device D>
void sgd_step(Context<D>& ctx, Tensor<T, D>& param, const Tensor<T, D>& grad, Tensor<T, D>& momentum,
              const SgdParams& p) {
    constexpr const char* op = "sgd_step";
    detail::require_nonempty(op, "param", param);
    check<ShapeError>(param.is_contiguous(), op, ": argument 'param' (shape ", param.shape().str(),
                      ") must be contiguous: it is updated in place");
    detail::require_shape(op, "grad", grad, param.shape());
    optim_detail::require_finite_nonnegative(op, "lr", p.lr);
    optim_detail::require_finite_nonnegative(op, "momentum", p.momentum);
    optim_detail::require_finite_nonnegative(op, "weight_decay", p.weight_decay);
    check<ValueError>(!p.nesterov || p.momentum > 0.0, op, ": Nesterov momentum needs momentum > 0, got ", p.momentum);
    const Tensor<T, D> g = grad.contiguous();
    if (p.momentum == 0.0) {
        ENAS_BACKEND_CALL(D, sgd_step, ctx, p, param, g, static_cast<Tensor<T, D>*>(nullptr));
        return;
    }
    optim_detail::require_state(op, "momentum", momentum, param);
    ENAS_BACKEND_CALL(D, sgd_step, ctx, p, param, g, &momentum);
}

/// One Adam step at step `step` (1-based: the first update is step 1; see AdamParams and
/// AdamForm): updates `param` and the moment buffers `m`, `v` in place. All four tensors have the
/// same shape; param, m and v must be contiguous. m and v start at zero.
template <Scalar T, Device D>
void adam_step(Context<D>& ctx, Tensor<T, D>& param, const Tensor<T, D>& grad, Tensor<T, D>& m, Tensor<T, D>& v,
               const AdamParams& p, std::int64_t step) {
    constexpr const char* op = "adam_step";
    detail::require_nonempty(op, "param", param);
    check<ShapeError>(param.is_contiguous(), op, ": argument 'param' (shape ", param.shape().str(),
                      ") must be contiguous: it is updated in place");
    detail::require_shape(op, "grad", grad, param.shape());
    optim_detail::require_state(op, "m", m, param);
    optim_detail::require_state(op, "v", v, param);
    check<ValueError>(step >= 1, op, ": step is 1-based and must be >= 1, got ", step);
    optim_detail::require_finite_nonnegative(op, "lr", p.lr);
    optim_detail::require_unit_interval(op, "beta1", p.beta1);
    optim_detail::require_unit_interval(op, "beta2", p.beta2);
    optim_detail::require_finite_nonnegative(op, "eps", p.eps);
    optim_detail::require_finite_nonnegative(op, "weight_decay", p.weight_decay);
    const Tensor<T, D> g = grad.contiguous();
    ENAS_BACKEND_CALL(D, adam_step, ctx, p, step, param, g, m, v);
}

/// The global norm sqrt(sum over tensors of sum x^2) (TF tf.global_norm), accumulated in double.
/// Undefined tensors are skipped (a parameter the step did not touch has no gradient).
template <Scalar T, Device D>
double global_norm(Context<D>& ctx, const std::vector<Tensor<T, D>>& tensors) {
    double total = 0;
    for (const Tensor<T, D>& t : tensors) {
        if (!t.defined() || t.numel() == 0) continue;
        const Tensor<T, D> c = t.contiguous();
        double s = 0;
        ENAS_BACKEND_CALL(D, sum_of_squares, ctx, c, &s);
        total += s;
    }
    return std::sqrt(total);
}

/// Global-norm clipping as TF's clip_by_global_norm: when the global norm of `grads` exceeds
/// max_norm, every tensor is scaled in place by max_norm / norm. Returns the norm before
/// clipping. When that norm is not finite (NaN or inf gradients) nothing is scaled: check the
/// returned value. Scaled tensors must be contiguous.
template <Scalar T, Device D>
double clip_by_global_norm(Context<D>& ctx, std::vector<Tensor<T, D>>& grads, double max_norm) {
    check<ValueError>(std::isfinite(max_norm) && max_norm > 0.0,
                      "clip_by_global_norm: max_norm must be finite and > 0, got ", max_norm);
    for (std::size_t i = 0; i < grads.size(); ++i) {
        const Tensor<T, D>& t = grads[i];
        check<ShapeError>(!t.defined() || t.is_contiguous(), "clip_by_global_norm: gradient ", i, " (shape ",
                          t.shape().str(), ") must be contiguous: it is scaled in place");
    }
    const double norm = global_norm(ctx, grads);
    if (!std::isfinite(norm) || norm <= max_norm) return norm;
    const T scale = static_cast<T>(max_norm / norm);
    for (Tensor<T, D>& t : grads)
        if (t.defined() && t.numel() > 0) ENAS_BACKEND_CALL(D, scale_in_place, ctx, scale, t);
    return norm;
}

}  // namespace enas::ops
