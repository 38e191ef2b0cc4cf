// Naive double-precision reference of the ENAS recurrent cell and of a dropout-free language-model
// window (reference §5.1), written from the formulas with plain loops. Tensors are row-major
// std::vectors: x, s [B, H]; W_prev [2H, 2H]; node weights [H, 2H]; embedding [V, H].
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "enas/core/random.hpp"
#include "enas/search/rnn_arch.hpp"

namespace enas::naive {

struct RnnCellWeights {
    int hidden = 0;
    std::vector<double> w_prev;              ///< [2H, 2H], node 0's (for its activation)
    std::vector<std::vector<double>> nodes;  ///< nodes[l - 1]: [H, 2H], node l's sampled weight
};

inline double rnn_activation(search::Activation f, double x) {
    switch (f) {
        case search::Activation::tanh: return std::tanh(x);
        case search::Activation::relu: return x > 0 ? x : 0.0;
        case search::Activation::sigmoid: return 1 / (1 + std::exp(-x));
        case search::Activation::identity: return x;
    }
    return x;
}

/// s' = s + sigmoid(c) (f(h) - s) where [h; c] = in . W (in [B, K], W [K, 2H]).
inline std::vector<double> rnn_highway(search::Activation f, const std::vector<double>& s,
                                       const std::vector<double>& in, const std::vector<double>& w, int batch, int k,
                                       int hidden) {
    std::vector<double> out(static_cast<std::size_t>(batch * hidden));
    for (int b = 0; b < batch; ++b)
        for (int j = 0; j < hidden; ++j) {
            double h = 0, c = 0;
            for (int i = 0; i < k; ++i) {
                const double v = in[static_cast<std::size_t>(b * k + i)];
                h += v * w[static_cast<std::size_t>(i * 2 * hidden + j)];
                c += v * w[static_cast<std::size_t>(i * 2 * hidden + hidden + j)];
            }
            const double sv = s[static_cast<std::size_t>(b * hidden + j)];
            out[static_cast<std::size_t>(b * hidden + j)] = sv + (rnn_activation(f, h) - sv) / (1 + std::exp(-c));
        }
    return out;
}

/// One cell step. mask_x and mask_s ([B, H], empty for none) scale the matmul operands only.
/// The output is the mean of nodes 1..N (lm) or of the nodes no later node reads (original).
inline std::vector<double> rnn_cell(const search::RnnArch& arch, const RnnCellWeights& w, int batch,
                                    const std::vector<double>& x, const std::vector<double>& s_prev,
                                    const std::vector<double>& mask_x = {}, const std::vector<double>& mask_s = {},
                                    std::vector<std::vector<double>>* node_values = nullptr) {
    const int h = w.hidden, n = arch.num_nodes();
    auto apply = [](std::vector<double> v, const std::vector<double>& m) {
        for (std::size_t i = 0; i < m.size(); ++i) v[i] *= m[i];
        return v;
    };
    std::vector<double> in(static_cast<std::size_t>(batch * 2 * h));
    const std::vector<double> xm = apply(x, mask_x), sm = apply(s_prev, mask_s);
    for (int b = 0; b < batch; ++b)
        for (int j = 0; j < h; ++j) {
            in[static_cast<std::size_t>(b * 2 * h + j)] = xm[static_cast<std::size_t>(b * h + j)];
            in[static_cast<std::size_t>(b * 2 * h + h + j)] = sm[static_cast<std::size_t>(b * h + j)];
        }
    std::vector<std::vector<double>> s(static_cast<std::size_t>(n));
    s[0] = rnn_highway(arch.node(0).activation, s_prev, in, w.w_prev, batch, 2 * h, h);
    std::vector<bool> read(static_cast<std::size_t>(n), false);
    for (int l = 1; l < n; ++l) {
        const int p = arch.node(l).input;
        read[static_cast<std::size_t>(p)] = true;
        s[static_cast<std::size_t>(l)] = rnn_highway(arch.node(l).activation, s[static_cast<std::size_t>(p)],
                                                     apply(s[static_cast<std::size_t>(p)], mask_s),
                                                     w.nodes[static_cast<std::size_t>(l - 1)], batch, h, h);
    }
    std::vector<int> outs;
    for (int l = 0; l < n; ++l) {
        const bool lm = arch.format() == search::RnnFormat::lm;
        if (lm ? l >= 1 : !read[static_cast<std::size_t>(l)]) outs.push_back(l);
    }
    std::vector<double> out(static_cast<std::size_t>(batch * h), 0.0);
    for (int l : outs)
        for (std::size_t i = 0; i < out.size(); ++i) out[i] += s[static_cast<std::size_t>(l)][i] / double(outs.size());
    if (node_values) *node_values = std::move(s);
    return out;
}

/// Dropout masks of a window (empty = none): `word` [V] scales embedding rows; `input`, `state`
/// and `output` are [B, H], the same at every step.
struct RnnWindowMasks {
    std::vector<double> word, input, state, output;
    std::vector<std::vector<double>> token;  ///< [T][B] scales of x_t (the original word dropout)
};

/// The original TF code's word mask (`ptb_enas_child._model`): e[b][t] = floor(u + keep) / keep
/// with u drawn for b outer, t inner; then e[b][t] = 0 where some s < t has x[b][s] == x[b][t]
/// and e[b][s] == 0. Returns [T][B]; ids are [T][B].
inline std::vector<std::vector<double>> original_word_mask(Rng& rng, const std::vector<std::vector<int>>& ids,
                                                           double keep) {
    const std::size_t steps = ids.size(), batch = ids[0].size();
    std::vector<std::vector<double>> e(batch, std::vector<double>(steps));
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t t = 0; t < steps; ++t) e[b][t] = std::floor(double(rng.uniform()) + keep) / keep;
    std::vector<std::vector<double>> out(steps, std::vector<double>(batch));
    for (std::size_t t = 0; t < steps; ++t)
        for (std::size_t b = 0; b < batch; ++b) {
            bool zero = false;
            for (std::size_t s = 0; s < t; ++s) zero = zero || (ids[s][b] == ids[t][b] && e[b][s] == 0);
            out[t][b] = zero ? 0.0 : e[b][t];
        }
    return out;
}

/// Mean cross-entropy per token of a window: ids and targets [T][B], s0 [B, H]; x_t is the
/// (word-masked) embedding row, logits_t = (s_t * output mask) . Emb^T with the unmasked
/// embedding. `state` receives s_T.
inline double rnn_window_cross_entropy(const search::RnnArch& arch, const std::vector<double>& embedding, int vocab,
                                       const RnnCellWeights& w, const std::vector<std::vector<int>>& ids,
                                       const std::vector<std::vector<int>>& targets, std::vector<double> s,
                                       std::vector<double>* state = nullptr, const RnnWindowMasks& masks = {}) {
    const int h = w.hidden, batch = static_cast<int>(ids[0].size());
    double total = 0;
    for (std::size_t t = 0; t < ids.size(); ++t) {
        std::vector<double> x(static_cast<std::size_t>(batch * h));
        for (int b = 0; b < batch; ++b) {
            const int id = ids[t][static_cast<std::size_t>(b)];
            double scale = masks.word.empty() ? 1.0 : masks.word[static_cast<std::size_t>(id)];
            if (!masks.token.empty()) scale *= masks.token[t][static_cast<std::size_t>(b)];
            for (int j = 0; j < h; ++j)
                x[static_cast<std::size_t>(b * h + j)] = scale * embedding[static_cast<std::size_t>(id * h + j)];
        }
        s = rnn_cell(arch, w, batch, x, s, masks.input, masks.state);
        for (int b = 0; b < batch; ++b) {
            std::vector<double> logits(static_cast<std::size_t>(vocab), 0.0);
            for (int v = 0; v < vocab; ++v)
                for (int j = 0; j < h; ++j) {
                    const auto i = static_cast<std::size_t>(b * h + j);
                    logits[static_cast<std::size_t>(v)] += s[i] * (masks.output.empty() ? 1.0 : masks.output[i]) *
                                                           embedding[static_cast<std::size_t>(v * h + j)];
                }
            const double mx = *std::max_element(logits.begin(), logits.end());
            double z = 0;
            for (double l : logits) z += std::exp(l - mx);
            total += mx + std::log(z) - logits[static_cast<std::size_t>(targets[t][static_cast<std::size_t>(b)])];
        }
    }
    if (state) *state = s;
    return total / static_cast<double>(ids.size() * static_cast<std::size_t>(batch));
}

}  // namespace enas::naive
