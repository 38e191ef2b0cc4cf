// The recurrent (PTB) ENAS supernet (reference §5): a word embedding [V, H] tied with the softmax
// (logits = s_t . Emb^T, no output bias) and one cell whose weights live in one ParameterArena:
//   * node 0: W_prev [2H, 2H] on [x_t; s_{t-1}]. The lm format fixes node 0 to tanh and has one
//     W_prev; the original format searches f_0 and has one W_prev per activation (TF's
//     [2 * 4 * H, 2H] block matrix);
//   * node l >= 1: one [H, 2H] weight per (l, previous node p < l, activation f), the shared
//     weights (enas_lm's w_skip[l][f, p]). A step reads and touches only the sampled (p_l, f_l).
// Final mode (RnnChildConfig::mode, for retraining one cell) holds only the weights of its own
// architecture, under the same names: at H = 800 and N = 8 that is 21 M parameters instead of
// the supernet's 194 M, and it runs only that architecture.
// The cell (rnn_cell.hpp) averages nodes 1..N (lm, the corrected code, default) or the loose ends
// (original); the average is the state carried to the next step and across windows.
//
// A training step (BPTT over one window; the state is carried across windows as a plain tensor):
//   Tape<D> tape(ctx);
//   auto r = model.forward(tape, arch, make_window<D>(rows, window), state);
//   tape.backward(r.loss);                 // r.loss holds CE + AR + TAR + weight decay (config)
//   sgd.step(ctx, lr * window.lr_scale);   // optim::ChildSgd; l2 = 0 there (the decay is in r.loss)
//   state = r.state;
// Evaluation: model.evaluate(ctx, arch, window, state) -> summed CE and token count, any batch.
//
// Not reproduced: the original TF code's search-mode batch norms (after each node's
// pre-activation and on the output, epsilon 1), and enas_lm's weight drop (drop_w = 0 in all its
// scripts). Global-norm clipping is the optimizer's (optim/child_sgd.hpp).
#pragma once
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "enas/child/rnn_cell.hpp"
#include "enas/child/rnn_config.hpp"
#include "enas/data/bptt.hpp"
#include "enas/data/ptb.hpp"
#include "enas/nn/init.hpp"
#include "enas/nn/parameter_arena.hpp"

namespace enas::child {

/// One BPTT window's tokens, time-major: inputs[t, b] is row b's token at step t and
/// targets[t, b] the token after it. int32 [T, B] each.
template <Device D>
struct RnnWindow {
    Tensor<std::int32_t, D> inputs, targets;
    std::int64_t steps() const { return inputs.dim(0); }
    std::int64_t batch() const { return inputs.dim(1); }
    std::int64_t tokens() const { return inputs.numel(); }
};

/// The window from batch-major host ids: inputs and targets [B, T] row-major (B * T each).
template <Device D>
RnnWindow<D> make_window(const std::vector<std::int32_t>& inputs, const std::vector<std::int32_t>& targets,
                         std::int64_t batch, std::int64_t steps) {
    const auto n = static_cast<std::size_t>(batch * steps);
    check<ShapeError>(batch >= 1 && steps >= 1 && inputs.size() == n && targets.size() == n, "rnn window: expected ",
                      batch, " x ", steps, " inputs and targets, got ", inputs.size(), " and ", targets.size());
    std::vector<std::int32_t> in(n), tg(n);
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t t = 0; t < steps; ++t) {
            in[static_cast<std::size_t>(t * batch + b)] = inputs[static_cast<std::size_t>(b * steps + t)];
            tg[static_cast<std::size_t>(t * batch + b)] = targets[static_cast<std::size_t>(b * steps + t)];
        }
    const Shape shape{steps, batch};
    return {Tensor<std::int32_t, Cpu>::from_vector(shape, in).template to<D>(),
            Tensor<std::int32_t, Cpu>::from_vector(shape, tg).template to<D>()};
}

/// The window `w` of batchified rows: columns [w.start, w.start + w.length) and the next ones.
template <Device D>
RnnWindow<D> make_window(const data::TokenRows& rows, const data::BpttWindow& w) {
    check<ValueError>(w.length >= 1 && w.start >= 0 && w.start + w.length < rows.length, "rnn window: columns [",
                      w.start, ", ", w.start + w.length, "] are outside rows of length ", rows.length);
    std::vector<std::int32_t> in, tg;
    in.reserve(static_cast<std::size_t>(rows.batch * w.length));
    tg.reserve(in.capacity());
    for (std::int64_t b = 0; b < rows.batch; ++b)
        for (std::int64_t t = 0; t < w.length; ++t) {
            in.push_back(rows.at(b, w.start + t));
            tg.push_back(rows.at(b, w.start + t + 1));
        }
    return make_window<D>(in, tg, rows.batch, w.length);
}

/// An evaluation pass over one window: the summed cross-entropy (nats) over its tokens.
template <Device D>
struct RnnEvalResult {
    double total_cross_entropy = 0;
    std::int64_t tokens = 0;
    Tensor<float, D> state;  ///< s_T, to carry into the next window
};

/// exp(total cross-entropy / tokens).
inline double perplexity(double total_cross_entropy, std::int64_t tokens) {
    check<ValueError>(tokens > 0, "perplexity: no tokens");
    return std::exp(total_cross_entropy / static_cast<double>(tokens));
}

template <Device D>
class RnnChild {
public:
    /// Lays out and initialises (U[-init_range, init_range], from `seed`) every weight: the
    /// supernet's in search mode; in final mode those of `final_arch` (required then) only.
    RnnChild(Context<D>& ctx, const RnnChildConfig& config, std::uint64_t seed,
             const search::RnnArch* final_arch = nullptr)
        : config_(config) {
        config_.validate();
        if (final_mode()) {
            check<ValueError>(final_arch != nullptr, "rnn child: final mode needs an architecture");
            check_arch(*final_arch);
            final_arch_ = *final_arch;
        }
        // In final mode a weight is laid out only when the architecture reads it.
        const auto wanted = [&](int l, int p, int f) {
            if (!final_mode()) return true;
            const search::RnnNode& n = final_arch_->node(l);
            return (l == 0 || n.input == p) && static_cast<int>(n.activation) == f;
        };
        const std::int64_t h = config_.hidden;
        const nn::Init init = nn::Init::uniform(config_.init_range);
        embedding_ = arena_.add("embedding/w", Shape{config_.vocab_size, h}, init);
        const bool lm = config_.format == search::RnnFormat::lm;
        w_prev_.assign(lm ? 1 : search::kActivationCount, -1);
        for (int f = 0; f < static_cast<int>(w_prev_.size()); ++f)
            if (lm || wanted(0, 0, f))
                w_prev_[static_cast<std::size_t>(f)] = arena_.add(
                    lm ? std::string("cell/w_prev") : "cell/w_prev/" + activation_str(f), Shape{2 * h, 2 * h}, init);
        node_w_.resize(static_cast<std::size_t>(config_.cell_nodes()));
        for (int l = 1; l < config_.cell_nodes(); ++l)
            for (int p = 0; p < l; ++p)
                for (int f = 0; f < search::kActivationCount; ++f)
                    node_w_[static_cast<std::size_t>(l)].push_back(
                        wanted(l, p, f) ? arena_.add("cell/node_" + std::to_string(l) + "/prev_" + std::to_string(p) +
                                                         "/" + activation_str(f),
                                                     Shape{h, 2 * h}, init)
                                        : nn::ParamId{-1});
        arena_.finalize(ctx, seed);
    }

    /// Training (or, with training = false, dropout-free) forward over one window from state s_0
    /// [B, H]; records on `tape` and touches the weights `arch` reads. Backpropagate
    /// `result.loss`; carry `result.state` into the next window.
    rnn::RnnWindowResult<float, D> forward(Tape<D>& tape, const search::RnnArch& arch, const RnnWindow<D>& window,
                                           const Tensor<float, D>& state, bool training = true) {
        check_arch(arch);
        return rnn::rnn_window(tape, config_, arch, weights(arch, true), window.inputs, window.targets, state,
                               training);
    }

    /// Evaluation of one window (no dropout, no gradient, no weight touched), any batch size
    /// (batch 1 for test perplexity).
    RnnEvalResult<D> evaluate(Context<D>& ctx, const search::RnnArch& arch, const RnnWindow<D>& window,
                              const Tensor<float, D>& state) {
        check_arch(arch);
        Tape<D> tape(ctx);
        NoGrad<D> no_grad(tape);
        const rnn::RnnWindowResult<float, D> r =
            rnn::rnn_window(tape, config_, arch, weights(arch, false), window.inputs, window.targets, state, false);
        RnnEvalResult<D> out;
        out.tokens = window.tokens();
        out.total_cross_entropy = static_cast<double>(r.cross_entropy.value().item()) * static_cast<double>(out.tokens);
        out.state = r.state;
        return out;
    }

    /// A zero state [batch, H] (the start of an epoch or of an evaluation).
    Tensor<float, D> zero_state(Context<D>& ctx, std::int64_t batch) const {
        return ctx.template zeros<float>(Shape{batch, config_.hidden});
    }

    /// The arena ids `arch` reads: embedding, W_prev (for f_0), then node l's (p_l, f_l) weight.
    std::vector<nn::ParamId> used_params(const search::RnnArch& arch) const {
        check_arch(arch);
        std::vector<nn::ParamId> ids{embedding_, w_prev_id(arch)};
        for (int l = 1; l < arch.num_nodes(); ++l)
            ids.push_back(node_param(l, arch.node(l).input, arch.node(l).activation));
        return ids;
    }
    nn::ParamId embedding_param() const { return embedding_; }
    /// Node l's weight [H, 2H] for reading node p with activation f (1 <= l < cell_nodes, p < l).
    nn::ParamId node_param(int l, int p, search::Activation f) const {
        check<ValueError>(l >= 1 && l < config_.cell_nodes() && p >= 0 && p < l, "rnn child: no weight for node ", l,
                          " reading node ", p);
        const nn::ParamId id = node_w_[static_cast<std::size_t>(l)]
                                      [static_cast<std::size_t>(p * search::kActivationCount + static_cast<int>(f))];
        if (id < 0)  // only in final mode (check<> would format final_arch_ eagerly)
            throw ValueError(detail::concat("rnn child: this final-mode model of ", final_arch_->to_string(),
                                            " has no weight for node ", l, " reading node ", p, " with ",
                                            search::activation_name(f)));
        return id;
    }
    /// Node 0's W_prev [2H, 2H] for activation f (the lm format has only the tanh one).
    nn::ParamId w_prev_param(search::Activation f) const {
        if (config_.format == search::RnnFormat::lm) {
            check<ValueError>(f == search::Activation::tanh, "rnn child: node 0 is tanh in the lm format");
            return w_prev_[0];
        }
        const nn::ParamId id = w_prev_[static_cast<std::size_t>(f)];
        if (id < 0)
            throw ValueError(detail::concat("rnn child: this final-mode model of ", final_arch_->to_string(),
                                            " has no node-0 weight for ", search::activation_name(f)));
        return id;
    }

    nn::ParameterArena<D>& arena() { return arena_; }
    const RnnChildConfig& config() const { return config_; }
    bool final_mode() const { return config_.mode == search::ChildMode::final; }

private:
    static std::string activation_str(int f) {
        return std::string(search::activation_name(static_cast<search::Activation>(f)));
    }
    nn::ParamId w_prev_id(const search::RnnArch& arch) const { return w_prev_param(arch.node(0).activation); }

    void check_arch(const search::RnnArch& arch) const {
        check<ValueError>(arch.format() == config_.format && arch.format_node_count() == config_.num_nodes,
                          "rnn child: architecture ", arch.to_string(), " (", search::rnn_format_name(arch.format()),
                          ", N = ", arch.format_node_count(), ") given to a model for ",
                          search::rnn_format_name(config_.format), " with N = ", config_.num_nodes);
        if (final_arch_)
            check<ValueError>(arch == *final_arch_, "rnn child: a final-mode model runs only its own architecture ",
                              final_arch_->to_string(), ", not ", arch.to_string());
    }

    /// The architecture's weights; `touch` marks them used for the optimizer.
    rnn::RnnWeights<float, D> weights(const search::RnnArch& arch, bool touch) {
        auto get = [&](nn::ParamId id) { return touch ? arena_.use(id) : arena_.peek(id); };
        rnn::RnnWeights<float, D> w;
        w.embedding = get(embedding_);
        w.w_prev = get(w_prev_id(arch));
        for (int l = 1; l < arch.num_nodes(); ++l)
            w.nodes.push_back(get(node_param(l, arch.node(l).input, arch.node(l).activation)));
        return w;
    }

    RnnChildConfig config_;
    std::optional<search::RnnArch> final_arch_;  ///< final mode's architecture
    nn::ParameterArena<D> arena_;
    nn::ParamId embedding_ = -1;
    std::vector<nn::ParamId> w_prev_;               ///< [f]; -1 where final mode has none
    std::vector<std::vector<nn::ParamId>> node_w_;  ///< [l][p * 4 + f]; -1 where final mode has none
};

}  // namespace enas::child
