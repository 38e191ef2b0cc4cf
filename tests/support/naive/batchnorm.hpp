// Naive double-precision references for the batchnorm family. The backward sums the explicit
// Jacobian dy_j / dx_i = gamma * inv_std * (delta_ij - 1/M - xhat_i * xhat_j / M) over each
// channel's M values (O(M^2): keep test channels small), instead of the closed form the kernel uses.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "enas/backend/cpu/batchnorm.hpp"

namespace enas::naive {

struct BatchNormResult {
    Tensor<double, Cpu> y, running_mean, running_var;
    std::vector<double> mean, inv_std;  ///< the statistics used for normalizing
};

/// Flat indices of channel c's values in x [N, C, ...].
inline std::vector<std::int64_t> channel_indices(const Shape& s, std::int64_t c) {
    const std::int64_t n = s[0], channels = s[1], per = s.numel() / (n * channels);
    std::vector<std::int64_t> idx;
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t k = 0; k < per; ++k) idx.push_back((i * channels + c) * per + k);
    return idx;
}

inline double value_or(const Tensor<double, Cpu>& t, std::int64_t i, double fallback) {
    return t.defined() ? t.data()[i] : fallback;
}

/// Forward per BatchNormParams; running stats are copied in and returned updated (Train only).
inline BatchNormResult batch_norm(const Tensor<double, Cpu>& x, const Tensor<double, Cpu>& gamma,
                                  const Tensor<double, Cpu>& beta, const Tensor<double, Cpu>& running_mean,
                                  const Tensor<double, Cpu>& running_var, const BatchNormParams& p) {
    const std::int64_t C = x.dim(1);
    BatchNormResult r{Tensor<double, Cpu>(x.shape()), running_mean.clone(), running_var.clone(), {}, {}};
    for (std::int64_t c = 0; c < C; ++c) {
        const auto idx = channel_indices(x.shape(), c);
        const double m = double(idx.size());
        double mean = 0, var = 0;
        if (p.mode == BatchNormMode::Eval) {
            mean = running_mean.data()[c];
            var = running_var.data()[c];
        } else {
            for (auto i : idx) mean += x.data()[i];
            mean /= m;
            for (auto i : idx) var += (x.data()[i] - mean) * (x.data()[i] - mean);
            var /= m;
            if (p.mode == BatchNormMode::Train) {
                const double update_var =
                    p.variance_update == RunningVarianceUpdate::Unbiased ? var * m / (m - 1) : var;
                r.running_mean.data()[c] = p.decay * running_mean.data()[c] + (1 - p.decay) * mean;
                r.running_var.data()[c] = p.decay * running_var.data()[c] + (1 - p.decay) * update_var;
            }
        }
        const double inv_std = 1 / std::sqrt(var + p.epsilon);
        for (auto i : idx)
            r.y.data()[i] = (x.data()[i] - mean) * inv_std * value_or(gamma, c, 1.0) + value_or(beta, c, 0.0);
        r.mean.push_back(mean);
        r.inv_std.push_back(inv_std);
    }
    return r;
}

struct BatchNormGrads {
    Tensor<double, Cpu> gx, ggamma, gbeta;
};

/// Gradients (plus the given initial values) of sum(gy * y) for the forward above.
inline BatchNormGrads batch_norm_backward(const Tensor<double, Cpu>& x, const Tensor<double, Cpu>& gamma,
                                          const BatchNormResult& fwd, const BatchNormParams& p,
                                          const Tensor<double, Cpu>& gy, double gx_init, double ggamma_init,
                                          double gbeta_init) {
    const std::int64_t C = x.dim(1);
    BatchNormGrads g{Tensor<double, Cpu>::full(x.shape(), gx_init), Tensor<double, Cpu>::full({C}, ggamma_init),
                     Tensor<double, Cpu>::full({C}, gbeta_init)};
    const bool batch_stats = p.mode != BatchNormMode::Eval;
    for (std::int64_t c = 0; c < C; ++c) {
        const auto idx = channel_indices(x.shape(), c);
        const double m = double(idx.size()), mean = fwd.mean[std::size_t(c)], inv_std = fwd.inv_std[std::size_t(c)];
        const double k = value_or(gamma, c, 1.0) * inv_std;
        std::vector<double> xhat;
        for (auto i : idx) xhat.push_back((x.data()[i] - mean) * inv_std);
        for (std::size_t a = 0; a < idx.size(); ++a) {
            g.ggamma.data()[c] += gy.data()[idx[a]] * xhat[a];
            g.gbeta.data()[c] += gy.data()[idx[a]];
            double gx = 0;
            for (std::size_t b = 0; b < idx.size(); ++b) {
                const double jac =
                    batch_stats ? k * ((a == b ? 1.0 : 0.0) - 1 / m - xhat[a] * xhat[b] / m) : (a == b ? k : 0.0);
                gx += gy.data()[idx[b]] * jac;
            }
            g.gx.data()[idx[a]] += gx;
        }
    }
    return g;
}

}  // namespace enas::naive
