// Naive double-precision references for the embedding family.
#pragma once
#include <cstdint>

#include "enas/core/tensor.hpp"

namespace enas::naive {

/// Rows of table [V, D] picked by ids (any shape S) -> [S..., D].
template <class T>
Tensor<double, Cpu> embedding(const Tensor<T, Cpu>& table, const Tensor<std::int32_t, Cpu>& ids) {
    const std::int64_t d = table.dim(1);
    Shape s = ids.shape();
    s.push_back(d);
    Tensor<double, Cpu> y(s);
    for (std::int64_t i = 0; i < ids.numel(); ++i)
        for (std::int64_t j = 0; j < d; ++j) y.data()[i * d + j] = table.data()[ids.data()[i] * d + j];
    return y;
}

/// base + the gradient of sum(gy * embedding(table, ids)) with respect to table [v, d].
template <class T>
Tensor<double, Cpu> embedding_grad(const Tensor<std::int32_t, Cpu>& ids, const Tensor<T, Cpu>& gy, std::int64_t v,
                                   std::int64_t d, double base) {
    Tensor<double, Cpu> g = Tensor<double, Cpu>::full({v, d}, base);
    for (std::int64_t row = 0; row < v; ++row)
        for (std::int64_t i = 0; i < ids.numel(); ++i)
            if (ids.data()[i] == row)
                for (std::int64_t j = 0; j < d; ++j) g.data()[row * d + j] += gy.data()[i * d + j];
    return g;
}

}  // namespace enas::naive
