// Launchers of the batchnorm family (include/enas/backend/cuda/batchnorm.hpp): per-channel sums
// (split over blocks when a channel has many values), per-channel terms, one elementwise pass.
#include <algorithm>

#include "enas/backend/cuda/batchnorm.hpp"
#include "kernels/batchnorm.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {

constexpr unsigned int kBlock = kernels::kBatchNormThreads;
/// Splits of a channel's values aim at this many blocks in all, each split at least kMinSplit values.
constexpr std::int64_t kTargetBlocks = 256;
constexpr std::int64_t kMinSplit = 1024;

kernels::ChannelLayout layout_of(const Tensor<float, Cuda>& x) {
    const std::int64_t n = x.dim(0), c = x.dim(1);
    return {n, c, n * c == 0 ? 0 : x.numel() / (n * c)};
}

int splits_for(const kernels::ChannelLayout& l) {
    const std::int64_t per_channel = l.n * l.s;
    const std::int64_t by_blocks = (kTargetBlocks + l.c - 1) / l.c, by_size = per_channel / kMinSplit;
    return static_cast<int>(std::clamp<std::int64_t>(std::min(by_blocks, by_size), 1, 1024));
}

/// Scratch for the partial sums [C, splits, 2] and the five affine terms [C] each.
struct Workspace {
    Tensor<float, Cuda> buffer;
    float* partial;
    kernels::ChannelAffine affine;

    Workspace(Context<Cuda>& ctx, std::int64_t c, int splits)
        : buffer(ctx.template empty<float>(Shape{c * (2 * splits + 5)})) {
        partial = buffer.data();
        float* t = partial + c * 2 * splits;
        affine = {t, t + c, t + 2 * c, t + 3 * c, t + 4 * c};
    }
};

/// Launches the partial sums of every channel over `splits` blocks each.
template <kernels::ChannelSums kSums>
void channel_sums(const kernels::ChannelLayout& l, int splits, const float* a, const float* b, const float* mean,
                  float* partial, cudaStream_t stream) {
    check<ValueError>(l.c <= 65535, "batch_norm: ", l.c, " channels exceed the CUDA grid (at most 65535)");
    const std::int64_t per_channel = l.n * l.s, per_split = (per_channel + splits - 1) / splits;
    launch<kernels::channel_partial_sums<kSums>>(
        dim3(static_cast<unsigned int>(splits), static_cast<unsigned int>(l.c)), kBlock, 0, stream, l, per_split, a, b,
        mean, partial);
}

/// channel_affine's grid: blocks over a plane, channels, images (each clamped to CUDA's limits).
dim3 affine_grid(const kernels::ChannelLayout& l) {
    const auto clamp = [](std::int64_t v, std::int64_t hi) {
        return static_cast<unsigned int>(std::clamp<std::int64_t>(v, 1, hi));
    };
    return dim3(clamp((l.s + kBlock - 1) / kBlock, 64), clamp(l.c, 65535), clamp(l.n, 65535));
}

const float* data_or_null(const Tensor<float, Cuda>& t) { return t.defined() ? t.data() : nullptr; }
float* data_or_null(Tensor<float, Cuda>& t) { return t.defined() ? t.data() : nullptr; }

}  // namespace

void batch_norm_forward(Context<Cuda>& ctx, const BatchNormParams& p, const Tensor<float, Cuda>& x,
                        const Tensor<float, Cuda>& gamma, const Tensor<float, Cuda>& beta,
                        Tensor<float, Cuda>& running_mean, Tensor<float, Cuda>& running_var, Tensor<float, Cuda>& y,
                        Tensor<float, Cuda>& saved_mean, Tensor<float, Cuda>& saved_inv_std) {
    const kernels::ChannelLayout l = layout_of(x);
    if (l.c == 0) return;
    const std::int64_t per_channel = l.n * l.s;
    const bool use_batch = uses_batch_statistics(p.mode);
    // Checked before any launch: the statistics kernel shifts by x[c, 0], which an empty batch lacks.
    check<ShapeError>(!use_batch || per_channel > 0, "batch_norm: batch statistics of ", x.shape(),
                      " are undefined: no values per channel (N = 0 or an empty plane)");
    const double m = static_cast<double>(per_channel);
    const double var_scale = p.variance_update == RunningVarianceUpdate::Unbiased && m > 1 ? m / (m - 1) : 1.0;
    const int splits = use_batch ? splits_for(l) : 1;
    const cudaStream_t stream = stream_of(ctx);
    Workspace ws(ctx, l.c, splits);
    if (use_batch)
        channel_sums<kernels::ChannelSums::ShiftedMoments>(l, splits, x.data(), nullptr, nullptr, ws.partial, stream);
    float* rm = p.mode == BatchNormMode::TrainNoRunningUpdate ? nullptr : data_or_null(running_mean);
    float* rv = p.mode == BatchNormMode::TrainNoRunningUpdate ? nullptr : data_or_null(running_var);
    if (p.mode == BatchNormMode::Train || p.mode == BatchNormMode::Eval)
        check<StateError>(rm && rv, "batch_norm: mode ", batch_norm_mode_name(p.mode), " needs running statistics");
    launch<kernels::batch_norm_statistics>(grid_stride_blocks(l.c, kBlock), kBlock, 0, stream, l.c, per_channel, splits,
                                           x.data(), l.s, ws.partial, use_batch, p.decay, var_scale, p.epsilon,
                                           data_or_null(gamma), data_or_null(beta), rm, rv, saved_mean.data(),
                                           saved_inv_std.data(), ws.affine);
    const std::int64_t count = x.numel();
    if (count == 0) return;
    launch<kernels::channel_affine<false>>(affine_grid(l), kBlock, 0, stream, l, x.data(),
                                           static_cast<const float*>(nullptr), ws.affine, y.data());
}

void batch_norm_backward(Context<Cuda>& ctx, BatchNormMode mode, const Tensor<float, Cuda>& x,
                         const Tensor<float, Cuda>& gamma, const Tensor<float, Cuda>& saved_mean,
                         const Tensor<float, Cuda>& saved_inv_std, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx, Tensor<float, Cuda>& ggamma, Tensor<float, Cuda>& gbeta) {
    const kernels::ChannelLayout l = layout_of(x);
    if (l.c == 0) return;
    const bool use_batch = uses_batch_statistics(mode);
    const bool have_sums = use_batch || ggamma.defined() || gbeta.defined();
    const int splits = have_sums ? splits_for(l) : 1;
    const cudaStream_t stream = stream_of(ctx);
    Workspace ws(ctx, l.c, splits);
    if (have_sums)
        channel_sums<kernels::ChannelSums::GradientMoments>(l, splits, x.data(), gy.data(), saved_mean.data(),
                                                            ws.partial, stream);
    launch<kernels::batch_norm_gradient_terms>(grid_stride_blocks(l.c, kBlock), kBlock, 0, stream, l.c, l.n * l.s,
                                               splits, ws.partial, have_sums, use_batch, data_or_null(gamma),
                                               saved_mean.data(), saved_inv_std.data(), data_or_null(ggamma),
                                               data_or_null(gbeta), ws.affine);
    if (!gx.defined() || x.numel() == 0) return;
    launch<kernels::channel_affine<true>>(affine_grid(l), kBlock, 0, stream, l, gy.data(),
                                          use_batch ? x.data() : nullptr, ws.affine, gx.data());
}

}  // namespace enas::cuda
