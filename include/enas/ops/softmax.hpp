// Public softmax ops: softmax and log-softmax over the last dimension, the mean softmax
// cross-entropy against integer labels (the classification loss of the child networks), and
// argmax / accuracy helpers (no gradient). Tensor-level overloads take a Context; Var-level
// overloads record their backward on a Tape.
#pragma once
#include <cstdint>
#include <vector>

#include "enas/backend/softmax.hpp"
#include "enas/ops/checks.hpp"

namespace enas::ops {

namespace softmax_detail {
/// Labels: defined, shape [n], every value in [0, k); a bad value throws ValueError naming it,
/// its position and k.
template <Device D>
Tensor<std::int32_t, D> checked_labels(const char* op, const Tensor<std::int32_t, D>& labels, std::int64_t n,
                                       std::int64_t k) {
    check<StateError>(labels.defined(), op, ": argument 'labels' is an undefined tensor");
    check<ShapeError>(labels.rank() == 1 && labels.dim(0) == n, op, ": labels have shape ", labels.shape().str(),
                      ", expected [", n, "] (one per row of the logits)");
    Tensor<std::int32_t, D> packed = labels.contiguous();
    std::vector<std::int32_t> host;
    const std::int32_t* values = nullptr;
    if constexpr (is_cpu_v<D>) {
        values = packed.data();
    } else {
        host = packed.to_vector();
        values = host.data();
    }
    for (std::int64_t i = 0; i < n; ++i)
        check<ValueError>(values[i] >= 0 && values[i] < k, op, ": label ", values[i], " at position ", i,
                          " is out of range [0, ", k, ") (K = ", k, " classes)");
    return packed;
}

template <Scalar T, Device D>
void require_logits(const char* op, const Tensor<T, D>& logits) {
    detail::require_rank(op, "logits", logits, 2);
}
}  // namespace softmax_detail

/// y = softmax(x) over the last dimension (any rank >= 1).
template <Scalar T, Device D>
Tensor<T, D> softmax(Context<D>& ctx, const Tensor<T, D>& x) {
    detail::require_nonempty("softmax", "x", x);
    check<ShapeError>(x.rank() >= 1, "softmax: argument 'x' must have rank >= 1, got shape ", x.shape().str());
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    backend::softmax_forward(ctx, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> softmax(Tape<D>& tape, const Var<T, D>& x) {
    Var<T, D> out = tape.output(softmax(tape.ctx(), x.value()), x);
    tape.record(out, [x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        backend::softmax_backward(ctx, out.value(), out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

/// y = log(softmax(x)) = x - logsumexp(x) over the last dimension (any rank >= 1).
template <Scalar T, Device D>
Tensor<T, D> log_softmax(Context<D>& ctx, const Tensor<T, D>& x) {
    detail::require_nonempty("log_softmax", "x", x);
    check<ShapeError>(x.rank() >= 1, "log_softmax: argument 'x' must have rank >= 1, got shape ", x.shape().str());
    Tensor<T, D> xc = x.contiguous();
    Tensor<T, D> y = ctx.template empty<T>(x.shape());
    backend::log_softmax_forward(ctx, xc, y);
    return y;
}

template <Scalar T, Device D>
Var<T, D> log_softmax(Tape<D>& tape, const Var<T, D>& x) {
    Var<T, D> out = tape.output(log_softmax(tape.ctx(), x.value()), x);
    tape.record(out, [x, out](Context<D>& ctx) {
        if (!x.requires_grad() || !out.has_grad()) return;
        backend::log_softmax_backward(ctx, out.value(), out.grad(), x.grad_buffer(ctx));
    });
    return out;
}

/// The mean cross-entropy and the probabilities it saves for the backward.
template <Scalar T, Device D>
struct CrossEntropyForward {
    Tensor<T, D> loss;   ///< [1]
    Tensor<T, D> probs;  ///< [N, K], softmax of the logits
};

/// loss = mean over n of -log softmax(logits[n])[labels[n]]. logits [N, K]; labels [N] with
/// values in [0, K) (a label outside throws ValueError naming it, its position and K).
template <Scalar T, Device D>
CrossEntropyForward<T, D> softmax_cross_entropy_with_probs(Context<D>& ctx, const Tensor<T, D>& logits,
                                                           const Tensor<std::int32_t, D>& labels) {
    softmax_detail::require_logits("softmax_cross_entropy", logits);
    const Tensor<std::int32_t, D> lc =
        softmax_detail::checked_labels("softmax_cross_entropy", labels, logits.dim(0), logits.dim(1));
    Tensor<T, D> xc = logits.contiguous();
    CrossEntropyForward<T, D> r{ctx.template empty<T>({1}), ctx.template empty<T>(logits.shape())};
    backend::softmax_cross_entropy_forward(ctx, xc, lc, r.probs, r.loss);
    return r;
}

/// The mean softmax cross-entropy, shape [1] (see softmax_cross_entropy_with_probs).
template <Scalar T, Device D>
Tensor<T, D> softmax_cross_entropy(Context<D>& ctx, const Tensor<T, D>& logits, const Tensor<std::int32_t, D>& labels) {
    return softmax_cross_entropy_with_probs(ctx, logits, labels).loss;
}

/// Var-level mean cross-entropy; d loss / d logits = (probs - onehot(labels)) / N * upstream.
template <Scalar T, Device D>
Var<T, D> softmax_cross_entropy(Tape<D>& tape, const Var<T, D>& logits, const Tensor<std::int32_t, D>& labels) {
    CrossEntropyForward<T, D> f = softmax_cross_entropy_with_probs(tape.ctx(), logits.value(), labels);
    Var<T, D> out = tape.output(f.loss, logits);
    tape.record(out, [logits, out, probs = f.probs, lc = labels.contiguous()](Context<D>& ctx) {
        if (!logits.requires_grad() || !out.has_grad()) return;
        backend::softmax_cross_entropy_backward(ctx, probs, lc, out.grad(), logits.grad_buffer(ctx));
    });
    return out;
}

/// The index of the largest entry along the last dimension (the first on ties): x [..., K] ->
/// int32 [...] (rank 0 for a vector). No gradient.
template <Scalar T, Device D>
Tensor<std::int32_t, D> argmax(Context<D>& ctx, const Tensor<T, D>& x) {
    detail::require_nonempty("argmax", "x", x);
    check<ShapeError>(x.rank() >= 1, "argmax: argument 'x' must have rank >= 1, got shape ", x.shape().str());
    Tensor<T, D> xc = x.contiguous();
    Shape out_shape(x.shape().begin(), x.shape().end() - 1);
    Tensor<std::int32_t, D> index = ctx.template empty<std::int32_t>(out_shape);
    backend::argmax_forward(ctx, xc, index);
    return index;
}

/// How many rows of logits [N, K] have their argmax equal to the label (labels [N] in [0, K)).
template <Scalar T, Device D>
std::int64_t count_correct(Context<D>& ctx, const Tensor<T, D>& logits, const Tensor<std::int32_t, D>& labels) {
    softmax_detail::require_logits("count_correct", logits);
    const std::vector<std::int32_t> truth =
        softmax_detail::checked_labels("count_correct", labels, logits.dim(0), logits.dim(1)).to_vector();
    const std::vector<std::int32_t> predicted = argmax(ctx, logits).to_vector();
    std::int64_t correct = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
    return correct;
}

/// The fraction of rows of logits [N, K] whose argmax equals the label, in [0, 1].
template <Scalar T, Device D>
double accuracy(Context<D>& ctx, const Tensor<T, D>& logits, const Tensor<std::int32_t, D>& labels) {
    return static_cast<double>(count_correct(ctx, logits, labels)) / static_cast<double>(logits.dim(0));
}

}  // namespace enas::ops
