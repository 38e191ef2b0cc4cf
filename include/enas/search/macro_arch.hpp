// The macro search space (reference §3, §6.1): a chain of L layers, each one op out of six and a
// set of skip connections from earlier entries of the layer list.
//
// Flat string (the authors' `--child_fixed_arc`): layer l (0-based) contributes 1 + l integers,
// `op b_0 ... b_{l-1}`, so the string has L(L+1)/2 integers (78 for L = 12, 300 for L = 24).
// Skip bit j refers to entry j of the child's layer list: **entry 0 is the stem, entry j >= 1 is
// layer j-1**. The direct predecessor (layer l-1) is always the main input and has no bit.
//
// Errors follow the policy in search/tokens.hpp: FormatError for the form (empty, non-integer,
// a length that is not L(L+1)/2), ValueError for a token out of range.
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

/// The six macro ops, with the authors' ids.
enum class MacroOp : int { conv3 = 0, sep3 = 1, conv5 = 2, sep5 = 3, avgpool = 4, maxpool = 5 };

inline constexpr int kMacroOpCount = 6;
/// Op names, indexed by op id (used by to_json, describe and DOT).
inline constexpr std::array<std::string_view, kMacroOpCount> kMacroOpNames = {"conv3", "sep3",    "conv5",
                                                                              "sep5",  "avgpool", "maxpool"};

inline std::string_view macro_op_name(MacroOp op) { return kMacroOpNames.at(static_cast<std::size_t>(op)); }

/// The op named `name` (one of kMacroOpNames); ValueError listing the names otherwise.
inline MacroOp macro_op_from_name(std::string_view name) {
    for (int i = 0; i < kMacroOpCount; ++i)
        if (kMacroOpNames[static_cast<std::size_t>(i)] == name) return static_cast<MacroOp>(i);
    throw ValueError(enas::detail::concat("unknown macro op '", name,
                                          "', expected one of conv3, sep3, conv5, sep5, avgpool, maxpool"));
}

/// Spatial kernel size of an op: 3 or 5 (the pools are 3x3).
inline int macro_op_kernel_size(MacroOp op) { return op == MacroOp::conv5 || op == MacroOp::sep5 ? 5 : 3; }
inline bool macro_op_is_separable(MacroOp op) { return op == MacroOp::sep3 || op == MacroOp::sep5; }
inline bool macro_op_is_pool(MacroOp op) { return op == MacroOp::avgpool || op == MacroOp::maxpool; }

/// Name of entry j of the child's layer list as a skip source: "stem" for j = 0, "layer j-1" else.
inline std::string macro_entry_name(int entry) {
    return entry == 0 ? std::string("stem") : "layer " + std::to_string(entry - 1);
}

/// One layer: its op and its skip bits. `skips[j]` is bit j (entry j: stem or layer j-1), so
/// layer l has exactly l bits.
struct MacroLayer {
    MacroOp op = MacroOp::conv3;
    std::vector<bool> skips;

    /// Entries j whose bit is set (0 = stem, j >= 1 = layer j-1), ascending.
    std::vector<int> skip_entries() const {
        std::vector<int> out;
        for (std::size_t j = 0; j < skips.size(); ++j)
            if (skips[j]) out.push_back(static_cast<int>(j));
        return out;
    }
    int skip_count() const {
        int n = 0;
        for (bool b : skips) n += b ? 1 : 0;
        return n;
    }
    friend bool operator==(const MacroLayer&, const MacroLayer&) = default;
};

/// A macro architecture: L >= 1 layers. Always valid once constructed.
class MacroArch {
public:
    static constexpr std::string_view kWhat = "macro architecture";

    /// Validates: at least one layer, layer l has l skip bits (FormatError otherwise) and each op
    /// is one of the six (ValueError).
    explicit MacroArch(std::vector<MacroLayer> layers) : layers_(std::move(layers)) {
        if (layers_.empty()) throw FormatError(std::string(kWhat) + ": no layers (expected L >= 1)");
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            if (layers_[l].skips.size() != l)
                throw FormatError(enas::detail::concat(kWhat, ": layer ", l, " has ", layers_[l].skips.size(),
                                                       " skip bits, expected ", l, " (one per earlier entry)"));
            check_token_range(kWhat, token_position(static_cast<int>(l)), "layer " + std::to_string(l) + ", op",
                              static_cast<int>(layers_[l].op), 0, kMacroOpCount);
        }
    }

    /// Number of integers in the string of an L-layer architecture: L(L+1)/2.
    static std::size_t token_count(int num_layers) {
        const auto l = static_cast<std::size_t>(num_layers);
        return l * (l + 1) / 2;
    }
    /// Position of layer l's op token in the flat string (its skip bit j follows at +1+j).
    static std::size_t token_position(int layer) { return token_count(layer); }

    /// Builds from the flat token order [op, b_0 .. b_{l-1}] per layer; L is inferred from the
    /// length. FormatError if the length is not triangular, ValueError for a bad token.
    static MacroArch from_tokens(const std::vector<int>& tokens) {
        const int num_layers = layers_for_length(tokens.size());
        std::vector<MacroLayer> layers(static_cast<std::size_t>(num_layers));
        std::size_t pos = 0;
        for (int l = 0; l < num_layers; ++l) {
            MacroLayer& layer = layers[static_cast<std::size_t>(l)];
            check_token_range(kWhat, pos, "layer " + std::to_string(l) + ", op", tokens[pos], 0, kMacroOpCount);
            layer.op = static_cast<MacroOp>(tokens[pos++]);
            for (int j = 0; j < l; ++j, ++pos) {
                check_token_range(
                    kWhat, pos,
                    "layer " + std::to_string(l) + ", skip bit " + std::to_string(j) + " from " + macro_entry_name(j),
                    tokens[pos], 0, 2);
                layer.skips.push_back(tokens[pos] == 1);
            }
        }
        return MacroArch(std::move(layers));
    }

    /// Parses the authors' flat string (integers separated by spaces or commas).
    static MacroArch parse(std::string_view text) { return from_tokens(parse_int_tokens(text, kWhat)); }

    /// The flat token list, [op, b_0 .. b_{l-1}] per layer.
    std::vector<int> tokens() const {
        std::vector<int> out;
        out.reserve(token_count(num_layers()));
        for (const MacroLayer& layer : layers_) {
            out.push_back(static_cast<int>(layer.op));
            for (bool b : layer.skips) out.push_back(b ? 1 : 0);
        }
        return out;
    }
    /// The authors' string: tokens separated by single spaces.
    std::string to_string() const { return join_tokens(tokens()); }

    int num_layers() const { return static_cast<int>(layers_.size()); }
    const std::vector<MacroLayer>& layers() const { return layers_; }
    const MacroLayer& layer(int l) const { return layers_.at(static_cast<std::size_t>(l)); }

    /// How many layers use each op, indexed by op id.
    std::array<int, kMacroOpCount> op_histogram() const {
        std::array<int, kMacroOpCount> hist{};
        for (const MacroLayer& layer : layers_) ++hist[static_cast<std::size_t>(layer.op)];
        return hist;
    }
    /// Skip bits set over all layers.
    int skip_count() const {
        int n = 0;
        for (const MacroLayer& layer : layers_) n += layer.skip_count();
        return n;
    }
    /// Skip bits that exist: L(L-1)/2 (276 for L = 24).
    int possible_skips() const { return num_layers() * (num_layers() - 1) / 2; }
    /// skip_count / possible_skips, the controller's logged skip rate (0 for a 1-layer net).
    double skip_rate() const {
        return possible_skips() == 0 ? 0.0 : static_cast<double>(skip_count()) / possible_skips();
    }
    /// Layers after which the child halves the spatial size (factorized reduction of every list
    /// entry): L/3 - 1 and 2L/3 - 1 with integer division (3 and 7 for L = 12, 7 and 15 for
    /// L = 24); none for L < 3.
    std::vector<int> pool_layers() const {
        const int pool_distance = num_layers() / 3;
        if (pool_distance == 0) return {};
        return {pool_distance - 1, 2 * pool_distance - 1};
    }

    friend bool operator==(const MacroArch&, const MacroArch&) = default;

private:
    /// L with L(L+1)/2 == length, or FormatError naming the nearest valid lengths.
    static int layers_for_length(std::size_t length) {
        if (length == 0)
            throw FormatError(std::string(kWhat) + ": no tokens (expected L(L+1)/2 integers, e.g. 78 for L = 12)");
        int l = 1;
        while (token_count(l) < length) ++l;
        if (token_count(l) != length)
            throw FormatError(enas::detail::concat(kWhat, ": ", tokens_text(length),
                                                   " is not L(L+1)/2 for any number of layers L (the nearest "
                                                   "valid lengths are ",
                                                   token_count(l - 1), " for L = ", l - 1, " and ", token_count(l),
                                                   " for L = ", l, ")"));
        return l;
    }

    std::vector<MacroLayer> layers_;
};

}  // namespace enas::search

template <>
struct std::hash<enas::search::MacroArch> {
    std::size_t operator()(const enas::search::MacroArch& arch) const {
        return enas::search::detail::hash_tokens(arch.tokens(), 0x6d6163726fULL);  // "macro"
    }
};
