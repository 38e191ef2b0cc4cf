// Public reduce ops: global average pooling [N, C, H, W] -> [N, C], and whole-tensor sum, mean
// and sum of squares (shape [1]; sum of squares is the L2 term l2 * sum(w^2)), on tensors (no
// autograd) and on Vars (recorded on a Tape). Sums accumulate in double.
#pragma once
#include "enas/backend/cpu/reduce.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/reduce.hpp"
#endif

namespace enas::ops {

/// y[n, c] = mean over h, w of x[n, c, h, w]. x [N, C, H, W] -> y [N, C].
template <Scalar T, Device D>
Tensor<T, D> global_avg_pool(Context<D>& ctx, const Tensor<T, D>& x) {
    detail::require_rank("global_avg_pool", "x", x, 4);
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(Shape{x.dim(0), x.dim(1)});
    ENAS_BACKEND_CALL(D, global_avg_pool_forward, ctx, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> global_avg_pool(Tape<D>& tape, const Var<T, D>& x) {
    Var<T, D> out = tape.output(global_avg_pool(tape.ctx(), x.value()), x);
    tape.record(out, [x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        Tensor<T, D> gy = out.grad().contiguous();
        ENAS_BACKEND_CALL(D, global_avg_pool_backward, ctx, gy, x.grad_buffer(ctx));
    });
    return out;
}

namespace detail {

/// alpha * sum(x) as a [1] tensor (alpha = 1: sum, 1 / numel: mean); the Var overload records
/// the backward gx += alpha * gy.
template <Scalar T, Device D>
Tensor<T, D> scaled_sum(Context<D>& ctx, const char* op, const Tensor<T, D>& x, bool mean) {
    require_nonempty(op, "x", x);
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(Shape{1});
    const double alpha = mean ? 1.0 / static_cast<double>(x.numel()) : 1.0;
    ENAS_BACKEND_CALL(D, sum_forward, ctx, alpha, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> scaled_sum(Tape<D>& tape, const char* op, const Var<T, D>& x, bool mean) {
    Var<T, D> out = tape.output(scaled_sum(tape.ctx(), op, x.value(), mean), x);
    const double alpha = mean ? 1.0 / static_cast<double>(x.value().numel()) : 1.0;
    tape.record(out, [alpha, x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        ENAS_BACKEND_CALL(D, sum_backward, ctx, alpha, out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

}  // namespace detail

/// The sum of all elements of x (any shape, non-empty), as a tensor of shape [1].
template <Scalar T, Device D>
Tensor<T, D> sum(Context<D>& ctx, const Tensor<T, D>& x) {
    return detail::scaled_sum(ctx, "sum", x, false);
}
template <Scalar T, Device D>
Var<T, D> sum(Tape<D>& tape, const Var<T, D>& x) {
    return detail::scaled_sum(tape, "sum", x, false);
}

/// The mean of all elements of x (any shape, non-empty), as a tensor of shape [1].
template <Scalar T, Device D>
Tensor<T, D> mean(Context<D>& ctx, const Tensor<T, D>& x) {
    return detail::scaled_sum(ctx, "mean", x, true);
}
template <Scalar T, Device D>
Var<T, D> mean(Tape<D>& tape, const Var<T, D>& x) {
    return detail::scaled_sum(tape, "mean", x, true);
}

/// The sum of squares of all elements of x (any shape, non-empty), as a tensor of shape [1].
template <Scalar T, Device D>
Tensor<T, D> sum_squares(Context<D>& ctx, const Tensor<T, D>& x) {
    detail::require_nonempty("sum_squares", "x", x);
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(Shape{1});
    ENAS_BACKEND_CALL(D, sum_squares_forward, ctx, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> sum_squares(Tape<D>& tape, const Var<T, D>& x) {
    Var<T, D> out = tape.output(sum_squares(tape.ctx(), x.value()), x);
    tape.record(out, [x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        Tensor<T, D> xv = x.value().contiguous();
        ENAS_BACKEND_CALL(D, sum_squares_backward, ctx, xv, out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

}  // namespace enas::ops
