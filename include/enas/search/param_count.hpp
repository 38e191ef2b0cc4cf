// Number of trainable parameters of the child network an architecture describes, for given
// sizes, following the authors' code (reference §3, §4, §5). Pure arithmetic: no tensors.
//
// Conventions (all modes):
//   * Convolutions and the classifier have **no biases** (as in the TF code).
//   * Every batch norm counts its learnable scale and offset (2 per channel); moving statistics
//     are not parameters.
//   * A factorized reduction FR(C_in -> C_out) counts two 1x1 convs C_in -> C_out/2 and a BN over
//     C_out; C_out must be even.
//   * The classifier is GAP -> FC(C -> num_classes) without bias.
//
// Search mode counts the weights this architecture's forward pass reads from the shared
// supernet (its "child" under weight sharing), not the whole supernet.
//
// Macro (§3):
//   * search: per layer, the chosen branch only: 1x1 conv C -> F + BN, then for convs a k x k
//     conv F -> F + BN, for separable ops a depthwise k x k (multiplier 1) + pointwise F -> F + BN,
//     for pools nothing more; every layer l > 0 has its post-skip BN (skips are summed, no conv).
//     F stays constant; at each pool point every list entry (stem included) gets its own FR.
//   * final: 1x1 conv + BN, k x k conv + BN, and for l > 0 the skip concat's 1x1 conv
//     ((n_skips + 1) F -> F) + BN. F doubles at the pool points. **Authors' quirk:** the TF final
//     code builds sep3/sep5 as full k x k convs; `MacroChildSizes::final_separable` chooses
//     (default `full`, the quirk, which is how the released 24-layer model was trained). Pools
//     crash in TF final mode; here they count as in search mode (1x1 conv + BN).
// Micro (§4):
//   * Stem 3x3 conv 3 -> 3F + BN. Cells with calibration of the two inputs to F (FR when the
//     resolutions differ, else a 1x1 conv + BN when the channels differ), separable ops as two
//     stacked (depthwise k x k + pointwise F -> F + BN), pools and identity parameter-free unless
//     strided (identity then uses FR).
//   * search: the cell output is a 1x1 conv over the loose ends (n_loose F -> F) + BN; a
//     reduction cell is FR(prev) followed by a stride-1 cell (reference §4.4).
//   * final: each cell adds a "layer_base" 1x1 conv + BN on input 1; the output concatenates the
//     loose ends (n_loose F channels, no conv), FR'ing loose inputs of a reduction cell.
//   * Aux head (optional, `include_aux_head`; TF's own count excludes it and never trains it):
//     avg-pool 5/3 -> 1x1 conv to 128 + BN -> conv over the remaining spatial size to 768 + BN
//     -> FC(768 -> classes).
// Recurrent (§5): the fixed cell: tied embedding V x H (also the softmax, no output bias),
//   node 0's [2H, 2H] matrix and an [H, 2H] matrix per later node. No biases, no BN.
//
// Check values (tests/search/test_param_count.cpp): the released macro arc with the final
// script (F = 96, full convs) has 42,559,392 parameters (the reference's ≈ 42.6M; 30,947,424
// with true separable convs; the paper quotes 38.0M for its "more channels" model, which is not
// this script); the released micro arc with the final script (15 layers, F = 36) has 3,894,372
// without the aux head and 494,848 more with it (reference ≈ 3.9M and ≈ 0.5M; paper 4.6M).
#pragma once
#include <cstdint>
#include <vector>

#include "enas/core/error.hpp"
#include "enas/search/macro_arch.hpp"
#include "enas/search/micro_arch.hpp"
#include "enas/search/rnn_arch.hpp"

namespace enas::search {

/// Which child network: the shared-weight child of the search, or the fixed-arc final model.
enum class ChildMode { search, final };

/// How the macro final mode builds sep3/sep5: as the TF code does (full k x k convs) or as true
/// separable convs.
enum class SeparableConvs { full, separable };

struct MacroChildSizes {
    ChildMode mode = ChildMode::search;
    int filters = 36;  ///< F after the stem (search keeps it; final doubles it at pool points)
    int image_channels = 3;
    int num_classes = 10;
    SeparableConvs final_separable = SeparableConvs::full;  ///< final mode only

    /// `cifar10_macro_search.sh`: F = 36, search mode.
    static MacroChildSizes search_script() { return {}; }
    /// `cifar10_macro_final.sh`: F = 96, final mode, separable ops as full convs (the quirk).
    static MacroChildSizes final_script() {
        MacroChildSizes s;
        s.mode = ChildMode::final;
        s.filters = 96;
        return s;
    }
};

struct MicroChildSizes {
    ChildMode mode = ChildMode::search;
    int num_layers = 6;  ///< normal cells; the child has num_layers + 2 cells (2 reductions)
    int filters = 20;    ///< F of the first stage (doubles at each reduction cell)
    int image_channels = 3;
    int image_size = 32;
    int num_classes = 10;
    bool include_aux_head = false;

    /// `cifar10_micro_search.sh`: 6 layers, F = 20, search mode (aux head not counted).
    static MicroChildSizes search_script() { return {}; }
    /// `cifar10_micro_final.sh`: 15 layers, F = 36, final mode (aux head not counted).
    static MicroChildSizes final_script() {
        MicroChildSizes s;
        s.mode = ChildMode::final;
        s.num_layers = 15;
        s.filters = 36;
        return s;
    }
};

struct RnnChildSizes {
    int hidden = 800;   ///< H (embedding size = H, tied softmax)
    int vocab = 10000;  ///< PTB vocabulary

    /// enas_lm `fixed_lib.py`: H = 800.
    static RnnChildSizes lm_final_script() { return {}; }
    /// enas_lm search (`child.py`): H = 200.
    static RnnChildSizes lm_search_script() { return {200, 10000}; }
    /// TF `ptb_final.sh`: H = 748.
    static RnnChildSizes original_final_script() { return {748, 10000}; }
};

namespace detail {
inline std::int64_t conv_bn(std::int64_t c_in, std::int64_t c_out) { return c_in * c_out + 2 * c_out; }
inline std::int64_t factorized_reduction(std::int64_t c_in, std::int64_t c_out) {
    check(c_out % 2 == 0, "factorized reduction needs an even number of output channels, got ", c_out);
    return 2 * c_in * (c_out / 2) + 2 * c_out;
}
/// One ReLU -> depthwise k x k -> pointwise c_in -> c_out -> BN.
inline std::int64_t separable_conv_bn(std::int64_t k, std::int64_t c_in, std::int64_t c_out) {
    return k * k * c_in + c_in * c_out + 2 * c_out;
}
inline void check_positive(const char* name, std::int64_t value) {
    check(value > 0, name, " must be positive, got ", value);
}
}  // namespace detail

/// Trainable parameters of the macro child of `arch` (conventions in the file comment).
inline std::int64_t count_parameters(const MacroArch& arch, const MacroChildSizes& sizes) {
    detail::check_positive("filters", sizes.filters);
    detail::check_positive("image_channels", sizes.image_channels);
    detail::check_positive("num_classes", sizes.num_classes);
    const bool final_mode = sizes.mode == ChildMode::final;
    std::int64_t f = sizes.filters;
    std::int64_t n = 9 * sizes.image_channels * f + 2 * f;  // stem conv 3x3 + BN, no ReLU
    const std::vector<int> pools = arch.pool_layers();
    std::int64_t entries = 1;  // the stem
    for (int l = 0; l < arch.num_layers(); ++l) {
        const MacroLayer& layer = arch.layer(l);
        const std::int64_t k = macro_op_kernel_size(layer.op);
        n += detail::conv_bn(f, f);  // every branch starts with a 1x1 conv C -> F + BN
        if (!macro_op_is_pool(layer.op)) {
            const bool separable =
                macro_op_is_separable(layer.op) && (!final_mode || sizes.final_separable == SeparableConvs::separable);
            n += separable ? detail::separable_conv_bn(k, f, f) : k * k * f * f + 2 * f;
        }
        if (l > 0) n += final_mode ? detail::conv_bn((layer.skip_count() + 1) * f, f) : 2 * f;
        ++entries;
        for (int p : pools) {
            if (p != l) continue;
            const std::int64_t f_next = final_mode ? 2 * f : f;
            n += entries * detail::factorized_reduction(f, f_next);
            f = f_next;
        }
    }
    return n + f * sizes.num_classes;
}

/// Trainable parameters of the micro child of `arch` (conventions in the file comment).
inline std::int64_t count_parameters(const MicroArch& arch, const MicroChildSizes& sizes) {
    detail::check_positive("filters", sizes.filters);
    detail::check_positive("num_layers", sizes.num_layers);
    detail::check_positive("image_channels", sizes.image_channels);
    detail::check_positive("image_size", sizes.image_size);
    detail::check_positive("num_classes", sizes.num_classes);
    struct Feature {
        std::int64_t channels, size;
    };
    const bool final_mode = sizes.mode == ChildMode::final;
    std::int64_t f = sizes.filters;
    std::int64_t n = 9 * sizes.image_channels * 3 * f + 2 * 3 * f;  // stem 3x3 conv -> 3F + BN
    Feature prev_prev{3 * f, sizes.image_size}, prev = prev_prev;
    const int pool_distance = sizes.num_layers / 3;
    const int first_reduction = pool_distance, second_reduction = 2 * pool_distance + 1;
    const int num_cells = sizes.num_layers + 2;
    for (int c = 0; c < num_cells; ++c) {
        const bool reduction = c == first_reduction || c == second_reduction;
        if (reduction) f *= 2;
        const Cell& cell = reduction ? arch.reduction() : arch.normal();
        Feature in0 = prev_prev, in1 = prev;
        if (reduction && !final_mode) {  // search: FR(prev), then a stride-1 cell on (prev, FR(prev))
            n += detail::factorized_reduction(prev.channels, f);
            in0 = prev;
            in1 = Feature{f, (prev.size + 1) / 2};
        }
        // Calibration of both inputs to F channels at input 1's resolution.
        if (in0.size != in1.size)
            n += detail::factorized_reduction(in0.channels, f);
        else if (in0.channels != f)
            n += detail::conv_bn(in0.channels, f);
        if (in1.channels != f) n += detail::conv_bn(in1.channels, f);
        if (final_mode) n += detail::conv_bn(f, f);  // layer_base on input 1
        const bool strided = reduction && final_mode;
        for (const MicroNode& node : cell.nodes()) {
            for (const auto& [input, op] : {std::pair{node.input1, node.op1}, std::pair{node.input2, node.op2}}) {
                if (op == MicroOp::sep3 || op == MicroOp::sep5) {
                    const std::int64_t k = op == MicroOp::sep3 ? 3 : 5;
                    n += 2 * detail::separable_conv_bn(k, f, f);
                } else if (op == MicroOp::identity && strided && input < 2) {
                    n += detail::factorized_reduction(f, f);
                }
            }
        }
        const std::vector<int> loose = cell.loose_ends();
        const auto n_loose = static_cast<std::int64_t>(loose.size());
        Feature out{f, strided ? (in1.size + 1) / 2 : in1.size};
        if (final_mode) {
            for (int i : loose)
                if (strided && i < 2) n += detail::factorized_reduction(f, f);
            out.channels = n_loose * f;
        } else {
            n += n_loose * f * f + 2 * f;  // 1x1 conv over the loose ends + BN
        }
        if (sizes.include_aux_head && c == second_reduction + 1) {
            check(out.size >= 5, "the aux head needs a feature map of at least 5x5, got ", out.size, "x", out.size);
            const std::int64_t pooled = (out.size - 5) / 3 + 1;
            n += detail::conv_bn(out.channels, 128) + pooled * pooled * 128 * 768 + 2 * 768 + 768 * sizes.num_classes;
        }
        prev_prev = final_mode ? prev : in1;
        prev = out;
    }
    return n + prev.channels * sizes.num_classes;
}

/// Trainable parameters of the fixed recurrent cell plus the tied embedding/softmax.
inline std::int64_t count_parameters(const RnnArch& arch, const RnnChildSizes& sizes) {
    detail::check_positive("hidden", sizes.hidden);
    detail::check_positive("vocab", sizes.vocab);
    const std::int64_t h = sizes.hidden;
    const std::int64_t later_nodes = arch.num_nodes() - 1;
    return static_cast<std::int64_t>(sizes.vocab) * h + (2 * h) * (2 * h) + later_nodes * h * 2 * h;
}

}  // namespace enas::search
