// Public op: the ENAS recurrent highway node (ENAS reference §5.1),
//   s' = s + sigmoid(c_pre) * (f(h_pre) - s),  f in {identity, relu, tanh, sigmoid},
// the form c * f(h) + (1 - c) * s with gate c = sigmoid(c_pre). The caller computes c_pre and
// h_pre (the two halves of [x, s] . W or s . W_l); this op is only the fused pointwise part.
#pragma once
#include "enas/backend/rnn_node.hpp"
#include "enas/ops/checks.hpp"
#include "enas/ops/params/elementwise.hpp"

namespace enas::ops {

namespace rnn_node_detail {
template <Scalar T, Device D>
void check_node(const Tensor<T, D>& s, const Tensor<T, D>& c_pre, const Tensor<T, D>& h_pre) {
    detail::require_rank("rnn_node", "s [B, H]", s, 2);
    detail::require_shape("rnn_node", "c_pre", c_pre, s.shape());
    detail::require_shape("rnn_node", "h_pre", h_pre, s.shape());
}
}  // namespace rnn_node_detail

/// s' = s + sigmoid(c_pre) * (f(h_pre) - s); s, c_pre, h_pre and the result are [B, H].
template <Scalar T, Device D>
Tensor<T, D> rnn_node(Context<D>& ctx, Activation f, const Tensor<T, D>& s, const Tensor<T, D>& c_pre,
                      const Tensor<T, D>& h_pre) {
    rnn_node_detail::check_node(s, c_pre, h_pre);
    const Tensor<T, D> sc = s.contiguous(), cc = c_pre.contiguous(), hc = h_pre.contiguous();
    Tensor<T, D> out = ctx.template empty<T>(s.shape());
    backend::rnn_node_forward(ctx, f, sc, cc, hc, out);
    return out;
}

/// Var-level node; the backward reaches s, c_pre and h_pre (those that require a gradient).
template <Scalar T, Device D>
Var<T, D> rnn_node(Tape<D>& tape, Activation f, const Var<T, D>& s, const Var<T, D>& c_pre, const Var<T, D>& h_pre) {
    Context<D>& ctx = tape.ctx();
    rnn_node_detail::check_node(s.value(), c_pre.value(), h_pre.value());
    const Tensor<T, D> sc = s.value().contiguous(), cc = c_pre.value().contiguous(), hc = h_pre.value().contiguous();
    Tensor<T, D> y = ctx.template empty<T>(sc.shape());
    backend::rnn_node_forward(ctx, f, sc, cc, hc, y);
    Var<T, D> out = tape.output(std::move(y), s, c_pre, h_pre);
    tape.record(out, [f, s, c_pre, h_pre, sc, cc, hc, out](Context<D>& c) {
        if (!out.has_grad()) return;
        Tensor<T, D>* ds = s.requires_grad() ? &s.grad_buffer(c) : nullptr;
        Tensor<T, D>* dc = c_pre.requires_grad() ? &c_pre.grad_buffer(c) : nullptr;
        Tensor<T, D>* dh = h_pre.requires_grad() ? &h_pre.grad_buffer(c) : nullptr;
        backend::rnn_node_backward(c, f, sc, cc, hc, out.grad(), ds, dc, dh);
    });
    return out;
}

}  // namespace enas::ops
