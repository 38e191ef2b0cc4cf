// CPU kernels of the embedding family: row lookup in a table [V, D] by int32 ids, and the dense
// scatter-add backward into the table's gradient. Ids are validated by the op (in [0, V)).
// Tensors are contiguous; the backward accumulates (+=).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {

/// y[i, :] = table[ids[i], :] for each of the n ids (any shape, read flat); y is [n..., D].
template <class T>
void embedding_forward(Context<Cpu>&, const Tensor<T, Cpu>& table, const Tensor<std::int32_t, Cpu>& ids,
                       Tensor<T, Cpu>& y) {
    const std::int64_t n = ids.numel(), d = table.dim(1);
    const T* pt = table.data();
    const std::int32_t* pi = ids.data();
    T* py = y.data();
    parallel_for(n, std::max<std::int64_t>(1, kParallelGrain / d), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i)
            std::memcpy(py + i * d, pt + static_cast<std::int64_t>(pi[i]) * d, static_cast<std::size_t>(d) * sizeof(T));
    });
}

/// gtable[ids[i], :] += gy[i, :] for every i (repeated ids add up). Threads split the D columns,
/// so no two write the same entry and the sum order per entry is fixed (deterministic).
template <class T>
void embedding_backward(Context<Cpu>&, const Tensor<std::int32_t, Cpu>& ids, const Tensor<T, Cpu>& gy,
                        Tensor<T, Cpu>& gtable) {
    const std::int64_t n = ids.numel(), d = gtable.dim(1);
    const std::int32_t* pi = ids.data();
    const T* pg = gy.data();
    T* pt = gtable.data();
    parallel_for(d, std::max<std::int64_t>(1, kParallelGrain / n), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = 0; i < n; ++i) {
            const T* ENAS_RESTRICT src = pg + i * d;
            T* ENAS_RESTRICT dst = pt + static_cast<std::int64_t>(pi[i]) * d;
#pragma omp simd
            for (std::int64_t j = b; j < e; ++j) dst[j] += src[j];
        }
    });
}

}  // namespace enas::cpu
