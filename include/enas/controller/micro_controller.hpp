// The micro-space controller (TF micro_controller.py; reference §2.3). Two samplers run in
// sequence on one LSTM: the normal cell (with the fixed op bias), then the reduction cell from
// the normal cell's final state. Each sampler:
//   inputs 0, 1: h <- LSTM(g_emb) twice; anchor = zero vector, key = W1·h.
//   node n (B nodes, layer_id = n + 2), inp = g_emb:
//     2 × { h <- LSTM(inp); s_j = vᵀ tanh(key_j + W2 h), j < layer_id; logits C·tanh(s)
//           (C = 1.10); sample index; inp <- anchors[index] }
//     2 × { h <- LSTM(inp); logits (C / op_tanh_reduce)·tanh(h·w_soft + b_soft)
//           (+ [.25, .25, −.25, ...] on the normal cell); sample op; inp <- w_emb[op] }
//     h <- LSTM(inp): the node's anchor, key = W1·h; inp <- g_emb
// Tokens per cell: [idx1, op1, idx2, op2] × B (both indices are sampled before both ops).
// b_soft is learned and starts at [10, 10, 0, ...]; the entropy term is the full entropy.
#pragma once
#include <vector>

#include "enas/controller/lstm_policy.hpp"

namespace enas::controller {

template <Scalar T>
class BasicMicroController final : public LstmPolicy<T> {
public:
    using Base = LstmPolicy<T>;
    using Trace = typename Base::Trace;
    using Slot = typename Trace::Slot;

    explicit BasicMicroController(const MicroControllerConfig& config = {}, std::uint64_t seed = 0)
        : Base(SpaceKind::micro, (config.validate(), token_cardinalities(config)), config.hidden_size, config.reinforce,
               0.0, config.entropy_form, seed),
          config_(config) {
        const int h = config.hidden_size, k = config.num_ops;
        ParameterArena<T>& p = this->arena();
        w_lstm_ = p.declare("w_lstm", Shape{2 * h, 4 * h});
        g_emb_ = p.declare("g_emb", Shape{1, h});
        w_emb_ = p.declare("w_emb", Shape{k, h});
        w_soft_ = p.declare("w_soft", Shape{h, k});
        b_soft_ = p.declare("b_soft", Shape{k});
        w_attn_1_ = p.declare("w_attn_1", Shape{h, h});
        w_attn_2_ = p.declare("w_attn_2", Shape{h, h});
        v_attn_ = p.declare("v_attn", Shape{h});
        this->allocate_parameters();
        Rng init = Base::init_rng(seed);
        for (int b : {w_lstm_, g_emb_, w_emb_, w_soft_, w_attn_1_, w_attn_2_, v_attn_})
            p.init_uniform(b, init, config.init_range);
        const std::vector<T> b_init = initial_op_bias(k, config.op_bias_init);
        for (int i = 0; i < k; ++i) p.data(b_soft_)[i] = b_init[static_cast<std::size_t>(i)];
        normal_cell_bias_ = fixed_normal_cell_bias(k);
        anchors_.reserve(static_cast<std::size_t>(config.num_nodes + 2));
        keys_.reserve(static_cast<std::size_t>(config.num_nodes + 2));
    }

    const MicroControllerConfig& config() const { return config_; }

    /// The learned op bias b_soft at initialisation: [10, 10, 0, 0, ...] (sep-convs favoured).
    static std::vector<T> initial_op_bias(int num_ops, double value = 10.0) {
        std::vector<T> b(static_cast<std::size_t>(num_ops), T(0));
        b[0] = b[1] = static_cast<T>(value);
        return b;
    }
    /// The constant added after the tanh on the normal cell only: [.25, .25, −.25, −.25, ...].
    static std::vector<T> fixed_normal_cell_bias(int num_ops) {
        std::vector<T> b(static_cast<std::size_t>(num_ops), T(-0.25));
        b[0] = b[1] = T(0.25);
        return b;
    }

protected:
    void record(Trace& trace, Decider& decider) override {
        typename Trace::State state = trace.initial_state();
        const Slot g_emb = trace.embed(g_emb_, 0);
        record_cell(trace, decider, g_emb, state, /*normal=*/true);
        record_cell(trace, decider, g_emb, state, /*normal=*/false);
    }

private:
    void record_cell(Trace& trace, Decider& decider, Slot g_emb, typename Trace::State& state, bool normal) {
        const int hidden = config_.hidden_size, k = config_.num_ops, nodes = config_.num_nodes;
        const T inv_t = config_.temperature > 0 ? static_cast<T>(1 / config_.temperature) : T(1);
        const typename Trace::Shaping index_shaping{inv_t, static_cast<T>(config_.tanh_constant)};
        const typename Trace::Shaping op_shaping{inv_t, static_cast<T>(config_.tanh_constant / config_.op_tanh_reduce)};
        const T* fixed_bias = normal ? normal_cell_bias_.data() : nullptr;
        const int cell_offset = normal ? 0 : 4 * nodes;
        anchors_.clear();
        keys_.clear();
        for (int i = 0; i < 2; ++i) {
            state = trace.lstm(g_emb, state, w_lstm_);
            anchors_.push_back(trace.zeros());
            keys_.push_back(trace.vec_mat(state.h, hidden, w_attn_1_, hidden));
        }
        for (int n = 0; n < nodes; ++n) {
            const int layer_id = n + 2, at = cell_offset + 4 * n;
            Slot inp = g_emb;
            for (int i = 0; i < 2; ++i) {
                state = trace.lstm(inp, state, w_lstm_);
                const Slot query = trace.vec_mat(state.h, hidden, w_attn_2_, hidden);
                const Slot scores = trace.attention(
                    query, std::span<const Slot>(keys_.data(), static_cast<std::size_t>(layer_id)), v_attn_);
                const int index = trace.categorical(scores, layer_id, index_shaping, nullptr, decider, at + 2 * i);
                inp = anchors_[static_cast<std::size_t>(index)];
            }
            for (int i = 0; i < 2; ++i) {
                state = trace.lstm(inp, state, w_lstm_);
                const Slot logits = trace.vec_mat(state.h, hidden, w_soft_, k, b_soft_);
                const int op = trace.categorical(logits, k, op_shaping, fixed_bias, decider, at + 2 * i + 1);
                inp = trace.embed(w_emb_, op);
            }
            state = trace.lstm(inp, state, w_lstm_);
            anchors_.push_back(state.h);
            if (n + 1 < nodes) keys_.push_back(trace.vec_mat(state.h, hidden, w_attn_1_, hidden));
        }
    }

    MicroControllerConfig config_;
    int w_lstm_ = -1, g_emb_ = -1, w_emb_ = -1, w_soft_ = -1, b_soft_ = -1, w_attn_1_ = -1, w_attn_2_ = -1,
        v_attn_ = -1;
    std::vector<T> normal_cell_bias_;
    std::vector<Slot> anchors_, keys_;
};

/// The micro controller in float (the one a search uses).
using MicroController = BasicMicroController<float>;

}  // namespace enas::controller
