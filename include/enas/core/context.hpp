// Context<D>: everything an op needs to run on device D, passed explicitly (no globals): the
// caching allocator that gives tensors their buffers and the counter-based RNG. The CUDA
// context adds its stream and library handles.
#pragma once
#include <cstdint>
#include <memory>

#include "enas/core/random.hpp"
#include "enas/core/tensor.hpp"

namespace enas {

template <Device D>
class Context {
public:
    explicit Context(std::uint64_t seed = 0) : pool_(std::make_shared<CachingAllocator<D>>()), rng_(seed) {}

    /// An uninitialised contiguous tensor from this context's caching allocator.
    template <Element T>
    Tensor<T, D> empty(const Shape& shape) {
        return Tensor<T, D>(shape, pool_);
    }
    /// A zero-filled tensor from this context's caching allocator.
    template <Element T>
    Tensor<T, D> zeros(const Shape& shape) {
        Tensor<T, D> t = empty<T>(shape);
        if constexpr (is_cpu_v<D>) {
            std::memset(static_cast<void*>(t.data()), 0, static_cast<std::size_t>(t.numel()) * sizeof(T));
        } else {
            t.fill(T(0));
        }
        return t;
    }

    Rng& rng() { return rng_; }
    CachingAllocator<D>& allocator() { return *pool_; }
    AllocatorStats allocator_stats() const { return pool_->stats(); }

private:
    std::shared_ptr<CachingAllocator<D>> pool_;
    Rng rng_;
};

}  // namespace enas
