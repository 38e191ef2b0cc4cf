// The recurrent ENAS cell and one BPTT window of the language model (reference §5.1), as free
// functions over any scalar type and device: RnnChild (rnn_child.hpp) runs them in float on the
// weights of its parameter arena, and the gradient check runs the very same code in double.
//
// One step t of the cell (H = hidden size, masks are [B, H] and fixed over the window):
//   node 0:  [h~; c~] = [x_t * m_x ; s_{t-1} * m_s] . W_prev,  s0 = s_{t-1} + sigmoid(c~) (f_0(h~) - s_{t-1})
//   node l:  [h~; c~] = (s_p * m_s) . W_{l,p,f},               s_l = s_p + sigmoid(c~) (f(h~) - s_p)
//   output:  mean of nodes 1..N (lm) or of the loose ends (original); it is also the state of t+1.
// The state masks enter the matmuls only; the highway term uses the undropped state (enas_lm).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "enas/autograd/tape.hpp"
#include "enas/child/rnn_config.hpp"
#include "enas/core/random.hpp"
#include "enas/ops/copy.hpp"
#include "enas/ops/dropout.hpp"
#include "enas/ops/elementwise.hpp"
#include "enas/ops/embedding.hpp"
#include "enas/ops/matmul.hpp"
#include "enas/ops/reduce.hpp"
#include "enas/ops/rnn_node.hpp"
#include "enas/ops/softmax.hpp"
#include "enas/search/rnn_arch.hpp"

namespace enas::child::rnn {

/// The op-level activation of a search-space activation.
inline enas::Activation op_activation(search::Activation a) {
    switch (a) {
        case search::Activation::tanh: return enas::Activation::Tanh;
        case search::Activation::relu: return enas::Activation::Relu;
        case search::Activation::sigmoid: return enas::Activation::Sigmoid;
        case search::Activation::identity: return enas::Activation::Identity;
    }
    throw ValueError("rnn cell: unknown activation");
}

/// The weights one architecture reads.
template <Scalar T, Device D>
struct RnnWeights {
    Var<T, D> embedding;           ///< [V, H]; also the softmax weight (tied, no bias)
    Var<T, D> w_prev;              ///< [2H, 2H], node 0 (for the architecture's f_0 in the original format)
    std::vector<Var<T, D>> nodes;  ///< nodes[l - 1]: [H, 2H], node l's weight for its (p_l, f_l)
};

/// Locked-dropout masks of one window ([B, H], entries 0 or 1 / keep); undefined = no dropout.
template <Scalar T, Device D>
struct RnnMasks {
    Tensor<T, D> input;   ///< on x_t at node 0 (embedding dropout times input dropout)
    Tensor<T, D> state;   ///< on every node's input state, in its matmul
    Tensor<T, D> output;  ///< on the cell output, before the softmax
};

/// x * mask, or x itself when the mask is undefined.
template <Scalar T, Device D>
Var<T, D> masked(Tape<D>& tape, const Var<T, D>& x, const Tensor<T, D>& mask) {
    return mask.defined() ? ops::mul(tape, x, Var<T, D>(mask)) : x;
}

/// One step of the cell: the output s_t [B, H] from x_t and s_{t-1} ([B, H] each). `nodes`, when
/// given, receives every node's value (node 0 first).
template <Scalar T, Device D>
Var<T, D> cell_step(Tape<D>& tape, const search::RnnArch& arch, const RnnWeights<T, D>& w, const RnnMasks<T, D>& masks,
                    const Var<T, D>& x, const Var<T, D>& s_prev, std::vector<Var<T, D>>* nodes = nullptr) {
    const std::int64_t h = s_prev.shape()[1];
    auto node = [&](search::Activation f, const Var<T, D>& s, const Var<T, D>& ht) {
        return ops::rnn_node(tape, op_activation(f), s, ops::slice(tape, ht, h, h), ops::slice(tape, ht, 0, h));
    };
    const int n = arch.num_nodes();
    std::vector<Var<T, D>> s(static_cast<std::size_t>(n)), s_in(static_cast<std::size_t>(n));
    const Var<T, D> xs = ops::concat(tape, {masked(tape, x, masks.input), masked(tape, s_prev, masks.state)});
    s[0] = node(arch.node(0).activation, s_prev, ops::matmul(tape, xs, w.w_prev));
    for (int l = 1; l < n; ++l) {
        const auto p = static_cast<std::size_t>(arch.node(l).input);
        if (!s_in[p].defined()) s_in[p] = masked(tape, s[p], masks.state);  // one masked copy per read node
        s[static_cast<std::size_t>(l)] =
            node(arch.node(l).activation, s[p], ops::matmul(tape, s_in[p], w.nodes[static_cast<std::size_t>(l - 1)]));
    }
    const std::vector<int> out_nodes = arch.output_nodes();
    Var<T, D> out = s[static_cast<std::size_t>(out_nodes[0])];
    for (std::size_t i = 1; i < out_nodes.size(); ++i)
        out = ops::add(tape, out, s[static_cast<std::size_t>(out_nodes[i])]);
    if (out_nodes.size() > 1) out = ops::scale(tape, out, static_cast<T>(1.0 / static_cast<double>(out_nodes.size())));
    if (nodes) *nodes = std::move(s);
    return out;
}

/// A fresh [B, H] mask for drop rate `rate` (undefined for rate 0); draws from the context's RNG.
template <Scalar T, Device D>
Tensor<T, D> draw_mask(Context<D>& ctx, std::int64_t batch, std::int64_t hidden, double rate) {
    if (rate <= 0) return {};
    Tensor<T, D> ones = ctx.template empty<T>(Shape{batch, hidden});
    ones.fill(T(1));
    return ops::dropout(ctx, ones, 1.0 - rate);  // inverted dropout of ones: the scaled mask itself
}

/// The masks of one training window, drawn in a fixed order: embedding, input, state, output.
template <Scalar T, Device D>
RnnMasks<T, D> draw_masks(Context<D>& ctx, const RnnChildConfig& c, std::int64_t batch) {
    RnnMasks<T, D> m;
    const Tensor<T, D> emb = draw_mask<T>(ctx, batch, c.hidden, c.drop_embedding);
    m.input = draw_mask<T>(ctx, batch, c.hidden, c.drop_input);
    if (emb.defined()) m.input = m.input.defined() ? ops::mul(ctx, emb, m.input) : emb;
    m.state = draw_mask<T>(ctx, batch, c.hidden, c.drop_state);
    m.output = draw_mask<T>(ctx, batch, c.hidden, c.drop_output);
    return m;
}

/// The original TF code's word-dropout scales [T][B] for ids [T][B] (RnnChildConfig::
/// original_word_dropout): u[b][t] is drawn row by row (b outer, t inner) and the token kept
/// (scale 1 / keep) when u + keep >= 1; a token is also dropped when an earlier token of its row
/// with the same word was dropped by its own draw (TF's `should_zero`).
inline std::vector<std::vector<double>> original_word_scales(Rng& rng, const std::vector<std::int32_t>& ids,
                                                             std::int64_t steps, std::int64_t batch, double keep) {
    std::vector<std::vector<double>> drawn(static_cast<std::size_t>(steps), std::vector<double>(batch));
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t t = 0; t < steps; ++t)
            drawn[t][b] = static_cast<double>(rng.uniform()) + keep >= 1.0 ? 1.0 / keep : 0.0;
    std::vector<std::vector<double>> out = drawn;
    auto id = [&](std::int64_t t, std::int64_t b) { return ids[static_cast<std::size_t>(t * batch + b)]; };
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t t = 1; t < steps; ++t)
            for (std::int64_t e = 0; e < t; ++e)
                if (id(e, b) == id(t, b) && drawn[e][b] == 0.0) out[t][b] = 0.0;
    return out;
}

/// The original word dropout as one [B, H] mask per step (row b scaled by the token's scale).
template <Scalar T, Device D>
std::vector<Tensor<T, D>> original_word_masks(Context<D>& ctx, const Tensor<std::int32_t, D>& inputs,
                                              std::int64_t hidden, double keep) {
    const std::int64_t steps = inputs.dim(0), batch = inputs.dim(1);
    const std::vector<std::vector<double>> scales =
        original_word_scales(ctx.rng(), inputs.contiguous().to_vector(), steps, batch, keep);
    std::vector<Tensor<T, D>> masks;
    std::vector<T> host(static_cast<std::size_t>(batch * hidden));
    for (std::int64_t t = 0; t < steps; ++t) {
        for (std::int64_t b = 0; b < batch; ++b)
            std::fill_n(host.begin() + b * hidden, hidden, static_cast<T>(scales[t][b]));
        masks.push_back(Tensor<T, Cpu>::from_vector(Shape{batch, hidden}, host).template to<D>());
    }
    return masks;
}

// ---------------------------------------------------------------------------------------------
// Regularisers (each a [1] Var; the trainer or rnn_window adds them to the loss)

/// alpha * mean(s^2) over all elements of all `outputs` (AR).
template <Scalar T, Device D>
Var<T, D> activation_regularizer(Tape<D>& tape, const std::vector<Var<T, D>>& outputs, double alpha) {
    check<ValueError>(!outputs.empty(), "activation_regularizer: no outputs");
    Var<T, D> total = ops::sum_squares(tape, outputs[0]);
    for (std::size_t t = 1; t < outputs.size(); ++t) total = ops::add(tape, total, ops::sum_squares(tape, outputs[t]));
    const double n = static_cast<double>(outputs.size()) * static_cast<double>(outputs[0].value().numel());
    return ops::scale(tape, total, static_cast<T>(alpha / n));
}

/// beta * mean((s_t - s_{t-1})^2) over the consecutive pairs of `outputs` (TAR, "slowness");
/// an undefined Var for fewer than two outputs.
template <Scalar T, Device D>
Var<T, D> temporal_activation_regularizer(Tape<D>& tape, const std::vector<Var<T, D>>& outputs, double beta) {
    if (outputs.size() < 2) return {};
    Var<T, D> total;
    for (std::size_t t = 1; t < outputs.size(); ++t) {
        const Var<T, D> d = ops::add(tape, outputs[t], ops::scale(tape, outputs[t - 1], T(-1)));
        const Var<T, D> sq = ops::sum_squares(tape, d);
        total = total.defined() ? ops::add(tape, total, sq) : sq;
    }
    const double n = static_cast<double>(outputs.size() - 1) * static_cast<double>(outputs[0].value().numel());
    return ops::scale(tape, total, static_cast<T>(beta / n));
}

/// The weights the weight-decay term covers (see WeightDecayForm).
template <Scalar T, Device D>
std::vector<Var<T, D>> decayed_weights(const RnnWeights<T, D>& w, WeightDecayForm form) {
    std::vector<Var<T, D>> out;
    if (form == WeightDecayForm::sum_squares) out.push_back(w.embedding);
    out.push_back(w.w_prev);
    for (std::size_t l = form == WeightDecayForm::sum_squares ? 0 : 1; l < w.nodes.size(); ++l)
        out.push_back(w.nodes[l]);
    return out;
}

/// coeff * sum(w^2) (sum_squares) or coeff * 1/2 * sum(w^4) (enas_lm_search) over `weights`.
template <Scalar T, Device D>
Var<T, D> weight_penalty(Tape<D>& tape, const std::vector<Var<T, D>>& weights, double coeff, WeightDecayForm form) {
    Var<T, D> total;
    for (const Var<T, D>& w : weights) {
        const Var<T, D> sq = form == WeightDecayForm::sum_squares ? ops::sum_squares(tape, w)
                                                                  : ops::sum_squares(tape, ops::mul(tape, w, w));
        total = total.defined() ? ops::add(tape, total, sq) : sq;
    }
    if (!total.defined()) return total;
    return ops::scale(tape, total, static_cast<T>(form == WeightDecayForm::sum_squares ? coeff : 0.5 * coeff));
}

// ---------------------------------------------------------------------------------------------
// One BPTT window

template <Scalar T, Device D>
struct RnnWindowResult {
    /// The training loss: cross_entropy (times T with sum_loss_over_steps) plus the configured
    /// AR, TAR and weight decay (training only). Equal to cross_entropy in evaluation.
    Var<T, D> loss;
    Var<T, D> cross_entropy;         ///< [1], mean over the window's B * T tokens
    std::vector<Var<T, D>> outputs;  ///< the cell output s_t [B, H] of every step, before output dropout
    Tensor<T, D> state;              ///< s_T [B, H], the state to carry to the next window (a value)
};

/// Runs one window. inputs, targets: int32 [T, B] (time-major; row t holds step t's tokens);
/// state: s_0 [B, H], taken as a constant (the carried state is detached between windows).
/// Training draws a fresh word mask and fresh locked masks from the tape's context RNG.
template <Scalar T, Device D>
RnnWindowResult<T, D> rnn_window(Tape<D>& tape, const RnnChildConfig& config, const search::RnnArch& arch,
                                 const RnnWeights<T, D>& w, const Tensor<std::int32_t, D>& inputs,
                                 const Tensor<std::int32_t, D>& targets, const Tensor<T, D>& state, bool training) {
    Context<D>& ctx = tape.ctx();
    check<ShapeError>(inputs.rank() == 2 && targets.shape() == inputs.shape() && inputs.numel() > 0,
                      "rnn window: inputs and targets must be int32 [T, B] of the same shape, got ",
                      inputs.shape().str(), " and ", targets.shape().str());
    const std::int64_t steps = inputs.dim(0), batch = inputs.dim(1);
    check<ShapeError>(state.shape() == Shape{batch, config.hidden}, "rnn window: state must be [", batch, ", ",
                      config.hidden, "], got ", state.shape().str());
    const Tensor<std::int32_t, D> in = inputs.contiguous(), tg = targets.contiguous();

    RnnMasks<T, D> masks;
    Var<T, D> table = w.embedding;  // the lookup table; the softmax always uses the undropped one
    std::vector<Tensor<T, D>> word_masks(static_cast<std::size_t>(steps));  // original_word_dropout
    if (training) {
        if (config.drop_word > 0 && config.original_word_dropout)
            word_masks = original_word_masks<T>(ctx, in, config.hidden, 1.0 - config.drop_word);
        else if (config.drop_word > 0)
            table = ops::embedding_dropout(tape, w.embedding, 1.0 - config.drop_word);
        masks = draw_masks<T>(ctx, config, batch);
    }

    RnnWindowResult<T, D> r;
    Var<T, D> s(state);
    std::vector<Var<T, D>> rows;  // each step's dropped output as one row [1, B * H]
    for (std::int64_t t = 0; t < steps; ++t) {
        const Tensor<std::int32_t, D> ids = in.narrow(0, t, 1).view(Shape{batch});
        const Var<T, D> x = masked(tape, ops::embedding(tape, table, ids), word_masks[static_cast<std::size_t>(t)]);
        s = cell_step(tape, arch, w, masks, x, s);
        r.outputs.push_back(s);
        rows.push_back(ops::reshape(tape, masked(tape, s, masks.output), Shape{1, batch * config.hidden}));
    }
    // The softmax of all steps at once: outputs [T * B, H] (time-major, as the targets) times the
    // tied embedding. One large matmul instead of T small ones (whose [V, H] weight gradients
    // would each be accumulated separately).
    const Var<T, D> outputs = ops::reshape(tape, ops::concat(tape, rows), Shape{steps * batch, config.hidden});
    const Var<T, D> logits = ops::matmul(tape, outputs, w.embedding, false, true);
    r.cross_entropy = ops::softmax_cross_entropy(tape, logits, tg.view(Shape{steps * batch}));
    r.state = s.value();
    r.loss = r.cross_entropy;
    if (!training) return r;
    // The original scaling: sums over steps (and units) averaged over the batch, i.e. the means
    // times the number of summed terms per batch row.
    const bool sum = config.sum_loss_over_steps;
    const auto h = static_cast<double>(config.hidden);
    if (sum) r.loss = ops::scale(tape, r.cross_entropy, static_cast<T>(steps));
    if (config.ar_alpha > 0) {
        const double alpha = config.ar_alpha * (sum ? static_cast<double>(steps) * h : 1.0);
        r.loss = ops::add(tape, r.loss, activation_regularizer(tape, r.outputs, alpha));
    }
    if (config.tar_beta > 0 && steps > 1) {
        const double beta = config.tar_beta * (sum ? static_cast<double>(steps - 1) * h : 1.0);
        r.loss = ops::add(tape, r.loss, temporal_activation_regularizer(tape, r.outputs, beta));
    }
    if (config.weight_decay > 0) {
        const Var<T, D> wd = weight_penalty(tape, decayed_weights(w, config.weight_decay_form), config.weight_decay,
                                            config.weight_decay_form);
        if (wd.defined()) r.loss = ops::add(tape, r.loss, wd);
    }
    return r;
}

}  // namespace enas::child::rnn
