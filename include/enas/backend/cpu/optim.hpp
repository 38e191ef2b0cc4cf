// CPU kernels of the optim family: fused in-place parameter updates over flat arrays (a tensor
// of any shape is treated as flat), plus the two reductions of global-norm gradient clipping.
// Every tensor is contiguous; the host computes the per-step scalar coefficients.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/context.hpp"

namespace enas {

/// SGD with (optionally Nesterov) momentum; TF's MomentumOptimizer and torch.optim.SGD (dampening
/// 0) agree:  g' = g + weight_decay * p;  v = momentum * v + g';
///            p -= lr * (g' + momentum * v)  (Nesterov)   or   p -= lr * v  (plain).
/// weight_decay is PyTorch-style. ENAS adds L2 as a loss term l2 * sum(w^2) instead, whose
/// gradient is 2 * l2 * w: pass weight_decay = 2 * l2 to reproduce it (or add it to the loss).
struct SgdParams {
    double lr = 0.05;
    double momentum = 0.9;
    bool nesterov = true;
    double weight_decay = 0.0;
};

/// Where Adam puts epsilon. The two forms differ when epsilon is not negligible, e.g. the ENAS
/// controller's beta1 = 0, epsilon = 1e-3.
enum class AdamForm {
    /// TF AdamOptimizer (the authors' code): lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t);
    /// p -= lr_t * m / (sqrt(v) + eps).
    TensorFlow,
    /// torch.optim.Adam: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    PyTorch,
};

/// Adam: g' = g + weight_decay * p (PyTorch-style L2; 0 in ENAS); m = b1 m + (1 - b1) g';
/// v = b2 v + (1 - b2) g'^2; then the update of `form`.
struct AdamParams {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    AdamForm form = AdamForm::TensorFlow;
    double weight_decay = 0.0;
};

inline const char* adam_form_name(AdamForm f) { return f == AdamForm::TensorFlow ? "tensorflow" : "pytorch"; }

}  // namespace enas

namespace enas::cpu {

namespace optim_loops {

// The loops are plain functions with restrict-qualified arguments: inside the parallel_for
// lambdas GCC reloads captured pointers through the closure and leaves the loops scalar.

template <class T>
void sgd_plain(T* ENAS_RESTRICT w, const T* ENAS_RESTRICT g, std::int64_t n, T lr, T wd) {
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) w[i] -= lr * (g[i] + wd * w[i]);
}

template <class T>
void sgd_momentum(T* ENAS_RESTRICT w, const T* ENAS_RESTRICT g, T* ENAS_RESTRICT v, std::int64_t n, T lr, T mu, T wd,
                  bool nesterov) {
    if (nesterov) {
#pragma omp simd
        for (std::int64_t i = 0; i < n; ++i) {
            const T gi = g[i] + wd * w[i];
            const T vi = mu * v[i] + gi;
            v[i] = vi;
            w[i] -= lr * (gi + mu * vi);
        }
    } else {
#pragma omp simd
        for (std::int64_t i = 0; i < n; ++i) {
            const T vi = mu * v[i] + (g[i] + wd * w[i]);
            v[i] = vi;
            w[i] -= lr * vi;
        }
    }
}

/// Per-step Adam coefficients: p -= step * m / (sqrt(v) * v_scale + eps).
template <class T>
struct AdamCoefficients {
    T b1, one_minus_b1, b2, one_minus_b2, eps, wd, step, v_scale;
};

template <class T>
void adam(T* ENAS_RESTRICT w, const T* ENAS_RESTRICT g, T* ENAS_RESTRICT m, T* ENAS_RESTRICT v, std::int64_t n,
          const AdamCoefficients<T> c) {
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) {
        const T gi = g[i] + c.wd * w[i];
        const T mi = c.b1 * m[i] + c.one_minus_b1 * gi;
        const T vi = c.b2 * v[i] + c.one_minus_b2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        // Stays scalar unless built with -fno-math-errno (sqrt's errno branch blocks if-conversion).
        w[i] -= c.step * mi / (std::sqrt(vi) * c.v_scale + c.eps);
    }
}

template <class T>
double squares(const T* ENAS_RESTRICT x, std::int64_t n) {
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    return s;
}

template <class T>
void scale(T* ENAS_RESTRICT x, std::int64_t n, T alpha) {
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) x[i] *= alpha;
}

/// Elements per partial sum of sum_of_squares: fixed chunks summed in a fixed order, so the
/// result does not depend on the thread count.
inline constexpr std::int64_t kSquaresChunk = 1 << 16;
inline constexpr std::int64_t kSquaresMaxChunks = 256;

}  // namespace optim_loops

/// One SGD step in place on param (and the momentum buffer unless p.momentum == 0, when
/// `momentum` may be null).
template <class T>
void sgd_step(Context<Cpu>&, const SgdParams& p, Tensor<T, Cpu>& param, const Tensor<T, Cpu>& grad,
              Tensor<T, Cpu>* momentum) {
    T* w = param.data();
    const T* g = grad.data();
    T* buf = momentum ? momentum->data() : nullptr;
    const T lr = static_cast<T>(p.lr), mu = static_cast<T>(p.momentum), wd = static_cast<T>(p.weight_decay);
    parallel_for(param.numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
        if (buf)
            optim_loops::sgd_momentum(w + b, g + b, buf + b, e - b, lr, mu, wd, p.nesterov);
        else
            optim_loops::sgd_plain(w + b, g + b, e - b, lr, wd);
    });
}

/// One Adam step in place on param, m and v, at step t (1-based).
template <class T>
void adam_step(Context<Cpu>&, const AdamParams& p, std::int64_t t, Tensor<T, Cpu>& param, const Tensor<T, Cpu>& grad,
               Tensor<T, Cpu>& m, Tensor<T, Cpu>& v) {
    // Both forms are p -= step * m / (sqrt(v) * v_scale + eps) with host-side coefficients.
    // 1 - beta is taken in double: in float, 1 - 0.999f is off by 1.3e-5 (relative), which shows in v.
    const double bc1 = 1.0 - std::pow(p.beta1, static_cast<double>(t));
    const double bc2 = 1.0 - std::pow(p.beta2, static_cast<double>(t));
    const bool tf = p.form == AdamForm::TensorFlow;
    optim_loops::AdamCoefficients<T> c{};
    c.b1 = static_cast<T>(p.beta1);
    c.one_minus_b1 = static_cast<T>(1.0 - p.beta1);
    c.b2 = static_cast<T>(p.beta2);
    c.one_minus_b2 = static_cast<T>(1.0 - p.beta2);
    c.eps = static_cast<T>(p.eps);
    c.wd = static_cast<T>(p.weight_decay);
    c.step = static_cast<T>(tf ? p.lr * std::sqrt(bc2) / bc1 : p.lr / bc1);
    c.v_scale = static_cast<T>(tf ? 1.0 : 1.0 / std::sqrt(bc2));
    T* w = param.data();
    const T* g = grad.data();
    T* pm = m.data();
    T* pv = v.data();
    parallel_for(param.numel(), kParallelGrain,
                 [&](std::int64_t b, std::int64_t e) { optim_loops::adam(w + b, g + b, pm + b, pv + b, e - b, c); });
}

/// *out = the sum of x[i]^2, accumulated in double (deterministic for any thread count).
template <class T>
void sum_of_squares(Context<Cpu>&, const Tensor<T, Cpu>& x, double* out) {
    const T* px = x.data();
    const std::int64_t n = x.numel();
    const std::int64_t chunk =
        std::max(optim_loops::kSquaresChunk, (n + optim_loops::kSquaresMaxChunks - 1) / optim_loops::kSquaresMaxChunks);
    const std::int64_t chunks = (n + chunk - 1) / chunk;
    double partial[optim_loops::kSquaresMaxChunks];
    parallel_for(chunks, 1, [&](std::int64_t c0, std::int64_t c1) {
        for (std::int64_t c = c0; c < c1; ++c) {
            const std::int64_t b = c * chunk;
            partial[c] = optim_loops::squares(px + b, std::min(n, b + chunk) - b);
        }
    });
    double total = 0;
    for (std::int64_t c = 0; c < chunks; ++c) total += partial[c];
    *out = total;
}

/// x *= alpha, in place.
template <class T>
void scale_in_place(Context<Cpu>&, T alpha, Tensor<T, Cpu>& x) {
    T* px = x.data();
    parallel_for(x.numel(), kParallelGrain,
                 [&](std::int64_t b, std::int64_t e) { optim_loops::scale(px + b, e - b, alpha); });
}

}  // namespace enas::cpu
