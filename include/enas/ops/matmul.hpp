// Public matmul ops: the general matrix product y = op(a) * op(b) and the dense layer
// y = x * w^T (+ bias) of the classifier heads and the controller, on tensors (no autograd) and
// on Vars (recorded on a Tape).
#pragma once
#include "enas/backend/cpu/matmul.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/matmul.hpp"
#endif

namespace enas::ops {

/// y [M, N] = op(a) * op(b), where op(a) = a^T when trans_a (a stored [K, M]) and a otherwise
/// (a stored [M, K]); the same for b ([K, N], or [N, K] when trans_b).
template <Scalar T, Device D>
Tensor<T, D> matmul(Context<D>& ctx, const Tensor<T, D>& a, const Tensor<T, D>& b, bool trans_a = false,
                    bool trans_b = false) {
    detail::require_rank("matmul", "a", a, 2);
    detail::require_rank("matmul", "b", b, 2);
    const std::int64_t m = trans_a ? a.dim(1) : a.dim(0), k = trans_a ? a.dim(0) : a.dim(1);
    const std::int64_t kb = trans_b ? b.dim(1) : b.dim(0), n = trans_b ? b.dim(0) : b.dim(1);
    check<ShapeError>(k == kb, "matmul: inner dimensions differ: a ", a.shape().str(), (trans_a ? " (transposed)" : ""),
                      " has ", k, " columns, b ", b.shape().str(), (trans_b ? " (transposed)" : ""), " has ", kb,
                      " rows");
    Tensor<T, D> ac = a.contiguous(), bc = b.contiguous();
    Tensor<T, D> y = ctx.template empty<T>({m, n});
    ENAS_BACKEND_CALL(D, matmul_forward, ctx, trans_a, trans_b, ac, bc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> matmul(Tape<D>& tape, const Var<T, D>& a, const Var<T, D>& b, bool trans_a = false, bool trans_b = false) {
    Tensor<T, D> ac = a.value().contiguous(), bc = b.value().contiguous();
    Var<T, D> out = tape.output(matmul(tape.ctx(), ac, bc, trans_a, trans_b), a, b);
    tape.record(out, [a, b, ac, bc, out, trans_a, trans_b](Context<D>& ctx) {
        if (!out.has_grad()) return;
        if (a.requires_grad())
            ENAS_BACKEND_CALL(D, matmul_backward_a, ctx, trans_a, trans_b, bc, out.grad(), a.grad_buffer(ctx));
        if (b.requires_grad())
            ENAS_BACKEND_CALL(D, matmul_backward_b, ctx, trans_a, trans_b, ac, out.grad(), b.grad_buffer(ctx));
    });
    return out;
}

/// y [N, out] = x [N, in] * w^T + bias, with w [out, in] (the PyTorch nn.Linear layout) and bias
/// [out]; pass an undefined bias for none.
template <Scalar T, Device D>
Tensor<T, D> linear(Context<D>& ctx, const Tensor<T, D>& x, const Tensor<T, D>& w, const Tensor<T, D>& bias) {
    detail::require_rank("linear", "x", x, 2);
    detail::require_rank("linear", "w", w, 2);
    check<ShapeError>(x.dim(1) == w.dim(1), "linear: x ", x.shape().str(), " has ", x.dim(1), " features but w ",
                      w.shape().str(), " expects ", w.dim(1), " (w is [out, in])");
    if (bias.defined()) detail::require_shape("linear", "bias", bias, Shape{w.dim(0)});
    Tensor<T, D> xc = x.contiguous(), wc = w.contiguous();
    Tensor<T, D> bc = bias.defined() ? bias.contiguous() : bias;
    Tensor<T, D> y = ctx.template empty<T>({x.dim(0), w.dim(0)});
    ENAS_BACKEND_CALL(D, linear_forward, ctx, xc, wc, bc, y);
    return y;
}

/// y = x * w^T without a bias.
template <Scalar T, Device D>
Tensor<T, D> linear(Context<D>& ctx, const Tensor<T, D>& x, const Tensor<T, D>& w) {
    return linear(ctx, x, w, Tensor<T, D>());
}

/// Var-level linear with a bias (every one of x, w, bias may require a gradient).
template <Scalar T, Device D>
Var<T, D> linear(Tape<D>& tape, const Var<T, D>& x, const Var<T, D>& w, const Var<T, D>& bias) {
    Tensor<T, D> xc = x.value().contiguous(), wc = w.value().contiguous();
    Var<T, D> out = tape.output(linear(tape.ctx(), xc, wc, bias.value()), x, w, bias);
    tape.record(out, [x, w, bias, xc, wc, out](Context<D>& ctx) {
        if (!out.has_grad()) return;
        if (x.requires_grad()) ENAS_BACKEND_CALL(D, linear_backward_input, ctx, wc, out.grad(), x.grad_buffer(ctx));
        if (w.requires_grad()) ENAS_BACKEND_CALL(D, linear_backward_weight, ctx, xc, out.grad(), w.grad_buffer(ctx));
        if (bias.requires_grad()) ENAS_BACKEND_CALL(D, linear_backward_bias, ctx, out.grad(), bias.grad_buffer(ctx));
    });
    return out;
}

/// Var-level linear without a bias (the ENAS classifier heads have none).
template <Scalar T, Device D>
Var<T, D> linear(Tape<D>& tape, const Var<T, D>& x, const Var<T, D>& w) {
    Tensor<T, D> xc = x.value().contiguous(), wc = w.value().contiguous();
    Var<T, D> out = tape.output(linear(tape.ctx(), xc, wc), x, w);
    tape.record(out, [x, w, xc, wc, out](Context<D>& ctx) {
        if (!out.has_grad()) return;
        if (x.requires_grad()) ENAS_BACKEND_CALL(D, linear_backward_input, ctx, wc, out.grad(), x.grad_buffer(ctx));
        if (w.requires_grad()) ENAS_BACKEND_CALL(D, linear_backward_weight, ctx, xc, out.grad(), w.grad_buffer(ctx));
    });
    return out;
}

}  // namespace enas::ops
