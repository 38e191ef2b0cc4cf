// The LSTM step and the additive attention of the controller's fused forward and backward passes
// (batch 1, H = 64 or 100): no threads, no allocation; backward kernels accumulate (+=). The
// matrix products are in matvec_kernels.hpp, the float activations in fast_math.hpp.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "enas/controller/fast_math.hpp"
#include "enas/controller/matvec_kernels.hpp"
#include "enas/core/config.hpp"

namespace enas::controller::kernels {

/// Floats per LSTM step kept for the backward: the activated gates i, f, o, g and tanh(c).
inline int lstm_saved_size(int hidden) { return 5 * hidden; }

/// LSTM step, no bias, gate order i, f, o, g (reference §2.1). xh = [x, h_prev] [2H], W [2H, 4H].
/// Writes `saved` [5H] = activated gates and tanh(c) (for the backward), c [H] and h [H].
template <class T>
inline void lstm_forward(const T* ENAS_RESTRICT xh, const T* ENAS_RESTRICT w, int hidden, const T* ENAS_RESTRICT c_prev,
                         T* ENAS_RESTRICT saved, T* ENAS_RESTRICT c, T* ENAS_RESTRICT h) {
    const int four_h = 4 * hidden;
    for (int j = 0; j < four_h; ++j) saved[j] = 0;
    vec_mat_acc(xh, 2 * hidden, w, four_h, saved);
    T* gi = saved;
    T* gf = saved + hidden;
    T* go = saved + 2 * hidden;
    T* gg = saved + 3 * hidden;
    T* tc = saved + 4 * hidden;
    if constexpr (std::is_same_v<T, float>) {
        for_each_chunk(hidden, [&](int j, int lanes) {
            const f32xN i = fast_sigmoid(load_partial(gi + j, lanes)), f = fast_sigmoid(load_partial(gf + j, lanes));
            const f32xN o = fast_sigmoid(load_partial(go + j, lanes)), g = fast_tanh(load_partial(gg + j, lanes));
            const f32xN cj = i * g + f * load_partial(c_prev + j, lanes);
            const f32xN t = fast_tanh(cj);
            store_partial(gi + j, i, lanes);
            store_partial(gf + j, f, lanes);
            store_partial(go + j, o, lanes);
            store_partial(gg + j, g, lanes);
            store_partial(tc + j, t, lanes);
            store_partial(c + j, cj, lanes);
            store_partial(h + j, o * t, lanes);
        });
    } else {
        for (int j = 0; j < hidden; ++j) {
            const T i = act_sigmoid(gi[j]), f = act_sigmoid(gf[j]), o = act_sigmoid(go[j]), g = act_tanh(gg[j]);
            const T cj = i * g + f * c_prev[j];
            const T t = act_tanh(cj);
            gi[j] = i;
            gf[j] = f;
            go[j] = o;
            gg[j] = g;
            tc[j] = t;
            c[j] = cj;
            h[j] = o * t;
        }
    }
}

/// Gate gradients of an LSTM step from the upstream gradients gh, gc of h and c. Writes
/// dgates [4H] (pre-activation) and accumulates dc_prev += (total dc) · f.
template <class T>
inline void lstm_backward_gates(const T* ENAS_RESTRICT saved, const T* ENAS_RESTRICT c_prev, const T* ENAS_RESTRICT gh,
                                const T* ENAS_RESTRICT gc, int hidden, T* ENAS_RESTRICT dgates,
                                T* ENAS_RESTRICT dc_prev) {
    const T* ENAS_RESTRICT gi = saved;
    const T* ENAS_RESTRICT gf = saved + hidden;
    const T* ENAS_RESTRICT go = saved + 2 * hidden;
    const T* ENAS_RESTRICT gg = saved + 3 * hidden;
    const T* ENAS_RESTRICT tc = saved + 4 * hidden;
    T* ENAS_RESTRICT di = dgates;
    T* ENAS_RESTRICT df = dgates + hidden;
    T* ENAS_RESTRICT dout = dgates + 2 * hidden;
    T* ENAS_RESTRICT dg = dgates + 3 * hidden;
#pragma omp simd
    for (int j = 0; j < hidden; ++j) {
        const T i = gi[j], f = gf[j], o = go[j], g = gg[j], t = tc[j];
        const T dc = gc[j] + gh[j] * o * (T(1) - t * t);
        di[j] = dc * g * i * (T(1) - i);
        df[j] = dc * c_prev[j] * f * (T(1) - f);
        dout[j] = gh[j] * t * o * (T(1) - o);
        dg[j] = dc * i * (T(1) - g * g);
        dc_prev[j] += dc * f;
    }
}

/// Additive attention scores s_j = Σ_i v[i] · tanh(keys_j[i] + q[i]) for n keys of size H.
/// Keeps t_j = tanh(keys_j + q) in t [n, H] for the backward.
template <class T>
inline void attention_forward(const T* ENAS_RESTRICT q, const T* const* keys, int n, const T* ENAS_RESTRICT v,
                              int hidden, T* ENAS_RESTRICT t, T* ENAS_RESTRICT s) {
    for (int j = 0; j < n; ++j) {
        const T* ENAS_RESTRICT k = keys[j];
        T* ENAS_RESTRICT tj = t + static_cast<std::int64_t>(j) * hidden;
        if constexpr (std::is_same_v<T, float>) {
            for_each_chunk(hidden, [&](int i, int lanes) {
                store_partial(tj + i, fast_tanh(load_partial(k + i, lanes) + load_partial(q + i, lanes)), lanes);
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
