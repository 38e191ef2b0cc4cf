// Device memory: every cudaMalloc is its own exact-size, 0xFF-poisoned heap block, tracked so
// that copies and memsets can be checked against the allocations they touch.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "handles.hpp"
#include "last_error.hpp"
#include "poisoned_memory.hpp"
#include "stream_queue.hpp"

namespace enas::emu {
namespace {

constexpr std::size_t kDeviceAlignment = 256;  // cudaMalloc's guarantee

class AllocationRegistry {
public:
    void add(const void* p, std::size_t bytes) {
        std::lock_guard<std::mutex> lock(mutex_);
        live_[address(p)] = bytes;
        bytes_in_use_ += bytes;
    }
    bool remove(const void* p) {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto it = live_.find(address(p));
        if (it == live_.end()) return false;
        bytes_in_use_ -= it->second;
        live_.erase(it);
        return true;
    }
    /// The allocation containing `p` as {base, size}, or {0, 0}.
    std::pair<std::uintptr_t, std::size_t> containing(const void* p) const {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = live_.upper_bound(address(p));
        if (it == live_.begin()) return {0, 0};
        --it;
        const bool inside = address(p) < it->first + std::max<std::size_t>(it->second, 1);
        if (!inside) return {0, 0};
        return {it->first, it->second};
    }
    std::size_t bytes_in_use() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return bytes_in_use_;
    }

private:
    static std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }
    mutable std::mutex mutex_;
    std::map<std::uintptr_t, std::size_t> live_;
    std::size_t bytes_in_use_ = 0;
};

AllocationRegistry& device_allocations() {
    static AllocationRegistry registry;
    return registry;
}
AllocationRegistry& pinned_allocations() {
    static AllocationRegistry registry;
    return registry;
}

/// Why [p, p + bytes) is not where `kind` says it is (device or host memory), or "".
std::string range_problem(const char* call, const char* role, const void* p, std::size_t bytes, bool on_device) {
    const auto [base, size] = device_allocations().containing(p);
    const std::string what = std::string(call) + ": " + role + " " + describe_pointer(p);
    if (!on_device) {
        if (base != 0) return what + " is device memory, but the copy kind says host memory";
        return {};
    }
    if (base == 0) return what + " is not device memory (inside no live cudaMalloc allocation)";
    if (reinterpret_cast<std::uintptr_t>(p) + bytes > base + size) {
        return what + ": " + std::to_string(bytes) + " bytes run past the end of the " + std::to_string(size) +
               "-byte device allocation at " + describe_pointer(reinterpret_cast<const void*>(base));
    }
    return {};
}

std::string memcpy_problem(const char* call, void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
    if (kind == cudaMemcpyDefault) {
        // Unified addressing: either side may be either memory, but device ranges must fit.
        const bool dst_device = device_allocations().containing(dst).first != 0;
        const bool src_device = device_allocations().containing(src).first != 0;
        if (std::string p = range_problem(call, "destination", dst, bytes, dst_device); !p.empty()) return p;
        return range_problem(call, "source", src, bytes, src_device);
    }
    const bool dst_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    const bool src_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if (std::string p = range_problem(call, "destination", dst, bytes, dst_device); !p.empty()) return p;
    return range_problem(call, "source", src, bytes, src_device);
}

/// How a copy issued on a stream behaves towards the host (async-stream mode; stream_queue.hpp).
enum class CopyCall { Blocking, Async };

cudaError_t copy(const char* call, void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                 cudaStream_t stream, CopyCall mode) {
    if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault)
        return report_error(cudaErrorInvalidMemcpyDirection,
                            std::string(call) + ": invalid cudaMemcpyKind " + std::to_string(static_cast<int>(kind)));
    if (!stream_is_valid(stream))
        return report_error(cudaErrorInvalidResourceHandle, std::string(call) + ": invalid stream");
    if (bytes == 0) return cudaSuccess;
    if (dst == nullptr || src == nullptr)
        return report_error(cudaErrorInvalidValue, std::string(call) + ": null pointer");
    if (std::string problem = memcpy_problem(call, dst, src, bytes, kind); !problem.empty())
        return report_error(cudaErrorInvalidValue, problem);
    const bool src_host = device_allocations().containing(src).first == 0;
    const bool dst_host = device_allocations().containing(dst).first == 0;
    const bool src_pageable = src_host && pinned_allocations().containing(src).first == 0;
    const bool dst_pageable = dst_host && pinned_allocations().containing(dst).first == 0;
    cudaError_t error = cudaSuccess;
    if (src_pageable && !dst_host) {
        // CUDA stages pageable host memory at the call: the caller may reuse it at once.
        auto staged = std::make_shared<std::vector<unsigned char>>(static_cast<const unsigned char*>(src),
                                                                   static_cast<const unsigned char*>(src) + bytes);
        error = issue(stream, [dst, staged] {
            std::memcpy(dst, staged->data(), staged->size());
            return cudaSuccess;
        });
    } else {
        error = issue(stream, [dst, src, bytes] {
            std::memmove(dst, src, bytes);
            return cudaSuccess;
        });
    }
    if (error != cudaSuccess) return error;
    // cudaMemcpy returns once the copy is done; so does an async copy into pageable host memory
    // or between host buffers (CUDA's rules). Others return at once.
    if (mode == CopyCall::Blocking || dst_pageable || (src_host && dst_host)) return run_until(stream_tail(stream));
    return cudaSuccess;
}

cudaError_t set(const char* call, void* dev_ptr, int value, std::size_t bytes, cudaStream_t stream) {
    if (!stream_is_valid(stream))
        return report_error(cudaErrorInvalidResourceHandle, std::string(call) + ": invalid stream");
    if (bytes == 0) return cudaSuccess;
    if (std::string problem = range_problem(call, "destination", dev_ptr, bytes, true); !problem.empty())
        return report_error(cudaErrorInvalidValue, problem);
    return issue(stream, [dev_ptr, value, bytes] {  // asynchronous to the host, even cudaMemset
        std::memset(dev_ptr, value & 0xFF, bytes);
        return cudaSuccess;
    });
}

cudaError_t allocate(const char* call, AllocationRegistry& registry, void** ptr, std::size_t bytes) {
    if (ptr == nullptr) return report_error(cudaErrorInvalidValue, std::string(call) + ": null output pointer");
    *ptr = nullptr;
    if (bytes == 0) return cudaSuccess;
    try {
        *ptr = allocate_poisoned(bytes, kDeviceAlignment);
    } catch (const std::bad_alloc&) {
        return report_error(cudaErrorMemoryAllocation,
                            std::string(call) + ": out of memory allocating " + std::to_string(bytes) + " bytes");
    }
    registry.add(*ptr, bytes);
    return cudaSuccess;
}

cudaError_t release(const char* call, AllocationRegistry& registry, void* ptr) {
    if (ptr == nullptr) return cudaSuccess;
    // cudaFree and cudaFreeHost wait for the device's queued work, which may still use the block.
    if (const cudaError_t error = run_all(); error != cudaSuccess) return error;
    if (!registry.remove(ptr)) {
        return report_error(cudaErrorInvalidValue,
                            std::string(call) + "(" + describe_pointer(ptr) +
                                "): not a live allocation (freed twice, or never allocated here)");
    }
    release_aligned(ptr, kDeviceAlignment);
    return cudaSuccess;
}

}  // namespace
}  // namespace enas::emu

using enas::emu::report_error;

cudaError_t cudaMalloc(void** dev_ptr, std::size_t bytes) {
    return enas::emu::allocate("cudaMalloc", enas::emu::device_allocations(), dev_ptr, bytes);
}
cudaError_t cudaFree(void* dev_ptr) { return enas::emu::release("cudaFree", enas::emu::device_allocations(), dev_ptr); }
cudaError_t cudaMallocHost(void** ptr, std::size_t bytes) {
    return enas::emu::allocate("cudaMallocHost", enas::emu::pinned_allocations(), ptr, bytes);
}
cudaError_t cudaFreeHost(void* ptr) { return enas::emu::release("cudaFreeHost", enas::emu::pinned_allocations(), ptr); }

cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
    return enas::emu::copy("cudaMemcpy", dst, src, bytes, kind, nullptr, enas::emu::CopyCall::Blocking);
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
    return enas::emu::copy("cudaMemcpyAsync", dst, src, bytes, kind, stream, enas::emu::CopyCall::Async);
}
cudaError_t cudaMemset(void* dev_ptr, int value, std::size_t bytes) {
    return enas::emu::set("cudaMemset", dev_ptr, value, bytes, nullptr);
}
cudaError_t cudaMemsetAsync(void* dev_ptr, int value, std::size_t bytes, cudaStream_t stream) {
    return enas::emu::set("cudaMemsetAsync", dev_ptr, value, bytes, stream);
}

cudaError_t cudaMemGetInfo(std::size_t* free_bytes, std::size_t* total_bytes) {
    if (free_bytes == nullptr || total_bytes == nullptr)
        return report_error(cudaErrorInvalidValue, "cudaMemGetInfo: null output pointer");
    const auto total =
        static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t used = enas::emu::device_allocations().bytes_in_use();
    *total_bytes = total;
    *free_bytes = used < total ? total - used : 0;
    return cudaSuccess;
}
