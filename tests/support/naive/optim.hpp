// Naive double-precision references of the optimizer updates, written as the TensorFlow
// formulas (MomentumOptimizer with use_nesterov, AdamOptimizer) and the PyTorch Adam formula,
// one element at a time.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

namespace enas::naive {

struct OptimState {
    std::vector<double> param, m, v;  // m doubles as the momentum accumulator of SGD
};

/// TF: accum = mu * accum + g; var -= lr * g + lr * mu * accum (Nesterov) or lr * accum.
/// Weight decay (PyTorch-style) is added to g first; mu == 0 means plain gradient descent.
inline void sgd(OptimState& s, const std::vector<double>& grad, double lr, double mu, bool nesterov, double wd) {
    for (std::size_t i = 0; i < s.param.size(); ++i) {
        const double g = grad[i] + wd * s.param[i];
        if (mu == 0) {
            s.param[i] -= lr * g;
            continue;
        }
        s.m[i] = mu * s.m[i] + g;
        s.param[i] -= nesterov ? lr * g + lr * mu * s.m[i] : lr * s.m[i];
    }
}

/// Adam at step t (1-based); tf_form selects where epsilon goes.
inline void adam(OptimState& s, const std::vector<double>& grad, double lr, double b1, double b2, double eps,
                 bool tf_form, std::int64_t t, double wd = 0) {
    const double bc1 = 1 - std::pow(b1, double(t)), bc2 = 1 - std::pow(b2, double(t));
    for (std::size_t i = 0; i < s.param.size(); ++i) {
        const double g = grad[i] + wd * s.param[i];
        s.m[i] = b1 * s.m[i] + (1 - b1) * g;
        s.v[i] = b2 * s.v[i] + (1 - b2) * g * g;
        if (tf_form) {
            const double lr_t = lr * std::sqrt(bc2) / bc1;
            s.param[i] -= lr_t * s.m[i] / (std::sqrt(s.v[i]) + eps);
        } else {
            s.param[i] -= lr / bc1 * s.m[i] / (std::sqrt(s.v[i]) / std::sqrt(bc2) + eps);
        }
    }
}

}  // namespace enas::naive
