// Parameter initialisers. The authors' code initialises every conv and FC weight with TF1's
// Keras `he_normal`: a normal truncated at two standard deviations, with the standard deviation
// corrected for the truncation so that the variance is 2 / fan_in (reference §7.1). Depthwise
// weights are the one place where the fan-in conventions differ (DepthwiseFanIn below).
#pragma once
#include <cmath>
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/core/random.hpp"

namespace enas::nn {

struct Init {
    enum class Kind { he_normal, constant, uniform };
    Kind kind = Kind::constant;
    double a = 0;  ///< he_normal: fan_in; constant: the value; uniform: the bound (U[-a, a])

    /// Truncated normal with variance 2 / fan_in (Keras he_normal).
    static Init he_normal(std::int64_t fan_in) {
        check<ValueError>(fan_in > 0, "he_normal: fan_in must be positive, got ", fan_in);
        return Init{Kind::he_normal, static_cast<double>(fan_in)};
    }
    static Init constant(double value) { return Init{Kind::constant, value}; }
    static Init zeros() { return constant(0.0); }
    static Init ones() { return constant(1.0); }
    static Init uniform(double bound) { return Init{Kind::uniform, bound}; }
};

/// The fan-in of a depthwise k x k weight ([C, 1, k, k], multiplier 1) for He init.
///   * `kernel` (our default): k * k, PyTorch's convention (each output reads k * k inputs).
///   * `kernel_channels`: k * k * C, what the authors' Keras `he_normal` computes from the TF
///     depthwise kernel shape [k, k, C, 1] (fan-in = receptive field x shape[-2]); the weights'
///     standard deviation is sqrt(C) times smaller. `--authors-depthwise-init` selects it.
enum class DepthwiseFanIn { kernel, kernel_channels };

/// He init of a depthwise k x k weight over `channels` channels with the fan-in convention `fan`.
inline Init depthwise_he_normal(std::int64_t k, std::int64_t channels, DepthwiseFanIn fan = DepthwiseFanIn::kernel) {
    return Init::he_normal(fan == DepthwiseFanIn::kernel_channels ? k * k * channels : k * k);
}

/// Standard deviation of a unit normal truncated to [-2, 2].
inline constexpr double kTruncatedNormalStd = 0.87962566103423978;

/// Fills `out[0, n)` per `init` from the Philox stream (seed, stream); deterministic.
inline void fill_init(const Init& init, std::uint64_t seed, std::uint64_t stream, float* out, std::int64_t n) {
    if (init.kind == Init::Kind::constant) {
        for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(init.a);
        return;
    }
    Rng rng(seed ^ (0x9E3779B97F4A7C15ull * (stream + 1)), 0);
    if (init.kind == Init::Kind::uniform) {
        for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(init.a * (2.0 * rng.uniform() - 1.0));
        return;
    }
    const double std = std::sqrt(2.0 / init.a) / kTruncatedNormalStd;
    for (std::int64_t i = 0; i < n; ++i) {
        double z = rng.normal();
        while (std::fabs(z) > 2.0) z = rng.normal();  // resample outside two standard deviations
        out[i] = static_cast<float>(z * std);
    }
}

}  // namespace enas::nn
