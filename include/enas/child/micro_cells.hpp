// The cells of the micro-space child (reference §4): input calibration, the search-mode cell
// (shared weight banks indexed by the chosen input, loose ends -> ReLU -> 1x1 conv -> BN) and the
// fixed-architecture cell (layer_base, strided ops in reduction cells, drop-path, loose ends
// concatenated). Weights are registered at build time from the cells' static input shapes.
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

#include "enas/nn/blocks.hpp"
#include "enas/ops/dropout.hpp"
#include "enas/search/micro_arch.hpp"

namespace enas::child::micro {

/// A cell input's static shape: channels and resolution level (number of stride-2 reductions).
struct Feature {
    std::int64_t channels = 0;
    int level = 0;
};

/// `_maybe_calibrate_size`: input 0 is reduced (ReLU -> FR) when it has twice input 1's
/// resolution, else projected (ReLU -> 1x1 -> BN) when its channels differ from F; input 1 is
/// projected when its channels differ.
struct Calibration {
    enum class Kind { none, reduce, project };
    Kind kind0 = Kind::none, kind1 = Kind::none;
    nn::FactorizedReduction fr0;
    nn::ConvBn conv0, conv1;
};

template <Device D>
Calibration add_calibration(nn::ParameterArena<D>& arena, const std::string& name, Feature in0, Feature in1,
                            std::int64_t f) {
    Calibration c;
    check<ValueError>(in0.level == in1.level || in0.level + 1 == in1.level, "micro cell ", name,
                      ": input 0 must have the resolution of input 1 or twice it");
    if (in0.level != in1.level) {
        c.kind0 = Calibration::Kind::reduce;
        c.fr0 = nn::add_factorized_reduction(arena, name + "/pool_x", f, in0.channels);
    } else if (in0.channels != f) {
        c.kind0 = Calibration::Kind::project;
        c.conv0 = nn::add_conv_bn(arena, name + "/pool_x", f, in0.channels, 1, true);
    }
    if (in1.channels != f) {
        c.kind1 = Calibration::Kind::project;
        c.conv1 = nn::add_conv_bn(arena, name + "/pool_y", f, in1.channels, 1, true);
    }
    return c;
}

template <Device D>
std::array<Var<float, D>, 2> calibrate(nn::ForwardPass<D>& f, const Calibration& c, Var<float, D> x0,
                                       Var<float, D> x1) {
    if (c.kind0 == Calibration::Kind::reduce) x0 = nn::factorized_reduction(f, ops::relu(f.tape, x0), c.fr0);
    if (c.kind0 == Calibration::Kind::project) x0 = nn::conv_bn(f, x0, c.conv0);
    if (c.kind1 == Calibration::Kind::project) x1 = nn::conv_bn(f, x1, c.conv1);
    return {x0, x1};
}

// ---------------------------------------------------------------------------------------------
// Search mode (`_enas_layer`, `_enas_cell`, `_enas_conv`): stride 1, F channels everywhere.

/// The two stacked separable convs of one sep op for one (node, slot, input index).
using SepStack = std::array<nn::SeparableConvBn, 2>;

struct SearchCell {
    Calibration calibration;
    /// [node][slot][input index][kernel 3 or 5] -> the separable stack.
    std::vector<std::array<std::vector<std::array<SepStack, 2>>, 2>> banks;
    std::vector<nn::ParamId> out_blocks;  ///< per index in [0, B+2): the [F, F, 1, 1] block of the 1x1 conv
    nn::BatchNormIds out_bn;
};

/// Weight-bank init: the authors create each bank as a 2-D variable with He init, so its fan-in
/// is the bank's first dimension (the number of possible inputs, quirk §9 #10); by default we use
/// the convs' true fan-in.
template <Device D>
SearchCell add_search_cell(nn::ParameterArena<D>& arena, const std::string& name, Feature in0, Feature in1,
                           std::int64_t f, int num_nodes, bool authors_bank_init) {
    SearchCell cell;
    cell.calibration = add_calibration(arena, name + "/calibrate", in0, in1, f);
    cell.banks.resize(static_cast<std::size_t>(num_nodes));
    for (int node = 0; node < num_nodes; ++node) {
        const int inputs = node + 2;
        for (int slot = 0; slot < 2; ++slot) {
            auto& bank = cell.banks[static_cast<std::size_t>(node)][static_cast<std::size_t>(slot)];
            for (int j = 0; j < inputs; ++j) {
                std::array<SepStack, 2> per_kernel;
                for (int kk = 0; kk < 2; ++kk) {
                    const int k = kk == 0 ? 3 : 5;
                    for (int s = 0; s < 2; ++s) {
                        const std::string p = name + "/cell_" + std::to_string(node) + (slot == 0 ? "/x" : "/y") +
                                              "/from_" + std::to_string(j) + "/sep_" + std::to_string(k) + "/stack_" +
                                              std::to_string(s);
                        nn::SeparableConvBn sep;
                        const auto dw_init =
                            authors_bank_init ? nn::Init::he_normal(inputs) : nn::Init::he_normal(k * k);
                        const auto pw_init = authors_bank_init ? nn::Init::he_normal(inputs) : nn::Init::he_normal(f);
                        sep.depthwise = arena.add(p + "/w_depth", Shape{f, 1, k, k}, dw_init);
                        sep.pointwise = arena.add(p + "/w_point", Shape{f, f, 1, 1}, pw_init);
                        sep.bn = nn::add_batch_norm(arena, p + "/bn", f, 1e-5, false);  // batch statistics only
                        per_kernel[static_cast<std::size_t>(kk)][static_cast<std::size_t>(s)] = sep;
                    }
                }
                bank.push_back(per_kernel);
            }
        }
    }
    for (int j = 0; j < num_nodes + 2; ++j)
        cell.out_blocks.push_back(
            arena.add(name + "/final_conv/from_" + std::to_string(j), Shape{f, f, 1, 1},
                      authors_bank_init ? nn::Init::he_normal(num_nodes + 2) : nn::Init::he_normal(f)));
    cell.out_bn = nn::add_batch_norm(arena, name + "/final_conv/bn", f);
    return cell;
}

template <Device D>
Var<float, D> search_cell(nn::ForwardPass<D>& f, const SearchCell& cell, const search::Cell& arc,
                          const Var<float, D>& in0, const Var<float, D>& in1) {
    auto [x0, x1] = calibrate(f, cell.calibration, in0, in1);
    std::vector<Var<float, D>> h{x0, x1};
    for (int node = 0; node < arc.num_nodes(); ++node) {
        const search::MicroNode& n = arc.nodes()[static_cast<std::size_t>(node)];
        Var<float, D> sum;
        for (int slot = 0; slot < 2; ++slot) {
            const int j = slot == 0 ? n.input1 : n.input2;
            const search::MicroOp op = slot == 0 ? n.op1 : n.op2;
            Var<float, D> x = h[static_cast<std::size_t>(j)];
            if (op == search::MicroOp::sep3 || op == search::MicroOp::sep5) {
                const auto& stack = cell.banks[static_cast<std::size_t>(node)][static_cast<std::size_t>(slot)]
                                              [static_cast<std::size_t>(j)][op == search::MicroOp::sep3 ? 0 : 1];
                for (const auto& sep : stack) x = nn::separable_conv_bn(f, x, sep);
            } else if (op == search::MicroOp::avg3 || op == search::MicroOp::max3) {
                x = nn::pool3x3(f, x, op == search::MicroOp::avg3);
            }
            sum = slot == 0 ? x : ops::add(f.tape, sum, x);
        }
        h.push_back(sum);
    }
    std::vector<Var<float, D>> loose, blocks;
    for (int j : arc.loose_ends()) {
        loose.push_back(h[static_cast<std::size_t>(j)]);
        blocks.push_back(f.param(cell.out_blocks[static_cast<std::size_t>(j)]));
    }
    Var<float, D> x = ops::relu(f.tape, loose.size() == 1 ? loose[0] : ops::concat(f.tape, loose));
    Var<float, D> w = blocks.size() == 1 ? blocks[0] : ops::concat(f.tape, blocks);
    return nn::batch_norm(f, ops::conv2d(f.tape, x, w, Conv2dParams{}), cell.out_bn);
}

// ---------------------------------------------------------------------------------------------
// Fixed-architecture mode (`_fixed_layer`, `_fixed_combine`).

struct FixedSlot {
    SepStack sep;                ///< sep3 / sep5: the first conv carries the stride
    nn::FactorizedReduction fr;  ///< identity with stride 2
};

struct FixedCell {
    Calibration calibration;
    nn::ConvBn base;  ///< layer_base on input 1: ReLU -> 1x1 F -> F -> BN
    std::vector<std::array<FixedSlot, 2>> slots;
    std::map<int, nn::FactorizedReduction> combine;  ///< loose inputs at twice the output resolution
    int stride = 1;
    std::int64_t out_channels = 0;
};

template <Device D>
FixedCell add_fixed_cell(nn::ParameterArena<D>& arena, const std::string& name, Feature in0, Feature in1,
                         std::int64_t f, const search::Cell& arc, int stride) {
    FixedCell cell;
    cell.stride = stride;
    cell.calibration = add_calibration(arena, name + "/calibrate", in0, in1, f);
    cell.base = nn::add_conv_bn(arena, name + "/layer_base", f, f, 1, true);
    for (int node = 0; node < arc.num_nodes(); ++node) {
        const search::MicroNode& n = arc.nodes()[static_cast<std::size_t>(node)];
        std::array<FixedSlot, 2> slots;
        for (int slot = 0; slot < 2; ++slot) {
            const int j = slot == 0 ? n.input1 : n.input2;
            const search::MicroOp op = slot == 0 ? n.op1 : n.op2;
            const int s = j < 2 ? stride : 1;
            const std::string p = name + "/cell_" + std::to_string(node) + (slot == 0 ? "/x" : "/y");
            if (op == search::MicroOp::sep3 || op == search::MicroOp::sep5) {
                const int k = op == search::MicroOp::sep3 ? 3 : 5;
                for (int c = 0; c < 2; ++c)
                    slots[static_cast<std::size_t>(slot)].sep[static_cast<std::size_t>(c)] = nn::add_separable_conv_bn(
                        arena, p + "/sep_" + std::to_string(k) + "/stack_" + std::to_string(c), f, f, k,
                        c == 0 ? s : 1);
            } else if (op == search::MicroOp::identity && s == 2) {
                slots[static_cast<std::size_t>(slot)].fr = nn::add_factorized_reduction(arena, p + "/reduce", f, f);
            }
        }
        cell.slots.push_back(slots);
    }
    const std::vector<int> loose = arc.loose_ends();
    for (int j : loose)
        if (j < 2 && stride == 2)
            cell.combine[j] = nn::add_factorized_reduction(arena, name + "/calibrate_" + std::to_string(j), f, f);
    cell.out_channels = static_cast<std::int64_t>(loose.size()) * f;
    return cell;
}

/// Drop-path keep probability of cell `cell_index` at training progress `progress` =
/// min(1, (step + 1) / total_steps) (reference §4.3).
inline double drop_path_keep(double keep0, int cell_index, int num_cells, double progress) {
    const double layer_keep = 1.0 - (static_cast<double>(cell_index + 1) / num_cells) * (1.0 - keep0);
    return 1.0 - progress * (1.0 - layer_keep);
}

template <Device D>
Var<float, D> fixed_cell(nn::ForwardPass<D>& f, const FixedCell& cell, const search::Cell& arc,
                         const Var<float, D>& in0, const Var<float, D>& in1, double drop_path_keep_prob) {
    auto [x0, x1] = calibrate(f, cell.calibration, in0, in1);
    x1 = nn::conv_bn(f, x1, cell.base);
    std::vector<Var<float, D>> h{x0, x1};
    for (int node = 0; node < arc.num_nodes(); ++node) {
        const search::MicroNode& n = arc.nodes()[static_cast<std::size_t>(node)];
        Var<float, D> sum;
        for (int slot = 0; slot < 2; ++slot) {
            const int j = slot == 0 ? n.input1 : n.input2;
            const search::MicroOp op = slot == 0 ? n.op1 : n.op2;
            const int s = j < 2 ? cell.stride : 1;
            const FixedSlot& fs = cell.slots[static_cast<std::size_t>(node)][static_cast<std::size_t>(slot)];
            Var<float, D> x = h[static_cast<std::size_t>(j)];
            if (op == search::MicroOp::sep3 || op == search::MicroOp::sep5) {
                for (const auto& sep : fs.sep) x = nn::separable_conv_bn(f, x, sep);
            } else if (op == search::MicroOp::avg3 || op == search::MicroOp::max3) {
                x = nn::pool3x3(f, x, op == search::MicroOp::avg3, s);
            } else if (s == 2) {
                x = nn::factorized_reduction(f, x, fs.fr);
            }
            if (op != search::MicroOp::identity && f.training && drop_path_keep_prob < 1)
                x = ops::drop_path(f.tape, x, drop_path_keep_prob);
            sum = slot == 0 ? x : ops::add(f.tape, sum, x);
        }
        h.push_back(sum);
    }
    std::vector<Var<float, D>> parts;
    for (int j : arc.loose_ends()) {
        auto it = cell.combine.find(j);
        parts.push_back(it == cell.combine.end()
                            ? h[static_cast<std::size_t>(j)]
                            : nn::factorized_reduction(f, h[static_cast<std::size_t>(j)], it->second));
    }
    return parts.size() == 1 ? parts[0] : ops::concat(f.tape, parts);
}

}  // namespace enas::child::micro
