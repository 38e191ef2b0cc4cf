// The micro (cell) search space (reference §4, §6.2): a normal cell and a reduction cell, each a
// DAG of B nodes (B = 5 in every script) over two inputs.
//
// Indices inside a cell: 0 = the output of the cell before the previous one (prev_prev),
// 1 = the previous cell's output (prev), 2 .. B+1 = the cell's own nodes. Node i (2 <= i <= B+1)
// reads two indices idx1, idx2 in [0, i) (the same index may appear twice), applies op1 and
// op2, and outputs op1(h[idx1]) + op2(h[idx2]).
//
// Flat string: the normal cell's 4B integers, then the reduction cell's, each cell being
// `idx1 op1 idx2 op2` per node in node order; 8B integers in all (40 for B = 5).
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

/// The five micro ops, with the authors' ids.
enum class MicroOp : int { sep3 = 0, sep5 = 1, avg3 = 2, max3 = 3, identity = 4 };

inline constexpr int kMicroOpCount = 5;
inline constexpr std::array<std::string_view, kMicroOpCount> kMicroOpNames = {"sep3", "sep5", "avg3", "max3",
                                                                              "identity"};

inline std::string_view micro_op_name(MicroOp op) { return kMicroOpNames.at(static_cast<std::size_t>(op)); }

/// The op named `name` (one of kMicroOpNames); ValueError listing the names otherwise.
inline MicroOp micro_op_from_name(std::string_view name) {
    for (int i = 0; i < kMicroOpCount; ++i)
        if (kMicroOpNames[static_cast<std::size_t>(i)] == name) return static_cast<MicroOp>(i);
    throw ValueError(
        enas::detail::concat("unknown micro op '", name, "', expected one of sep3, sep5, avg3, max3, identity"));
}

enum class CellKind { normal, reduction };
inline std::string_view cell_kind_name(CellKind kind) { return kind == CellKind::normal ? "normal" : "reduction"; }

/// One node: `op1(h[input1]) + op2(h[input2])`.
struct MicroNode {
    int input1 = 0;
    MicroOp op1 = MicroOp::sep3;
    int input2 = 0;
    MicroOp op2 = MicroOp::sep3;
    friend bool operator==(const MicroNode&, const MicroNode&) = default;
};

/// A cell: B >= 1 nodes; `nodes()[k]` is node id k + 2. Always valid once constructed.
class Cell {
public:
    /// Validates every index (node i reads [0, i)) and op; ValueError naming the token position
    /// inside the cell's 4B tokens otherwise; FormatError for zero nodes.
    explicit Cell(std::vector<MicroNode> nodes) : Cell(std::move(nodes), "micro cell", "", 0) {}

    /// Builds from the cell's 4B tokens [idx1, op1, idx2, op2] per node.
    static Cell from_tokens(const std::vector<int>& tokens) {
        if (tokens.empty() || tokens.size() % 4 != 0)
            throw FormatError(enas::detail::concat("micro cell: ", tokens_text(tokens.size()),
                                                   " is not 4B for B nodes (expected 20 for B = 5)"));
        return from_token_range(tokens, 0, tokens.size() / 4, "micro cell", "");
    }

    int num_nodes() const { return static_cast<int>(nodes_.size()); }
    const std::vector<MicroNode>& nodes() const { return nodes_; }
    /// Node by its id in [2, B+2).
    const MicroNode& node(int id) const { return nodes_.at(static_cast<std::size_t>(id - 2)); }

    /// The cell's 4B tokens.
    std::vector<int> tokens() const {
        std::vector<int> out;
        out.reserve(nodes_.size() * 4);
        for (const MicroNode& n : nodes_) {
            out.push_back(n.input1);
            out.push_back(static_cast<int>(n.op1));
            out.push_back(n.input2);
            out.push_back(static_cast<int>(n.op2));
        }
        return out;
    }

    /// How often each index in [0, B+2) is read by a node (a node reading an index twice counts 2).
    std::vector<int> use_counts() const {
        std::vector<int> used(nodes_.size() + 2, 0);
        for (const MicroNode& n : nodes_) {
            ++used[static_cast<std::size_t>(n.input1)];
            ++used[static_cast<std::size_t>(n.input2)];
        }
        return used;
    }
    /// Indices never used as an input, ascending: the cell output concatenates them (fixed mode;
    /// search mode follows with a 1x1 conv). Inputs 0 and 1 are included when unused.
    std::vector<int> loose_ends() const {
        std::vector<int> out;
        const std::vector<int> used = use_counts();
        for (std::size_t i = 0; i < used.size(); ++i)
            if (used[i] == 0) out.push_back(static_cast<int>(i));
        return out;
    }
    /// How many op slots use each op, indexed by op id (2B slots in all).
    std::array<int, kMicroOpCount> op_histogram() const {
        std::array<int, kMicroOpCount> hist{};
        for (const MicroNode& n : nodes_) {
            ++hist[static_cast<std::size_t>(n.op1)];
            ++hist[static_cast<std::size_t>(n.op2)];
        }
        return hist;
    }

    friend bool operator==(const Cell&, const Cell&) = default;

private:
    friend class MicroArch;

    Cell(std::vector<MicroNode> nodes, std::string_view what, std::string_view cell_label, std::size_t offset)
        : nodes_(std::move(nodes)) {
        if (nodes_.empty()) throw FormatError(std::string(what) + ": a cell needs at least one node");
        for (std::size_t k = 0; k < nodes_.size(); ++k) {
            const MicroNode& n = nodes_[k];
            const int ops[2] = {static_cast<int>(n.op1), static_cast<int>(n.op2)};
            const int inputs[2] = {n.input1, n.input2};
            for (int slot = 0; slot < 2; ++slot) {
                const std::size_t pos = offset + 4 * k + 2 * static_cast<std::size_t>(slot);
                check_token_range(what, pos, meaning(cell_label, k, slot == 0 ? "idx1" : "idx2"), inputs[slot], 0,
                                  static_cast<int>(k) + 2);
                check_token_range(what, pos + 1, meaning(cell_label, k, slot == 0 ? "op1" : "op2"), ops[slot], 0,
                                  kMicroOpCount);
            }
        }
    }

    /// "normal cell, node 4, idx2": what token (node k + 2, field) means.
    static std::string meaning(std::string_view cell_label, std::size_t k, std::string_view field) {
        std::string out;
        if (!cell_label.empty()) out = std::string(cell_label) + " cell, ";
        return out + "node " + std::to_string(k + 2) + ", " + std::string(field);
    }

    /// Validates token values in order (first bad token reported) and builds the cell.
    static Cell from_token_range(const std::vector<int>& tokens, std::size_t offset, std::size_t num_nodes,
                                 std::string_view what, std::string_view cell_label) {
        std::vector<MicroNode> nodes(num_nodes);
        for (std::size_t k = 0; k < num_nodes; ++k) {
            const std::size_t pos = offset + 4 * k;
            const int node_id = static_cast<int>(k) + 2;
            check_token_range(what, pos, meaning(cell_label, k, "idx1"), tokens[pos], 0, node_id);
            check_token_range(what, pos + 1, meaning(cell_label, k, "op1"), tokens[pos + 1], 0, kMicroOpCount);
            check_token_range(what, pos + 2, meaning(cell_label, k, "idx2"), tokens[pos + 2], 0, node_id);
            check_token_range(what, pos + 3, meaning(cell_label, k, "op2"), tokens[pos + 3], 0, kMicroOpCount);
            nodes[k] = MicroNode{tokens[pos], static_cast<MicroOp>(tokens[pos + 1]), tokens[pos + 2],
                                 static_cast<MicroOp>(tokens[pos + 3])};
        }
        return Cell(std::move(nodes), what, cell_label, offset);
    }

    std::vector<MicroNode> nodes_;
};

/// A micro architecture: a normal and a reduction cell with the same B. Always valid.
class MicroArch {
public:
    static constexpr std::string_view kWhat = "micro architecture";
    /// B in every script (`child_num_cells=5`).
    static constexpr int kDefaultNodes = 5;

    /// FormatError if the two cells have different node counts.
    MicroArch(Cell normal, Cell reduction) : normal_(std::move(normal)), reduction_(std::move(reduction)) {
        if (normal_.num_nodes() != reduction_.num_nodes())
            throw FormatError(enas::detail::concat(kWhat, ": the normal cell has ", normal_.num_nodes(),
                                                   " nodes but the reduction cell has ", reduction_.num_nodes()));
    }

    /// Number of integers for B nodes per cell: 8B (40 for B = 5).
    static std::size_t token_count(int num_nodes) { return 8 * static_cast<std::size_t>(num_nodes); }

    /// Builds from the flat order: normal cell then reduction cell, [idx1, op1, idx2, op2] per
    /// node. The length must be 8 * num_nodes (FormatError naming the expected length otherwise).
    static MicroArch from_tokens(const std::vector<int>& tokens, int num_nodes = kDefaultNodes) {
        if (num_nodes < 1)
            throw ValueError(enas::detail::concat(kWhat, ": num_nodes is ", num_nodes, ", expected >= 1"));
        const std::size_t expected = token_count(num_nodes);
        if (tokens.size() != expected)
            throw FormatError(enas::detail::concat(kWhat, ": ", tokens_text(tokens.size()), ", expected ", expected,
                                                   " (two cells of ", num_nodes, " nodes x 4 tokens)"));
        const auto b = static_cast<std::size_t>(num_nodes);
        return MicroArch(Cell::from_token_range(tokens, 0, b, kWhat, "normal"),
                         Cell::from_token_range(tokens, 4 * b, b, kWhat, "reduction"));
    }

    /// Parses the authors' flat string with B = num_nodes nodes per cell.
    static MicroArch parse(std::string_view text, int num_nodes = kDefaultNodes) {
        return from_tokens(parse_int_tokens(text, kWhat), num_nodes);
    }

    std::vector<int> tokens() const {
        std::vector<int> out = normal_.tokens();
        const std::vector<int> r = reduction_.tokens();
        out.insert(out.end(), r.begin(), r.end());
        return out;
    }
    std::string to_string() const { return join_tokens(tokens()); }

    int num_nodes() const { return normal_.num_nodes(); }
    const Cell& normal() const { return normal_; }
    const Cell& reduction() const { return reduction_; }
    const Cell& cell(CellKind kind) const { return kind == CellKind::normal ? normal_ : reduction_; }

    /// Op slots per op id over both cells (4B slots).
    std::array<int, kMicroOpCount> op_histogram() const {
        std::array<int, kMicroOpCount> hist = normal_.op_histogram();
        const std::array<int, kMicroOpCount> r = reduction_.op_histogram();
        for (std::size_t i = 0; i < hist.size(); ++i) hist[i] += r[i];
        return hist;
    }

    friend bool operator==(const MicroArch&, const MicroArch&) = default;

private:
    Cell normal_;
    Cell reduction_;
};

}  // namespace enas::search

template <>
struct std::hash<enas::search::Cell> {
    std::size_t operator()(const enas::search::Cell& cell) const {
        return enas::search::detail::hash_tokens(cell.tokens(), 0x63656c6cULL);  // "cell"
    }
};

template <>
struct std::hash<enas::search::MicroArch> {
    std::size_t operator()(const enas::search::MicroArch& arch) const {
        return enas::search::detail::hash_tokens(arch.tokens(), 0x6d6963726fULL);  // "micro"
    }
};
