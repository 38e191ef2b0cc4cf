// Context<D>: everything an op needs to run on device D, passed explicitly (no globals): the
// caching allocator that gives tensors their buffers and the counter-based RNG. The CUDA
// context adds its stream and library handles.
#pragma once
#include <cstdint>
#include <cstring>
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
#if ENAS_HAS_CUDA
            const T zero(0);  // on this context's stream, with no host buffer
            cuda::fill_elements(t.data(), static_cast<std::size_t>(t.numel()), sizeof(T), &zero, stream_);
#else
            t.fill(T(0));
#endif
        }
        return t;
    }

    Rng& rng() { return rng_; }
    CachingAllocator<D>& allocator() { return *pool_; }
    AllocatorStats allocator_stats() const { return pool_->stats(); }

    /// The CUDA stream this context's kernels are queued on, as an opaque pointer (a cudaStream_t
    /// in cuda/*.cu); nullptr, the default, is the default stream. The context does not own it.
    void* stream() const requires(!is_cpu_v<D>) { return stream_; }
    void set_stream(void* stream) requires(!is_cpu_v<D>) { stream_ = stream; }

    /// Libraries whose handles a Cuda context can own.
    enum class Library { Cublas, Cudnn };
    /// The slot for a library handle (a cublasHandle_t, a cudnnHandle_t) as an opaque owning pointer:
    /// empty until a launcher in cuda/*.cu creates the handle on first use (with its destroy function
    /// as the deleter); it is destroyed with the last copy of the context.
    std::shared_ptr<void>& library_handle(Library library) requires(!is_cpu_v<D>) {
        return handles_->slots[static_cast<int>(library)];
    }

private:
    struct LibraryHandles {
        std::shared_ptr<void> slots[2];
    };

    std::shared_ptr<CachingAllocator<D>> pool_;
    Rng rng_;
    void* stream_ = nullptr;
    std::shared_ptr<LibraryHandles> handles_ = is_cpu_v<D> ? nullptr : std::make_shared<LibraryHandles>();
};

}  // namespace enas
