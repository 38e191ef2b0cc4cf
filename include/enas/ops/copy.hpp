// Public copy ops: concatenation and slicing along dimension 1 (the channels of NCHW, or the
// features of any tensor of rank >= 2) and the shifted stride-s subsample of ENAS's factorized
// reduction (enas-reference.md §3.1), on tensors (no autograd) and on Vars (recorded on a Tape);
// and the Var-level reshape (a view; the tensor level has Tensor::view).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "enas/backend/copy.hpp"
#include "enas/backend/elementwise.hpp"
#include "enas/ops/checks.hpp"

namespace enas::ops {

namespace copy_detail {
template <Scalar T, Device D>
void require_rank_at_least(const char* op, const char* arg, const Tensor<T, D>& t, int rank) {
    detail::require_nonempty(op, arg, t);
    check<ShapeError>(t.rank() >= rank, op, ": argument '", arg, "' must have rank >= ", rank, ", got shape ",
                      t.shape().str());
}
/// Stands in for a list of Vars in Tape::output, which asks each input whether it needs a gradient.
struct AnyRequiresGrad {
    bool value;
    bool requires_grad() const { return value; }
};
}  // namespace copy_detail

/// y = the inputs side by side along dimension 1. Every input has rank >= 2 and the same sizes
/// outside dimension 1; y.dim(1) is the sum of the inputs' dim(1).
template <Scalar T, Device D>
Tensor<T, D> concat(Context<D>& ctx, std::span<const Tensor<T, D>> xs) {
    check<ShapeError>(!xs.empty(), "concat: needs at least one input, got none");
    copy_detail::require_rank_at_least("concat", "xs[0]", xs[0], 2);
    Shape out_shape = xs[0].shape();
    std::int64_t channels = 0;
    std::vector<Tensor<T, D>> packed;
    packed.reserve(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const Tensor<T, D>& x = xs[i];
        const std::string arg = "xs[" + std::to_string(i) + "]";
        detail::require_nonempty("concat", arg.c_str(), x);
        Shape s = x.shape();
        bool compatible = s.rank() == out_shape.rank();
        if (compatible) {
            s[1] = out_shape[1];
            compatible = s == out_shape;
        }
        check<ShapeError>(compatible, "concat: input ", i, " has shape ", x.shape().str(),
                          ", which does not match input 0 ", xs[0].shape().str(), " outside dimension 1");
        channels += x.dim(1);
        packed.push_back(x.contiguous());
    }
    out_shape[1] = channels;
    Tensor<T, D> y = ctx.template empty<T>(out_shape);
    backend::concat_forward(ctx, std::span<const Tensor<T, D>>(packed), y);
    return y;
}

template <Scalar T, Device D>
Tensor<T, D> concat(Context<D>& ctx, const std::vector<Tensor<T, D>>& xs) {
    return concat(ctx, std::span<const Tensor<T, D>>(xs));
}
template <Scalar T, Device D>
Tensor<T, D> concat(Context<D>& ctx, std::initializer_list<Tensor<T, D>> xs) {
    return concat(ctx, std::span<const Tensor<T, D>>(xs.begin(), xs.size()));
}

/// Var-level concat; the backward hands each input its channel range of the gradient.
template <Scalar T, Device D>
Var<T, D> concat(Tape<D>& tape, std::span<const Var<T, D>> xs) {
    std::vector<Tensor<T, D>> values;
    values.reserve(xs.size());
    bool any_grad = false;
    for (const Var<T, D>& x : xs) {
        values.push_back(x.value());
        any_grad = any_grad || x.requires_grad();
    }
    Var<T, D> out =
        tape.output(concat(tape.ctx(), std::span<const Tensor<T, D>>(values)), copy_detail::AnyRequiresGrad{any_grad});
    tape.record(out, [inputs = std::vector<Var<T, D>>(xs.begin(), xs.end()), out](Context<D>& ctx) {
        if (!out.has_grad()) return;
        std::int64_t start = 0;
        for (const Var<T, D>& x : inputs) {
            if (x.requires_grad()) backend::concat_backward(ctx, start, out.grad(), x.grad_buffer(ctx));
            start += x.shape()[1];
        }
    });
    return out;
}

template <Scalar T, Device D>
Var<T, D> concat(Tape<D>& tape, const std::vector<Var<T, D>>& xs) {
    return concat(tape, std::span<const Var<T, D>>(xs));
}
template <Scalar T, Device D>
Var<T, D> concat(Tape<D>& tape, std::initializer_list<Var<T, D>> xs) {
    return concat(tape, std::span<const Var<T, D>>(xs.begin(), xs.size()));
}

/// y = x[:, start : start + length] as a new contiguous tensor (x of rank >= 2, 1 <= length).
template <Scalar T, Device D>
Tensor<T, D> slice(Context<D>& ctx, const Tensor<T, D>& x, std::int64_t start, std::int64_t length) {
    copy_detail::require_rank_at_least("slice", "x", x, 2);
    check<ShapeError>(start >= 0 && length >= 1 && start + length <= x.dim(1), "slice: channel range [", start, ", ",
                      start + length, ") is empty or outside dimension 1 (size ", x.dim(1), ") of shape ",
                      x.shape().str());
    Tensor<T, D> xc = x.contiguous();
    Shape out_shape = x.shape();
    out_shape[1] = length;
    Tensor<T, D> y = ctx.template empty<T>(out_shape);
    backend::slice_forward(ctx, start, xc, y);
    return y;
}

/// Var-level slice; the backward adds into the matching channel range of x's gradient.
template <Scalar T, Device D>
Var<T, D> slice(Tape<D>& tape, const Var<T, D>& x, std::int64_t start, std::int64_t length) {
    Var<T, D> out = tape.output(slice(tape.ctx(), x.value(), start, length), x);
    tape.record(out, [x, out, start](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        backend::slice_backward(ctx, start, out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

/// y = x's elements in row-major order under `shape` (the same element count); y shares x's
/// storage when x is contiguous. The backward adds y's gradient, viewed in x's shape, into x's.
template <Scalar T, Device D>
Var<T, D> reshape(Tape<D>& tape, const Var<T, D>& x, const Shape& shape) {
    check<ShapeError>(shape.numel() == x.value().numel(), "reshape: ", x.shape().str(), " has ", x.value().numel(),
                      " elements, ", shape.str(), " has ", shape.numel());
    Var<T, D> out = tape.output(x.value().contiguous().view(shape), x);
    tape.record(out, [x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        backend::axpy(ctx, T(1), out.grad().contiguous().view(x.shape()), x.grad_buffer(ctx));
    });
    return out;
}

/// y[n, c, i, j] = x[n, c, i*stride + offset, j*stride + offset], 0 where that lies outside x.
/// x is [N, C, H, W]; y is [N, C, ceil(H / stride), ceil(W / stride)]. offset >= 0, stride >= 1.
/// Factorized reduction: offset 0, stride 2 is path 1 (the even pixels, a 1x1 avg-pool with
/// stride 2); offset 1, stride 2 is path 2 (pad a zero row and column at the bottom and right,
/// drop the first row and column, then subsample).
template <Scalar T, Device D>
Tensor<T, D> shifted_subsample(Context<D>& ctx, const Tensor<T, D>& x, std::int64_t offset, std::int64_t stride) {
    detail::require_rank("shifted_subsample", "x", x, 4);
    check<ValueError>(offset >= 0, "shifted_subsample: offset must be >= 0, got ", offset);
    check<ValueError>(stride >= 1, "shifted_subsample: stride must be >= 1, got ", stride);
    Tensor<T, D> xc = x.contiguous();
    const Shape out_shape{x.dim(0), x.dim(1), (x.dim(2) + stride - 1) / stride, (x.dim(3) + stride - 1) / stride};
    Tensor<T, D> y = ctx.template empty<T>(out_shape);
    backend::shifted_subsample_forward(ctx, offset, stride, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> shifted_subsample(Tape<D>& tape, const Var<T, D>& x, std::int64_t offset, std::int64_t stride) {
    Var<T, D> out = tape.output(shifted_subsample(tape.ctx(), x.value(), offset, stride), x);
    tape.record(out, [x, out, offset, stride](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        backend::shifted_subsample_backward(ctx, offset, stride, out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

/// The shift of factorized reduction path 2 alone: y[n, c, i, j] = x[n, c, i+1, j+1], 0 in the
/// last row and column (same shape as x, [N, C, H, W]).
template <Scalar T, Device D>
Tensor<T, D> shift_pad(Context<D>& ctx, const Tensor<T, D>& x) {
    return shifted_subsample(ctx, x, 1, 1);
}
template <Scalar T, Device D>
Var<T, D> shift_pad(Tape<D>& tape, const Var<T, D>& x) {
    return shifted_subsample(tape, x, 1, 1);
}

}  // namespace enas::ops
