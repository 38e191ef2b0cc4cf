// Device memory for the Cuda device: the definitions of include/enas/core/device_memory.hpp.
#include <cstdio>
#include <cstring>
#include <mutex>

#include "enas/backend/cuda/device.hpp"
#include "enas/core/device_memory.hpp"
#include "kernels/memory.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {

constexpr unsigned int kBlock = 256;

const char* direction_name(bool dst_is_device, bool src_is_device) {
    if (dst_is_device && src_is_device) return "device to device";
    if (dst_is_device) return "host to device";
    if (src_is_device) return "device to host";
    return "host to host";
}

template <class Word>
void fill_as(void* dst, std::size_t count, const void* value, cudaStream_t stream) {
    Word word;
    std::memcpy(&word, value, sizeof(Word));
    const auto n = static_cast<std::int64_t>(count);
    launch<kernels::fill_words<Word>>(grid_stride_blocks(n, kBlock), kBlock, 0, stream, static_cast<Word*>(dst), n,
                                      word);
}

template <class Word>
void strided_copy_as(void* dst, const void* src, const kernels::StridedCopyLayout& layout, cudaStream_t stream) {
    launch<kernels::strided_copy_words<Word>>(grid_stride_blocks(layout.count, kBlock), kBlock, 0, stream,
                                              static_cast<Word*>(dst), static_cast<const Word*>(src), layout);
}

/// Pinned host buffers for host-to-device copies: the host data is copied into the next slot and
/// uploaded from there with cudaMemcpyAsync on the default stream, so the call returns without
/// waiting for the transfer and the caller may reuse its buffer at once. A slot is reused only
/// after the event recorded behind its last upload has completed. Never freed: process lifetime,
/// which keeps it out of the CUDA runtime's teardown order.
class StagingRing {
public:
    static constexpr int kSlots = 4;
    static constexpr std::size_t kMaxStagedBytes = std::size_t{16} << 20;  // larger: plain cudaMemcpy
    static constexpr std::size_t kMinSlotBytes = std::size_t{64} << 10;

    static StagingRing& instance() {
        static StagingRing* ring = new StagingRing;
        return *ring;
    }

    void upload(void* dst, const void* src, std::size_t bytes) {
        std::lock_guard<std::mutex> lock(mutex_);
        Slot& slot = slots_[next_];
        next_ = (next_ + 1) % kSlots;
        if (slot.event == nullptr)
            check_cuda(cudaEventCreateWithFlags(&slot.event, cudaEventDisableTiming), "staging: cudaEventCreate");
        else
            check_cuda(cudaEventSynchronize(slot.event), "staging: waiting for an earlier upload");
        if (slot.capacity < bytes) {
            if (slot.buffer != nullptr) check_cuda(cudaFreeHost(slot.buffer), "staging: cudaFreeHost");
            slot.buffer = nullptr;
            slot.capacity = 0;
            std::size_t capacity = kMinSlotBytes;
            while (capacity < bytes) capacity *= 2;
            check_cuda(cudaMallocHost(&slot.buffer, capacity),
                       ::enas::detail::concat("staging: cudaMallocHost of ", capacity, " bytes").c_str());
            slot.capacity = capacity;
        }
        std::memcpy(slot.buffer, src, bytes);
        check_cuda(
            cudaMemcpyAsync(dst, slot.buffer, bytes, cudaMemcpyHostToDevice, nullptr),
            ::enas::detail::concat("cudaMemcpy of ", bytes, " bytes host to device failed (async, from pinned staging)")
                .c_str());
        check_cuda(cudaEventRecord(slot.event, nullptr), "staging: cudaEventRecord");
    }

private:
    struct Slot {
        void* buffer = nullptr;
        std::size_t capacity = 0;
        cudaEvent_t event = nullptr;
    };
    std::mutex mutex_;
    Slot slots_[kSlots];
    int next_ = 0;
};

}  // namespace

void* device_allocate(std::size_t bytes) {
    require_usable_device();  // a clear message on a machine without a usable GPU
    void* p = nullptr;
    const cudaError_t error = cudaMalloc(&p, bytes);
    if (error != cudaSuccess) {
        (void)cudaGetLastError();
        std::size_t free_bytes = 0, total_bytes = 0;
        const bool known = cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess;
        (void)cudaGetLastError();
        throw CudaError(::enas::detail::concat(
            "cudaMalloc of ", bytes, " bytes failed: ", cudaGetErrorName(error), ": ", cudaGetErrorString(error),
            known ? ::enas::detail::concat(" (device has ", free_bytes, " of ", total_bytes, " bytes free)")
                  : std::string()));
    }
    return p;
}

void device_release(void* p) noexcept {
    if (!p) return;
    const cudaError_t error = cudaFree(p);
    if (error != cudaSuccess) {
        (void)cudaGetLastError();
        static bool reported = false;  // a destructor cannot throw: say it once on stderr
        if (!reported) {
            reported = true;
            std::fprintf(stderr, "enas: cudaFree(%p) failed: %s: %s\n", p, cudaGetErrorName(error),
                         cudaGetErrorString(error));
        }
    }
}

void copy_bytes(void* dst, const void* src, std::size_t bytes, bool dst_is_device, bool src_is_device) {
    if (bytes == 0) return;
    // Uploads go through pinned staging, asynchronously on the default stream (ordered before every
    // later use of dst, which is on the default stream or a blocking stream); downloads and the
    // rest stay blocking, so the data is in place when the call returns.
    if (dst_is_device && !src_is_device && bytes <= StagingRing::kMaxStagedBytes) {
        StagingRing::instance().upload(dst, src, bytes);
        return;
    }
    const cudaMemcpyKind kind = dst_is_device ? (src_is_device ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
                                              : (src_is_device ? cudaMemcpyDeviceToHost : cudaMemcpyHostToHost);
    const cudaError_t error = cudaMemcpy(dst, src, bytes, kind);
    if (error != cudaSuccess)
        check_cuda(error, ::enas::detail::concat("cudaMemcpy of ", bytes, " bytes ",
                                                 direction_name(dst_is_device, src_is_device), " failed")
                              .c_str());
}

void fill_elements(void* dst, std::size_t count, std::size_t element_bytes, const void* value, void* stream) {
    if (count == 0) return;
    const auto s = static_cast<cudaStream_t>(stream);
    const auto* bytes = static_cast<const unsigned char*>(value);
    bool one_byte = true;  // a pattern of one repeated byte (0, -1, the all-ones NaN) is a memset
    for (std::size_t i = 1; i < element_bytes; ++i) one_byte = one_byte && bytes[i] == bytes[0];
    if (one_byte) {
        check_cuda(cudaMemsetAsync(dst, bytes[0], count * element_bytes, s),
                   ::enas::detail::concat("cudaMemsetAsync of ", count * element_bytes, " bytes failed").c_str());
        return;
    }
    switch (element_bytes) {
        case 2: fill_as<std::uint16_t>(dst, count, value, s); break;
        case 4: fill_as<std::uint32_t>(dst, count, value, s); break;
        case 8: fill_as<std::uint64_t>(dst, count, value, s); break;
        default:
            throw ValueError(::enas::detail::concat("fill_elements: unsupported element size ", element_bytes,
                                                    " bytes (expected 1, 2, 4 or 8)"));
    }
}

void strided_copy(void* dst, const std::int64_t* dst_strides, const void* src, const std::int64_t* src_strides,
                  const std::int64_t* shape, int rank, std::size_t element_bytes, void* stream) {
    check<ShapeError>(rank >= 0 && rank <= kernels::StridedCopyLayout::kMaxRank, "strided_copy: rank ", rank,
                      " out of range [0, ", kernels::StridedCopyLayout::kMaxRank, "]");
    kernels::StridedCopyLayout layout{};
    layout.rank = rank;
    layout.count = 1;
    for (int d = 0; d < rank; ++d) {
        layout.shape[d] = shape[d];
        layout.dst_strides[d] = dst_strides[d];
        layout.src_strides[d] = src_strides[d];
        layout.count *= shape[d];
    }
    if (layout.count == 0) return;
    const auto s = static_cast<cudaStream_t>(stream);
    switch (element_bytes) {
        case 1: strided_copy_as<std::uint8_t>(dst, src, layout, s); break;
        case 2: strided_copy_as<std::uint16_t>(dst, src, layout, s); break;
        case 4: strided_copy_as<std::uint32_t>(dst, src, layout, s); break;
        case 8: strided_copy_as<std::uint64_t>(dst, src, layout, s); break;
        default:
            throw ValueError(::enas::detail::concat("strided_copy: unsupported element size ", element_bytes,
                                                    " bytes (expected 1, 2, 4 or 8)"));
    }
}

int device_count() noexcept {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        (void)cudaGetLastError();
        return 0;
    }
    return count;
}

void synchronize(void* stream) {
    check_cuda(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), "cudaStreamSynchronize failed");
}

}  // namespace enas::cuda
