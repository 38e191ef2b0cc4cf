// The micro-space CNN child (reference §4): a stem (3x3 conv to 3F + BN),
// num_layers normal cells and 2 reduction cells (at num_layers/3 and
// 2*num_layers/3 + 1), an optional auxiliary head after the second reduction,
// then ReLU -> global average pool -> dropout -> classifier.
//
// Search mode: shared weight banks (micro_cells.hpp); a reduction cell is
// FR(previous output, 2F) followed by a stride-1 cell on [previous output, its
// reduction] (quirk §9 #9, as in the code). Final mode: one architecture's
// weights, real stride-2 reduction cells, drop-path.
#pragma once
#include <string>
#include <vector>

#include "enas/child/child_model.hpp"
#include "enas/child/micro_cells.hpp"
#include "enas/ops/matmul.hpp"
#include "enas/ops/reduce.hpp"
#include "enas/search/param_count.hpp"

namespace enas::child {

/// The sizes (mode, num_layers, filters, image channels and size, classes,
/// aux_head) come from search::MicroChildSizes, the one place of their
/// defaults; count_parameters takes this config.
struct MicroChildConfig : search::MicroChildSizes {
    int num_nodes = 5;                 ///< B
    double keep_prob = 0.9;            ///< dropout before the classifier
    double aux_weight = 0.4;           ///< total loss = CE + aux_weight * CE(aux)
    bool train_aux_head = true;        ///< false: the authors' frozen head (quirk §9 #7)
    double drop_path_keep_prob = 0.6;  ///< final mode only; 1 disables drop-path
    bool authors_bank_init = false;    ///< search banks' fan-in = number of inputs (quirk §9 #10)
    /// Search mode: evaluate like the authors (batch statistics and dropout on
    /// reward, valid and test passes, quirk §9 #8); false: running statistics and
    /// no dropout where possible.
    bool authors_search_eval = true;
    /// Depthwise weights' He fan-in k * k * C as the authors' Keras he_normal
    /// (default k * k, PyTorch's convention; nn/init.hpp DepthwiseFanIn). The
    /// bank init (authors_bank_init) wins.
    bool authors_depthwise_init = false;
    /// Batch norms' running variance: Unbiased (default) applies Bessel's
    /// correction M / (M - 1) before the moving average, as the authors'
    /// tf.nn.fused_batch_norm; Biased divides by M.
    RunningVarianceUpdate running_variance = RunningVarianceUpdate::Unbiased;

    /// `cifar10_micro_search.sh`: 6 layers, B = 5, F = 20, keep 0.9, aux head.
    static MicroChildConfig search_script() { return {}; }
    /// `cifar10_micro_final.sh`: 15 layers, F = 36, keep 0.8, drop-path 0.6, aux
    /// head.
    static MicroChildConfig final_script() {
        MicroChildConfig c;
        c.mode = search::ChildMode::final;
        c.num_layers = 15;
        c.filters = 36;
        c.keep_prob = 0.8;
        return c;
    }
};

template <Device D>
class MicroChild {
public:
    MicroChild(Context<D>& ctx, const MicroChildConfig& config, std::uint64_t seed,
               const search::MicroArch* final_arch = nullptr)
        : config_(config) {
        check<ValueError>(config.num_layers >= 0 && config.num_nodes >= 1,
                          "micro child: num_layers must be >= 0 and "
                          "num_nodes >= 1, got ",
                          config.num_layers, " and ", config.num_nodes);
        check<ValueError>(config.filters >= 2 && config.filters % 2 == 0,
                          "micro child: filters must be even and >= 2, "
                          "got ",
                          config.filters);
        check<ValueError>(config.keep_prob > 0 && config.keep_prob <= 1 && config.drop_path_keep_prob > 0 &&
                              config.drop_path_keep_prob <= 1,
                          "micro child: keep_prob and drop_path_keep_prob must be "
                          "in (0, 1], got ",
                          config.keep_prob, " and ", config.drop_path_keep_prob);
        if (final_mode()) {
            check<ValueError>(final_arch != nullptr, "micro child: final mode needs an architecture");
            check<ValueError>(final_arch->num_nodes() == config.num_nodes, "micro child: the architecture has ",
                              final_arch->num_nodes(), " nodes per cell but the model was configured for ",
                              config.num_nodes);
            final_arch_ = *final_arch;
        }
        build();
        arena_.finalize(ctx, seed);
    }

    /// Logits [N, classes] (and aux logits when training with the aux head) of
    /// `arch`.
    ChildOutput<D> forward(nn::ForwardPass<D>& f, const Var<float, D>& images, const search::MicroArch& arch) {
        f.variance_update = config_.running_variance;
        check<ValueError>(arch.num_nodes() == config_.num_nodes, "micro child: architecture with ", arch.num_nodes(),
                          " nodes per cell given to a model with ", config_.num_nodes);
        check<ShapeError>(images.value().rank() == 4 && images.shape()[1] == config_.image_channels &&
                              images.shape()[2] == config_.image_size && images.shape()[3] == config_.image_size,
                          "micro child: images must be [N, ", config_.image_channels, ", ", config_.image_size, ", ",
                          config_.image_size, "], got ", images.shape().str());
        if (final_mode())
            check<ValueError>(arch == final_arch_, "micro child: a final-mode model runs only its own architecture");
        ChildOutput<D> out;
        Var<float, D> x = nn::conv_bn(f, images, stem_);
        f.record_shape("stem", x);
        Var<float, D> prev = x;
        for (int c = 0; c < num_cells(); ++c) {
            const bool reduction = is_reduction(c);
            const search::Cell& arc = arch.cell(reduction ? search::CellKind::reduction : search::CellKind::normal);
            if (final_mode()) {
                const double keep =
                    f.training ? micro::drop_path_keep(config_.drop_path_keep_prob, c, num_cells(), progress_) : 1.0;
                Var<float, D> y = micro::fixed_cell(f, fixed_[static_cast<std::size_t>(c)], arc, prev, x, keep);
                prev = x;
                x = y;
            } else if (reduction) {
                Var<float, D> reduced = nn::factorized_reduction(f, x, search_reductions_[static_cast<std::size_t>(c)]);
                Var<float, D> y = micro::search_cell(f, search_[static_cast<std::size_t>(c)], arc, x, reduced);
                prev = reduced;
                x = y;
            } else {
                Var<float, D> y = micro::search_cell(f, search_[static_cast<std::size_t>(c)], arc, prev, x);
                prev = x;
                x = y;
            }
            f.record_shape("cell_" + std::to_string(c), x);
            if (config_.aux_head && f.training && c == aux_cell()) {
                out.aux_logits = aux_forward(f, x);
                out.aux_weight = config_.aux_weight;
            }
        }
        Var<float, D> h = ops::global_avg_pool(f.tape, ops::relu(f.tape, x));
        if (f.training && config_.keep_prob < 1) h = ops::dropout(f.tape, h, config_.keep_prob);
        out.logits = ops::linear(f.tape, h, f.param(fc_));
        return out;
    }

    /// Training progress for the drop-path schedule: min(1, (step + 1) /
    /// total_steps).
    void set_progress(std::int64_t step, std::int64_t total_steps) {
        progress_ = total_steps <= 0 ? 1.0 : std::min(1.0, static_cast<double>(step + 1) / total_steps);
    }

    nn::ParameterArena<D>& arena() { return arena_; }
    const MicroChildConfig& config() const { return config_; }
    EvalPolicy eval_policy() const {
        if (!final_mode() && config_.authors_search_eval) return EvalPolicy{nn::BnStats::batch, true};
        return EvalPolicy{nn::BnStats::running, false};
    }
    bool final_mode() const { return config_.mode == search::ChildMode::final; }
    nn::DepthwiseFanIn depthwise_fan() const {
        return config_.authors_depthwise_init ? nn::DepthwiseFanIn::kernel_channels : nn::DepthwiseFanIn::kernel;
    }
    int num_cells() const { return config_.num_layers + 2; }
    bool is_reduction(int cell) const {
        const int d = config_.num_layers / 3;
        return cell == d || cell == 2 * d + 1;
    }
    int aux_cell() const { return 2 * (config_.num_layers / 3) + 2; }

private:
    void build() {
        const std::int64_t f0 = config_.filters;
        stem_ = nn::add_conv_bn(arena_, "stem", 3 * f0, config_.image_channels, 3, false);
        micro::Feature prev{3 * f0, 0}, cur{3 * f0, 0};
        std::int64_t f = f0;
        search_.resize(static_cast<std::size_t>(num_cells()));
        search_reductions_.resize(static_cast<std::size_t>(num_cells()));
        fixed_.resize(static_cast<std::size_t>(num_cells()));
        for (int c = 0; c < num_cells(); ++c) {
            const std::string name = "cell_" + std::to_string(c);
            const bool reduction = is_reduction(c);
            if (reduction) f *= 2;
            micro::Feature out;
            if (final_mode()) {
                const search::Cell& arc =
                    final_arch_.cell(reduction ? search::CellKind::reduction : search::CellKind::normal);
                fixed_[static_cast<std::size_t>(c)] =
                    micro::add_fixed_cell(arena_, name, prev, cur, f, arc, reduction ? 2 : 1, depthwise_fan());
                out = {fixed_[static_cast<std::size_t>(c)].out_channels, cur.level + (reduction ? 1 : 0)};
            } else if (reduction) {
                search_reductions_[static_cast<std::size_t>(c)] =
                    nn::add_factorized_reduction(arena_, name + "/reduce", f, cur.channels);
                const micro::Feature reduced{f, cur.level + 1};
                search_[static_cast<std::size_t>(c)] = micro::add_search_cell(
                    arena_, name, cur, reduced, f, config_.num_nodes, config_.authors_bank_init, depthwise_fan());
                cur = reduced;
                out = {f, reduced.level};
            } else {
                search_[static_cast<std::size_t>(c)] = micro::add_search_cell(
                    arena_, name, prev, cur, f, config_.num_nodes, config_.authors_bank_init, depthwise_fan());
                out = {f, cur.level};
            }
            prev = cur;
            cur = out;
            if (config_.aux_head && c == aux_cell()) build_aux_head(out);
        }
        fc_ = arena_.add("fc/w", Shape{config_.num_classes, cur.channels}, nn::Init::he_normal(cur.channels));
    }

    static std::int64_t halved(std::int64_t size, int times) {
        for (int i = 0; i < times; ++i) size = (size + 1) / 2;
        return size;
    }

    void build_aux_head(micro::Feature in) {
        const std::int64_t size = halved(config_.image_size, in.level);
        check<ValueError>(size >= 5,
                          "micro child: the aux head needs at least 5x5 features "
                          "after the second "
                          "reduction, got ",
                          size, "x", size, " (image size ", config_.image_size, "); disable it with aux_head = false");
        aux_size_ = (size - 5) / 3 + 1;
        const bool t = config_.train_aux_head;
        aux_proj_ = nn::add_conv_bn(arena_, "aux_head/proj", 128, in.channels, 1, false, 1, 1e-5, t);
        aux_conv_ = nn::add_conv_bn(arena_, "aux_head/avg_pool", 768, 128, aux_size_, false, 1, 1e-5, t);
        aux_fc_ = arena_.add("aux_head/fc/w", Shape{config_.num_classes, 768}, nn::Init::he_normal(768), t);
    }

    Var<float, D> aux_forward(nn::ForwardPass<D>& f, const Var<float, D>& x) {
        Var<float, D> a = ops::avg_pool2d(f.tape, ops::relu(f.tape, x), Pool2dParams{5, 5, 3, 3, Padding::Valid});
        a = ops::relu(f.tape, nn::conv_bn(f, a, aux_proj_));
        a = ops::relu(f.tape, nn::conv_bn(f, a, aux_conv_));
        return ops::linear(f.tape, ops::global_avg_pool(f.tape, a), f.param(aux_fc_));
    }

    MicroChildConfig config_;
    search::MicroArch final_arch_ = search::MicroArch::from_tokens(std::vector<int>(8, 0), 1);
    nn::ParameterArena<D> arena_;
    nn::ConvBn stem_;
    std::vector<micro::SearchCell> search_;
    std::vector<nn::FactorizedReduction> search_reductions_;
    std::vector<micro::FixedCell> fixed_;
    nn::ConvBn aux_proj_, aux_conv_;
    nn::ParamId aux_fc_ = -1, fc_ = -1;
    std::int64_t aux_size_ = 0;
    double progress_ = 1.0;
};

}  // namespace enas::child
