// CPU kernels of the ENAS recurrent highway node (ENAS reference §5.1):
//   s' = s + sigmoid(c_pre) * (f(h_pre) - s),  f in {identity, relu, tanh, sigmoid}
// i.e. the highway form c * f(h) + (1 - c) * s with gate c = sigmoid(c_pre). The matmuls that
// produce c_pre and h_pre are not part of this op. All tensors have the same shape and are
// contiguous; backward kernels accumulate (+=).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "enas/backend/cpu/elementwise.hpp"
#include "enas/backend/cpu/parallel.hpp"
#include "enas/core/config.hpp"
#include "enas/core/context.hpp"
#include "enas/ops/params/elementwise.hpp"

namespace enas::cpu {

namespace detail {

/// Calls body(std::integral_constant<Activation, a>) so the activation is a compile-time
/// constant inside the loops (no switch per element).
template <class F>
void with_activation(Activation a, F&& body) {
    switch (a) {
        case Activation::Identity: body(std::integral_constant<Activation, Activation::Identity>{}); return;
        case Activation::Relu: body(std::integral_constant<Activation, Activation::Relu>{}); return;
        case Activation::Tanh: body(std::integral_constant<Activation, Activation::Tanh>{}); return;
        case Activation::Sigmoid: body(std::integral_constant<Activation, Activation::Sigmoid>{}); return;
    }
}

template <class T>
ENAS_VEC_INLINE T node_gate(T c_pre) {
    return vsigmoid(c_pre);
}

/// Calls body(std::bool_constant<flag>).
template <class F>
void with_flag(bool flag, F&& body) {
    if (flag)
        body(std::true_type{});
    else
        body(std::false_type{});
}

/// The backward over elements [b, e) with the wanted gradients fixed at compile time.
template <class T, Activation A, bool WantS, bool WantC, bool WantH>
void rnn_node_backward_range(const T* ENAS_RESTRICT ps, const T* ENAS_RESTRICT pc, const T* ENAS_RESTRICT ph,
                             const T* ENAS_RESTRICT pg, T* ENAS_RESTRICT pds, T* ENAS_RESTRICT pdc,
                             T* ENAS_RESTRICT pdh, std::int64_t b, std::int64_t e) {
#pragma omp simd
    for (std::int64_t i = b; i < e; ++i) {
        const T gate = node_gate(pc[i]);
        const T g = pg[i];
        const T y = activate(A, ph[i]);
        if constexpr (WantS) pds[i] += g * (T(1) - gate);
        if constexpr (WantC) pdc[i] += g * (y - ps[i]) * gate * (T(1) - gate);
        if constexpr (WantH) pdh[i] += g * gate * activation_grad_from_output(A, y);
    }
}

}  // namespace detail

/// out = s + sigmoid(c_pre) * (act(h_pre) - s).
template <class T>
void rnn_node_forward(Context<Cpu>&, Activation act, const Tensor<T, Cpu>& s, const Tensor<T, Cpu>& c_pre,
                      const Tensor<T, Cpu>& h_pre, Tensor<T, Cpu>& out) {
    const T* ENAS_RESTRICT ps = s.data();
    const T* ENAS_RESTRICT pc = c_pre.data();
    const T* ENAS_RESTRICT ph = h_pre.data();
    T* ENAS_RESTRICT po = out.data();
    detail::with_activation(act, [&](auto a) {
        parallel_for(s.numel(), kParallelGrain / 8, [&](std::int64_t b, std::int64_t e) {
#pragma omp simd
            for (std::int64_t i = b; i < e; ++i) {
                const T gate = detail::node_gate(pc[i]);
                po[i] = ps[i] + gate * (activate(a.value, ph[i]) - ps[i]);
            }
        });
    });
}

/// Backward of the node for upstream gradient gy. Accumulates into the non-null gradients:
///   ds += gy * (1 - c),  dc_pre += gy * (act(h_pre) - s) * c * (1 - c),  dh_pre += gy * c * act'(h_pre)
/// with c = sigmoid(c_pre). Gate and activation are recomputed from the inputs (nothing saved).
template <class T>
void rnn_node_backward(Context<Cpu>&, Activation act, const Tensor<T, Cpu>& s, const Tensor<T, Cpu>& c_pre,
                       const Tensor<T, Cpu>& h_pre, const Tensor<T, Cpu>& gy, Tensor<T, Cpu>* ds,
                       Tensor<T, Cpu>* dc_pre, Tensor<T, Cpu>* dh_pre) {
    const T* ps = s.data();
    const T* pc = c_pre.data();
    const T* ph = h_pre.data();
    const T* pg = gy.data();
    T* pds = ds ? ds->data() : nullptr;
    T* pdc = dc_pre ? dc_pre->data() : nullptr;
    T* pdh = dh_pre ? dh_pre->data() : nullptr;
    // Which gradients exist is a compile-time choice, so the loop has no branch and vectorizes
    // (a null test per element kept it scalar, with an out-of-line exp call per element).
    auto run = [&](auto a, auto want_s, auto want_c, auto want_h) {
        parallel_for(s.numel(), kParallelGrain / 8, [&](std::int64_t b, std::int64_t e) {
            detail::rnn_node_backward_range<T, decltype(a)::value, decltype(want_s)::value, decltype(want_c)::value,
                                            decltype(want_h)::value>(ps, pc, ph, pg, pds, pdc, pdh, b, e);
        });
    };
    detail::with_activation(act, [&](auto a) {
        detail::with_flag(pds != nullptr, [&](auto want_s) {
            detail::with_flag(pdc != nullptr, [&](auto want_c) {
                detail::with_flag(pdh != nullptr, [&](auto want_h) { run(a, want_s, want_c, want_h); });
            });
        });
    });
}

}  // namespace enas::cpu
