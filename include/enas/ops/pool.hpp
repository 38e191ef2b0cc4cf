// Public pool ops: 2-D average and max pooling over NCHW with TF SAME or VALID padding, on
// tensors (no autograd) and on Vars (recorded on a Tape). Average pooling divides by the number
// of real inputs in each window (padding is excluded, as in TF); max pooling ignores padding and
// sends the gradient to the first maximum in row-major window order.
#pragma once
#include <cstdint>
#include <limits>

#include "enas/backend/cpu/pool.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/pool.hpp"
#endif

namespace enas::ops {

namespace detail {

/// Checks x [N, C, H, W] and the pool parameters; returns the output shape [N, C, OH, OW].
template <Scalar T, Device D>
Shape pool2d_output_shape(const char* op, const Tensor<T, D>& x, const Pool2dParams& p) {
    require_rank(op, "x", x, 4);
    check<ValueError>(p.kernel_h >= 1 && p.kernel_w >= 1, op, ": kernel ", p.kernel_h, "x", p.kernel_w,
                      " must be at least 1x1");
    check<ValueError>(p.stride_h >= 1 && p.stride_w >= 1, op, ": stride ", p.stride_h, "x", p.stride_w,
                      " must be at least 1x1");
    if (p.padding == Padding::Valid)
        check<ShapeError>(x.dim(2) >= p.kernel_h && x.dim(3) >= p.kernel_w, op, ": VALID kernel ", p.kernel_h, "x",
                          p.kernel_w, " does not fit the input of shape ", x.shape().str());
    check<ShapeError>(x.dim(2) * x.dim(3) <= std::numeric_limits<std::int32_t>::max(), op, ": plane ", x.dim(2), "x",
                      x.dim(3), " of input ", x.shape().str(), " is too large for int32 argmax indices");
    const PoolAxis ah = pool_axis(x.dim(2), p.kernel_h, p.stride_h, p.padding);
    const PoolAxis aw = pool_axis(x.dim(3), p.kernel_w, p.stride_w, p.padding);
    return Shape{x.dim(0), x.dim(1), ah.out, aw.out};
}

}  // namespace detail

/// Average pool of x [N, C, H, W] -> [N, C, OH, OW]; each output is the mean of its window's
/// real inputs. SAME: OH = ceil(H / stride_h); VALID: OH = (H - kernel_h) / stride_h + 1.
template <Scalar T, Device D>
Tensor<T, D> avg_pool2d(Context<D>& ctx, const Tensor<T, D>& x, const Pool2dParams& p) {
    const Shape out_shape = detail::pool2d_output_shape("avg_pool2d", x, p);
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(out_shape);
    ENAS_BACKEND_CALL(D, avg_pool2d_forward, ctx, p, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> avg_pool2d(Tape<D>& tape, const Var<T, D>& x, const Pool2dParams& p) {
    Var<T, D> out = tape.output(avg_pool2d(tape.ctx(), x.value(), p), x);
    tape.record(out, [p, x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        Tensor<T, D> gy = out.grad().contiguous();
        ENAS_BACKEND_CALL(D, avg_pool2d_backward, ctx, p, gy, x.grad_buffer(ctx));
    });
    return out;
}

/// The output of a max pool and, per output, the flat in-plane index (h * W + w) of the input
/// that won (the first maximum in row-major window order).
template <Scalar T, Device D>
struct MaxPoolResult {
    Tensor<T, D> y;
    Tensor<std::int32_t, D> argmax;
};

/// Max pool of x [N, C, H, W] -> [N, C, OH, OW] (same output sizes as avg_pool2d).
template <Scalar T, Device D>
Tensor<T, D> max_pool2d(Context<D>& ctx, const Tensor<T, D>& x, const Pool2dParams& p) {
    const Shape out_shape = detail::pool2d_output_shape("max_pool2d", x, p);
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(out_shape);
    Tensor<std::int32_t, D> no_argmax;
    ENAS_BACKEND_CALL(D, max_pool2d_forward, ctx, p, xc, y, no_argmax);
    return y;
}

/// Max pool that also returns the argmax indices (what the backward needs).
template <Scalar T, Device D>
MaxPoolResult<T, D> max_pool2d_with_argmax(Context<D>& ctx, const Tensor<T, D>& x, const Pool2dParams& p) {
    const Shape out_shape = detail::pool2d_output_shape("max_pool2d", x, p);
    Tensor<T, D> xc = x.contiguous();
    MaxPoolResult<T, D> r{ctx.template empty<T>(out_shape), ctx.template empty<std::int32_t>(out_shape)};
    ENAS_BACKEND_CALL(D, max_pool2d_forward, ctx, p, xc, r.y, r.argmax);
    return r;
}

template <Scalar T, Device D>
Var<T, D> max_pool2d(Tape<D>& tape, const Var<T, D>& x, const Pool2dParams& p) {
    if (!tape.recording() || !x.requires_grad()) return tape.output(max_pool2d(tape.ctx(), x.value(), p), x);
    MaxPoolResult<T, D> r = max_pool2d_with_argmax(tape.ctx(), x.value(), p);
    Var<T, D> out = tape.output(std::move(r.y), x);
    tape.record(out, [argmax = std::move(r.argmax), x, out](Context<D>& ctx) {
        if (!out.has_grad()) return;
        Tensor<T, D> gy = out.grad().contiguous();
        ENAS_BACKEND_CALL(D, max_pool2d_backward, ctx, argmax, gy, x.grad_buffer(ctx));
    });
    return out;
}

}  // namespace enas::ops
