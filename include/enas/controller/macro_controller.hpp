// The macro-space controller (TF general_controller.py with search_whole_channels; reference §2.2).
// Per layer l, two LSTM steps:
//   1. h <- LSTM(inp); op logits h·w_soft shaped C·tanh (C = 1.5); sample op; inp <- w_emb[op].
//   2. h <- LSTM(inp) (the anchor of layer l). For l > 0: s_j = vᵀ tanh(W1 a_j + W2 h) over the
//      earlier anchors; skip bit j from the two-way logits [−s̃_j, +s̃_j] (s̃ = C·tanh(s)), i.e.
//      P(1) = σ(2 s̃_j); inp <- Σ bit_j a_j / (1 + Σ bit_j). For l = 0: inp <- g_emb.
// Tokens per layer: [op, skip_0 .. skip_{l−1}]. The skip KL toward ρ (on σ(s̃), the code's form)
// averaged over layers 1..L−1 enters the loss with weight skip_weight.
#pragma once
#include <array>
#include <vector>

#include "enas/controller/lstm_policy.hpp"

namespace enas::controller {

template <Scalar T>
class BasicMacroController final : public LstmPolicy<T> {
public:
    using Base = LstmPolicy<T>;
    using Trace = typename Base::Trace;
    using Slot = typename Trace::Slot;

    explicit BasicMacroController(const MacroControllerConfig& config = {}, std::uint64_t seed = 0)
        : Base(SpaceKind::macro, (config.validate(), token_cardinalities(config)), config.hidden_size, config.reinforce,
               config.skip_weight, config.entropy_form, seed),
          config_(config) {
        const int h = config.hidden_size, k = config.num_ops;
        ParameterArena<T>& p = this->arena();
        w_lstm_ = p.declare("w_lstm", Shape{2 * h, 4 * h});
        g_emb_ = p.declare("g_emb", Shape{1, h});
        w_emb_ = p.declare("w_emb", Shape{k, h});
        w_soft_ = p.declare("w_soft", Shape{h, k});
        w_attn_1_ = p.declare("w_attn_1", Shape{h, h});
        w_attn_2_ = p.declare("w_attn_2", Shape{h, h});
        v_attn_ = p.declare("v_attn", Shape{h});
        this->allocate_parameters();
        Rng init = Base::init_rng(seed);
        for (std::size_t b = 0; b < p.blocks().size(); ++b)
            p.init_uniform(static_cast<int>(b), init, config.init_range);
        anchors_.reserve(static_cast<std::size_t>(config.num_layers));
        keys_.reserve(static_cast<std::size_t>(config.num_layers));
        coefs_.reserve(static_cast<std::size_t>(config.num_layers));
        bits_.reserve(static_cast<std::size_t>(config.num_layers));
    }

    const MacroControllerConfig& config() const { return config_; }

protected:
    void record(Trace& trace, Decider& decider) override {
        const int hidden = config_.hidden_size, layers = config_.num_layers;
        const typename Trace::Shaping shaping{config_.temperature > 0 ? static_cast<T>(1 / config_.temperature) : T(1),
                                              static_cast<T>(config_.tanh_constant)};
        anchors_.clear();
        keys_.clear();
        typename Trace::State state = trace.initial_state();
        const Slot g_emb = trace.embed(g_emb_, 0);
        Slot inp = g_emb;
        for (int l = 0; l < layers; ++l) {
            const int at = macro_layer_offset(l);
            state = trace.lstm(inp, state, w_lstm_);
            const Slot logits = trace.vec_mat(state.h, hidden, w_soft_, config_.num_ops);
            const int op = trace.categorical(logits, config_.num_ops, shaping, nullptr, decider, at);
            inp = trace.embed(w_emb_, op);
            state = trace.lstm(inp, state, w_lstm_);
            if (l > 0) {
                const Slot query = trace.vec_mat(state.h, hidden, w_attn_2_, hidden);
                const Slot scores = trace.attention(query, keys_, v_attn_);
                bits_.resize(static_cast<std::size_t>(l));
                trace.skip_bits(scores, l, shaping, config_.skip_target, decider, at + 1, bits_);
                int on = 0;
                for (int b : bits_) on += b;
                // Every anchor takes part (coefficient 0 when off), so each trace has the same size.
                coefs_.resize(static_cast<std::size_t>(l));
                for (int j = 0; j < l; ++j)
                    coefs_[static_cast<std::size_t>(j)] =
                        static_cast<T>(bits_[static_cast<std::size_t>(j)]) / static_cast<T>(1 + on);
                inp = trace.mix(anchors_, coefs_);
            } else {
                inp = g_emb;
            }
            anchors_.push_back(state.h);
            if (l + 1 < layers) keys_.push_back(trace.vec_mat(state.h, hidden, w_attn_1_, hidden));
        }
    }

private:
    MacroControllerConfig config_;
    int w_lstm_ = -1, g_emb_ = -1, w_emb_ = -1, w_soft_ = -1, w_attn_1_ = -1, w_attn_2_ = -1, v_attn_ = -1;
    std::vector<Slot> anchors_, keys_;
    std::vector<T> coefs_;
    std::vector<int> bits_;
};

/// The macro controller in float (the one a search uses).
using MacroController = BasicMacroController<float>;

}  // namespace enas::controller
