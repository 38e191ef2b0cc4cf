// The recurrent-cell controllers (reference §2.4).
//
// LM corrected (enas_lm/src/controller.py; the default). all_h = [0], keys = [0]; inp = g_emb;
// for node l = 1..N:
//   h <- LSTM(inp); all_h += h; keys += W1·h
//   s_j = vᵀ tanh(keys_j + W2 h), j < l; logits = C·tanh(s / T) − (l − j)² / 6; sample p_l
//   inp <- all_h[p_l] / (0.1 + l − p_l);  h <- LSTM(inp)
//   func logits = C·tanh((h · w_embᵀ) / T) (tied to the function embedding); sample f_l; inp <- w_emb[f_l]
// Tokens [p_1, f_1, ..., p_N, f_N]; T = 5, C = 2.25, U[−0.01, 0.01] init.
//
// TF original (src/ptb/ptb_enas_controller.py; legacy). Node l = 0..N−1:
//   h <- LSTM(inp); all_h += h; keys += W1·h
//   l > 0: attention over keys_j, j < l, same shaping and distance penalty; sample p_l;
//          inp <- all_h[p_l] / (0.1 + l − p_l).   l = 0: inp <- g_emb
//   h <- LSTM(inp); func logits = C·tanh((h · w_soft) / T); sample f_l; inp <- w_emb[f_l]
// Tokens [f_0, p_1, f_1, ..., p_{N−1}, f_{N−1}]. Both use the sampled-action entropy form.
#pragma once
#include <vector>

#include "enas/controller/lstm_policy.hpp"

namespace enas::controller {

template <Scalar T>
class BasicRnnController final : public LstmPolicy<T> {
public:
    using Base = LstmPolicy<T>;
    using Trace = typename Base::Trace;
    using Slot = typename Trace::Slot;

    explicit BasicRnnController(const RnnControllerConfig& config = {}, std::uint64_t seed = 0)
        : Base(space_kind(config), (config.validate(), token_cardinalities(config)), config.hidden_size,
               config.reinforce, 0.0, config.entropy_form, seed),
          config_(config) {
        const int h = config.hidden_size, f = config.num_funcs;
        ParameterArena<T>& p = this->arena();
        w_lstm_ = p.declare("w_lstm", Shape{2 * h, 4 * h});
        g_emb_ = p.declare("g_emb", Shape{1, h});
        w_emb_ = p.declare("w_emb", Shape{f, h});
        if (original()) w_soft_ = p.declare("w_soft", Shape{h, f});
        w_attn_1_ = p.declare("w_attn_1", Shape{h, h});
        w_attn_2_ = p.declare("w_attn_2", Shape{h, h});
        v_attn_ = p.declare("v_attn", Shape{h});
        this->allocate_parameters();
        Rng init = Base::init_rng(seed);
        for (std::size_t b = 0; b < p.blocks().size(); ++b)
            p.init_uniform(static_cast<int>(b), init, config.init_range);
        // Distance penalties −(l − j)² / divisor for every l, j < l, laid out row by row.
        const int rows = config.num_nodes + 1;
        penalties_.assign(static_cast<std::size_t>(rows) * static_cast<std::size_t>(rows), T(0));
        if (config.distance_penalty > 0)
            for (int l = 0; l < rows; ++l)
                for (int j = 0; j < l; ++j)
                    penalties_[static_cast<std::size_t>(l * rows + j)] =
                        static_cast<T>(-static_cast<double>((l - j) * (l - j)) / config.distance_penalty);
        all_h_.reserve(static_cast<std::size_t>(rows));
        keys_.reserve(static_cast<std::size_t>(rows));
    }

    const RnnControllerConfig& config() const { return config_; }
    bool original() const { return config_.kind == RnnControllerKind::Original; }

protected:
    void record(Trace& trace, Decider& decider) override {
        const int hidden = config_.hidden_size, funcs = config_.num_funcs, rows = config_.num_nodes + 1;
        const typename Trace::Shaping shaping{config_.temperature > 0 ? static_cast<T>(1 / config_.temperature) : T(1),
                                              static_cast<T>(config_.tanh_constant)};
        all_h_.clear();
        keys_.clear();
        typename Trace::State state = trace.initial_state();
        const Slot g_emb = trace.embed(g_emb_, 0);
        Slot inp = g_emb;
        // LM: node 0 (x_t, h_{t-1}) is a zero vector in the memory; nodes are 1..N.
        // Original: nodes are 0..N−1, all in the memory.
        const int first = original() ? 0 : 1, last = original() ? config_.num_nodes - 1 : config_.num_nodes;
        if (!original()) {
            all_h_.push_back(trace.zeros());
            keys_.push_back(trace.zeros());
        }
        for (int l = first; l <= last; ++l) {
            state = trace.lstm(inp, state, w_lstm_);
            all_h_.push_back(state.h);
            if (l < last) keys_.push_back(trace.vec_mat(state.h, hidden, w_attn_1_, hidden));
            const int prev_at = original() ? 2 * l - 1 : 2 * (l - 1);
            if (l > 0) {
                const Slot query = trace.vec_mat(state.h, hidden, w_attn_2_, hidden);
                const Slot scores =
                    trace.attention(query, std::span<const Slot>(keys_.data(), static_cast<std::size_t>(l)), v_attn_);
                const T* penalty = config_.distance_penalty > 0 ? penalties_.data() + l * rows : nullptr;
                const int prev = trace.categorical(scores, l, shaping, penalty, decider, prev_at);
                const T scale = static_cast<T>(1.0 / (0.1 + (l - prev)));
                const Slot source = all_h_[static_cast<std::size_t>(prev)];
                inp = trace.mix(std::span<const Slot>(&source, 1), std::span<const T>(&scale, 1));
            } else {
                inp = g_emb;
            }
            state = trace.lstm(inp, state, w_lstm_);
            const Slot logits = original() ? trace.vec_mat(state.h, hidden, w_soft_, funcs)
                                           : trace.vec_mat(state.h, hidden, w_emb_, funcs, -1, /*transpose=*/true);
            const int func =
                trace.categorical(logits, funcs, shaping, nullptr, decider, original() ? 2 * l : prev_at + 1);
            inp = trace.embed(w_emb_, func);
        }
    }

private:
    RnnControllerConfig config_;
    int w_lstm_ = -1, g_emb_ = -1, w_emb_ = -1, w_soft_ = -1, w_attn_1_ = -1, w_attn_2_ = -1, v_attn_ = -1;
    std::vector<T> penalties_;
    std::vector<Slot> all_h_, keys_;
};

/// The recurrent controller in float (the one a search uses).
using RnnController = BasicRnnController<float>;

}  // namespace enas::controller
