// Storage: one contiguous device buffer shared by a tensor and its views. It returns its block
// to the caching allocator it came from (or to the device) when the last owner goes away.
#pragma once
#include <cstddef>
#include <cstring>
#include <memory>

#include "enas/core/allocator.hpp"

namespace enas {

template <Device D>
class Storage {
public:
    /// A block owned directly (freed to the device on destruction).
    explicit Storage(std::size_t bytes) : bytes_(bytes), granted_(bytes) {
        ptr_ = bytes ? DeviceMemory<D>::allocate(bytes) : nullptr;
    }
    /// A block from `pool`, returned to it on destruction.
    Storage(std::size_t bytes, std::shared_ptr<CachingAllocator<D>> pool) : bytes_(bytes), pool_(std::move(pool)) {
        ptr_ = pool_->allocate(bytes, &granted_);
    }
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
    ~Storage() {
        if (!ptr_) return;
        if (pool_)
            pool_->deallocate(ptr_, granted_);
        else
            DeviceMemory<D>::release(ptr_);
    }

    void* data() const { return ptr_; }
    std::size_t bytes() const { return bytes_; }

private:
    void* ptr_ = nullptr;
    std::size_t bytes_ = 0;
    std::size_t granted_ = 0;
    std::shared_ptr<CachingAllocator<D>> pool_;
};

/// Copies bytes between any two devices.
template <Device Dst, Device Src>
inline void copy_bytes(void* dst, const void* src, std::size_t bytes) {
    if (bytes == 0) return;
    if constexpr (is_cpu_v<Dst> && is_cpu_v<Src>) {
        std::memcpy(dst, src, bytes);
    } else {
#if ENAS_HAS_CUDA
        cuda::copy_bytes(dst, src, bytes, !is_cpu_v<Dst>, !is_cpu_v<Src>);
#else
        (void)dst;
        (void)src;
        detail::throw_no_cuda("copying a tensor");
#endif
    }
}

}  // namespace enas
