// Naive double-precision transcriptions of the authors' controllers (TF general_controller,
// micro_controller, ptb_enas_controller and enas_lm controller), written straight from the
// reference formulas with plain loops and the naive LSTM cell of tests/support. They score a token
// vector: the summed log-probability, the entropy term and the macro skip KL, so the fused
// controllers can be compared with an independent implementation.
#pragma once
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "enas/controller/controllers.hpp"
#include "naive/lstm.hpp"

namespace enas::test {

using Vec = std::vector<double>;

struct ReferenceScore {
    double log_prob = 0, entropy = 0, skip_penalty = 0;
};

/// The weights of a controller by name, as doubles.
template <class Controller>
std::map<std::string, Vec> weights_of(const Controller& c) {
    std::map<std::string, Vec> w;
    const auto& p = c.parameters();
    for (std::size_t b = 0; b < p.blocks().size(); ++b) {
        const auto* d = p.data(static_cast<int>(b));
        w[p.blocks()[b].name] = Vec(d, d + p.blocks()[b].numel());
    }
    return w;
}

class ReferenceUnroll {
public:
    ReferenceUnroll(std::map<std::string, Vec> w, int hidden, controller::EntropyForm form)
        : w_(std::move(w)), h_(hidden), form_(form) {}

    /// One LSTM step of the naive cell; updates (h, c).
    void lstm(const Vec& x) {
        naive::LstmCellRef cell{1, h_, h_, x, h, c, w_.at("w_lstm"), {}, {}, {}, {}, {}, {}};
        cell.forward();
        h = cell.h;
        c = cell.c;
    }
    /// y = x·W, W [in, out].
    Vec vec_mat(const Vec& x, const std::string& name, int out) const {
        const Vec& W = w_.at(name);
        Vec y(static_cast<std::size_t>(out), 0.0);
        for (std::size_t i = 0; i < x.size(); ++i)
            for (int o = 0; o < out; ++o)
                y[static_cast<std::size_t>(o)] +=
                    x[i] * W[i * static_cast<std::size_t>(out) + static_cast<std::size_t>(o)];
        return y;
    }
    Vec row(const std::string& name, int r) const {
        const Vec& W = w_.at(name);
        return Vec(W.begin() + r * h_, W.begin() + (r + 1) * h_);
    }
    /// s_j = v·tanh(keys_j + q).
    Vec attention(const std::vector<Vec>& keys, const Vec& q) const {
        const Vec& v = w_.at("v_attn");
        Vec s;
        for (const Vec& k : keys) {
            double acc = 0;
            for (int i = 0; i < h_; ++i)
                acc += v[static_cast<std::size_t>(i)] *
                       std::tanh(k[static_cast<std::size_t>(i)] + q[static_cast<std::size_t>(i)]);
            s.push_back(acc);
        }
        return s;
    }
    static Vec shape(Vec z, double temperature, double c) {
        for (double& v : z) {
            if (temperature > 0) v /= temperature;
            if (c > 0) v = c * std::tanh(v);
        }
        return z;
    }
    /// Adds the decision's log-probability and entropy term for choice a of logits z.
    void decide(const Vec& z, int a) {
        double top = z[0];
        for (double v : z) top = std::max(top, v);
        double sum = 0;
        for (double v : z) sum += std::exp(v - top);
        const double lse = top + std::log(sum);
        const double lp = z[static_cast<std::size_t>(a)] - lse;
        score.log_prob += lp;
        if (form_ == controller::EntropyForm::SampledAction) {
            score.entropy += -lp * std::exp(lp);
        } else {
            for (double v : z) score.entropy -= std::exp(v - lse) * (v - lse);
        }
    }

    Vec h, c;
    ReferenceScore score;

private:
    std::map<std::string, Vec> w_;
    int h_;
    controller::EntropyForm form_;
};

inline ReferenceScore reference_macro(const controller::MacroControllerConfig& cfg, std::map<std::string, Vec> w,
                                      const std::vector<int>& tokens) {
    const int H = cfg.hidden_size, K = cfg.num_ops;
    ReferenceUnroll u(w, H, cfg.entropy_form);
    u.h = u.c = Vec(static_cast<std::size_t>(H), 0.0);
    Vec inp = u.row("g_emb", 0);
    std::vector<Vec> anchors, anchors_w1;
    double kl_total = 0;
    std::size_t t = 0;
    for (int l = 0; l < cfg.num_layers; ++l) {
        u.lstm(inp);
        const int op = tokens[t++];
        u.decide(ReferenceUnroll::shape(u.vec_mat(u.h, "w_soft", K), cfg.temperature, cfg.tanh_constant), op);
        inp = u.row("w_emb", op);
        u.lstm(inp);
        if (l > 0) {
            const Vec s = u.attention(anchors_w1, u.vec_mat(u.h, "w_attn_2", H));
            Vec next(static_cast<std::size_t>(H), 0.0);
            double on = 0;
            for (int j = 0; j < l; ++j) {
                const int bit = tokens[t++];
                // The TF code: logit = [−s, s], shaped elementwise; skip_prob = sigmoid(logit).
                const Vec pair =
                    ReferenceUnroll::shape({-s[static_cast<std::size_t>(j)], s[static_cast<std::size_t>(j)]},
                                           cfg.temperature, cfg.tanh_constant);
                u.decide(pair, bit);
                const double target[2] = {1 - cfg.skip_target, cfg.skip_target};
                for (int k = 0; k < 2; ++k) {
                    const double p = 1 / (1 + std::exp(-pair[static_cast<std::size_t>(k)]));
                    kl_total += p * std::log(p / target[k]);
                }
                if (bit) {
                    on += 1;
                    for (int i = 0; i < H; ++i)
                        next[static_cast<std::size_t>(i)] +=
                            anchors[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
                }
            }
            for (double& v : next) v /= (1 + on);
            inp = next;
        } else {
            inp = u.row("g_emb", 0);
        }
        anchors.push_back(u.h);
        anchors_w1.push_back(u.vec_mat(u.h, "w_attn_1", H));
    }
    u.score.skip_penalty = cfg.num_layers > 1 ? kl_total / (cfg.num_layers - 1) : 0.0;
    return u.score;
}

inline ReferenceScore reference_micro(const controller::MicroControllerConfig& cfg, std::map<std::string, Vec> w,
                                      const std::vector<int>& tokens) {
    const int H = cfg.hidden_size, K = cfg.num_ops, B = cfg.num_nodes;
    ReferenceUnroll u(w, H, cfg.entropy_form);
    u.h = u.c = Vec(static_cast<std::size_t>(H), 0.0);
    const Vec g_emb = u.row("g_emb", 0), b_soft = w.at("b_soft");
    for (int cell = 0; cell < 2; ++cell) {
        std::vector<Vec> anchors, anchors_w1;
        for (int i = 0; i < 2; ++i) {
            u.lstm(g_emb);
            anchors.push_back(Vec(static_cast<std::size_t>(H), 0.0));
            anchors_w1.push_back(u.vec_mat(u.h, "w_attn_1", H));
        }
        for (int n = 0; n < B; ++n) {
            const std::size_t at = static_cast<std::size_t>(cell * 4 * B + 4 * n);
            Vec inp = g_emb;
            for (int i = 0; i < 2; ++i) {  // index_1, index_2
                u.lstm(inp);
                const int index = tokens[at + 2 * static_cast<std::size_t>(i)];
                u.decide(ReferenceUnroll::shape(u.attention(anchors_w1, u.vec_mat(u.h, "w_attn_2", H)), cfg.temperature,
                                                cfg.tanh_constant),
                         index);
                inp = anchors[static_cast<std::size_t>(index)];
            }
            for (int i = 0; i < 2; ++i) {  // op_1, op_2
                u.lstm(inp);
                const int op = tokens[at + 2 * static_cast<std::size_t>(i) + 1];
                Vec z = u.vec_mat(u.h, "w_soft", K);
                for (int k = 0; k < K; ++k) z[static_cast<std::size_t>(k)] += b_soft[static_cast<std::size_t>(k)];
                z = ReferenceUnroll::shape(z, cfg.temperature, cfg.tanh_constant / cfg.op_tanh_reduce);
                if (cell == 0)
                    for (int k = 0; k < K; ++k) z[static_cast<std::size_t>(k)] += k < 2 ? 0.25 : -0.25;
                u.decide(z, op);
                inp = u.row("w_emb", op);
            }
            u.lstm(inp);
            anchors.push_back(u.h);
            anchors_w1.push_back(u.vec_mat(u.h, "w_attn_1", H));
        }
    }
    return u.score;
}

inline ReferenceScore reference_rnn(const controller::RnnControllerConfig& cfg, std::map<std::string, Vec> w,
                                    const std::vector<int>& tokens) {
    const int H = cfg.hidden_size, F = cfg.num_funcs;
    const bool original = cfg.kind == controller::RnnControllerKind::Original;
    ReferenceUnroll u(w, H, cfg.entropy_form);
    u.h = u.c = Vec(static_cast<std::size_t>(H), 0.0);
    Vec inp = u.row("g_emb", 0);
    std::vector<Vec> all_h, all_h_w;
    if (!original) {
        all_h.push_back(Vec(static_cast<std::size_t>(H), 0.0));
        all_h_w.push_back(Vec(static_cast<std::size_t>(H), 0.0));
    }
    std::size_t t = 0;
    const int first = original ? 0 : 1, last = original ? cfg.num_nodes - 1 : cfg.num_nodes;
    for (int l = first; l <= last; ++l) {
        u.lstm(inp);
        all_h.push_back(u.h);
        all_h_w.push_back(u.vec_mat(u.h, "w_attn_1", H));
        if (l > 0) {
            std::vector<Vec> keys(all_h_w.begin(), all_h_w.end() - 1);  // all_h_w[:-1]
            Vec z = ReferenceUnroll::shape(u.attention(keys, u.vec_mat(u.h, "w_attn_2", H)), cfg.temperature,
                                           cfg.tanh_constant);
            for (int j = 0; j < l; ++j)
                if (cfg.distance_penalty > 0)
                    z[static_cast<std::size_t>(j)] -= (l - j) * (l - j) / cfg.distance_penalty;
            const int prev = tokens[t++];
            u.decide(z, prev);
            inp = all_h[static_cast<std::size_t>(prev)];
            for (double& v : inp) v /= (0.1 + (l - prev));
        } else {
            inp = u.row("g_emb", 0);
        }
        u.lstm(inp);
        Vec z(static_cast<std::size_t>(F), 0.0);
        if (original) {
            z = u.vec_mat(u.h, "w_soft", F);
        } else {
            for (int f = 0; f < F; ++f) {  // h · w_embᵀ
                const Vec e = u.row("w_emb", f);
                for (int i = 0; i < H; ++i)
                    z[static_cast<std::size_t>(f)] += u.h[static_cast<std::size_t>(i)] * e[static_cast<std::size_t>(i)];
            }
        }
        const int func = tokens[t++];
        u.decide(ReferenceUnroll::shape(z, cfg.temperature, cfg.tanh_constant), func);
        inp = u.row("w_emb", func);
    }
    return u.score;
}

}  // namespace enas::test
