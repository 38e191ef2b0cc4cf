// The flat token layouts the controllers emit (reference §6), described as the number of valid
// values of each token position. This is all RandomSearch and the token validation need.
//   macro:         per layer l: [op, skip_0 .. skip_{l−1}]            L(L+1)/2 tokens
//   micro:         normal cell then reduction cell, each [idx1, op1, idx2, op2] × B, idx < node
//   rnn (LM):      [p_1, f_1, ..., p_N, f_N], p_i in [0, i − 1]        2N tokens
//   rnn original:  [f_0, p_1, f_1, ..., p_{N−1}, f_{N−1}]              2N − 1 tokens
#pragma once
#include <span>
#include <string>
#include <vector>

#include "enas/controller/config.hpp"
#include "enas/search/space.hpp"

namespace enas::controller {

/// The search space a policy samples from: the one enum of spaces, search::SearchSpace (its
/// names, "macro", "micro", "rnn", "rnn-original", come from search::space_name).
using SpaceKind = search::SearchSpace;

inline SpaceKind space_kind(const RnnControllerConfig& c) {
    return c.kind == RnnControllerKind::LanguageModel ? SpaceKind::rnn : SpaceKind::rnn_original;
}

/// Index of layer l's op token in the macro order; its skip bit j follows at +1 + j.
inline int macro_layer_offset(int layer) { return layer * (layer + 1) / 2; }

/// Number of valid values of every token position (a skip bit has 2).
inline std::vector<int> token_cardinalities(const MacroControllerConfig& c) {
    std::vector<int> n;
    n.reserve(static_cast<std::size_t>(macro_layer_offset(c.num_layers)));
    for (int l = 0; l < c.num_layers; ++l) {
        n.push_back(c.num_ops);
        for (int j = 0; j < l; ++j) n.push_back(2);
    }
    return n;
}

inline std::vector<int> token_cardinalities(const MicroControllerConfig& c) {
    std::vector<int> n;
    n.reserve(static_cast<std::size_t>(8 * c.num_nodes));
    for (int cell = 0; cell < 2; ++cell)
        for (int node = 0; node < c.num_nodes; ++node)
            for (int i = 0; i < 2; ++i) {
                n.push_back(node + 2);  // inputs 0 (prev_prev), 1 (prev) and the earlier nodes
                n.push_back(c.num_ops);
            }
    return n;
}

inline std::vector<int> token_cardinalities(const RnnControllerConfig& c) {
    std::vector<int> n;
    if (c.kind == RnnControllerKind::LanguageModel) {
        for (int i = 1; i <= c.num_nodes; ++i) {
            n.push_back(i);  // p_i in [0, i − 1]; 0 is the implicit node 0
            n.push_back(c.num_funcs);
        }
    } else {
        n.push_back(c.num_funcs);
        for (int i = 1; i < c.num_nodes; ++i) {
            n.push_back(i);
            n.push_back(c.num_funcs);
        }
    }
    return n;
}

/// Throws ValueError unless `tokens` has one value per position, each in [0, cardinality).
/// The message names the space, the bad position, its value and the allowed range.
inline void validate_tokens(SpaceKind space, std::span<const int> cardinalities, std::span<const int> tokens) {
    check<ValueError>(tokens.size() == cardinalities.size(), space_name(space), " architecture: expected ",
                      cardinalities.size(), " tokens, got ", tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i)
        check<ValueError>(tokens[i] >= 0 && tokens[i] < cardinalities[i], space_name(space), " architecture: token ", i,
                          " is ", tokens[i], ", allowed range [0, ", cardinalities[i] - 1, "]");
}

}  // namespace enas::controller
