// The macro-space CNN child (reference §3): a stem, L layers that each apply
// one of six ops to the previous layer and add skip connections from earlier
// ones, factorized reductions of every list entry at the pool layers, then
// global average pooling, dropout and a bias-free classifier.
//
// Search mode is the shared-weight supernet: every (layer, op) owns its
// weights, a forward pass computes only the sampled branch, skips are summed
// and batch-normalised, the width stays F. Final mode holds only one
// architecture's weights: pre-activation ops, concatenated skips -> ReLU -> 1x1
// conv -> BN, and the width doubles at each pool layer.
#pragma once
#include <string>
#include <vector>

#include "enas/child/child_model.hpp"
#include "enas/ops/dropout.hpp"
#include "enas/ops/matmul.hpp"
#include "enas/ops/reduce.hpp"
#include "enas/search/macro_arch.hpp"
#include "enas/search/param_count.hpp"

namespace enas::child {

/// The sizes (mode, filters, image channels, classes, final_separable) come
/// from search::MacroChildSizes, the one place of their defaults;
/// count_parameters takes this config.
struct MacroChildConfig : search::MacroChildSizes {
    int num_layers = 12;
    double keep_prob = 0.9;  ///< dropout before the classifier, training only
    /// Search mode: run the last branch (max pool) whatever op was sampled, as
    /// the released TF code does through late-binding lambdas (quirk §9 #1). Off:
    /// the sampled op runs.
    bool authors_last_branch = false;
    /// Search mode: evaluate (rewards, valid and test) with batch statistics
    /// instead of the BN running averages, which the authors use (reference §3.4)
    /// but which are shared by every sampled architecture; TDV's PyTorch port
    /// evaluates with batch statistics.
    bool search_eval_batch_statistics = false;
    /// Depthwise weights' He fan-in k * k * C as the authors' Keras he_normal
    /// (default k * k, PyTorch's convention; nn/init.hpp DepthwiseFanIn).
    bool authors_depthwise_init = false;
    /// Batch norms' running variance: Unbiased (default) applies Bessel's
    /// correction M / (M - 1) before the moving average, as the authors'
    /// tf.nn.fused_batch_norm; Biased divides by M.
    RunningVarianceUpdate running_variance = RunningVarianceUpdate::Unbiased;

    /// `cifar10_macro_search.sh`: L = 12, F = 36, keep 0.9.
    static MacroChildConfig search_script() { return {}; }
    /// `cifar10_macro_final.sh`: L = 24, F = 96, keep 0.5, final mode.
    static MacroChildConfig final_script() {
        MacroChildConfig c;
        c.mode = search::ChildMode::final;
        c.num_layers = 24;
        c.filters = 96;
        c.keep_prob = 0.5;
        return c;
    }
};

template <Device D>
class MacroChild {
public:
    /// Search mode: the supernet for `config.num_layers` layers. Final mode: the
    /// network of `final_arch` (required then, and its layer count must match).
    /// Weights are initialised from `seed` when `finalize` is called by the
    /// caller-visible constructor.
    MacroChild(Context<D>& ctx, const MacroChildConfig& config, std::uint64_t seed,
               const search::MacroArch* final_arch = nullptr)
        : config_(config) {
        check<ValueError>(config.num_layers >= 1, "macro child: num_layers must be >= 1, got ", config.num_layers);
        check<ValueError>(config.filters >= 2 && config.filters % 2 == 0,
                          "macro child: filters must be even and >= 2 "
                          "(factorized reductions split them in two), got ",
                          config.filters);
        check<ValueError>(config.keep_prob > 0 && config.keep_prob <= 1,
                          "macro child: keep_prob must be in (0, 1], got ", config.keep_prob);
        if (final_mode()) {
            check<ValueError>(final_arch != nullptr, "macro child: final mode needs an architecture");
            check<ValueError>(final_arch->num_layers() == config.num_layers, "macro child: the architecture has ",
                              final_arch->num_layers(), " layers but the model was configured for ", config.num_layers);
            final_arch_ = *final_arch;
        }
        build();
        arena_.finalize(ctx, seed);
    }

    /// Logits [N, classes] of `arch` on images [N, C, H, W].
    ChildOutput<D> forward(nn::ForwardPass<D>& f, const Var<float, D>& images, const search::MacroArch& arch) {
        f.variance_update = config_.running_variance;
        check<ValueError>(arch.num_layers() == config_.num_layers, "macro child: architecture with ", arch.num_layers(),
                          " layers given to a ", config_.num_layers, "-layer model");
        check<ShapeError>(images.value().rank() == 4 && images.shape()[1] == config_.image_channels,
                          "macro child: images must be [N, ", config_.image_channels, ", H, W], got ",
                          images.shape().str());
        if (final_mode())
            check<ValueError>(arch == final_arch_, "macro child: a final-mode model runs only its own architecture");
        std::vector<Var<float, D>> entries{nn::conv_bn(f, images, stem_)};
        f.record_shape("stem", entries[0]);
        const std::vector<int> pools = arch.pool_layers();
        std::size_t pool_index = 0;
        for (int l = 0; l < config_.num_layers; ++l) {
            const search::MacroLayer& layer = arch.layer(l);
            Var<float, D> out = final_mode() ? final_layer(f, l, entries, layer) : search_layer(f, l, entries, layer);
            entries.push_back(out);
            f.record_shape("layer_" + std::to_string(l), out);
            if (pool_index < pools.size() && pools[pool_index] == l) {
                for (std::size_t e = 0; e < entries.size(); ++e)
                    entries[e] = nn::factorized_reduction(f, entries[e], reductions_[pool_index][e]);
                f.record_shape("pool_at_" + std::to_string(l), entries.back());
                ++pool_index;
            }
        }
        Var<float, D> h = ops::global_avg_pool(f.tape, entries.back());
        if (f.training && config_.keep_prob < 1) h = ops::dropout(f.tape, h, config_.keep_prob);
        return {ops::linear(f.tape, h, f.param(fc_)), {}};
    }

    nn::ParameterArena<D>& arena() { return arena_; }
    const MacroChildConfig& config() const { return config_; }
    /// Macro evaluation uses the moving-average statistics and no dropout
    /// (reference §3.4), or batch statistics in search mode when
    /// search_eval_batch_statistics is set.
    EvalPolicy eval_policy() const {
        if (!final_mode() && config_.search_eval_batch_statistics) return EvalPolicy{nn::BnStats::batch, false};
        return EvalPolicy{nn::BnStats::running, false};
    }
    bool final_mode() const { return config_.mode == search::ChildMode::final; }
    nn::DepthwiseFanIn depthwise_fan() const {
        return config_.authors_depthwise_init ? nn::DepthwiseFanIn::kernel_channels : nn::DepthwiseFanIn::kernel;
    }

private:
    struct Branch {               // one (layer, op) of the search supernet
        nn::ConvBn input;         // 1x1 conv C -> F, BN, (ReLU applied in forward)
        nn::ConvBn conv;          // ops 0, 2: k x k conv F -> F, BN (eps 1e-3)
        nn::SeparableConvBn sep;  // ops 1, 3
    };
    struct FinalLayer {
        nn::ConvBn input,
            conv;  // pre-activation 1x1 then k x k (or pools after input)
        nn::SeparableConvBn sep;
        nn::ConvBn skip;  // ReLU -> 1x1 ((n_skip + 1) F -> F) -> BN, layers l > 0
    };

    static int kernel_of(search::MacroOp op) {
        return op == search::MacroOp::conv5 || op == search::MacroOp::sep5 ? 5 : 3;
    }
    static bool is_pool(search::MacroOp op) { return op == search::MacroOp::avgpool || op == search::MacroOp::maxpool; }
    static bool is_separable(search::MacroOp op) { return op == search::MacroOp::sep3 || op == search::MacroOp::sep5; }

    void build() {
        const std::int64_t f = config_.filters;
        stem_ = nn::add_conv_bn(arena_, "stem", f, config_.image_channels, 3, false);
        const std::vector<int> pools = pool_layers(config_.num_layers);
        std::int64_t width = f;
        std::size_t pool_index = 0;
        for (int l = 0; l < config_.num_layers; ++l) {
            const std::string name = "layer_" + std::to_string(l);
            if (final_mode()) {
                build_final_layer(name, l, width);
            } else {
                std::vector<Branch> branches;
                for (int op = 0; op < search::kMacroOpCount; ++op) {
                    const auto mop = static_cast<search::MacroOp>(op);
                    const std::string bname = name + "/branch_" + std::to_string(op);
                    Branch b;
                    b.input = nn::add_conv_bn(arena_, bname + "/inp_conv", width, width, 1, false);
                    if (is_separable(mop))
                        b.sep = nn::add_separable_conv_bn(arena_, bname + "/out_sep", width, width, kernel_of(mop), 1,
                                                          true, 1e-3, false, depthwise_fan());
                    else if (!is_pool(mop))
                        b.conv =
                            nn::add_conv_bn(arena_, bname + "/out_conv", width, width, kernel_of(mop), false, 1, 1e-3);
                    branches.push_back(b);
                }
                branches_.push_back(std::move(branches));
                if (l > 0)
                    skip_bn_.push_back(nn::add_batch_norm(arena_, name + "/skip/bn", width));
                else
                    skip_bn_.push_back(nn::BatchNormIds{});
            }
            if (pool_index < pools.size() && pools[pool_index] == l) {
                const std::int64_t out = final_mode() ? 2 * width : width;
                std::vector<nn::FactorizedReduction> frs;
                for (int e = 0; e <= l + 1; ++e)
                    frs.push_back(nn::add_factorized_reduction(
                        arena_, "pool_at_" + std::to_string(l) + "/from_" + std::to_string(e), out, width));
                reductions_.push_back(std::move(frs));
                width = out;
                ++pool_index;
            }
        }
        fc_ = arena_.add("fc/w", Shape{config_.num_classes, width}, nn::Init::he_normal(width));
    }

    void build_final_layer(const std::string& name, int l, std::int64_t width) {
        const search::MacroLayer& layer = final_arch_.layer(l);
        const search::MacroOp op = layer.op;
        FinalLayer fl;
        fl.input = nn::add_conv_bn(arena_, name + "/conv_1x1", width, width, 1, true);
        if (is_separable(op) && config_.final_separable == search::SeparableConvs::separable)
            fl.sep = nn::add_separable_conv_bn(arena_, name + "/sep_" + std::to_string(kernel_of(op)), width, width,
                                               kernel_of(op), 1, true, 1e-5, true, depthwise_fan());
        else if (!is_pool(op))
            fl.conv = nn::add_conv_bn(arena_, name + "/conv_" + std::to_string(kernel_of(op)), width, width,
                                      kernel_of(op), true);
        if (l > 0) fl.skip = nn::add_conv_bn(arena_, name + "/skip", width, (layer.skip_count() + 1) * width, 1, true);
        final_layers_.push_back(fl);
    }

    /// Layers after which every list entry is reduced: L/3 - 1 and 2L/3 - 1
    /// (reference §3.1; the same rule as MacroArch::pool_layers, which needs an
    /// architecture).
    static std::vector<int> pool_layers(int num_layers) {
        const int pool_distance = num_layers / 3;
        if (pool_distance == 0) return {};
        return {pool_distance - 1, 2 * pool_distance - 1};
    }

    Var<float, D> search_layer(nn::ForwardPass<D>& f, int l, const std::vector<Var<float, D>>& entries,
                               const search::MacroLayer& layer) {
        const auto op =
            config_.authors_last_branch ? static_cast<search::MacroOp>(search::kMacroOpCount - 1) : layer.op;
        const Branch& b = branches_[static_cast<std::size_t>(l)][static_cast<std::size_t>(op)];
        Var<float, D> x = ops::relu(f.tape, nn::conv_bn(f, entries.back(), b.input));
        if (is_pool(op)) {
            x = nn::pool3x3(f, x, op == search::MacroOp::avgpool);
        } else if (is_separable(op)) {
            x = ops::relu(f.tape, nn::separable_conv_bn(f, x, b.sep));
        } else {
            x = ops::relu(f.tape, nn::conv_bn(f, x, b.conv));
        }
        if (l == 0) return x;
        for (int e : layer.skip_entries()) x = ops::add(f.tape, x, entries[static_cast<std::size_t>(e)]);
        return nn::batch_norm(f, x, skip_bn_[static_cast<std::size_t>(l)]);
    }

    Var<float, D> final_layer(nn::ForwardPass<D>& f, int l, const std::vector<Var<float, D>>& entries,
                              const search::MacroLayer& layer) {
        const FinalLayer& fl = final_layers_[static_cast<std::size_t>(l)];
        Var<float, D> x = nn::conv_bn(f, entries.back(), fl.input);
        if (is_pool(layer.op)) {
            x = nn::pool3x3(f, x, layer.op == search::MacroOp::avgpool);
        } else if (is_separable(layer.op) && config_.final_separable == search::SeparableConvs::separable) {
            x = nn::separable_conv_bn(f, x, fl.sep);
        } else {
            x = nn::conv_bn(f, x, fl.conv);
        }
        if (l == 0) return x;
        std::vector<Var<float, D>> parts;
        for (int e : layer.skip_entries()) parts.push_back(entries[static_cast<std::size_t>(e)]);
        parts.push_back(x);
        return nn::conv_bn(f, ops::concat(f.tape, parts), fl.skip);
    }

    MacroChildConfig config_;
    search::MacroArch final_arch_{std::vector<search::MacroLayer>(1)};
    nn::ParameterArena<D> arena_;
    nn::ConvBn stem_;
    std::vector<std::vector<Branch>> branches_;
    std::vector<nn::BatchNormIds> skip_bn_;
    std::vector<FinalLayer> final_layers_;
    std::vector<std::vector<nn::FactorizedReduction>> reductions_;
    nn::ParamId fc_ = -1;
};

}  // namespace enas::child
