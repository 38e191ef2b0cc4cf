// CPU kernels of the batchnorm family: batch normalization over the channels (dimension 1) of
// NCHW tensors or [N, C] matrices, forward in training (batch statistics, optional running
// update) and evaluation (running statistics) modes, and the backward of both. Every pass walks
// the tensor in memory order over its N x C planes (a per-channel walk strides by C planes and
// defeats the prefetcher); per-channel sums accumulate in double over fixed blocks of rows, so
// results do not depend on the number of threads. Tensors are contiguous; backward kernels
// accumulate (+=).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "enas/backend/cpu/parallel.hpp"
#include "enas/backend/cpu/reduce.hpp"
#include "enas/core/context.hpp"

namespace enas {

/// Train: normalize with batch statistics and update the running statistics (TF is_training).
/// TrainNoRunningUpdate: batch statistics, running statistics neither read nor written (the
/// micro search's _enas_conv BN, PyTorch track_running_stats=False).
/// Eval: normalize with the running statistics (an affine map with fixed statistics).
enum class BatchNormMode { Train, TrainNoRunningUpdate, Eval };

/// How Train folds the batch variance into running_var: Biased (TF, tf.nn.moments: divide by M)
/// or Unbiased (PyTorch: divide by M - 1), with M = N * H * W values per channel.
enum class RunningVarianceUpdate { Biased, Unbiased };

inline const char* batch_norm_mode_name(BatchNormMode m) {
    switch (m) {
        case BatchNormMode::Train: return "train";
        case BatchNormMode::TrainNoRunningUpdate: return "train-no-running-update";
        case BatchNormMode::Eval: return "eval";
    }
    return "?";
}

/// running = decay * running + (1 - decay) * batch_stat (decay = 1 - PyTorch's momentum);
/// y = (x - mean) / sqrt(var + epsilon) * gamma + beta. ENAS uses epsilon 1e-5 and 1e-3.
struct BatchNormParams {
    BatchNormMode mode = BatchNormMode::Train;
    double epsilon = 1e-5;
    double decay = 0.9;
    RunningVarianceUpdate variance_update = RunningVarianceUpdate::Biased;
};

/// True when the mode normalizes with the statistics of the batch (and backpropagates through them).
inline bool uses_batch_statistics(BatchNormMode m) { return m != BatchNormMode::Eval; }

}  // namespace enas

namespace enas::cpu {

namespace batchnorm_detail {

/// x viewed as [N, C, S] (S = H * W, or 1 for a [N, C] input).
struct ChannelLayout {
    std::int64_t n, c, s;
    template <class T>
    explicit ChannelLayout(const Tensor<T, Cpu>& x)
        : n(x.dim(0)), c(x.dim(1)), s(x.numel() / std::max<std::int64_t>(x.dim(0) * x.dim(1), 1)) {}
    std::int64_t per_channel() const { return n * s; }
    /// N x C planes per parallel chunk of an elementwise pass.
    std::int64_t plane_grain() const {
        return std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(s, 1));
    }
};

/// Per-channel pairs of sums over all planes: plane_sums(plane, ch) returns the two sums of one
/// plane (plane = n * C + ch). Planes are visited in memory order in fixed blocks of rows, whose
/// partial sums are combined in block order.
template <class PlaneSums>
std::vector<std::pair<double, double>> per_channel_sums(const ChannelLayout& l, PlaneSums plane_sums) {
    const std::int64_t rows_per_block =
        std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(l.c * l.s, 1));
    const std::int64_t blocks = (l.n + rows_per_block - 1) / rows_per_block;
    std::vector<std::pair<double, double>> partial(static_cast<std::size_t>(blocks * l.c), {0.0, 0.0});
    parallel_for(blocks, 1, [&](std::int64_t bb, std::int64_t be) {
        for (std::int64_t blk = bb; blk < be; ++blk) {
            std::pair<double, double>* acc = partial.data() + blk * l.c;
            for (std::int64_t n = blk * rows_per_block, ne = std::min(l.n, n + rows_per_block); n < ne; ++n)
                for (std::int64_t ch = 0; ch < l.c; ++ch) {
                    const auto [a, b] = plane_sums(n * l.c + ch, ch);
                    acc[ch].first += a;
                    acc[ch].second += b;
                }
        }
    });
    std::vector<std::pair<double, double>> total(static_cast<std::size_t>(l.c), {0.0, 0.0});
    for (std::int64_t blk = 0; blk < blocks; ++blk)
        for (std::int64_t ch = 0; ch < l.c; ++ch) {
            total[static_cast<std::size_t>(ch)].first += partial[static_cast<std::size_t>(blk * l.c + ch)].first;
            total[static_cast<std::size_t>(ch)].second += partial[static_cast<std::size_t>(blk * l.c + ch)].second;
        }
    return total;
}

/// Mean and biased variance of every channel, from sums of shifted data: with the shift K a
/// value of the channel, sum(x - K) and sum((x - K)^2) in double lose almost nothing to
/// cancellation (|mean - K| is of the order of the standard deviation).
template <class T>
std::vector<std::pair<double, double>> channel_moments(const ChannelLayout& l, const T* x) {
    auto sums = per_channel_sums(l, [&](std::int64_t plane, std::int64_t ch) {
        const double shift = static_cast<double>(x[ch * l.s]);
        const T* ENAS_RESTRICT xp = x + plane * l.s;
        return sum2_in_double(
            l.s, [&](std::int64_t i) { return static_cast<double>(xp[i]) - shift; },
            [&](std::int64_t i) {
                const double d = static_cast<double>(xp[i]) - shift;
                return d * d;
            });
    });
    const double m = static_cast<double>(l.per_channel());
    for (std::int64_t ch = 0; ch < l.c; ++ch) {
        auto& [s1, s2] = sums[static_cast<std::size_t>(ch)];
        const double d = s1 / m;
        s1 = static_cast<double>(x[ch * l.s]) + d;  // the mean
        s2 = std::max(s2 / m - d * d, 0.0);         // the biased variance
    }
    return sums;
}

/// Per-channel coefficients of out (+)= (x - center_x) * scale_x + (z - center_z) * scale_z + offset.
template <class T>
struct ChannelAffine {
    std::vector<T> center_x, scale_x, center_z, scale_z, offset;
    explicit ChannelAffine(std::int64_t c)
        : center_x(static_cast<std::size_t>(c)), scale_x(center_x.size()), center_z(center_x.size()),
          scale_z(center_x.size()), offset(center_x.size()) {}
};

/// Applies `f` plane by plane in memory order: out = f(x) (or out += f(x, z) when kAccumulate;
/// z may be null, then its term is dropped).
template <bool kAccumulate, class T>
void affine_planes(const ChannelLayout& l, const ChannelAffine<T>& f, const T* x, const T* z, T* out) {
    parallel_for(l.n * l.c, l.plane_grain(), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t plane = b; plane < e; ++plane) {
            const auto ch = static_cast<std::size_t>(plane % l.c);
            const T cx = f.center_x[ch], kx = f.scale_x[ch], cz = f.center_z[ch], kz = f.scale_z[ch],
                    off = f.offset[ch];
            const T* ENAS_RESTRICT xr = x + plane * l.s;
            T* ENAS_RESTRICT yr = out + plane * l.s;
            if (z) {
                const T* ENAS_RESTRICT zr = z + plane * l.s;
#pragma omp simd
                for (std::int64_t i = 0; i < l.s; ++i)
                    yr[i] = (kAccumulate ? yr[i] : T(0)) + ((xr[i] - cx) * kx + (zr[i] - cz) * kz + off);
            } else {
#pragma omp simd
                for (std::int64_t i = 0; i < l.s; ++i) yr[i] = (kAccumulate ? yr[i] : T(0)) + ((xr[i] - cx) * kx + off);
            }
        }
    });
}

}  // namespace batchnorm_detail

/// y = (x - mean) * inv_std * gamma + beta per channel, and saved_mean / saved_inv_std [C] get
/// the statistics used (for the backward). gamma / beta may be undefined (1 / 0: affine=false).
/// Train and TrainNoRunningUpdate use the batch mean and biased variance; Train also updates
/// running_mean / running_var [C]. Eval uses running_mean / running_var.
/// x, y [N, C, H, W] or [N, C].
template <class T>
void batch_norm_forward(Context<Cpu>&, const BatchNormParams& p, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& gamma,
                        const Tensor<T, Cpu>& beta, Tensor<T, Cpu>& running_mean, Tensor<T, Cpu>& running_var,
                        Tensor<T, Cpu>& y, Tensor<T, Cpu>& saved_mean, Tensor<T, Cpu>& saved_inv_std) {
    const batchnorm_detail::ChannelLayout l(x);
    const double m = static_cast<double>(l.per_channel());
    const double var_scale = p.variance_update == RunningVarianceUpdate::Unbiased && m > 1 ? m / (m - 1) : 1.0;
    const std::vector<std::pair<double, double>> batch = uses_batch_statistics(p.mode)
                                                             ? batchnorm_detail::channel_moments(l, x.data())
                                                             : std::vector<std::pair<double, double>>();
    batchnorm_detail::ChannelAffine<T> f(l.c);  // y = (x - mean) * gamma * inv_std + beta
    for (std::int64_t ch = 0; ch < l.c; ++ch) {
        const auto c = static_cast<std::size_t>(ch);
        double mean, var;
        if (uses_batch_statistics(p.mode)) {
            std::tie(mean, var) = batch[c];
            if (p.mode == BatchNormMode::Train) {
                T& rm = running_mean.data()[ch];
                T& rv = running_var.data()[ch];
                rm = static_cast<T>(p.decay * static_cast<double>(rm) + (1 - p.decay) * mean);
                rv = static_cast<T>(p.decay * static_cast<double>(rv) + (1 - p.decay) * var * var_scale);
            }
        } else {
            mean = static_cast<double>(running_mean.data()[ch]);
            var = static_cast<double>(running_var.data()[ch]);
        }
        const double inv_std = 1.0 / std::sqrt(var + p.epsilon);
        const double k = (gamma.defined() ? static_cast<double>(gamma.data()[ch]) : 1.0) * inv_std;
        saved_mean.data()[ch] = static_cast<T>(mean);
        saved_inv_std.data()[ch] = static_cast<T>(inv_std);
        f.center_x[c] = static_cast<T>(mean);
        f.scale_x[c] = static_cast<T>(k);
        f.offset[c] = beta.defined() ? beta.data()[ch] : T(0);
    }
    batchnorm_detail::affine_planes<false>(l, f, x.data(), static_cast<const T*>(nullptr), y.data());
}

/// Backward of batch_norm_forward, given the statistics it saved. Accumulates into whichever of
/// gx, ggamma, gbeta [C] are defined: gbeta += sum(gy), ggamma += sum(gy * xhat) with
/// xhat = (x - mean) * inv_std; and gx += gamma * inv_std * (gy - mean(gy) - xhat * mean(gy * xhat))
/// through the batch statistics (Train, TrainNoRunningUpdate) or gx += gamma * inv_std * gy with
/// fixed statistics (Eval). gamma undefined means 1.
template <class T>
void batch_norm_backward(Context<Cpu>&, BatchNormMode mode, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& gamma,
                         const Tensor<T, Cpu>& saved_mean, const Tensor<T, Cpu>& saved_inv_std,
                         const Tensor<T, Cpu>& gy, Tensor<T, Cpu>& gx, Tensor<T, Cpu>& ggamma, Tensor<T, Cpu>& gbeta) {
    const batchnorm_detail::ChannelLayout l(x);
    const double m = static_cast<double>(l.per_channel());
    const bool batch_stats = uses_batch_statistics(mode);
    const T* px = x.data();
    const T* pgy = gy.data();
    const T* sm = saved_mean.data();
    std::vector<std::pair<double, double>> sums;  // per channel: sum(gy), sum(gy * (x - mean))
    if (batch_stats || ggamma.defined() || gbeta.defined()) {
        sums = batchnorm_detail::per_channel_sums(l, [&](std::int64_t plane, std::int64_t ch) {
            const double mean = static_cast<double>(sm[ch]);
            const T* ENAS_RESTRICT g = pgy + plane * l.s;
            const T* ENAS_RESTRICT xp = px + plane * l.s;
            return sum2_in_double(
                l.s, [&](std::int64_t i) { return static_cast<double>(g[i]); },
                [&](std::int64_t i) { return static_cast<double>(g[i]) * (static_cast<double>(xp[i]) - mean); });
        });
    }
    // gx += k * gy - b * (x - mean) - a: k = gamma * inv_std, a = k * mean(gy),
    // b = k * inv_std^2 * mean(gy * (x - mean)); a = b = 0 with fixed statistics.
    batchnorm_detail::ChannelAffine<T> f(l.c);
    for (std::int64_t ch = 0; ch < l.c; ++ch) {
        const auto c = static_cast<std::size_t>(ch);
        const double inv_std = static_cast<double>(saved_inv_std.data()[ch]), mean = static_cast<double>(sm[ch]);
        const double sum_gy = sums.empty() ? 0.0 : sums[c].first, sum_gy_xc = sums.empty() ? 0.0 : sums[c].second;
        if (gbeta.defined()) gbeta.data()[ch] += static_cast<T>(sum_gy);
        if (ggamma.defined()) ggamma.data()[ch] += static_cast<T>(sum_gy_xc * inv_std);
        const double k = (gamma.defined() ? static_cast<double>(gamma.data()[ch]) : 1.0) * inv_std;
        const double a = batch_stats ? k * sum_gy / m : 0.0;
        const double b = batch_stats ? k * sum_gy_xc * inv_std * inv_std / m : 0.0;
        f.scale_x[c] = static_cast<T>(k);  // center_x stays 0: gy is not centred
        f.center_z[c] = static_cast<T>(mean);
        f.scale_z[c] = static_cast<T>(-b);
        f.offset[c] = static_cast<T>(-a);
    }
    if (gx.defined()) batchnorm_detail::affine_planes<true>(l, f, pgy, batch_stats ? px : nullptr, gx.data());
}

}  // namespace enas::cpu
