// Public elementwise ops: activations (identity, ReLU, tanh, sigmoid), add, mul and scale, on
// tensors (no autograd) and on Vars (recorded on a Tape).
#pragma once
#include "enas/backend/cpu/elementwise.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/elementwise.hpp"
#endif

namespace enas::ops {

/// y = act(x).
template <Scalar T, Device D>
Tensor<T, D> activation(Context<D>& ctx, Activation a, const Tensor<T, D>& x) {
    detail::require_nonempty("activation", "x", x);
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    ENAS_BACKEND_CALL(D, activation_forward, ctx, a, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> activation(Tape<D>& tape, Activation a, const Var<T, D>& x) {
    Var<T, D> out = tape.output(activation(tape.ctx(), a, x.value()), x);
    tape.record(out, [a, x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        ENAS_BACKEND_CALL(D, activation_backward, ctx, a, out.value(), out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

template <Scalar T, Device D>
Var<T, D> relu(Tape<D>& tape, const Var<T, D>& x) {
    return activation(tape, Activation::Relu, x);
}
template <Scalar T, Device D>
Var<T, D> tanh(Tape<D>& tape, const Var<T, D>& x) {
    return activation(tape, Activation::Tanh, x);
}
template <Scalar T, Device D>
Var<T, D> sigmoid(Tape<D>& tape, const Var<T, D>& x) {
    return activation(tape, Activation::Sigmoid, x);
}

/// y = a + b (same shapes).
template <Scalar T, Device D>
Tensor<T, D> add(Context<D>& ctx, const Tensor<T, D>& a, const Tensor<T, D>& b) {
    detail::require_same_shape("add", "a", a, "b", b);
    Tensor<T, D> ac = a.contiguous(), bc = b.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(a.shape());
    ENAS_BACKEND_CALL(D, add_forward, ctx, ac, bc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> add(Tape<D>& tape, const Var<T, D>& a, const Var<T, D>& b) {
    Var<T, D> out = tape.output(add(tape.ctx(), a.value(), b.value()), a, b);
    tape.record(out, [a, b, out](Context<D>& ctx) {
        if (!out.has_grad()) return;
        if (a.requires_grad()) ENAS_BACKEND_CALL(D, axpy, ctx, T(1), out.grad(), a.grad_buffer(ctx));
        if (b.requires_grad()) ENAS_BACKEND_CALL(D, axpy, ctx, T(1), out.grad(), b.grad_buffer(ctx));
    });
    return out;
}

/// y = a * b elementwise (same shapes).
template <Scalar T, Device D>
Tensor<T, D> mul(Context<D>& ctx, const Tensor<T, D>& a, const Tensor<T, D>& b) {
    detail::require_same_shape("mul", "a", a, "b", b);
    Tensor<T, D> ac = a.contiguous(), bc = b.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(a.shape());
    ENAS_BACKEND_CALL(D, mul_forward, ctx, ac, bc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> mul(Tape<D>& tape, const Var<T, D>& a, const Var<T, D>& b) {
    Var<T, D> out = tape.output(mul(tape.ctx(), a.value(), b.value()), a, b);
    tape.record(out, [a, b, out](Context<D>& ctx) {
        if (!out.has_grad()) return;
        Tensor<T, D> av = a.value().contiguous(), bv = b.value().contiguous();
        if (a.requires_grad()) ENAS_BACKEND_CALL(D, mul_backward, ctx, out.grad(), bv, a.grad_buffer(ctx));
        if (b.requires_grad()) ENAS_BACKEND_CALL(D, mul_backward, ctx, out.grad(), av, b.grad_buffer(ctx));
    });
    return out;
}

/// y = alpha * x.
template <Scalar T, Device D>
Tensor<T, D> scale(Context<D>& ctx, const Tensor<T, D>& x, T alpha) {
    detail::require_nonempty("scale", "x", x);
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    ENAS_BACKEND_CALL(D, scale_forward, ctx, alpha, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> scale(Tape<D>& tape, const Var<T, D>& x, T alpha) {
    Var<T, D> out = tape.output(scale(tape.ctx(), x.value(), alpha), x);
    tape.record(out, [x, out, alpha](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        ENAS_BACKEND_CALL(D, axpy, ctx, alpha, out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

}  // namespace enas::ops
