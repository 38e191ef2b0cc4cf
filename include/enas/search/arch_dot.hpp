// Graphviz (DOT) export of architectures, for `enas_arch dot` and run folders
// (render with `dot -Tpng arch.dot -o arch.png`).
//
// Node names (stable, for tests and post-processing):
//   macro: `stem`, `layer0` .. `layer{L-1}`, `head`; solid edges for the main chain, dashed
//          edges for skips (from `stem` or `layer{j-1}` for bit j). Layers followed by a
//          factorized reduction say "then FR /2" in their label.
//   micro: per cell kind K in {normal, reduction}: `K_in0` (c_{k-2}), `K_in1` (c_{k-1}),
//          `K_n2` .. `K_n{B+1}`, `K_out` (the concat of the loose ends); each op is an edge
//          labelled with the op name, from the input index to the node.
//   rnn:   `input` (x_t, s_{t-1}), `n0` .. `n{N}` labelled "i: activation", `output` (the mean),
//          with edges from the nodes the format averages (loose ends or all nodes 1..N).
#pragma once
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "enas/search/space.hpp"

namespace enas::search {

namespace detail {
/// A DOT double-quoted string.
inline std::string dot_quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}
inline std::string macro_entry_node(int entry) { return entry == 0 ? "stem" : "layer" + std::to_string(entry - 1); }
inline std::string micro_index_node(std::string_view kind, int index) {
    const std::string k(kind);
    return index == 0 ? k + "_in0" : index == 1 ? k + "_in1" : k + "_n" + std::to_string(index);
}
/// The statements of one micro cell as a cluster.
inline void write_cell_cluster(std::ostringstream& os, const Cell& cell, std::string_view kind) {
    const std::string k(kind);
    os << "  subgraph cluster_" << k << " {\n";
    os << "    label=" << dot_quote(k + " cell") << ";\n";
    os << "    " << k << "_in0 [label=\"c_{k-2}\", shape=box];\n";
    os << "    " << k << "_in1 [label=\"c_{k-1}\", shape=box];\n";
    for (int id = 2; id < cell.num_nodes() + 2; ++id)
        os << "    " << micro_index_node(kind, id) << " [label=\"" << id << "\", shape=circle];\n";
    os << "    " << k << "_out [label=\"concat\", shape=box];\n";
    for (int id = 2; id < cell.num_nodes() + 2; ++id) {
        const MicroNode& n = cell.node(id);
        os << "    " << micro_index_node(kind, n.input1) << " -> " << micro_index_node(kind, id)
           << " [label=" << dot_quote(micro_op_name(n.op1)) << "];\n";
        os << "    " << micro_index_node(kind, n.input2) << " -> " << micro_index_node(kind, id)
           << " [label=" << dot_quote(micro_op_name(n.op2)) << "];\n";
    }
    for (int index : cell.loose_ends()) os << "    " << micro_index_node(kind, index) << " -> " << k << "_out;\n";
    os << "  }\n";
}
}  // namespace detail

/// The macro network: stem, layers with their ops, skip edges, head.
inline std::string to_dot(const MacroArch& arch) {
    std::ostringstream os;
    os << "digraph macro {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n";
    os << "  stem [label=\"stem\\nconv 3x3\"];\n";
    const std::vector<int> pools = arch.pool_layers();
    for (int l = 0; l < arch.num_layers(); ++l) {
        std::string label = "layer " + std::to_string(l) + "\\n" + std::string(macro_op_name(arch.layer(l).op));
        for (int p : pools)
            if (p == l) label += "\\nthen FR /2";
        os << "  layer" << l << " [label=\"" << label << "\"];\n";
    }
    os << "  head [label=\"GAP + FC\", shape=ellipse];\n";
    os << "  stem -> layer0;\n";
    for (int l = 1; l < arch.num_layers(); ++l) os << "  layer" << l - 1 << " -> layer" << l << ";\n";
    os << "  layer" << arch.num_layers() - 1 << " -> head;\n";
    for (int l = 0; l < arch.num_layers(); ++l)
        for (int entry : arch.layer(l).skip_entries())
            os << "  " << detail::macro_entry_node(entry) << " -> layer" << l
               << " [style=dashed, color=gray40, constraint=false];\n";
    os << "}\n";
    return os.str();
}

/// One micro cell as its own graph; `kind` names it ("normal", "reduction").
inline std::string to_dot(const Cell& cell, std::string_view kind) {
    std::ostringstream os;
    os << "digraph " << kind << " {\n  rankdir=LR;\n";
    detail::write_cell_cluster(os, cell, kind);
    os << "}\n";
    return os.str();
}

/// The micro cell pair: one cluster per cell.
inline std::string to_dot(const MicroArch& arch) {
    std::ostringstream os;
    os << "digraph micro {\n  rankdir=LR;\n";
    detail::write_cell_cluster(os, arch.normal(), "normal");
    detail::write_cell_cluster(os, arch.reduction(), "reduction");
    os << "}\n";
    return os.str();
}

/// The recurrent cell: input, nodes with activations, the averaged output.
inline std::string to_dot(const RnnArch& arch) {
    std::ostringstream os;
    os << "digraph rnn {\n  rankdir=TB;\n";
    os << "  input [label=\"x_t, s_{t-1}\", shape=box];\n";
    for (int i = 0; i < arch.num_nodes(); ++i)
        os << "  n" << i << " [label=\"" << i << ": " << activation_name(arch.node(i).activation) << "\"];\n";
    const bool lm = arch.format() == RnnFormat::lm;
    os << "  output [label=" << detail::dot_quote(lm ? "s_t = mean(1..N)" : "s_t = mean(loose ends)")
       << ", shape=box];\n";
    os << "  input -> n0;\n";
    for (int i = 1; i < arch.num_nodes(); ++i) os << "  n" << arch.node(i).input << " -> n" << i << ";\n";
    for (int i : arch.output_nodes()) os << "  n" << i << " -> output [style=dashed];\n";
    os << "}\n";
    return os.str();
}

inline std::string to_dot(const AnyArch& arch) {
    return std::visit([](const auto& a) { return to_dot(a); }, arch);
}

}  // namespace enas::search
