// The recurrent-cell search space (reference §5, §6.3), in the two string formats in use.
//
// A cell is a chain of nodes over one state vector. Node 0 reads x_t and the previous state
// s_{t-1}; node i >= 1 reads one earlier node p_i in [0, i) and applies an activation. Node ids
// here are always the cell's own (node 0 included), in both formats.
//
// * RnnFormat::original (`rnn-original`, the authors' TF code, declared wrong by them):
//   2N-1 tokens for N nodes (node 0 included): f_0, p_1, f_1, ..., p_{N-1}, f_{N-1}. The cell
//   output is the mean of the loose ends (nodes never used as an input).
// * RnnFormat::lm (`rnn`, the corrected language-model code `enas_lm`): 2N tokens
//   (p_1, f_1, ..., p_N, f_N) for the N nodes after node 0, which is implicit and fixed to tanh.
//   The cell output is the mean of **all** nodes 1..N (the loose ends do not matter).
//
// The formats number the activations differently (the order differs, reference §5.1); the
// tables below map each format's codes to our own `Activation` enum.
//
// Errors follow search/tokens.hpp: FormatError for the form, ValueError for a token out of range.
#pragma once
#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "enas/core/error.hpp"
#include "enas/search/tokens.hpp"

namespace enas::search {

/// Our own activation naming, independent of any format's codes.
enum class Activation : int { tanh = 0, relu = 1, sigmoid = 2, identity = 3 };
inline constexpr int kActivationCount = 4;
/// Names indexed by `Activation`.
inline constexpr std::array<std::string_view, kActivationCount> kActivationNames = {"tanh", "relu", "sigmoid",
                                                                                    "identity"};

enum class RnnFormat { lm, original };

/// Code c of the LM format (enas_lm `_select_function`): 0 tanh, 1 ReLU, 2 sigmoid, 3 identity.
inline constexpr std::array<Activation, kActivationCount> kLmActivationCodes = {
    Activation::tanh, Activation::relu, Activation::sigmoid, Activation::identity};
/// Code c of the original TF format (`ptb_enas_child`): 0 tanh, 1 ReLU, 2 identity, 3 sigmoid.
inline constexpr std::array<Activation, kActivationCount> kOriginalActivationCodes = {
    Activation::tanh, Activation::relu, Activation::identity, Activation::sigmoid};

inline const std::array<Activation, kActivationCount>& activation_codes(RnnFormat format) {
    return format == RnnFormat::lm ? kLmActivationCodes : kOriginalActivationCodes;
}
inline std::string_view activation_name(Activation a) { return kActivationNames.at(static_cast<std::size_t>(a)); }

/// The activation named `name`; ValueError listing the names otherwise.
inline Activation activation_from_name(std::string_view name) {
    for (int i = 0; i < kActivationCount; ++i)
        if (kActivationNames[static_cast<std::size_t>(i)] == name) return static_cast<Activation>(i);
    throw ValueError(
        enas::detail::concat("unknown activation '", name, "', expected one of tanh, relu, sigmoid, identity"));
}
/// The activation that code `code` means in `format` (code in [0, 4), else ValueError).
inline Activation activation_from_code(RnnFormat format, int code) {
    if (code < 0 || code >= kActivationCount)
        throw ValueError(enas::detail::concat("activation code ", code, " out of range [0, 4)"));
    return activation_codes(format)[static_cast<std::size_t>(code)];
}
/// The code of activation `a` in `format`.
inline int activation_code(RnnFormat format, Activation a) {
    const auto& codes = activation_codes(format);
    for (int c = 0; c < kActivationCount; ++c)
        if (codes[static_cast<std::size_t>(c)] == a) return c;
    throw ValueError("activation not in the code table");  // unreachable for valid enum values
}

/// "rnn" for the LM format, "rnn-original" for the authors' TF format (the space names).
inline std::string_view rnn_format_name(RnnFormat format) { return format == RnnFormat::lm ? "rnn" : "rnn-original"; }

/// One node. `input` is the node it reads, or kCellInput for node 0 (x_t and s_{t-1}).
struct RnnNode {
    static constexpr int kCellInput = -1;
    int input = kCellInput;
    Activation activation = Activation::tanh;
    friend bool operator==(const RnnNode&, const RnnNode&) = default;
};

/// A recurrent cell in one of the two formats. `nodes()[i]` is node i, node 0 included (the LM
/// format's implicit tanh node 0 is stored too). Always valid once constructed.
class RnnArch {
public:
    /// Validates: node 0 reads the cell input (and is tanh in the LM format), node i >= 1 reads
    /// a node in [0, i), and the LM format has at least one node after node 0. ValueError for a
    /// bad input index or activation, FormatError for a missing node.
    RnnArch(RnnFormat format, std::vector<RnnNode> nodes) : format_(format), nodes_(std::move(nodes)) {
        const std::string w = what(format_);
        const std::size_t min_nodes = format_ == RnnFormat::lm ? 2 : 1;
        if (nodes_.size() < min_nodes)
            throw FormatError(enas::detail::concat(w, ": ", nodes_.size(), " nodes, expected at least ", min_nodes,
                                                   format_ == RnnFormat::lm ? " (node 0 and one searched node)" : ""));
        if (nodes_[0].input != RnnNode::kCellInput)
            throw ValueError(
                enas::detail::concat(w, ": node 0 reads the cell input (x_t, s_{t-1}), not node ", nodes_[0].input));
        if (format_ == RnnFormat::lm && nodes_[0].activation != Activation::tanh)
            throw ValueError(enas::detail::concat(w, ": node 0 is fixed to tanh in the lm format, got ",
                                                  activation_name(nodes_[0].activation)));
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            const int a = static_cast<int>(nodes_[i].activation);
            check_token_range(w, activation_position(i), node_field(i, "activation"), a, 0, kActivationCount);
            if (i > 0)
                check_token_range(w, input_position(i), node_field(i, "input"), nodes_[i].input, 0,
                                  static_cast<int>(i));
        }
    }

    /// Number of integers for `format_nodes` nodes, where format_nodes is the N of the format:
    /// all nodes for `original` (2N-1 tokens), the nodes after node 0 for `lm` (2N tokens).
    static std::size_t token_count(RnnFormat format, int format_nodes) {
        const auto n = static_cast<std::size_t>(format_nodes);
        return format == RnnFormat::lm ? 2 * n : 2 * n - 1;
    }

    /// Builds from the format's flat token order (see the file comment).
    static RnnArch from_tokens(const std::vector<int>& tokens, RnnFormat format) {
        const std::string w = what(format);
        const std::size_t n = tokens.size();
        const bool lm = format == RnnFormat::lm;
        const std::string shape = lm ? "2N for N nodes after node 0" : "2N-1 for N nodes";
        if (n == 0) throw FormatError(enas::detail::concat(w, ": no tokens (expected ", shape, ")"));
        if (lm ? n % 2 != 0 : n % 2 == 0) {
            // The neighbours n-1 and n+1 are valid lengths; n-1 only if it holds a node.
            auto nodes_for = [lm](std::size_t length) { return lm ? length / 2 : (length + 1) / 2; };
            std::string nearest;
            if (n - 1 >= (lm ? 2u : 1u)) nearest = enas::detail::concat(n - 1, " for N = ", nodes_for(n - 1), " and ");
            throw FormatError(enas::detail::concat(w, ": ", tokens_text(n), " is not ", shape,
                                                   " (the nearest valid lengths are ", nearest, n + 1,
                                                   " for N = ", nodes_for(n + 1), ")"));
        }
        const std::size_t num_nodes = lm ? n / 2 + 1 : (n + 1) / 2;
        std::vector<RnnNode> nodes(num_nodes);
        for (std::size_t i = 0; i < num_nodes; ++i) {
            if (i == 0 && lm) continue;  // implicit tanh node 0
            if (i > 0) {
                const std::size_t p = input_position(format, i);
                check_token_range(w, p, node_field(i, "input"), tokens[p], 0, static_cast<int>(i));
                nodes[i].input = tokens[p];
            }
            const std::size_t f = activation_position(format, i);
            check_token_range(w, f, node_field(i, "activation code"), tokens[f], 0, kActivationCount);
            nodes[i].activation = activation_from_code(format, tokens[f]);
        }
        return RnnArch(format, std::move(nodes));
    }

    static RnnArch parse(std::string_view text, RnnFormat format) {
        return from_tokens(parse_int_tokens(text, what(format)), format);
    }

    /// The format's flat token list, activations written in the format's codes.
    std::vector<int> tokens() const {
        std::vector<int> out;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            if (i > 0) out.push_back(nodes_[i].input);
            if (i > 0 || format_ == RnnFormat::original) out.push_back(activation_code(format_, nodes_[i].activation));
        }
        return out;
    }
    std::string to_string() const { return join_tokens(tokens()); }

    RnnFormat format() const { return format_; }
    const std::vector<RnnNode>& nodes() const { return nodes_; }
    const RnnNode& node(int i) const { return nodes_.at(static_cast<std::size_t>(i)); }
    /// All nodes, node 0 included (12 for the authors' seed string, 9 for the LM release).
    int num_nodes() const { return static_cast<int>(nodes_.size()); }
    /// The N of the format (see token_count): num_nodes() for original, num_nodes() - 1 for lm.
    int format_node_count() const { return format_ == RnnFormat::lm ? num_nodes() - 1 : num_nodes(); }

    /// How often each node is read by a later node.
    std::vector<int> use_counts() const {
        std::vector<int> used(nodes_.size(), 0);
        for (std::size_t i = 1; i < nodes_.size(); ++i) ++used[static_cast<std::size_t>(nodes_[i].input)];
        return used;
    }
    /// Nodes never used as an input, ascending (node 0 included when unused). This is a property
    /// of the graph in both formats; only the original format averages them (see output_nodes).
    std::vector<int> loose_ends() const {
        std::vector<int> out;
        const std::vector<int> used = use_counts();
        for (std::size_t i = 0; i < used.size(); ++i)
            if (used[i] == 0) out.push_back(static_cast<int>(i));
        return out;
    }
    /// Nodes whose mean is the cell output: the loose ends (original) or nodes 1..N (lm).
    std::vector<int> output_nodes() const {
        if (format_ == RnnFormat::original) return loose_ends();
        std::vector<int> out;
        for (int i = 1; i < num_nodes(); ++i) out.push_back(i);
        return out;
    }
    /// Activations chosen by the architecture, indexed by `Activation` (the lm format's fixed
    /// node 0 is not counted; the original format's searched f_0 is).
    std::array<int, kActivationCount> activation_histogram() const {
        std::array<int, kActivationCount> hist{};
        for (std::size_t i = format_ == RnnFormat::lm ? 1 : 0; i < nodes_.size(); ++i)
            ++hist[static_cast<std::size_t>(nodes_[i].activation)];
        return hist;
    }

    friend bool operator==(const RnnArch&, const RnnArch&) = default;

private:
    static std::string what(RnnFormat format) { return std::string(rnn_format_name(format)) + " architecture"; }
    static std::string node_field(std::size_t i, std::string_view field) {
        return "node " + std::to_string(i) + ", " + std::string(field);
    }
    /// Token positions of node i's input (i >= 1) and activation, per format.
    static std::size_t input_position(RnnFormat format, std::size_t i) {
        return format == RnnFormat::lm ? 2 * (i - 1) : 2 * i - 1;
    }
    static std::size_t activation_position(RnnFormat format, std::size_t i) {
        return format == RnnFormat::lm ? 2 * (i - 1) + 1 : 2 * i;
    }
    std::size_t input_position(std::size_t i) const { return input_position(format_, i); }
    std::size_t activation_position(std::size_t i) const {
        return i == 0 && format_ == RnnFormat::lm ? 0 : activation_position(format_, i);
    }

    RnnFormat format_;
    std::vector<RnnNode> nodes_;
};

}  // namespace enas::search

template <>
struct std::hash<enas::search::RnnArch> {
    std::size_t operator()(const enas::search::RnnArch& arch) const {
        const std::size_t salt = arch.format() == enas::search::RnnFormat::lm ? 0x726e6eULL : 0x726e6e6fULL;
        return enas::search::detail::hash_tokens(arch.tokens(), salt);
    }
};
