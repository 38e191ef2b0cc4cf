// Var<T, D>: a tensor value that can take part in automatic differentiation. A Var is a shared
// handle: copies refer to the same value and the same gradient. Gradients accumulate (+=) until
// `zero_grad`; a Var produced by an op on a Tape remembers that tape and its generation, so a
// backward through a cleared tape is detected.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "enas/core/context.hpp"

namespace enas {

template <Device D>
class Tape;

template <Scalar T, Device D>
class Var {
public:
    Var() = default;
    /// A leaf holding `value`; a leaf with requires_grad collects gradients (a parameter).
    explicit Var(Tensor<T, D> value, bool requires_grad = false) : s_(std::make_shared<State>()) {
        s_->value = std::move(value);
        s_->requires_grad = requires_grad;
    }

    bool defined() const { return s_ != nullptr; }
    const Tensor<T, D>& value() const { return state().value; }
    Tensor<T, D>& value() { return state().value; }
    const Shape& shape() const { return state().value.shape(); }
    bool requires_grad() const { return state().requires_grad; }
    void set_requires_grad(bool r) { state().requires_grad = r; }
    /// True once some backward has written a gradient into this Var.
    bool has_grad() const { return state().grad.defined(); }
    /// The accumulated gradient (undefined until a backward reaches this Var).
    const Tensor<T, D>& grad() const { return state().grad; }
    Tensor<T, D>& grad() { return state().grad; }
    /// The gradient buffer to accumulate into, zero-filled from `ctx` on first use.
    Tensor<T, D>& grad_buffer(Context<D>& ctx) const {
        State& s = state();
        if (!s.grad.defined()) s.grad = ctx.template zeros<T>(s.value.shape());
        return s.grad;
    }
    /// Drops the gradient (the next backward starts from zero).
    void zero_grad() const { state().grad = Tensor<T, D>(); }

    /// Identity of the underlying state (two handles to one Var compare equal).
    bool same_as(const Var& o) const { return s_ == o.s_; }

private:
    friend class Tape<D>;
    struct State {
        Tensor<T, D> value;
        Tensor<T, D> grad;
        bool requires_grad = false;
        const void* tape = nullptr;    // the tape that recorded the op producing this Var
        std::uint64_t generation = 0;  // that tape's generation at the time
    };
    State& state() const {
        check<StateError>(s_ != nullptr, "use of an undefined Var (default-constructed)");
        return *s_;
    }
    std::shared_ptr<State> s_;
};

}  // namespace enas
