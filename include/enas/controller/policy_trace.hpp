// PolicyTrace<T>: a small special-purpose tape for the controller's unrolled LSTM policy. The
// controllers record a fixed set of fused ops (embedding row, LSTM step, vector·matrix, additive
// attention, anchor mix, categorical decision, skip bits) into preallocated arenas; `backward`
// walks them in reverse and accumulates d loss / d weights into the parameter arena, with
//   loss = logp_coef · Σ log π(a) + kl_weight · mean_layers(skip KL).
// Values live in one arena from the Context's caching allocator, ops in a vector that keeps its
// capacity, so once a controller has recorded one architecture nothing is allocated again (every
// trace of a given controller has the same size). The LSTM weight gradient of all steps is one
// blocked product at the end of the backward instead of a rank-1 update per step.
#pragma once
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "enas/controller/config.hpp"
#include "enas/controller/decider.hpp"
#include "enas/controller/decision_kernels.hpp"
#include "enas/controller/kernels.hpp"
#include "enas/controller/parameters.hpp"

namespace enas::controller {

template <Scalar T>
class PolicyTrace {
public:
    using Slot = std::int32_t;  ///< offset of a vector in the value arena
    struct State {
        Slot h, c;
    };
    using Shaping = kernels::Shaping<T>;
    /// Where one decision's numbers live in the value arena (read them with value()).
    struct Decision {
        int position;  ///< token position (the first bit's, for a skip layer)
        int choices;   ///< number of values (skip layer: number of bits)
        bool skip;     ///< a macro skip layer: raw holds the scores s_j, shaped s̃_j, probs P(bit j = 1)
        Slot raw;      ///< logits or attention scores before shaping
        Slot shaped;   ///< after ÷T, C·tanh and the additive constant
        Slot probs;    ///< the probabilities the decision was drawn from
    };

    PolicyTrace(Context<Cpu>& ctx, ParameterArena<T>& params, int hidden)
        : ctx_(&ctx), params_(&params), hidden_(hidden) {
        ensure_values(static_cast<std::int64_t>(hidden) * 64);
    }
    PolicyTrace(const PolicyTrace&) = delete;
    PolicyTrace& operator=(const PolicyTrace&) = delete;

    /// Starts a new recording (the previous one is dropped) and gives it a fresh id.
    void begin(EntropyForm entropy_form) {
        ops_.clear();
        decisions_.clear();
        slots_.clear();
        coefs_.clear();
        used_ = hidden_;  // [0, H) is the permanent zero vector
        lstm_rows_ = 0;
        entropy_form_ = entropy_form;
        log_prob_ = entropy_ = kl_sum_ = 0;
        kl_layers_ = skip_count_ = 0;
        static std::atomic<std::uint64_t> next_id{1};
        id_ = next_id.fetch_add(1);
    }
    /// Marks the recording as stale (weights changed): id() becomes 0.
    void invalidate() { id_ = 0; }

    std::uint64_t id() const { return id_; }
    double log_prob() const { return log_prob_; }
    double entropy() const { return entropy_; }
    /// Mean skip KL over the recorded skip layers (0 without any).
    double skip_penalty() const { return kl_layers_ ? kl_sum_ / kl_layers_ : 0.0; }
    int skip_count() const { return skip_count_; }

    Slot zeros() const { return 0; }
    State initial_state() const { return State{0, 0}; }
    const T* value(Slot s) const { return values_.data() + s; }
    /// The decisions of the recording, in the order they were taken.
    std::span<const Decision> decisions() const { return decisions_; }

    /// A copy of row `row` of parameter block `block` (an embedding lookup, or g_emb with row 0).
    Slot embed(int block, int row) {
        const Slot out = allocate(hidden_);
        const T* src = params_->data(block) + static_cast<std::int64_t>(row) * hidden_;
        T* dst = ptr(out);
        for (int i = 0; i < hidden_; ++i) dst[i] = src[i];
        push(Op{OpKind::Embed, hidden_, 0, -1, -1, -1, out,
                param_offset(block) + static_cast<std::int64_t>(row) * hidden_});
        return out;
    }

    /// One LSTM step with weight block `w` [2H, 4H] from state `prev`.
    State lstm(Slot x, State prev, int w) {
        const Slot out = allocate(2 * hidden_);  // c, then h
        const int row = lstm_rows_++;
        ensure_lstm_rows(lstm_rows_);
        T* xh = lstm_xh_.data() + static_cast<std::int64_t>(row) * 2 * hidden_;
        for (int i = 0; i < hidden_; ++i) xh[i] = ptr(x)[i];
        for (int i = 0; i < hidden_; ++i) xh[hidden_ + i] = ptr(prev.h)[i];
        T* saved = lstm_saved_.data() + static_cast<std::int64_t>(row) * kernels::lstm_saved_size(hidden_);
        kernels::lstm_forward(xh, params_->data(w), hidden_, ptr(prev.c), saved, ptr(out), ptr(out) + hidden_);
        Op op{OpKind::Lstm, hidden_, 0, x, prev.h, prev.c, out, param_offset(w)};
        op.aux = row;
        push(op);
        check<ValueError>(lstm_weight_offset_ < 0 || lstm_weight_offset_ == param_offset(w),
                          "PolicyTrace::lstm: all steps must share one weight block");
        lstm_weight_offset_ = param_offset(w);
        return State{out + hidden_, out};
    }

    /// y = x·W (+ b) with W block [n_in, n_out] and optional bias block [n_out] (bias < 0: none);
    /// with `transpose`, W is [n_out, n_in] and y = x·Wᵀ (the LM's tied function softmax).
    Slot vec_mat(Slot x, int n_in, int w, int n_out, int bias = -1, bool transpose = false) {
        const Slot out = allocate(n_out);
        T* y = ptr(out);
        if (bias >= 0)
            for (int o = 0; o < n_out; ++o) y[o] = params_->data(bias)[o];
        else
            for (int o = 0; o < n_out; ++o) y[o] = T(0);
        if (transpose)
            kernels::vec_mat_t_acc(ptr(x), n_in, params_->data(w), n_out, y);
        else
            kernels::vec_mat_acc(ptr(x), n_in, params_->data(w), n_out, y);
        Op op{OpKind::VecMat, n_in, n_out, x, -1, -1, out, param_offset(w), bias >= 0 ? param_offset(bias) : -1};
        op.flag = transpose;
        push(op);
        return out;
    }

    /// Attention scores s_j = vᵀ tanh(keys_j + query), j < n (keys are W1·anchor, query W2·h).
    /// Returns the slot of s [n].
    Slot attention(Slot query, std::span<const Slot> keys, int v) {
        const int n = static_cast<int>(keys.size());
        const Slot out = allocate(static_cast<std::int64_t>(n) * hidden_ + n);  // t [n, H], then s [n]
        const int list = static_cast<int>(slots_.size());
        for (Slot k : keys) slots_.push_back(k);
        const T* key_ptrs[kMaxList];
        check<ValueError>(n <= kMaxList, "PolicyTrace::attention: ", n, " keys, at most ", kMaxList);
        for (int j = 0; j < n; ++j) key_ptrs[j] = ptr(keys[static_cast<std::size_t>(j)]);
        kernels::attention_forward(ptr(query), key_ptrs, n, params_->data(v), hidden_, ptr(out),
                                   ptr(out) + static_cast<std::int64_t>(n) * hidden_);
        Op op{OpKind::Attention, n, 0, query, -1, -1, out, param_offset(v)};
        op.list = list;
        push(op);
        return out + n * hidden_;
    }

    /// inp = Σ_j coefs_j · inputs_j (macro skip average, recurrent scaled previous node).
    Slot mix(std::span<const Slot> inputs, std::span<const T> coefs) {
        const Slot out = allocate(hidden_);
        const int list = static_cast<int>(slots_.size());
        const int coef_at = static_cast<int>(coefs_.size());
        T* y = ptr(out);
        for (int i = 0; i < hidden_; ++i) y[i] = T(0);
        for (std::size_t j = 0; j < inputs.size(); ++j) {
            slots_.push_back(inputs[j]);
            coefs_.push_back(coefs[j]);
            const T a = coefs[j];
            const T* x = ptr(inputs[j]);
            for (int i = 0; i < hidden_; ++i) y[i] += a * x[i];
        }
        Op op{OpKind::Mix, static_cast<int>(inputs.size()), 0, -1, -1, -1, out, -1};
        op.list = list;
        op.aux = coef_at;
        push(op);
        return out;
    }

    /// A categorical decision over the n logits at `logits`, shaped, plus `additive` (may be
    /// null) after the shaping. The decider picks the value for token `position`; returns it.
    int categorical(Slot logits, int n, const Shaping& shaping, const T* additive, Decider& decider, int position) {
        const Slot out = allocate(3 * static_cast<std::int64_t>(n));  // u, shaped, p
        T* u = ptr(out);
        T* shaped = u + n;
        T* p = shaped + n;
        const double lse = kernels::categorical_forward(ptr(logits), n, shaping, additive, u, shaped, p);
        const int a = decider.pick(position, p, n);
        const double log_pa = static_cast<double>(shaped[a]) - lse;
        log_prob_ += log_pa;
        if (entropy_form_ == EntropyForm::SampledAction) {
            entropy_ += -log_pa * std::exp(log_pa);
        } else {
            for (int k = 0; k < n; ++k) {
                const double lp = static_cast<double>(shaped[k]) - lse;
                entropy_ -= std::exp(lp) * lp;
            }
        }
        decisions_.push_back(Decision{position, n, false, logits, out + n, out + 2 * n});
        Op op{OpKind::Categorical, n, 0, logits, -1, -1, out, -1};
        op.aux = a;
        op.s0 = shaping.inv_temperature;
        op.s1 = shaping.tanh_constant;
        push(op);
        return a;
    }

    /// The skip bits of one macro layer from its n attention scores: bit j is token
    /// first_position + j. Writes the bits to `bits` [n]; adds the layer's KL toward rho.
    void skip_bits(Slot scores, int n, const Shaping& shaping, double rho, Decider& decider, int first_position,
                   std::span<int> bits) {
        const Slot out = allocate(3 * static_cast<std::int64_t>(n));  // u, shaped, P(1)
        T* u = ptr(out);
        T* shaped = u + n;
        T* p1 = shaped + n;
        const T* s = ptr(scores);
        const int list = static_cast<int>(slots_.size());
        double layer_kl = 0;
        for (int j = 0; j < n; ++j) {
            const double st = shaping.apply(s[j], u[j]);
            const kernels::SkipBitTerms terms = kernels::skip_bit_terms(st, rho);
            shaped[j] = static_cast<T>(st);
            p1[j] = static_cast<T>(terms.p1);
            const int bit = decider.pick_bit(first_position + j, terms.p1);
            bits[static_cast<std::size_t>(j)] = bit;
            slots_.push_back(bit);
            const double log_pa = bit ? terms.log_p1 : terms.log_p0;
            log_prob_ += log_pa;
            if (entropy_form_ == EntropyForm::SampledAction)
                entropy_ += -log_pa * std::exp(log_pa);
            else
                entropy_ -= terms.p1 * terms.log_p1 + (1 - terms.p1) * terms.log_p0;
            layer_kl += terms.kl;
            skip_count_ += bit;
        }
        kl_sum_ += layer_kl;
        ++kl_layers_;
        decisions_.push_back(Decision{first_position, n, true, scores, out + n, out + 2 * n});
        Op op{OpKind::SkipBits, n, 0, scores, -1, -1, out, -1};
        op.list = list;
        op.s0 = shaping.inv_temperature;
        op.s1 = shaping.tanh_constant;
        op.s2 = static_cast<T>(rho);
        push(op);
    }

    /// Accumulates into the parameter gradients the gradient of
    ///   logp_coef · Σ log π(a) + kl_weight · skip_penalty().
    void backward(T logp_coef, T kl_weight);

private:
    enum class OpKind : std::uint8_t { Embed, Lstm, VecMat, Attention, Mix, Categorical, SkipBits };
    struct Op {
        OpKind kind;
        int n = 0, m = 0;
        Slot in0 = -1, in1 = -1, in2 = -1, out = -1;
        std::int64_t param = -1, param2 = -1;
        int list = 0, aux = 0;
        bool flag = false;
        T s0 = 0, s1 = 0, s2 = 0;
    };
    static constexpr int kMaxList = 1024;  // most keys of one attention (macro: L − 1)

    std::int64_t param_offset(int block) const { return params_->block(block).offset; }
    T* ptr(Slot s) { return values_.data() + s; }
    void push(const Op& op) { ops_.push_back(op); }

    Slot allocate(std::int64_t n) {
        const std::int64_t at = used_;
        ensure_values(used_ + n);
        used_ += n;
        check<ValueError>(used_ < (std::int64_t{1} << 31), "PolicyTrace: recording exceeds 2^31 values");
        return static_cast<Slot>(at);
    }
    void ensure_values(std::int64_t n) {
        if (values_.defined() && values_.numel() >= n) return;
        std::int64_t cap = values_.defined() ? values_.numel() : 0;
        while (cap < n) cap = cap ? 2 * cap : n;
        Tensor<T, Cpu> bigger = ctx_->template zeros<T>(Shape{cap});
        if (values_.defined()) std::copy(values_.data(), values_.data() + values_.numel(), bigger.data());
        values_ = bigger;
    }
    void ensure_lstm_rows(int rows) {
        if (lstm_xh_.defined() && lstm_xh_.dim(0) >= rows) return;
        const std::int64_t cap = std::max<std::int64_t>(2 * rows, 16);
        Tensor<T, Cpu> xh = ctx_->template zeros<T>(Shape{cap, 2 * hidden_});
        Tensor<T, Cpu> saved = ctx_->template zeros<T>(Shape{cap, kernels::lstm_saved_size(hidden_)});
        if (lstm_xh_.defined()) {
            std::copy(lstm_xh_.data(), lstm_xh_.data() + lstm_xh_.numel(), xh.data());
            std::copy(lstm_saved_.data(), lstm_saved_.data() + lstm_saved_.numel(), saved.data());
        }
        lstm_xh_ = xh;
        lstm_saved_ = saved;
        lstm_dgates_ = ctx_->template zeros<T>(Shape{cap, 4 * hidden_});
    }

    Context<Cpu>* ctx_;
    ParameterArena<T>* params_;
    int hidden_;
    std::vector<Op> ops_;
    std::vector<Decision> decisions_;
    std::vector<Slot> slots_;  // key / input slot lists and skip bits
    std::vector<T> coefs_;     // mix coefficients
    Tensor<T, Cpu> values_, grads_;
    Tensor<T, Cpu> lstm_xh_, lstm_saved_, lstm_dgates_;  // [rows, 2H], [rows, 5H], [rows, 4H]
    std::int64_t used_ = 0;
    int lstm_rows_ = 0;
    std::int64_t lstm_weight_offset_ = -1;
    EntropyForm entropy_form_ = EntropyForm::SampledAction;
    double log_prob_ = 0, entropy_ = 0, kl_sum_ = 0;
    int kl_layers_ = 0, skip_count_ = 0;
    std::uint64_t id_ = 0;
};

}  // namespace enas::controller

#include "enas/controller/policy_trace_backward.hpp"
