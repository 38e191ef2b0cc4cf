// The additive attention of the controller's fused forward and backward passes (batch 1, H = 64
// or 100): no threads, no allocation; backward kernels accumulate (+=). The LSTM step is the lstm
// family's batch-1 step (backend/cpu/lstm.hpp), the matrix products are backend/cpu/matvec.hpp,
// the float activations backend/cpu/vec_math.hpp.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "enas/backend/cpu/vec_math.hpp"
#include "enas/core/config.hpp"

namespace enas::controller::kernels {

/// Additive attention scores s_j = Σ_i v[i] · tanh(keys_j[i] + q[i]) for n keys of size H.
/// Keeps t_j = tanh(keys_j + q) in t [n, H] for the backward.
template <class T>
inline void attention_forward(const T* ENAS_RESTRICT q, const T* const* keys, int n, const T* ENAS_RESTRICT v,
                              int hidden, T* ENAS_RESTRICT t, T* ENAS_RESTRICT s) {
    for (int j = 0; j < n; ++j) {
        const T* ENAS_RESTRICT k = keys[j];
        T* ENAS_RESTRICT tj = t + static_cast<std::int64_t>(j) * hidden;
        if constexpr (std::is_same_v<T, float>) {
            cpu::for_each_chunk(hidden, [&](int i, int lanes) {
                cpu::store_partial(
                    tj + i, cpu::lane_tanh(cpu::load_partial(k + i, lanes) + cpu::load_partial(q + i, lanes)), lanes);
            });
        } else {
            for (int i = 0; i < hidden; ++i) tj[i] = std::tanh(k[i] + q[i]);
        }
        T acc = 0;
#pragma omp simd reduction(+ : acc)
        for (int i = 0; i < hidden; ++i) acc += v[i] * tj[i];
        s[j] = acc;
    }
}

/// Backward of attention_forward for score gradients ds [n]: accumulates into dq, dkeys_j, dv.
template <class T>
inline void attention_backward(const T* ENAS_RESTRICT t, const T* ENAS_RESTRICT ds, int n, const T* ENAS_RESTRICT v,
                               int hidden, T* ENAS_RESTRICT dq, T* const* dkeys, T* ENAS_RESTRICT dv) {
    for (int j = 0; j < n; ++j) {
        const T d = ds[j];
        if (d == T(0)) continue;
        const T* ENAS_RESTRICT tj = t + static_cast<std::int64_t>(j) * hidden;
        T* ENAS_RESTRICT dk = dkeys[j];
        for (int i = 0; i < hidden; ++i) {
            const T pre = d * v[i] * (T(1) - tj[i] * tj[i]);
            dk[i] += pre;
            dq[i] += pre;
            dv[i] += d * tj[i];
        }
    }
}

}  // namespace enas::controller::kernels
