// Naive double-precision references for the softmax family (rows of the last dimension).
#pragma once
#include <cmath>
#include <cstdint>

#include "enas/core/tensor.hpp"

namespace enas::naive {

/// log(sum(exp(row))) computed with the row maximum subtracted.
inline double logsumexp(const double* row, std::int64_t k) {
    double m = row[0];
    for (std::int64_t j = 1; j < k; ++j) m = std::max(m, row[j]);
    double s = 0;
    for (std::int64_t j = 0; j < k; ++j) s += std::exp(row[j] - m);
    return m + std::log(s);
}

/// softmax (log_space = false) or log_softmax (true) of every row of the last dimension.
template <class T>
Tensor<double, Cpu> softmax(const Tensor<T, Cpu>& x, bool log_space) {
    Tensor<double, Cpu> xd(x.shape()), y(x.shape());
    for (std::int64_t i = 0; i < x.numel(); ++i) xd.data()[i] = x.data()[i];
    const std::int64_t k = x.dim(-1);
    for (std::int64_t r = 0; r < x.numel() / k; ++r) {
        const double lse = logsumexp(xd.data() + r * k, k);
        for (std::int64_t j = 0; j < k; ++j) {
            const double ls = xd.data()[r * k + j] - lse;
            y.data()[r * k + j] = log_space ? ls : std::exp(ls);
        }
    }
    return y;
}

/// base + the gradient of softmax / log_softmax given the forward input x and upstream gy.
template <class T>
Tensor<double, Cpu> softmax_grad(const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& gy, bool log_space, double base) {
    const Tensor<double, Cpu> p = softmax(x, false);
    Tensor<double, Cpu> gx(x.shape());
    const std::int64_t k = x.dim(-1);
    for (std::int64_t r = 0; r < x.numel() / k; ++r) {
        const double* pr = p.data() + r * k;
        const T* gr = gy.data() + r * k;
        for (std::int64_t i = 0; i < k; ++i) {
            double g = 0;  // sum_j gy[j] * d y[j] / d x[i]
            for (std::int64_t j = 0; j < k; ++j) {
                const double delta = i == j ? 1.0 : 0.0;
                g += log_space ? gr[j] * (delta - pr[i]) : gr[j] * pr[j] * (delta - pr[i]);
            }
            gx.data()[r * k + i] = base + g;
        }
    }
    return gx;
}

/// Mean over rows of logsumexp(x[n]) - x[n, label[n]].
template <class T>
double cross_entropy(const Tensor<T, Cpu>& x, const Tensor<std::int32_t, Cpu>& labels) {
    const Tensor<double, Cpu> ls = softmax(x, true);
    const std::int64_t n = x.dim(0), k = x.dim(1);
    double total = 0;
    for (std::int64_t r = 0; r < n; ++r) total -= ls.data()[r * k + labels.data()[r]];
    return total / static_cast<double>(n);
}

/// base + upstream * (softmax(x) - onehot(labels)) / N.
template <class T>
Tensor<double, Cpu> cross_entropy_grad(const Tensor<T, Cpu>& x, const Tensor<std::int32_t, Cpu>& labels,
                                       double upstream, double base) {
    Tensor<double, Cpu> g = softmax(x, false);
    const std::int64_t n = x.dim(0), k = x.dim(1);
    for (std::int64_t r = 0; r < n; ++r)
        for (std::int64_t j = 0; j < k; ++j) {
            double& v = g.data()[r * k + j];
            v = base + upstream * (v - (j == labels.data()[r] ? 1.0 : 0.0)) / static_cast<double>(n);
        }
    return g;
}

}  // namespace enas::naive
