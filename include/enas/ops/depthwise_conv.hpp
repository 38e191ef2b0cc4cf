// Public depthwise 2-D convolution with channel multiplier 1 (NCHW, no bias, TensorFlow SAME or
// VALID padding), on tensors (no autograd) and on Vars (recorded on a Tape). It is the first half
// of ENAS's separable convs (depthwise, then a 1x1 dense conv2d). Conv2dParams and Padding come
// from backend/cpu/conv_geometry.hpp.
#pragma once
#include "enas/backend/cpu/conv_geometry.hpp"
#include "enas/backend/cpu/depthwise_conv.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/depthwise_conv.hpp"
#endif

namespace enas::ops {
namespace detail {

/// Checks x [n, c, h, w] and w [c, 1, kh, kw] of a depthwise conv and returns its geometry.
template <Scalar T, Device D>
ConvGeometry check_depthwise_conv2d(const char* op, const Tensor<T, D>& x, const Tensor<T, D>& w,
                                    const Conv2dParams& p) {
    require_rank(op, "x", x, 4);
    require_rank(op, "w", w, 4);
    check<ShapeError>(w.dim(1) == 1, op,
                      ": weight 'w' must have shape [channels, 1, kh, kw] (channel multiplier 1), got ",
                      w.shape().str());
    check<ShapeError>(w.dim(0) == x.dim(1), op, ": weight 'w' of shape ", w.shape().str(), " has ", w.dim(0),
                      " channels, but 'x' of shape ", x.shape().str(), " has ", x.dim(1));
    return conv_geometry(x.shape(), w.shape(), p, op);
}

}  // namespace detail

/// y = depthwise_conv2d(x, w): x [n, c, h, w], w [c, 1, kh, kw] -> y [n, c, out_h, out_w], where
/// y[n, c] is the 2-D cross-correlation of x[n, c] with w[c, 0]. Output size and pads as conv2d
/// (TF SAME: out = ceil(in / stride), extra padding at the bottom / right; VALID: no padding).
template <Scalar T, Device D>
Tensor<T, D> depthwise_conv2d(Context<D>& ctx, const Tensor<T, D>& x, const Tensor<T, D>& w,
                              const Conv2dParams& params = {}) {
    const ConvGeometry g = detail::check_depthwise_conv2d("depthwise_conv2d", x, w, params);
    Tensor<T, D> xc = x.contiguous(), wc = w.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(g.output_shape());
    ENAS_BACKEND_CALL(D, depthwise_conv2d_forward, ctx, params, xc, wc, y);
    return y;
}

/// depthwise_conv2d on Vars; the backward accumulates d loss / dx and d loss / dw into the inputs
/// that require gradients.
template <Scalar T, Device D>
Var<T, D> depthwise_conv2d(Tape<D>& tape, const Var<T, D>& x, const Var<T, D>& w, const Conv2dParams& params = {}) {
    Var<T, D> out = tape.output(depthwise_conv2d(tape.ctx(), x.value(), w.value(), params), x, w);
    tape.record(out, [x, w, out, params](Context<D>& ctx) {
        if (!out.has_grad()) return;
        const Tensor<T, D> gy = out.grad().contiguous();
        if (x.requires_grad()) {
            const Tensor<T, D> wc = w.value().contiguous();
            ENAS_BACKEND_CALL(D, depthwise_conv2d_backward_input, ctx, params, gy, wc, x.grad_buffer(ctx));
        }
        if (w.requires_grad()) {
            const Tensor<T, D> xc = x.value().contiguous();
            ENAS_BACKEND_CALL(D, depthwise_conv2d_backward_weight, ctx, params, xc, gy, w.grad_buffer(ctx));
        }
    });
    return out;
}

}  // namespace enas::ops
