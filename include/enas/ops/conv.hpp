// Public dense 2-D convolution (NCHW, no bias, TensorFlow SAME or VALID padding), on tensors (no
// autograd) and on Vars (recorded on a Tape). Conv2dParams, Padding and the SAME arithmetic
// (padded_extent, conv_geometry) come from ops/params/conv.hpp.
#pragma once
#include "enas/backend/conv.hpp"
#include "enas/ops/checks.hpp"
#include "enas/ops/params/conv.hpp"

namespace enas::ops {
namespace detail {

/// Checks x [n, c_in, h, w] and w [c_out, c_in, kh, kw] of a dense conv and returns its geometry
/// (which also checks the strides and, for VALID padding, that the kernel fits the input).
template <Scalar T, Device D>
ConvGeometry check_conv2d(const char* op, const Tensor<T, D>& x, const Tensor<T, D>& w, const Conv2dParams& p) {
    require_rank(op, "x", x, 4);
    require_rank(op, "w", w, 4);
    check<ShapeError>(w.dim(1) == x.dim(1), op, ": weight 'w' of shape ", w.shape().str(), " expects ", w.dim(1),
                      " input channels, but 'x' of shape ", x.shape().str(), " has ", x.dim(1));
    return conv_geometry(x.shape(), w.shape(), p, op);
}

}  // namespace detail

/// y = conv2d(x, w): x [n, c_in, h, w], w [c_out, c_in, kh, kw] -> y [n, c_out, out_h, out_w], with
/// out = ceil(in / stride) for SAME (zero padding split as TensorFlow does, the extra row / column at
/// the bottom / right) and ceil((in - k + 1) / stride) for VALID. Any kernel size and stride.
template <Scalar T, Device D>
Tensor<T, D> conv2d(Context<D>& ctx, const Tensor<T, D>& x, const Tensor<T, D>& w, const Conv2dParams& params = {}) {
    const ConvGeometry g = detail::check_conv2d("conv2d", x, w, params);
    Tensor<T, D> xc = x.contiguous(), wc = w.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(g.output_shape());
    backend::conv2d_forward(ctx, params, xc, wc, y);
    return y;
}

/// conv2d on Vars; the backward accumulates d loss / dx and d loss / dw into the inputs that
/// require gradients.
template <Scalar T, Device D>
Var<T, D> conv2d(Tape<D>& tape, const Var<T, D>& x, const Var<T, D>& w, const Conv2dParams& params = {}) {
    Var<T, D> out = tape.output(conv2d(tape.ctx(), x.value(), w.value(), params), x, w);
    tape.record(out, [x, w, out, params](Context<D>& ctx) {
        if (!out.has_grad()) return;
        const Tensor<T, D> gy = out.grad().contiguous();
        if (x.requires_grad()) {
            const Tensor<T, D> wc = w.value().contiguous();
            backend::conv2d_backward_input(ctx, params, gy, wc, x.grad_buffer(ctx));
        }
        if (w.requires_grad()) {
            const Tensor<T, D> xc = x.value().contiguous();
            backend::conv2d_backward_weight(ctx, params, xc, gy, w.grad_buffer(ctx));
        }
    });
    return out;
}

}  // namespace enas::ops
