// Building blocks of the CNN child models, on top of the ops and a
// ParameterArena: registration helpers (`add_*`, called while a model lays out
// its weights) and the matching forward functions (called with a ForwardPass,
// which carries the tape, the arena and the train/eval mode). Weight layouts:
// conv [C_out, C_in, k, k], depthwise [C, 1, k, k], linear [out, in]; no biases
// anywhere (as in the authors' code).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "enas/autograd/tape.hpp"
#include "enas/nn/parameter_arena.hpp"
#include "enas/ops/batchnorm.hpp"
#include "enas/ops/conv.hpp"
#include "enas/ops/copy.hpp"
#include "enas/ops/depthwise_conv.hpp"
#include "enas/ops/elementwise.hpp"
#include "enas/ops/pool.hpp"

namespace enas::nn {

/// Which statistics the batch norms with running statistics use in this pass.
enum class BnStats {
    batch_and_update,  ///< training: batch statistics, running averages updated
                       ///< (decay 0.9)
    batch,             ///< batch statistics, running averages left alone
    running,           ///< evaluation: the running averages
};

/// One forward pass: where the ops are recorded and which weights they read.
template <Device D>
struct ForwardPass {
    Tape<D>& tape;
    ParameterArena<D>& arena;
    bool training = true;  ///< dropout / drop-path active
    BnStats bn = BnStats::batch_and_update;
    /// When set, the models append (name, shape) of each stem / layer / cell
    /// output (for tests and for inspecting a network).
    std::vector<std::pair<std::string, Shape>>* shapes = nullptr;
    /// How training passes fold the batch variance into the running one. The
    /// child models set it from their config at the start of forward (default
    /// there: Unbiased, the authors' tf.nn.fused_batch_norm, M / (M - 1)); Biased
    /// divides by M (tf.nn.moments).
    RunningVarianceUpdate variance_update = RunningVarianceUpdate::Biased;

    const Var<float, D>& param(ParamId id) { return arena.use(id); }
    void record_shape(const std::string& name, const Var<float, D>& x) {
        if (shapes) shapes->emplace_back(name, x.shape());
    }
};

/// The parameters of one batch norm over C channels.
struct BatchNormIds {
    ParamId gamma = -1, beta = -1;
    ParamId mean = -1,
            var = -1;  ///< running statistics; -1 for a batch-statistics-only BN
    double epsilon = 1e-5;
};

template <Device D>
BatchNormIds add_batch_norm(ParameterArena<D>& arena, const std::string& name, std::int64_t channels,
                            double epsilon = 1e-5, bool running_statistics = true, bool trainable = true) {
    BatchNormIds ids;
    ids.gamma = arena.add(name + "/gamma", Shape{channels}, Init::ones(), trainable);
    ids.beta = arena.add(name + "/beta", Shape{channels}, Init::zeros(), trainable);
    if (running_statistics) {
        ids.mean = arena.add_state(name + "/moving_mean", Shape{channels}, 0.0f);
        ids.var = arena.add_state(name + "/moving_variance", Shape{channels}, 1.0f);
    }
    ids.epsilon = epsilon;
    return ids;
}

/// Batch norm with the pass's statistics mode (batch statistics always when the
/// BN keeps none).
template <Device D>
Var<float, D> batch_norm(ForwardPass<D>& f, const Var<float, D>& x, const BatchNormIds& ids) {
    BatchNormParams p;
    p.epsilon = ids.epsilon;
    p.decay = 0.9;
    if (ids.mean < 0) {
        p.mode = BatchNormMode::TrainNoRunningUpdate;
        return ops::batch_norm(f.tape, x, f.param(ids.gamma), f.param(ids.beta), p);
    }
    p.mode = f.bn == BnStats::running ? BatchNormMode::Eval
             : f.bn == BnStats::batch ? BatchNormMode::TrainNoRunningUpdate
                                      : BatchNormMode::Train;
    // One value per channel (a 1x1 map of a batch of one) has no unbiased
    // variance: keep M there.
    if (x.value().numel() > x.shape()[1]) p.variance_update = f.variance_update;
    return ops::batch_norm(f.tape, x, f.param(ids.gamma), f.param(ids.beta), f.arena.state(ids.mean),
                           f.arena.state(ids.var), p);
}

/// A k x k conv weight [c_out, c_in, k, k], He-initialised with the conv's
/// fan-in.
template <Device D>
ParamId add_conv(ParameterArena<D>& arena, const std::string& name, std::int64_t c_out, std::int64_t c_in,
                 std::int64_t k, bool trainable = true) {
    return arena.add(name, Shape{c_out, c_in, k, k}, Init::he_normal(c_in * k * k), trainable);
}

/// A conv followed by a batch norm (optionally preceded by a ReLU).
struct ConvBn {
    ParamId w = -1;
    BatchNormIds bn;
    int stride = 1;
    bool relu_first = false;
};

template <Device D>
ConvBn add_conv_bn(ParameterArena<D>& arena, const std::string& name, std::int64_t c_out, std::int64_t c_in,
                   std::int64_t k, bool relu_first, int stride = 1, double epsilon = 1e-5, bool trainable = true) {
    return ConvBn{add_conv(arena, name + "/w", c_out, c_in, k, trainable),
                  add_batch_norm(arena, name + "/bn", c_out, epsilon, true, trainable), stride, relu_first};
}

template <Device D>
Var<float, D> conv_bn(ForwardPass<D>& f, Var<float, D> x, const ConvBn& b) {
    if (b.relu_first) x = ops::relu(f.tape, x);
    Conv2dParams p;
    p.stride_h = p.stride_w = b.stride;
    return batch_norm(f, ops::conv2d(f.tape, x, f.param(b.w), p), b.bn);
}

/// [ReLU ->] depthwise k x k (multiplier 1, optional stride) -> pointwise 1x1
/// c_in -> c_out -> BN. The depthwise weight's He fan-in follows `fan`
/// (nn/init.hpp: k * k by default, the authors' k * k * C).
struct SeparableConvBn {
    ParamId depthwise = -1, pointwise = -1;
    BatchNormIds bn;
    int stride = 1;
    bool relu_first = true;  ///< false where the input is already rectified (macro search)
};

template <Device D>
SeparableConvBn add_separable_conv_bn(ParameterArena<D>& arena, const std::string& name, std::int64_t c_out,
                                      std::int64_t c_in, std::int64_t k, int stride = 1,
                                      bool bn_running_statistics = true, double epsilon = 1e-5, bool relu_first = true,
                                      DepthwiseFanIn fan = DepthwiseFanIn::kernel) {
    SeparableConvBn s;
    s.relu_first = relu_first;
    s.depthwise = arena.add(name + "/w_depth", Shape{c_in, 1, k, k}, depthwise_he_normal(k, c_in, fan));
    s.pointwise = add_conv(arena, name + "/w_point", c_out, c_in, 1);
    s.bn = add_batch_norm(arena, name + "/bn", c_out, epsilon, bn_running_statistics);
    s.stride = stride;
    return s;
}

template <Device D>
Var<float, D> separable_conv_bn(ForwardPass<D>& f, const Var<float, D>& x, const SeparableConvBn& s) {
    Conv2dParams p;
    p.stride_h = p.stride_w = s.stride;
    Var<float, D> y = ops::depthwise_conv2d(f.tape, s.relu_first ? ops::relu(f.tape, x) : x, f.param(s.depthwise), p);
    y = ops::conv2d(f.tape, y, f.param(s.pointwise), Conv2dParams{});
    return batch_norm(f, y, s.bn);
}

/// Factorized reduction (reference §3.1): two stride-2 paths (even pixels;
/// pixels shifted by one), each a 1x1 conv to c_out / 2, concatenated on
/// channels, then BN. No ReLU inside.
struct FactorizedReduction {
    ParamId w1 = -1, w2 = -1;
    BatchNormIds bn;
};

template <Device D>
FactorizedReduction add_factorized_reduction(ParameterArena<D>& arena, const std::string& name, std::int64_t c_out,
                                             std::int64_t c_in) {
    check<ValueError>(c_out % 2 == 0, "factorized reduction '", name, "' needs an even number of output channels, got ",
                      c_out);
    return FactorizedReduction{add_conv(arena, name + "/path1/w", c_out / 2, c_in, 1),
                               add_conv(arena, name + "/path2/w", c_out / 2, c_in, 1),
                               add_batch_norm(arena, name + "/bn", c_out)};
}

template <Device D>
Var<float, D> factorized_reduction(ForwardPass<D>& f, const Var<float, D>& x, const FactorizedReduction& r) {
    Var<float, D> p1 = ops::conv2d(f.tape, ops::shifted_subsample(f.tape, x, 0, 2), f.param(r.w1), Conv2dParams{});
    Var<float, D> p2 = ops::conv2d(f.tape, ops::shifted_subsample(f.tape, x, 1, 2), f.param(r.w2), Conv2dParams{});
    return batch_norm(f, ops::concat(f.tape, {p1, p2}), r.bn);
}

/// 3x3 average or max pooling with TF SAME padding (padding excluded from
/// averages).
template <Device D>
Var<float, D> pool3x3(ForwardPass<D>& f, const Var<float, D>& x, bool average, int stride = 1) {
    const Pool2dParams p{3, 3, stride, stride, Padding::Same};
    return average ? ops::avg_pool2d(f.tape, x, p) : ops::max_pool2d(f.tape, x, p);
}

}  // namespace enas::nn
