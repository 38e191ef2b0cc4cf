// PolicyTrace<T>::backward: the reverse pass over a recorded controller unroll (see
// policy_trace.hpp). Every op's output gradient is complete when the op is reached, because all
// its consumers were recorded after it.
#pragma once
#include "enas/controller/policy_trace.hpp"

namespace enas::controller {

template <Scalar T>
void PolicyTrace<T>::backward(T logp_coef, T kl_weight) {
    // Gradients of the recorded values, zeroed; they share the value arena's offsets.
    if (!grads_.defined() || grads_.numel() < values_.numel()) grads_ = ctx_->template zeros<T>(Shape{values_.numel()});
    T* g = grads_.data();
    for (std::int64_t i = 0; i < used_; ++i) g[i] = T(0);
    T* pg = params_->grads().data();
    const T* pv = params_->values().data();
    const int h = hidden_;
    const T kl_coef = kl_layers_ ? kl_weight / static_cast<T>(kl_layers_) : T(0);
    T* dgates_all = lstm_dgates_.defined() ? lstm_dgates_.data() : nullptr;

    for (auto it = ops_.rbegin(); it != ops_.rend(); ++it) {
        const Op& op = *it;
        switch (op.kind) {
            case OpKind::Embed: {
                const T* go = g + op.out;
                T* dst = pg + op.param;
                for (int i = 0; i < h; ++i) dst[i] += go[i];
                break;
            }
            case OpKind::Lstm: {
                const T* saved = lstm_saved_.data() + static_cast<std::int64_t>(op.aux) * kernels::lstm_saved_size(h);
                T* dgates = dgates_all + static_cast<std::int64_t>(op.aux) * 4 * h;
                const T* gc = g + op.out;
                const T* gh = g + op.out + h;
                kernels::lstm_backward_gates(saved, values_.data() + op.in2, gh, gc, h, dgates, g + op.in2);
                const T* w = pv + op.param;
                if (op.in0 != zeros()) kernels::mat_vec_acc(w, h, 4 * h, dgates, g + op.in0);
                if (op.in1 != zeros())
                    kernels::mat_vec_acc(w + static_cast<std::int64_t>(h) * 4 * h, h, 4 * h, dgates, g + op.in1);
                break;
            }
            case OpKind::VecMat: {
                const T* gy = g + op.out;
                const T* x = values_.data() + op.in0;
                const T* w = pv + op.param;
                if (op.flag) {
                    if (op.in0 != zeros()) kernels::mat_t_vec_acc(w, op.n, op.m, gy, g + op.in0);
                    kernels::outer_acc(gy, op.m, x, op.n, pg + op.param);  // dW[k, i] += gy[k] x[i]
                } else {
                    if (op.in0 != zeros()) kernels::mat_vec_acc(w, op.n, op.m, gy, g + op.in0);
                    kernels::outer_acc(x, op.n, gy, op.m, pg + op.param);
                }
                if (op.param2 >= 0)
                    for (int o = 0; o < op.m; ++o) pg[op.param2 + o] += gy[o];
                break;
            }
            case OpKind::Attention: {
                const int n = op.n;
                const T* t = values_.data() + op.out;
                const T* ds = g + op.out + static_cast<std::int64_t>(n) * h;
                T* dkeys[kMaxList];
                for (int j = 0; j < n; ++j) dkeys[j] = g + slots_[static_cast<std::size_t>(op.list + j)];
                kernels::attention_backward(t, ds, n, pv + op.param, h, g + op.in0, dkeys, pg + op.param);
                break;
            }
            case OpKind::Mix: {
                const T* go = g + op.out;
                for (int j = 0; j < op.n; ++j) {
                    const Slot in = slots_[static_cast<std::size_t>(op.list + j)];
                    const T a = coefs_[static_cast<std::size_t>(op.aux + j)];
                    if (in == zeros() || a == T(0)) continue;
                    T* gi = g + in;
                    for (int i = 0; i < h; ++i) gi[i] += a * go[i];
                }
                break;
            }
            case OpKind::Categorical: {
                const T* u = values_.data() + op.out;
                const T* p = u + 2 * op.n;
                const Shaping shaping{op.s0, op.s1};
                kernels::categorical_backward(u, p, op.n, op.aux, logp_coef, shaping, g + op.in0);
                break;
            }
            case OpKind::SkipBits: {
                const T* u = values_.data() + op.out;
                const Shaping shaping{op.s0, op.s1};
                T* ds = g + op.in0;
                for (int j = 0; j < op.n; ++j) {
                    const double st = op.s1 > T(0) ? static_cast<double>(op.s1) * u[j] : static_cast<double>(u[j]);
                    const kernels::SkipBitTerms terms = kernels::skip_bit_terms(st, static_cast<double>(op.s2));
                    const int bit = slots_[static_cast<std::size_t>(op.list + j)];
                    // d log p(bit) / d st = 2 (bit − σ(2 st)).
                    const double d_st = static_cast<double>(logp_coef) * 2.0 * (bit - terms.p1) +
                                        static_cast<double>(kl_coef) * terms.dkl_dst;
                    ds[j] += static_cast<T>(d_st) * shaping.derivative(u[j]);
                }
                break;
            }
        }
    }
    // The LSTM weight gradient of every step at once: dW += [x, h_prev]ᵀ · dgates.
    if (lstm_rows_ > 0)
        kernels::outer_sum_acc(lstm_xh_.data(), dgates_all, lstm_rows_, 2 * h, 4 * h, pg + lstm_weight_offset_);
}

}  // namespace enas::controller
