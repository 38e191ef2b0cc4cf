// Kernels of the batchnorm family over the channels of x viewed as [N, C, S] (S = H * W, or 1).
// Per-channel sums take two passes: channel_partial_sums, a grid of (split, channel) blocks, each
// summing its slice of the channel's N * S values with warp shuffles and a block reduction; then
// one thread per channel adds the splits in order (in double), derives the statistics or the
// gradient coefficients and writes them for a grid-stride elementwise pass. No atomics: the
// results do not depend on scheduling.
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

inline constexpr int kBatchNormThreads = 256;

/// x viewed as [n, c, s].
struct ChannelLayout {
    std::int64_t n, c, s;
};

/// What channel_partial_sums adds up: the shifted moments of the forward, sum(a - K) and
/// sum((a - K)^2) with K = a[n = 0, ch, s = 0] (shifting by a value of the channel keeps the
/// variance from cancelling), or the backward's sum(b) and sum(b * (a - mean[ch])).
enum class ChannelSums { ShiftedMoments, GradientMoments };

/// partial[(ch * splits + split) * 2 + {0, 1}] = the two sums over the values q in
/// [split * per_split, (split + 1) * per_split) of channel ch (q = n * s + i). Block (split, ch).
template <ChannelSums kSums>
__global__ void __launch_bounds__(kBatchNormThreads)
    channel_partial_sums(ChannelLayout l, std::int64_t per_split, const float* __restrict__ a,
                         const float* __restrict__ b, const float* __restrict__ mean, float* __restrict__ partial) {
    ENAS_SHARED(float, scratch, 32);
    const std::int64_t ch = blockIdx.y, split = blockIdx.x, splits = gridDim.x;
    const std::int64_t begin = split * per_split, end = min(begin + per_split, l.n * l.s);
    const float center = kSums == ChannelSums::ShiftedMoments ? __ldg(a + ch * l.s) : __ldg(mean + ch);
    float first = 0.0f, second = 0.0f;
    // q = img * s + i, advanced by blockDim.x without dividing per element.
    const std::int64_t q0 = begin + threadIdx.x, plane = l.s > 0 ? l.s : 1;  // no values when s = 0
    std::int64_t img = q0 / plane, i = q0 - img * plane;
    const std::int64_t step_img = blockDim.x / plane, step_i = blockDim.x - step_img * plane;
    for (std::int64_t q = q0; q < end; q += blockDim.x) {
        const std::int64_t at = (img * l.c + ch) * l.s + i;
        img += step_img;
        i += step_i;
        if (i >= l.s) {
            i -= l.s;
            ++img;
        }
        const float d = __ldg(a + at) - center;
        if constexpr (kSums == ChannelSums::ShiftedMoments) {
            first += d;
            second = fmaf(d, d, second);
        } else {
            const float g = __ldg(b + at);
            first += g;
            second = fmaf(g, d, second);
        }
    }
    first = block_reduce_sum(first, scratch);
    second = block_reduce_sum(second, scratch);
    if (threadIdx.x == 0) {
        partial[(ch * splits + split) * 2] = first;
        partial[(ch * splits + split) * 2 + 1] = second;
    }
}

/// The splits of channel ch added in order, in double.
__device__ __forceinline__ void add_splits(const float* partial, std::int64_t ch, int splits, double& first,
                                           double& second) {
    first = 0.0;
    second = 0.0;
    for (int k = 0; k < splits; ++k) {
        first += static_cast<double>(partial[(ch * splits + k) * 2]);
        second += static_cast<double>(partial[(ch * splits + k) * 2 + 1]);
    }
}

/// The per-channel terms of an elementwise pass out (+)= (a - center_a) * scale_a + (b - center_b) * scale_b + offset.
struct ChannelAffine {
    float* center_a;
    float* scale_a;
    float* center_b;
    float* scale_b;
    float* offset;
};

/// Forward statistics, one thread per channel. Batch statistics (use_batch): mean and biased
/// variance from the partial sums, and with running_mean non-null the running update
/// running = decay * running + (1 - decay) * stat (variance times var_scale); else the running
/// statistics. Writes saved_mean, saved_inv_std and the affine y = (x - mean) * gamma * inv_std + beta.
__global__ void batch_norm_statistics(std::int64_t channels, std::int64_t per_channel, int splits,
                                      const float* __restrict__ x, std::int64_t plane,
                                      const float* __restrict__ partial, bool use_batch, double decay, double var_scale,
                                      double epsilon, const float* __restrict__ gamma, const float* __restrict__ beta,
                                      float* __restrict__ running_mean, float* __restrict__ running_var,
                                      float* __restrict__ saved_mean, float* __restrict__ saved_inv_std,
                                      ChannelAffine f) {
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t ch = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; ch < channels;
         ch += stride) {
        double mean, var;
        if (use_batch) {
            double s1, s2;
            add_splits(partial, ch, splits, s1, s2);
            const double m = static_cast<double>(per_channel), d = s1 / m;
            mean = static_cast<double>(x[ch * plane]) + d;
            var = fmax(s2 / m - d * d, 0.0);
            if (running_mean) {
                running_mean[ch] =
                    static_cast<float>(decay * static_cast<double>(running_mean[ch]) + (1 - decay) * mean);
                running_var[ch] =
                    static_cast<float>(decay * static_cast<double>(running_var[ch]) + (1 - decay) * var * var_scale);
            }
        } else {
            mean = static_cast<double>(running_mean[ch]);
            var = static_cast<double>(running_var[ch]);
        }
        const double inv_std = 1.0 / sqrt(var + epsilon);
        const double k = (gamma ? static_cast<double>(gamma[ch]) : 1.0) * inv_std;
        saved_mean[ch] = static_cast<float>(mean);
        saved_inv_std[ch] = static_cast<float>(inv_std);
        f.center_a[ch] = static_cast<float>(mean);
        f.scale_a[ch] = static_cast<float>(k);
        f.center_b[ch] = 0.0f;
        f.scale_b[ch] = 0.0f;
        f.offset[ch] = beta ? beta[ch] : 0.0f;
    }
}

/// Backward coefficients, one thread per channel, from sum(gy) and sum(gy * (x - mean)) (when
/// have_sums): gbeta += sum(gy), ggamma += sum(gy * (x - mean)) * inv_std (each when non-null),
/// and gx += k * gy - b * (x - mean) - a with k = gamma * inv_std and, through the batch
/// statistics only (use_batch), a = k * mean(gy), b = k * inv_std^2 * mean(gy * (x - mean)).
__global__ void batch_norm_gradient_terms(std::int64_t channels, std::int64_t per_channel, int splits,
                                          const float* __restrict__ partial, bool have_sums, bool use_batch,
                                          const float* __restrict__ gamma, const float* __restrict__ saved_mean,
                                          const float* __restrict__ saved_inv_std, float* __restrict__ ggamma,
                                          float* __restrict__ gbeta, ChannelAffine f) {
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t ch = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; ch < channels;
         ch += stride) {
        double sum_gy = 0.0, sum_gy_xc = 0.0;
        if (have_sums) add_splits(partial, ch, splits, sum_gy, sum_gy_xc);
        const double inv_std = static_cast<double>(saved_inv_std[ch]), m = static_cast<double>(per_channel);
        if (gbeta) gbeta[ch] += static_cast<float>(sum_gy);
        if (ggamma) ggamma[ch] += static_cast<float>(sum_gy_xc * inv_std);
        const double k = (gamma ? static_cast<double>(gamma[ch]) : 1.0) * inv_std;
        const double a = use_batch ? k * sum_gy / m : 0.0;
        const double b = use_batch ? k * sum_gy_xc * inv_std * inv_std / m : 0.0;
        f.center_a[ch] = 0.0f;  // gy is not centred
        f.scale_a[ch] = static_cast<float>(k);
        f.center_b[ch] = saved_mean[ch];
        f.scale_b[ch] = static_cast<float>(-b);
        f.offset[ch] = static_cast<float>(-a);
    }
}

/// out (+= when kAccumulate) (a - center_a) * scale_a + (b - center_b) * scale_b + offset per
/// channel; b may be null (its term dropped).
/// Grid (x: blocks over one channel's plane, y: channels (looped past 65535), z: images (looped)),
/// so no element divides its index.
template <bool kAccumulate>
__global__ void channel_affine(ChannelLayout l, const float* __restrict__ a, const float* __restrict__ b,
                               ChannelAffine f, float* __restrict__ out) {
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t ch = blockIdx.y; ch < l.c; ch += gridDim.y) {
        const float ca = __ldg(f.center_a + ch), sa = __ldg(f.scale_a + ch), off = __ldg(f.offset + ch);
        const float cb = b ? __ldg(f.center_b + ch) : 0.0f, sb = b ? __ldg(f.scale_b + ch) : 0.0f;
        for (std::int64_t img = blockIdx.z; img < l.n; img += gridDim.z) {
            const std::int64_t base = (img * l.c + ch) * l.s;
            for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < l.s;
                 i += stride) {
                const std::int64_t e = base + i;
                float v = (__ldg(a + e) - ca) * sa;
                if (b) v += (__ldg(b + e) - cb) * sb;
                v += off;
                out[e] = kAccumulate ? out[e] + v : v;
            }
        }
    }
}

}  // namespace enas::cuda::kernels
