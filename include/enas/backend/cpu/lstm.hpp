// CPU kernels of the LSTM cell (no bias, gate order i, f, o, g):
//   [i, f, o, g] = [x, h_prev] . W,  W [(I + H), 4H]
//   i, f, o = sigmoid(.), g = tanh(.), c = i * g + f * c_prev, h = o * tanh(c).
// Two paths, one cell:
//  - batch 1 (`lstm_step_forward`, `lstm_step_backward_gates`): raw pointers, the products are the
//    batch-1 vector kernels of matvec.hpp and the gates one pass on explicit SIMD lanes
//    (vec_math.hpp, lane_*). The controller's unroll (controller/policy_trace.hpp) is this step,
//    and lstm_cell_forward takes it for B = 1. It is about 2x faster than the batched path at
//    B = 1, H = 64 / 100 (docs/performance.md, "The LSTM step at batch 1").
//  - batch B: two GEMMs on the row blocks of W (no concatenated [x, h] copy), then a fused
//    pointwise pass over the rows (threads for large batches).
// No allocation besides the backward's gate-gradient scratch (from the context). Tensors are
// contiguous; backward kernels accumulate (+=).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "enas/backend/cpu/gemm.hpp"
#include "enas/backend/cpu/matvec.hpp"
#include "enas/backend/cpu/parallel.hpp"
#include "enas/backend/cpu/vec_math.hpp"
#include "enas/core/config.hpp"
#include "enas/core/context.hpp"

namespace enas::cpu {

namespace detail {

template <class T>
ENAS_VEC_INLINE T lstm_sigmoid(T a) {
    return vsigmoid(a);
}

/// Rows per parallel chunk of the pointwise passes (at least one, about kParallelGrain elements).
inline std::int64_t lstm_row_grain(std::int64_t hidden) {
    return std::max<std::int64_t>(1, kParallelGrain / (4 * hidden));
}

}  // namespace detail

/// Floats a batch-1 step keeps for its backward: the activated gates i, f, o, g and tanh(c).
inline int lstm_step_saved_size(int hidden) { return 5 * hidden; }

/// Batch-1 LSTM step. x [in], h_prev [H], c_prev [H], w [(in + H), 4H]. Writes `saved` [5H]: the
/// activated gates [i, f, o, g] and then tanh(c) (the backward's inputs), and c [H], h [H]. With
/// `keep_tanh_c` false only the gates are written (saved may then be [4H]). Float gates use the
/// lane forms of vec_math.hpp; double uses the exact std functions (gradient checks).
template <class T>
inline void lstm_step_forward(const T* ENAS_RESTRICT x, int in, const T* ENAS_RESTRICT h_prev, const T* ENAS_RESTRICT w,
                              int hidden, const T* ENAS_RESTRICT c_prev, T* ENAS_RESTRICT saved, T* ENAS_RESTRICT c,
                              T* ENAS_RESTRICT h, bool keep_tanh_c = true) {
    const int four_h = 4 * hidden;
    for (int j = 0; j < four_h; ++j) saved[j] = 0;
    // One product over [x, h_prev] when the caller keeps them adjacent (the controller does), else
    // two on the row blocks of W; the sums run over the rows in the same order either way.
    if (h_prev == x + in) {
        vec_mat_acc(x, in + hidden, w, four_h, saved);
    } else {
        vec_mat_acc(x, in, w, four_h, saved);
        vec_mat_acc(h_prev, hidden, w + static_cast<std::int64_t>(in) * four_h, four_h, saved);
    }
    T* gi = saved;
    T* gf = saved + hidden;
    T* go = saved + 2 * hidden;
    T* gg = saved + 3 * hidden;
    T* tc = keep_tanh_c ? saved + 4 * hidden : nullptr;
    if constexpr (std::is_same_v<T, float>) {
        for_each_chunk(hidden, [&](int j, int lanes) {
            const f32xN i = lane_sigmoid(load_partial(gi + j, lanes)), f = lane_sigmoid(load_partial(gf + j, lanes));
            const f32xN o = lane_sigmoid(load_partial(go + j, lanes)), g = lane_tanh(load_partial(gg + j, lanes));
            const f32xN cj = i * g + f * load_partial(c_prev + j, lanes);
            const f32xN t = lane_tanh(cj);
            store_partial(gi + j, i, lanes);
            store_partial(gf + j, f, lanes);
            store_partial(go + j, o, lanes);
            store_partial(gg + j, g, lanes);
            if (tc) store_partial(tc + j, t, lanes);
            store_partial(c + j, cj, lanes);
            store_partial(h + j, o * t, lanes);
        });
    } else {
        for (int j = 0; j < hidden; ++j) {
            const T i = vsigmoid(gi[j]), f = vsigmoid(gf[j]), o = vsigmoid(go[j]), g = vtanh(gg[j]);
            const T cj = i * g + f * c_prev[j];
            const T t = vtanh(cj);
            gi[j] = i;
            gf[j] = f;
            go[j] = o;
            gg[j] = g;
            if (tc) tc[j] = t;
            c[j] = cj;
            h[j] = o * t;
        }
    }
}

/// Gate gradients of a batch-1 step from its `saved` [5H] and the upstream gradients gh, gc of h
/// and c. Writes dgates [4H] (pre-activation) and accumulates dc_prev += (total dc) * f. The
/// input, state and weight gradients are then products with dgates (matvec.hpp).
template <class T>
inline void lstm_step_backward_gates(const T* ENAS_RESTRICT saved, const T* ENAS_RESTRICT c_prev,
                                     const T* ENAS_RESTRICT gh, const T* ENAS_RESTRICT gc, int hidden,
                                     T* ENAS_RESTRICT dgates, T* ENAS_RESTRICT dc_prev) {
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

/// Forward of the cell. x [B, I], h_prev [B, H], c_prev [B, H], w [(I + H), 4H]. Writes the
/// activated gates [i, f, o, g] to `gates` [B, 4H] (kept for the backward), and h, c [B, H].
template <class T>
void lstm_cell_forward(Context<Cpu>&, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& h_prev,
                       const Tensor<T, Cpu>& c_prev, const Tensor<T, Cpu>& w, Tensor<T, Cpu>& gates, Tensor<T, Cpu>& h,
                       Tensor<T, Cpu>& c) {
    const std::int64_t batch = x.dim(0), in = x.dim(1), hidden = h_prev.dim(1), four_h = 4 * hidden;
    if (batch == 1) {  // the batch-1 step (gates only: the batched backward recomputes tanh(c))
        lstm_step_forward<T>(x.data(), static_cast<int>(in), h_prev.data(), w.data(), static_cast<int>(hidden),
                             c_prev.data(), gates.data(), c.data(), h.data(), false);
        return;
    }
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
