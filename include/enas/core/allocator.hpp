// A caching allocator: freed blocks go back to a free list keyed by size class and are handed
// out again, so a training step that repeats the same shapes allocates nothing after warm-up.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "enas/core/device.hpp"

#if ENAS_HAS_CUDA
#include "enas/backend/cuda/memory.hpp"
#endif

namespace enas {

/// Raw memory for one device: allocate, release, copy and set bytes.
template <Device D>
struct DeviceMemory;

template <>
struct DeviceMemory<Cpu> {
    static constexpr std::size_t kAlignment = 64;
    static void* allocate(std::size_t bytes) {
        void* p = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
        if (!p) throw std::bad_alloc();
        return p;
    }
    static void release(void* p) { std::free(p); }
};

template <>
struct DeviceMemory<Cuda> {
    static void* allocate(std::size_t bytes) {
#if ENAS_HAS_CUDA
        return cuda::device_allocate(bytes);
#else
        (void)bytes;
        detail::throw_no_cuda("allocating a tensor");
#endif
    }
    static void release(void* p) {
#if ENAS_HAS_CUDA
        cuda::device_release(p);
#else
        (void)p;
#endif
    }
};

/// Counters of an allocator; `fresh_allocations` stays constant once a loop is warmed up.
struct AllocatorStats {
    std::uint64_t fresh_allocations = 0;  ///< blocks obtained from the device
    std::uint64_t reuses = 0;             ///< blocks served from the cache
    std::size_t bytes_in_use = 0;
    std::size_t peak_bytes_in_use = 0;
    std::size_t bytes_cached = 0;  ///< freed blocks kept for reuse
};

template <Device D>
class CachingAllocator {
public:
    CachingAllocator() = default;
    CachingAllocator(const CachingAllocator&) = delete;
    CachingAllocator& operator=(const CachingAllocator&) = delete;
    ~CachingAllocator() { release_cached(); }

    /// Rounds a request up to its size class: multiples of 256 bytes up to 4 KiB, then four
    /// classes per power of two (waste under 25%).
    static std::size_t size_class(std::size_t bytes) {
        if (bytes <= 4096) return (bytes + 255) / 256 * 256 + (bytes == 0 ? 256 : 0);
        std::size_t pow2 = 4096;
        while (pow2 * 2 < bytes) pow2 *= 2;
        const std::size_t quarter = pow2 / 4;
        return (bytes + quarter - 1) / quarter * quarter;
    }

    void* allocate(std::size_t bytes, std::size_t* granted) {
        const std::size_t cls = size_class(bytes);
        *granted = cls;
        std::lock_guard<std::mutex> lock(mutex_);
        void* p = nullptr;
        auto it = free_.find(cls);
        if (it != free_.end() && !it->second.empty()) {
            p = it->second.back();
            it->second.pop_back();
            stats_.bytes_cached -= cls;
            ++stats_.reuses;
        } else {
            p = DeviceMemory<D>::allocate(cls);
            ++stats_.fresh_allocations;
        }
        stats_.bytes_in_use += cls;
        if (stats_.bytes_in_use > stats_.peak_bytes_in_use) stats_.peak_bytes_in_use = stats_.bytes_in_use;
        return p;
    }

    void deallocate(void* p, std::size_t granted) {
        std::lock_guard<std::mutex> lock(mutex_);
        free_[granted].push_back(p);
        stats_.bytes_in_use -= granted;
        stats_.bytes_cached += granted;
    }

    /// Returns every cached block to the device.
    void release_cached() {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [cls, blocks] : free_)
            for (void* p : blocks) DeviceMemory<D>::release(p);
        free_.clear();
        stats_.bytes_cached = 0;
    }

    AllocatorStats stats() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return stats_;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::size_t, std::vector<void*>> free_;
    AllocatorStats stats_;
};

}  // namespace enas
