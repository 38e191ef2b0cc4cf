// ParameterArena<T>: all weights of a controller in one flat tensor, with named blocks, plus the
// matching gradient accumulator and Adam moments. One Adam call updates every weight; a state
// file is the arena written block by block.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "enas/core/context.hpp"

namespace enas::controller {

/// A named block of the arena: `numel` values starting at `offset`.
struct ParameterBlock {
    std::string name;
    Shape shape;
    std::int64_t offset = 0;
    std::int64_t numel() const { return shape.numel(); }
};

template <Scalar T>
class ParameterArena {
public:
    /// Declares a block (before `allocate`); returns its index.
    int declare(std::string name, const Shape& shape) {
        check<StateError>(!values_.defined(), "ParameterArena: declare('", name, "') after allocate()");
        blocks_.push_back(ParameterBlock{std::move(name), shape, total_});
        total_ += shape.numel();
        return static_cast<int>(blocks_.size()) - 1;
    }

    /// Allocates values, gradients and Adam moments from `ctx` (gradients and moments zeroed).
    void allocate(Context<Cpu>& ctx) {
        const Shape flat{total_};
        values_ = ctx.template zeros<T>(flat);
        grads_ = ctx.template zeros<T>(flat);
        adam_m_ = ctx.template zeros<T>(flat);
        adam_v_ = ctx.template zeros<T>(flat);
    }

    /// Fills block `index` with U[−range, range] from `rng`.
    void init_uniform(int index, Rng& rng, double range) {
        T* p = data(index);
        for (std::int64_t i = 0, n = block(index).numel(); i < n; ++i)
            p[i] = static_cast<T>(-range + 2.0 * range * static_cast<double>(rng.uniform()));
    }

    const std::vector<ParameterBlock>& blocks() const { return blocks_; }
    const ParameterBlock& block(int index) const { return blocks_[static_cast<std::size_t>(index)]; }
    /// Index of the block named `name`; throws ValueError when there is none.
    int find(const std::string& name) const {
        for (std::size_t i = 0; i < blocks_.size(); ++i)
            if (blocks_[i].name == name) return static_cast<int>(i);
        throw ValueError("ParameterArena: no parameter named '" + name + "'");
    }
    std::int64_t size() const { return total_; }

    T* data(int index) { return values_.data() + block(index).offset; }
    const T* data(int index) const { return values_.data() + block(index).offset; }
    T* grad(int index) { return grads_.data() + block(index).offset; }
    const T* grad(int index) const { return grads_.data() + block(index).offset; }

    /// The flat tensors (shape [size()]).
    Tensor<T, Cpu>& values() { return values_; }
    const Tensor<T, Cpu>& values() const { return values_; }
    Tensor<T, Cpu>& grads() { return grads_; }
    const Tensor<T, Cpu>& grads() const { return grads_; }
    Tensor<T, Cpu>& adam_m() { return adam_m_; }
    const Tensor<T, Cpu>& adam_m() const { return adam_m_; }
    Tensor<T, Cpu>& adam_v() { return adam_v_; }
    const Tensor<T, Cpu>& adam_v() const { return adam_v_; }

    void zero_grads() {
        T* g = grads_.data();
        for (std::int64_t i = 0; i < total_; ++i) g[i] = T(0);
    }

private:
    std::vector<ParameterBlock> blocks_;
    std::int64_t total_ = 0;
    Tensor<T, Cpu> values_, grads_, adam_m_, adam_v_;
};

}  // namespace enas::controller
