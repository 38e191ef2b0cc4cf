// ParameterArena<D>: every weight of a model in one flat buffer (DESIGN.md §3), with a named view
// per (position, choice). Gradients and optimizer slots are parallel flat buffers, so a
// checkpoint is one write per buffer and zeroing the step's gradients is a few range fills.
//
// Lifecycle: register parameters with `add` (trainable) and `add_state` (running statistics and
// other non-trained state), then `finalize` allocates the buffers and initialises them. During a
// step, `use(id)` returns the parameter's Var and marks it *touched*: an ENAS step samples one
// child, so only the weights of the sampled branch (and the shared ones) are touched, and the
// optimizer updates only those (see optim/child_sgd.hpp for the policy).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "enas/autograd/var.hpp"
#include "enas/core/context.hpp"
#include "enas/core/error.hpp"
#include "enas/nn/init.hpp"

namespace enas::nn {

/// Index of a parameter or state tensor in its arena.
using ParamId = std::int32_t;

template <Device D>
class ParameterArena {
public:
    struct Entry {
        std::string name;
        Shape shape;
        std::int64_t offset = 0;  ///< into values() (parameters) or state() (state tensors)
        Init init;
        bool trainable = true;
    };

    /// Registers a parameter; its name must be unique. Only before finalize(). A frozen
    /// (trainable = false) parameter keeps its initial values: it takes no gradient and is never
    /// marked touched, so the optimizer and the L2 term leave it alone.
    ParamId add(const std::string& name, const Shape& shape, Init init, bool trainable = true) {
        require_open("add");
        check<ValueError>(shape.numel() > 0, "parameter arena: parameter '", name, "' has no elements (shape ",
                          shape.str(), ")");
        check<ValueError>(index_.emplace(name, static_cast<ParamId>(params_.size())).second,
                          "parameter arena: the name '", name, "' is registered twice");
        params_.push_back(Entry{name, shape, param_elements_, init, trainable});
        param_elements_ += shape.numel();
        return static_cast<ParamId>(params_.size() - 1);
    }
    /// Registers a non-trainable state tensor (e.g. batch-norm running statistics).
    ParamId add_state(const std::string& name, const Shape& shape, float value) {
        require_open("add_state");
        check<ValueError>(state_index_.emplace(name, static_cast<ParamId>(states_.size())).second,
                          "parameter arena: the state name '", name, "' is registered twice");
        states_.push_back(Entry{name, shape, state_elements_, Init::constant(value)});
        state_elements_ += shape.numel();
        return static_cast<ParamId>(states_.size() - 1);
    }

    /// Allocates the value, gradient and state buffers and initialises them from `seed`
    /// (each parameter draws from its own Philox stream, so adding a parameter does not change
    /// the initial values of the others).
    void finalize(Context<D>& ctx, std::uint64_t seed) {
        require_open("finalize");
        finalized_ = true;
        values_ = ctx.template empty<float>(Shape{std::max<std::int64_t>(param_elements_, 1)});
        grads_ = ctx.template zeros<float>(Shape{std::max<std::int64_t>(param_elements_, 1)});
        state_ = ctx.template empty<float>(Shape{std::max<std::int64_t>(state_elements_, 1)});
        std::vector<float> host(static_cast<std::size_t>(param_elements_));
        for (std::size_t i = 0; i < params_.size(); ++i)
            fill_init(params_[i].init, seed, static_cast<std::uint64_t>(i), host.data() + params_[i].offset,
                      params_[i].shape.numel());
        std::vector<float> state_host(static_cast<std::size_t>(state_elements_));
        for (const Entry& e : states_) fill_init(e.init, seed, 0, state_host.data() + e.offset, e.shape.numel());
        if (param_elements_ > 0) values_.narrow(0, 0, param_elements_).copy_from(from_host(host));
        if (state_elements_ > 0) state_.narrow(0, 0, state_elements_).copy_from(from_host(state_host));
        vars_.clear();
        for (const Entry& e : params_) {
            Var<float, D> v(values_.narrow(0, e.offset, e.shape.numel()).view(e.shape), e.trainable);
            v.grad() = grads_.narrow(0, e.offset, e.shape.numel()).view(e.shape);
            vars_.push_back(v);
        }
        state_views_.clear();
        for (const Entry& e : states_)
            state_views_.push_back(state_.narrow(0, e.offset, e.shape.numel()).view(e.shape));
        touched_.assign(params_.size(), 0);
    }

    /// The parameter's Var (value and gradient are views into the arena); marks it touched.
    const Var<float, D>& use(ParamId id) {
        require_finalized("use");
        if (params_[static_cast<std::size_t>(id)].trainable) touched_[static_cast<std::size_t>(id)] = 1;
        return vars_[static_cast<std::size_t>(id)];
    }
    /// The parameter's Var without marking it touched.
    const Var<float, D>& peek(ParamId id) const { return vars_.at(static_cast<std::size_t>(id)); }
    /// A state tensor (a view into the state buffer, updated in place by the ops).
    Tensor<float, D>& state(ParamId id) { return state_views_.at(static_cast<std::size_t>(id)); }

    bool touched(ParamId id) const { return touched_[static_cast<std::size_t>(id)] != 0; }
    /// Forgets which parameters were touched (call after each optimizer step).
    void clear_touched() { std::fill(touched_.begin(), touched_.end(), 0); }
    /// Marks every parameter touched (e.g. for an optimizer policy that updates all weights).
    void touch_all() {
        for (std::size_t i = 0; i < params_.size(); ++i) touched_[i] = params_[i].trainable ? 1 : 0;
    }

    /// Zeroes the gradients of the touched parameters (the others are zero already).
    void zero_touched_grads() {
        for (std::size_t i = 0; i < params_.size(); ++i)
            if (touched_[i]) vars_[i].grad().fill(0.0f);
    }
    void zero_all_grads() { grads_.fill(0.0f); }

    std::size_t num_params() const { return params_.size(); }
    std::size_t num_states() const { return states_.size(); }
    const Entry& param_entry(ParamId id) const { return params_.at(static_cast<std::size_t>(id)); }
    const Entry& state_entry(ParamId id) const { return states_.at(static_cast<std::size_t>(id)); }
    /// Total parameter elements (trainable and frozen).
    std::int64_t param_elements() const { return param_elements_; }
    /// Elements of the trainable parameters.
    std::int64_t trainable_elements() const {
        std::int64_t n = 0;
        for (const Entry& e : params_) n += e.trainable ? e.shape.numel() : 0;
        return n;
    }
    std::int64_t state_elements() const { return state_elements_; }
    /// Trainable elements of the touched parameters.
    std::int64_t touched_elements() const {
        std::int64_t n = 0;
        for (std::size_t i = 0; i < params_.size(); ++i)
            if (touched_[i]) n += params_[i].shape.numel();
        return n;
    }
    /// Id of the parameter `name`; ValueError naming it otherwise.
    ParamId find(const std::string& name) const {
        auto it = index_.find(name);
        check<ValueError>(it != index_.end(), "parameter arena: no parameter named '", name, "'");
        return it->second;
    }

    /// The flat buffers (length max(elements, 1)); checkpoints write and read these.
    Tensor<float, D>& values() { return values_; }
    Tensor<float, D>& grads() { return grads_; }
    Tensor<float, D>& state_buffer() { return state_; }
    bool finalized() const { return finalized_; }

private:
    void require_open(const char* what) const {
        check<StateError>(!finalized_, "parameter arena: ", what, " after finalize()");
    }
    void require_finalized(const char* what) const {
        check<StateError>(finalized_, "parameter arena: ", what, " before finalize()");
    }
    static Tensor<float, Cpu> from_host(const std::vector<float>& v) {
        return Tensor<float, Cpu>::from_vector(Shape{static_cast<std::int64_t>(v.size())}, v);
    }

    std::vector<Entry> params_, states_;
    std::unordered_map<std::string, ParamId> index_, state_index_;
    std::int64_t param_elements_ = 0, state_elements_ = 0;
    bool finalized_ = false;
    Tensor<float, D> values_, grads_, state_;
    std::vector<Var<float, D>> vars_;
    std::vector<Tensor<float, D>> state_views_;
    std::vector<char> touched_;
};

}  // namespace enas::nn
