// Public dropout ops, all "inverted" (kept values are divided by keep_prob, so nothing changes at
// evaluation time): elementwise dropout, drop-path (one draw per sample), locked/variational
// dropout (one [B, D] mask shared over the time steps) and embedding (word-level) dropout (one
// draw per vocabulary row).
//
// Masks come from the context's counter-based RNG: each call reserves a range of Philox counters
// (ctx.rng().reserve(n)), so the mask depends only on the RNG state, never on the thread count,
// and a CUDA build draws the same mask. There is no training flag: the caller simply does not
// call these ops in evaluation. keep_prob must be in (0, 1] (ValueError otherwise); keep_prob == 1
// is the identity and draws nothing from the RNG.
//
// Every op takes an optional `mask` out-parameter that receives the scaled mask it applied
// (entries 0 or 1 / keep_prob; shapes given per op), for tests and inspection.
#pragma once
#include "enas/backend/cpu/dropout.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/dropout.hpp"
#endif

namespace enas::ops {

namespace dropout_detail {

inline void require_keep_prob(const char* op, double keep_prob) {
    check<ValueError>(keep_prob > 0.0 && keep_prob <= 1.0, op, ": keep_prob must be in (0, 1], got ", keep_prob);
}

/// Reserves the counters of one draw of n words from the context's RNG.
template <Device D>
DropoutDraw reserve_draw(Context<D>& ctx, std::int64_t n, double keep_prob) {
    DropoutDraw d;
    d.seed = ctx.rng().seed();
    d.base = ctx.rng().reserve(static_cast<std::uint64_t>(n));
    d.keep_prob = keep_prob;
    return d;
}

/// A fresh scaled mask (0 or 1 / keep_prob) of `shape` for a new draw.
template <Scalar T, Device D>
Tensor<T, D> draw_mask(Context<D>& ctx, const Shape& shape, double keep_prob) {
    const DropoutDraw d = reserve_draw(ctx, shape.numel(), keep_prob);
    Tensor<T, D> mask = ctx.template empty<T>(shape);
    ENAS_BACKEND_CALL(D, dropout_mask, ctx, d, mask);
    return mask;
}

template <Scalar T, Device D>
Tensor<T, D> ones(Context<D>& ctx, const Shape& shape) {
    Tensor<T, D> t = ctx.template empty<T>(shape);
    t.fill(T(1));
    return t;
}

/// A fresh contiguous copy (the keep_prob == 1 result of the tensor-level ops).
template <Scalar T, Device D>
Tensor<T, D> fresh_copy(Context<D>& ctx, const Tensor<T, D>& x) {
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    y.copy_from(x);
    return y;
}

/// Elementwise dropout with a new draw (returned in `d`); `mask` receives the scaled mask.
template <Scalar T, Device D>
Tensor<T, D> drop_elements(Context<D>& ctx, const Tensor<T, D>& x, double keep_prob, Tensor<T, D>* mask,
                           DropoutDraw& d) {
    d = reserve_draw(ctx, x.numel(), keep_prob);
    const Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    ENAS_BACKEND_CALL(D, dropout_forward, ctx, d, xc, y);
    if (mask) {
        *mask = ctx.template empty<T>(x.shape());
        ENAS_BACKEND_CALL(D, dropout_mask, ctx, d, *mask);
    }
    return y;
}

}  // namespace dropout_detail

// ---------------------------------------------------------------------------------------------
// Elementwise dropout

/// y = x * m / keep_prob with m ~ Bernoulli(keep_prob) per element (any shape). `mask`, when
/// given, receives m / keep_prob with the shape of x. keep_prob == 1 returns a copy of x.
template <Scalar T, Device D>
Tensor<T, D> dropout(Context<D>& ctx, const Tensor<T, D>& x, double keep_prob, Tensor<T, D>* mask = nullptr) {
    detail::require_nonempty("dropout", "x", x);
    dropout_detail::require_keep_prob("dropout", keep_prob);
    if (keep_prob == 1.0) {
        if (mask) *mask = dropout_detail::ones<T>(ctx, x.shape());
        return dropout_detail::fresh_copy(ctx, x);
    }
    DropoutDraw d;
    return dropout_detail::drop_elements(ctx, x, keep_prob, mask, d);
}

/// Var-level dropout. The backward recomputes the mask from the saved (seed, counter) pair, so
/// no mask is stored. keep_prob == 1 returns x itself (no tape entry).
template <Scalar T, Device D>
Var<T, D> dropout(Tape<D>& tape, const Var<T, D>& x, double keep_prob, Tensor<T, D>* mask = nullptr) {
    Context<D>& ctx = tape.ctx();
    detail::require_nonempty("dropout", "x", x.value());
    dropout_detail::require_keep_prob("dropout", keep_prob);
    if (keep_prob == 1.0) {
        if (mask) *mask = dropout_detail::ones<T>(ctx, x.shape());
        return x;
    }
    DropoutDraw d;
    Var<T, D> out = tape.output(dropout_detail::drop_elements(ctx, x.value(), keep_prob, mask, d), x);
    tape.record(out, [x, out, d](Context<D>& c) {
        if (!x.requires_grad() || !out.has_grad()) return;
        Tensor<T, D> g = out.grad().contiguous();
        ENAS_BACKEND_CALL(D, dropout_backward, c, d, g, x.grad_buffer(c));
    });
    return out;
}

// ---------------------------------------------------------------------------------------------
// Ops with a small saved mask: drop-path, locked dropout, embedding dropout

namespace dropout_detail {

enum class MaskKind { Rows, Locked };

template <Scalar T, Device D>
void apply_mask(Context<D>& ctx, MaskKind kind, const Tensor<T, D>& x, const Tensor<T, D>& m, Tensor<T, D>& y) {
    if (kind == MaskKind::Rows)
        ENAS_BACKEND_CALL(D, row_mask_forward, ctx, x, m, y);
    else
        ENAS_BACKEND_CALL(D, locked_mask_forward, ctx, x, m, y);
}

/// Shared body of the Var-level masked ops: draws the mask, applies it and records a backward
/// that multiplies the upstream gradient by the same saved mask.
template <Scalar T, Device D>
Var<T, D> masked_var(Tape<D>& tape, MaskKind kind, const Var<T, D>& x, const Shape& mask_shape, double keep_prob,
                     Tensor<T, D>* mask_out) {
    Context<D>& ctx = tape.ctx();
    if (keep_prob == 1.0) {
        if (mask_out) *mask_out = ones<T>(ctx, mask_shape);
        return x;
    }
    Tensor<T, D> m = draw_mask<T>(ctx, mask_shape, keep_prob);
    if (mask_out) *mask_out = m;
    Tensor<T, D> xc = x.value().contiguous();
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    apply_mask(ctx, kind, xc, m, y);
    Var<T, D> out = tape.output(std::move(y), x);
    tape.record(out, [x, out, m, kind](Context<D>& c) {
        if (!x.requires_grad() || !out.has_grad()) return;
        Tensor<T, D> g = out.grad().contiguous();
        if (kind == MaskKind::Rows)
            ENAS_BACKEND_CALL(D, row_mask_backward, c, g, m, x.grad_buffer(c));
        else
            ENAS_BACKEND_CALL(D, locked_mask_backward, c, g, m, x.grad_buffer(c));
    });
    return out;
}

template <Scalar T, Device D>
Tensor<T, D> masked_tensor(Context<D>& ctx, MaskKind kind, const Tensor<T, D>& x, const Shape& mask_shape,
                           double keep_prob, Tensor<T, D>* mask_out) {
    if (keep_prob == 1.0) {
        if (mask_out) *mask_out = ones<T>(ctx, mask_shape);
        return fresh_copy(ctx, x);
    }
    Tensor<T, D> m = draw_mask<T>(ctx, mask_shape, keep_prob);
    if (mask_out) *mask_out = m;
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    apply_mask(ctx, kind, xc, m, y);
    return y;
}

template <Scalar T, Device D>
void check_drop_path(const Tensor<T, D>& x, double keep_prob) {
    detail::require_nonempty("drop_path", "x", x);
    require_keep_prob("drop_path", keep_prob);
}

template <Scalar T, Device D>
void check_locked(const Tensor<T, D>& x, double keep_prob) {
    detail::require_rank("locked_dropout", "x [T, B, D]", x, 3);
    require_keep_prob("locked_dropout", keep_prob);
}

template <Scalar T, Device D>
void check_embedding(const Tensor<T, D>& table, double keep_prob) {
    detail::require_rank("embedding_dropout", "table [V, D]", table, 2);
    require_keep_prob("embedding_dropout", keep_prob);
}

}  // namespace dropout_detail

/// Drop-path: x [N, ...]; each sample n is kept (and scaled by 1 / keep_prob) or zeroed whole.
/// `mask` receives the [N] scaled mask.
template <Scalar T, Device D>
Tensor<T, D> drop_path(Context<D>& ctx, const Tensor<T, D>& x, double keep_prob, Tensor<T, D>* mask = nullptr) {
    dropout_detail::check_drop_path(x, keep_prob);
    return dropout_detail::masked_tensor(ctx, dropout_detail::MaskKind::Rows, x, Shape{x.dim(0)}, keep_prob, mask);
}

template <Scalar T, Device D>
Var<T, D> drop_path(Tape<D>& tape, const Var<T, D>& x, double keep_prob, Tensor<T, D>* mask = nullptr) {
    dropout_detail::check_drop_path(x.value(), keep_prob);
    return dropout_detail::masked_var(tape, dropout_detail::MaskKind::Rows, x, Shape{x.value().dim(0)}, keep_prob,
                                      mask);
}

/// Locked (variational) dropout: x [T, B, D]; one [B, D] mask shared by all T time steps.
/// `mask` receives the [B, D] scaled mask.
template <Scalar T, Device D>
Tensor<T, D> locked_dropout(Context<D>& ctx, const Tensor<T, D>& x, double keep_prob, Tensor<T, D>* mask = nullptr) {
    dropout_detail::check_locked(x, keep_prob);
    return dropout_detail::masked_tensor(ctx, dropout_detail::MaskKind::Locked, x, Shape{x.dim(1), x.dim(2)}, keep_prob,
                                         mask);
}

template <Scalar T, Device D>
Var<T, D> locked_dropout(Tape<D>& tape, const Var<T, D>& x, double keep_prob, Tensor<T, D>* mask = nullptr) {
    dropout_detail::check_locked(x.value(), keep_prob);
    return dropout_detail::masked_var(tape, dropout_detail::MaskKind::Locked, x,
                                      Shape{x.value().dim(1), x.value().dim(2)}, keep_prob, mask);
}

/// Embedding (word-level) dropout: table [V, D]; each vocabulary row is kept (scaled by
/// 1 / keep_prob) or zeroed, so a dropped word type is dropped wherever it occurs in the batch.
/// Returns the masked table (look tokens up in it afterwards). `mask` receives the [V] mask.
template <Scalar T, Device D>
Tensor<T, D> embedding_dropout(Context<D>& ctx, const Tensor<T, D>& table, double keep_prob,
                               Tensor<T, D>* mask = nullptr) {
    dropout_detail::check_embedding(table, keep_prob);
    return dropout_detail::masked_tensor(ctx, dropout_detail::MaskKind::Rows, table, Shape{table.dim(0)}, keep_prob,
                                         mask);
}

template <Scalar T, Device D>
Var<T, D> embedding_dropout(Tape<D>& tape, const Var<T, D>& table, double keep_prob, Tensor<T, D>* mask = nullptr) {
    dropout_detail::check_embedding(table.value(), keep_prob);
    return dropout_detail::masked_var(tape, dropout_detail::MaskKind::Rows, table, Shape{table.value().dim(0)},
                                      keep_prob, mask);
}

}  // namespace enas::ops
