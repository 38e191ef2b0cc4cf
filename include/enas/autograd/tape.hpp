// Tape<D>: the per-step Wengert list. Ops append a backward closure for every output that needs
// a gradient; `backward` runs them in reverse recording order (already a topological order);
// `clear` drops the step's graph. ENAS samples a new child graph every minibatch, so the tape
// records only the sampled subgraph and is cleared after each step.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <utility>
#include <vector>

#include "enas/autograd/var.hpp"

namespace enas {

template <Device D>
class Tape {
public:
    using BackwardFn = std::function<void(Context<D>&)>;

    explicit Tape(Context<D>& ctx) : ctx_(&ctx) {}
    Tape(const Tape&) = delete;
    Tape& operator=(const Tape&) = delete;

    Context<D>& ctx() const { return *ctx_; }
    /// False inside a NoGrad scope: ops then record nothing and outputs need no gradient.
    bool recording() const { return recording_; }
    std::size_t size() const { return nodes_.size(); }
    std::uint64_t generation() const { return generation_; }

    /// Wraps an op result. It requires a gradient when the tape records and any input does.
    template <Scalar T, class... Inputs>
    Var<T, D> output(Tensor<T, D> value, const Inputs&... inputs) {
        const bool needs = recording_ && (false || ... || inputs.requires_grad());
        Var<T, D> out(std::move(value), needs);
        out.state().tape = this;
        out.state().generation = generation_;
        return out;
    }

    /// Appends the backward closure of an op whose output is `out` (nothing when `out` needs no
    /// gradient). The closure reads out.grad() and accumulates into its inputs' grad_buffer.
    template <Scalar T>
    void record(const Var<T, D>& out, BackwardFn fn) {
        if (!out.requires_grad()) return;
        check<StateError>(!consumed_,
                          "recording on a tape after backward() without clear(): call tape.clear() "
                          "to start the next step");
        nodes_.push_back(std::move(fn));
    }

    /// Backpropagates from a one-element `loss` (seed gradient 1).
    template <Scalar T>
    void backward(Var<T, D>& loss) {
        check<ShapeError>(loss.value().numel() == 1, "backward: loss must have one element, got shape ",
                          loss.shape().str(), "; pass an explicit output gradient for non-scalar outputs");
        Tensor<T, D> seed = ctx_->template empty<T>(loss.shape());
        seed.fill(T(1));
        backward(loss, seed);
    }

    /// Backpropagates from `out` with upstream gradient `grad_out` (same shape as out).
    template <Scalar T>
    void backward(Var<T, D>& out, const Tensor<T, D>& grad_out) {
        auto& s = out.state();
        check<StateError>(s.tape == this, "backward: the output was not recorded on this tape");
        check<StateError>(s.generation == generation_,
                          "backward through a cleared tape: the output was recorded at "
                          "generation ",
                          s.generation, " but the tape was cleared and is at generation ", generation_);
        check<StateError>(!consumed_, "backward called a second time on the same recording (generation ", generation_,
                          "); record the step again after tape.clear()");
        check<StateError>(s.requires_grad,
                          "backward: the output does not require a gradient (no input requires "
                          "one, or it was computed in a NoGrad scope)");
        check<ShapeError>(grad_out.shape() == s.value.shape(), "backward: output gradient shape ",
                          grad_out.shape().str(), " does not match output shape ", s.value.shape().str());
        consumed_ = true;
        Tensor<T, D>& g = out.grad_buffer(*ctx_);
        accumulate_into(g, grad_out);
        // Each closure is released as soon as it has run, so the activations and gradients it
        // holds go back to the allocator during the pass instead of after it (lower peak memory).
        for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
            (*it)(*ctx_);
            *it = nullptr;
        }
    }

    /// Drops the recorded graph and starts a new generation.
    void clear() {
        nodes_.clear();
        consumed_ = false;
        ++generation_;
    }

private:
    template <Device>
    friend class NoGrad;

    template <Scalar T>
    void accumulate_into(Tensor<T, D>& dst, const Tensor<T, D>& src);

    Context<D>* ctx_;
    std::vector<BackwardFn> nodes_;
    std::uint64_t generation_ = 1;
    bool recording_ = true;
    bool consumed_ = false;
};

/// RAII scope in which `tape` records nothing (evaluation, reward computation).
template <Device D>
class NoGrad {
public:
    explicit NoGrad(Tape<D>& tape) : tape_(tape), previous_(tape.recording_) { tape_.recording_ = false; }
    ~NoGrad() { tape_.recording_ = previous_; }
    NoGrad(const NoGrad&) = delete;
    NoGrad& operator=(const NoGrad&) = delete;

private:
    Tape<D>& tape_;
    bool previous_;
};

}  // namespace enas

#include "enas/backend/cpu/elementwise.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/elementwise.hpp"
#endif

namespace enas {
template <Device D>
template <Scalar T>
void Tape<D>::accumulate_into(Tensor<T, D>& dst, const Tensor<T, D>& src) {
    Tensor<T, D> s = src.contiguous();
    ENAS_BACKEND_CALL(D, axpy, *ctx_, T(1), s, dst);
}
}  // namespace enas
