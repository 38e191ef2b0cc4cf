// CPU kernels of the controller's fused LSTM cell (no bias, gate order i, f, o, g):
//   [i, f, o, g] = [x, h_prev] . W,  W [(I + H), 4H]
//   i, f, o = sigmoid(.), g = tanh(.), c = i * g + f * c_prev, h = o * tanh(c).
// The matmul is two GEMMs on the row blocks of W (no concatenated [x, h] copy); the gates are a
// fused pointwise pass. Sized for the controller (batch 1, H = 64 or 100): no allocation besides
// the backward's gate-gradient scratch (from the context) and no threads for small batches.
// Tensors are contiguous; backward kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "enas/backend/cpu/gemm.hpp"
#include "enas/backend/cpu/parallel.hpp"
#include "enas/backend/cpu/vec_math.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {

namespace detail {

template <class T>
inline T lstm_sigmoid(T a) {
    return vsigmoid(a);
}

/// Rows per parallel chunk of the pointwise passes (at least one, about kParallelGrain elements).
inline std::int64_t lstm_row_grain(std::int64_t hidden) {
    return std::max<std::int64_t>(1, kParallelGrain / (4 * hidden));
}

}  // namespace detail

/// Forward of the cell. x [B, I], h_prev [B, H], c_prev [B, H], w [(I + H), 4H]. Writes the
/// activated gates [i, f, o, g] to `gates` [B, 4H] (kept for the backward), and h, c [B, H].
template <class T>
void lstm_cell_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& h_prev,
                       const Tensor<T, Cpu>& c_prev, const Tensor<T, Cpu>& w, Tensor<T, Cpu>& gates, Tensor<T, Cpu>& h,
                       Tensor<T, Cpu>& c) {
    const std::int64_t batch = x.dim(0), in = x.dim(1), hidden = h_prev.dim(1), four_h = 4 * hidden;
    T* a = gates.data();
    gemm<T>(false, false, batch, four_h, in, T(1), x.data(), in, w.data(), four_h, T(0), a, four_h);
    gemm<T>(false, false, batch, four_h, hidden, T(1), h_prev.data(), hidden, w.data() + in * four_h, four_h, T(1), a,
            four_h);
    const T* cp = c_prev.data();
    T* ph = h.data();
    T* pc = c.data();
    parallel_for(batch, detail::lstm_row_grain(hidden), [&](std::int64_t b0, std::int64_t b1) {
        for (std::int64_t b = b0; b < b1; ++b) {
            T* ENAS_RESTRICT gi = a + b * four_h;
            T* ENAS_RESTRICT gf = gi + hidden;
            T* ENAS_RESTRICT go = gi + 2 * hidden;
            T* ENAS_RESTRICT gg = gi + 3 * hidden;
            const T* ENAS_RESTRICT cprev = cp + b * hidden;
            T* ENAS_RESTRICT hb = ph + b * hidden;
            T* ENAS_RESTRICT cb = pc + b * hidden;
            for (std::int64_t j = 0; j < hidden; ++j) {
                const T i = detail::lstm_sigmoid(gi[j]), f = detail::lstm_sigmoid(gf[j]);
                const T o = detail::lstm_sigmoid(go[j]), g = vtanh(gg[j]);
                const T cj = i * g + f * cprev[j];
                gi[j] = i;
                gf[j] = f;
                go[j] = o;
                gg[j] = g;
                cb[j] = cj;
                hb[j] = o * vtanh(cj);
            }
        }
    });
}

/// Backward of the cell. `gates` and `c` are the forward's saved gates and cell output. dh and
/// dc are the upstream gradients of h and c (either may be null: zero). Accumulates into the
/// non-null gradients dx [B, I], dh_prev [B, H], dc_prev [B, H] and dw [(I + H), 4H].
template <class T>
void lstm_cell_backward(Context<Cpu>& ctx, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& h_prev,
                        const Tensor<T, Cpu>& c_prev, const Tensor<T, Cpu>& w, const Tensor<T, Cpu>& gates,
                        const Tensor<T, Cpu>& c, const Tensor<T, Cpu>* dh, const Tensor<T, Cpu>* dc, Tensor<T, Cpu>* dx,
                        Tensor<T, Cpu>* dh_prev, Tensor<T, Cpu>* dc_prev, Tensor<T, Cpu>* dw) {
    const std::int64_t batch = x.dim(0), in = x.dim(1), hidden = h_prev.dim(1), four_h = 4 * hidden;
    if (!dh && !dc) return;
    Tensor<T, Cpu> dgates = ctx.template empty<T>(Shape{batch, four_h});
    const T* a = gates.data();
    const T* pc = c.data();
    const T* cp = c_prev.data();
    const T* pdh = dh ? dh->data() : nullptr;
    const T* pdc = dc ? dc->data() : nullptr;
    T* pdcp = dc_prev ? dc_prev->data() : nullptr;
    T* da = dgates.data();
    parallel_for(batch, detail::lstm_row_grain(hidden), [&](std::int64_t b0, std::int64_t b1) {
        for (std::int64_t b = b0; b < b1; ++b) {
            const T* ENAS_RESTRICT gi = a + b * four_h;
            const T* ENAS_RESTRICT cb = pc + b * hidden;
            const T* ENAS_RESTRICT cprev = cp + b * hidden;
            T* ENAS_RESTRICT di = da + b * four_h;
            for (std::int64_t j = 0; j < hidden; ++j) {
                const T i = gi[j], f = gi[hidden + j], o = gi[2 * hidden + j], g = gi[3 * hidden + j];
                const T tc = vtanh(cb[j]);
                const T gh = pdh ? pdh[b * hidden + j] : T(0);
                const T gc = (pdc ? pdc[b * hidden + j] : T(0)) + gh * o * (T(1) - tc * tc);
                di[j] = gc * g * i * (T(1) - i);
                di[hidden + j] = gc * cprev[j] * f * (T(1) - f);
                di[2 * hidden + j] = gh * tc * o * (T(1) - o);
                di[3 * hidden + j] = gc * i * (T(1) - g * g);
                if (pdcp) pdcp[b * hidden + j] += gc * f;
            }
        }
    });
    const T* w_x = w.data();                // rows [0, I) of W
    const T* w_h = w.data() + in * four_h;  // rows [I, I + H)
    if (dw) {
        gemm<T>(true, false, in, four_h, batch, T(1), x.data(), in, da, four_h, T(1), dw->data(), four_h);
        gemm<T>(true, false, hidden, four_h, batch, T(1), h_prev.data(), hidden, da, four_h, T(1),
                dw->data() + in * four_h, four_h);
    }
    if (dx) gemm<T>(false, true, batch, in, four_h, T(1), da, four_h, w_x, four_h, T(1), dx->data(), in);
    if (dh_prev)
        gemm<T>(false, true, batch, hidden, four_h, T(1), da, four_h, w_h, four_h, T(1), dh_prev->data(), hidden);
}

}  // namespace enas::cpu
