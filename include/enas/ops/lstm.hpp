// Public op: the controller's fused LSTM cell (ENAS reference §2.1). No bias, gate order i, f, o, g:
//   [i, f, o, g] = [x, h_prev] . W,  W [(I + H), 4H]   (rows [0, I) multiply x, rows [I, I + H) h_prev)
//   i, f, o = sigmoid(.), g = tanh(.), c = i * g + f * c_prev, h = o * tanh(c).
// torch.nn.LSTMCell(bias=False) computes the same cell with gate order i, f, g, o and its weight
// stored transposed; see tests/oracle/ops/lstm.py for the mapping.
#pragma once
#include <utility>

#include "enas/backend/lstm.hpp"
#include "enas/ops/checks.hpp"

namespace enas::ops {

/// The state of an LSTM cell: hidden output h and memory c, both [B, H]. V is a Tensor or a Var.
template <class V>
struct LstmState {
    V h;
    V c;
};

namespace lstm_detail {

/// Checks x [B, I], h_prev [B, H], c_prev [B, H], w [(I + H), 4H].
template <Scalar T, Device D>
void check_cell(const Tensor<T, D>& x, const Tensor<T, D>& h_prev, const Tensor<T, D>& c_prev, const Tensor<T, D>& w) {
    detail::require_rank("lstm_cell", "x [B, I]", x, 2);
    detail::require_rank("lstm_cell", "h_prev [B, H]", h_prev, 2);
    detail::require_rank("lstm_cell", "w [I + H, 4H]", w, 2);
    check<ShapeError>(h_prev.dim(0) == x.dim(0), "lstm_cell: batch sizes of 'x' ", x.shape().str(), " and 'h_prev' ",
                      h_prev.shape().str(), " differ");
    detail::require_shape("lstm_cell", "c_prev", c_prev, h_prev.shape());
    const std::int64_t in = x.dim(1), hidden = h_prev.dim(1);
    detail::require_shape("lstm_cell", "w", w, Shape{in + hidden, 4 * hidden});
}

}  // namespace lstm_detail

/// One LSTM step on tensors (no autograd): returns {h, c}, each [B, H].
template <Scalar T, Device D>
LstmState<Tensor<T, D>> lstm_cell(Context<D>& ctx, const Tensor<T, D>& x, const Tensor<T, D>& h_prev,
                                  const Tensor<T, D>& c_prev, const Tensor<T, D>& w) {
    lstm_detail::check_cell(x, h_prev, c_prev, w);
    const Tensor<T, D> xc = x.contiguous(), hc = h_prev.contiguous(), cc = c_prev.contiguous(), wc = w.contiguous();
    Tensor<T, D> gates = ctx.template empty<T>(Shape{x.dim(0), 4 * h_prev.dim(1)});
    LstmState<Tensor<T, D>> out{ctx.template empty<T>(h_prev.shape()), ctx.template empty<T>(h_prev.shape())};
    backend::lstm_cell_forward(ctx, xc, hc, cc, wc, gates, out.h, out.c);
    return out;
}

/// One LSTM step on Vars: returns {h, c}. One backward closure serves both outputs; it reads
/// whichever of their gradients exist (a consumer may use only h, as the controller's last step
/// does) and accumulates into every input that requires a gradient.
template <Scalar T, Device D>
LstmState<Var<T, D>> lstm_cell(Tape<D>& tape, const Var<T, D>& x, const Var<T, D>& h_prev, const Var<T, D>& c_prev,
                               const Var<T, D>& w) {
    Context<D>& ctx = tape.ctx();
    lstm_detail::check_cell(x.value(), h_prev.value(), c_prev.value(), w.value());
    const Tensor<T, D> xc = x.value().contiguous(), hc = h_prev.value().contiguous();
    const Tensor<T, D> cc = c_prev.value().contiguous(), wc = w.value().contiguous();
    Tensor<T, D> gates = ctx.template empty<T>(Shape{xc.dim(0), 4 * hc.dim(1)});
    Tensor<T, D> h = ctx.template empty<T>(hc.shape()), c = ctx.template empty<T>(hc.shape());
    backend::lstm_cell_forward(ctx, xc, hc, cc, wc, gates, h, c);
    LstmState<Var<T, D>> out{tape.output(std::move(h), x, h_prev, c_prev, w),
                             tape.output(std::move(c), x, h_prev, c_prev, w)};
    tape.record(out.h, [x, h_prev, c_prev, w, xc, hc, cc, wc, gates, oh = out.h, oc = out.c](Context<D>& ctx2) {
        if (!oh.has_grad() && !oc.has_grad()) return;
        const Tensor<T, D>* dh = oh.has_grad() ? &oh.grad() : nullptr;
        const Tensor<T, D>* dc = oc.has_grad() ? &oc.grad() : nullptr;
        Tensor<T, D>* dx = x.requires_grad() ? &x.grad_buffer(ctx2) : nullptr;
        Tensor<T, D>* dh_prev = h_prev.requires_grad() ? &h_prev.grad_buffer(ctx2) : nullptr;
        Tensor<T, D>* dc_prev = c_prev.requires_grad() ? &c_prev.grad_buffer(ctx2) : nullptr;
        Tensor<T, D>* dw = w.requires_grad() ? &w.grad_buffer(ctx2) : nullptr;
        backend::lstm_cell_backward(ctx2, xc, hc, cc, wc, gates, oc.value(), dh, dc, dx, dh_prev, dc_prev, dw);
    });
    return out;
}

}  // namespace enas::ops
