// The math of one controller decision (reference §2.1): logit shaping (÷ temperature, then
// C·tanh), an optional constant added after the shaping (the micro normal cell's ±0.25 bias, the
// recurrent controllers' distance penalty), the softmax, the log-probability and entropy terms,
// and their backward. Skip bits (macro) are two-way softmaxes over [−s̃, +s̃] with the KL penalty.
#pragma once
#include <algorithm>
#include <cmath>

namespace enas::controller::kernels {

/// Logit shaping: shaped = C · tanh(z / T) when C > 0, else z / T (inv_temperature = 1 / T, or 1).
template <class T>
struct Shaping {
    T inv_temperature = T(1);
    T tanh_constant = T(0);

    /// Shaped value of z; stores in `u` what the backward needs (tanh(z / T), or z / T).
    T apply(T z, T& u) const {
        const T a = z * inv_temperature;
        if (tanh_constant > T(0)) {
            u = std::tanh(a);
            return tanh_constant * u;
        }
        u = a;
        return a;
    }
    /// d shaped / d z given the stored u.
    T derivative(T u) const {
        return tanh_constant > T(0) ? tanh_constant * (T(1) - u * u) * inv_temperature : inv_temperature;
    }
};

/// log(1 + e^x) without overflow.
inline double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

/// Forward of a categorical decision over n logits z: u [n] (for the backward) and the
/// probabilities p [n] of the shaped logits (+ additive, may be null). Returns log Σ exp(shaped)
/// so that log p_k = shaped_k − lse; `shaped` [n] receives the shaped logits.
template <class T>
inline double categorical_forward(const T* z, int n, const Shaping<T>& shaping, const T* additive, T* u, T* shaped,
                                  T* p) {
    T top = -INFINITY;
    for (int k = 0; k < n; ++k) {
        T s = shaping.apply(z[k], u[k]);
        if (additive) s += additive[k];
        shaped[k] = s;
        top = std::max(top, s);
    }
    double sum = 0;
    for (int k = 0; k < n; ++k) sum += std::exp(static_cast<double>(shaped[k] - top));
    const double lse = static_cast<double>(top) + std::log(sum);
    for (int k = 0; k < n; ++k) p[k] = static_cast<T>(std::exp(static_cast<double>(shaped[k]) - lse));
    return lse;
}

/// Backward of coef · log p_a: accumulates d z into dz.
template <class T>
inline void categorical_backward(const T* u, const T* p, int n, int chosen, T coef, const Shaping<T>& shaping, T* dz) {
    for (int k = 0; k < n; ++k) {
        const T d_shaped = coef * ((k == chosen ? T(1) : T(0)) - p[k]);
        dz[k] += d_shaped * shaping.derivative(u[k]);
    }
}

/// One skip bit from its shaped attention score st: the two-way logits are [−st, +st], so
/// P(1) = σ(2 st); the KL term uses q = σ(st) (reference §2.2, quirk 11).
struct SkipBitTerms {
    double p1;       ///< P(bit = 1) = σ(2 st)
    double log_p1;   ///< log σ(2 st)
    double log_p0;   ///< log σ(−2 st)
    double kl;       ///< Σ_k q_k log(q_k / t_k) with q = [1 − σ(st), σ(st)], t = [1 − ρ, ρ]
    double dkl_dst;  ///< d kl / d st
};

inline SkipBitTerms skip_bit_terms(double st, double rho) {
    SkipBitTerms r{};
    r.log_p1 = -softplus(-2 * st);
    r.log_p0 = -softplus(2 * st);
    r.p1 = std::exp(r.log_p1);
    const double log_q1 = -softplus(-st), log_q0 = -softplus(st);
    const double q1 = std::exp(log_q1), q0 = std::exp(log_q0);
    const double l1 = log_q1 - std::log(rho), l0 = log_q0 - std::log(1 - rho);
    r.kl = q1 * l1 + q0 * l0;
    // dq1/dst = q1 q0 = −dq0/dst; the "+1" terms of d(q log q) cancel between the two entries.
    r.dkl_dst = q1 * q0 * (l1 - l0);
    return r;
}

}  // namespace enas::controller::kernels
