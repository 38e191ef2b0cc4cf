// Naive double-precision references for the matmul family (triple loops).
#pragma once
#include <cstdint>

#include "enas/core/tensor.hpp"

namespace enas::naive {

namespace matmul_detail {
/// Element (i, j) of op(t): t[j, i] when transposed, t[i, j] otherwise.
template <class T>
double at(const Tensor<T, Cpu>& t, bool trans, std::int64_t i, std::int64_t j) {
    return trans ? double(t.data()[j * t.dim(1) + i]) : double(t.data()[i * t.dim(1) + j]);
}
}  // namespace matmul_detail

/// op(a) * op(b).
template <class T>
Tensor<double, Cpu> matmul(const Tensor<T, Cpu>& a, const Tensor<T, Cpu>& b, bool ta, bool tb) {
    const std::int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1), n = tb ? b.dim(0) : b.dim(1);
    Tensor<double, Cpu> y({m, n});
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (std::int64_t p = 0; p < k; ++p) s += matmul_detail::at(a, ta, i, p) * matmul_detail::at(b, tb, p, j);
            y.data()[i * n + j] = s;
        }
    return y;
}

/// base + the gradients of sum(gy * op(a) op(b)) with respect to a and b, in their stored shapes.
template <class T>
std::pair<Tensor<double, Cpu>, Tensor<double, Cpu>> matmul_grads(const Tensor<T, Cpu>& a, const Tensor<T, Cpu>& b,
                                                                 bool ta, bool tb, const Tensor<T, Cpu>& gy,
                                                                 double base) {
    const std::int64_t m = gy.dim(0), n = gy.dim(1), k = ta ? a.dim(0) : a.dim(1);
    auto ga = Tensor<double, Cpu>::full(a.shape(), base), gb = Tensor<double, Cpu>::full(b.shape(), base);
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t p = 0; p < k; ++p) {
            double s = 0;  // d / d op(a)[i, p]
            for (std::int64_t j = 0; j < n; ++j) s += double(gy.data()[i * n + j]) * matmul_detail::at(b, tb, p, j);
            ga.data()[ta ? p * m + i : i * k + p] += s;
        }
    for (std::int64_t p = 0; p < k; ++p)
        for (std::int64_t j = 0; j < n; ++j) {
            double s = 0;  // d / d op(b)[p, j]
            for (std::int64_t i = 0; i < m; ++i) s += matmul_detail::at(a, ta, i, p) * double(gy.data()[i * n + j]);
            gb.data()[tb ? j * k + p : p * n + j] += s;
        }
    return {ga, gb};
}

}  // namespace enas::naive
