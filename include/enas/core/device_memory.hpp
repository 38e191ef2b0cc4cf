// Raw device memory for the Cuda device, below the allocator: allocation, copies, fills and
// strided copies of device buffers. Declarations only, defined by the CUDA backend (cuda/memory.cu);
// core/allocator.hpp, storage.hpp, tensor.hpp and context.hpp call them only in a build with a
// CUDA backend (ENAS_HAS_CUDA). Plain C++: no CUDA header is needed to include this file, and
// streams are opaque pointers (nullptr = the default stream). Every failure throws enas::CudaError
// naming the operation, the size and the direction.
#pragma once
#include <cstddef>
#include <cstdint>

namespace enas::cuda {

/// `bytes` of device memory (cudaMalloc; 256-byte aligned). Throws CudaError naming the size.
void* device_allocate(std::size_t bytes);

/// Frees a block from device_allocate (nullptr is a no-op). Never throws: it runs in destructors;
/// a failure is reported on stderr once.
void device_release(void* p) noexcept;

/// Copies `bytes` between host and device memory in any direction. Downloads and device-to-device
/// copies have finished when the call returns. Small uploads are staged through pinned buffers and
/// run asynchronously on the default stream (ordered before any later work of a blocking stream);
/// the host buffer may be reused as soon as the call returns. Throws CudaError naming the direction.
void copy_bytes(void* dst, const void* src, std::size_t bytes, bool dst_is_device, bool src_is_device);

/// Sets `count` elements of `element_bytes` (1, 2, 4 or 8) at device address `dst` to the bit
/// pattern at host address `value`, on `stream` (nullptr: the default stream).
void fill_elements(void* dst, std::size_t count, std::size_t element_bytes, const void* value, void* stream = nullptr);

/// Copies a strided device view into another strided device view of the same shape (rank <= 6,
/// strides and shape in elements, non-negative; `dst` and `src` already point at element 0).
void strided_copy(void* dst, const std::int64_t* dst_strides, const void* src, const std::int64_t* src_strides,
                  const std::int64_t* shape, int rank, std::size_t element_bytes, void* stream = nullptr);

/// Number of CUDA devices this process can use; 0 when there is none or no driver (never throws).
/// The emulated build always has one.
int device_count() noexcept;

/// Waits until every kernel and copy queued on `stream` (nullptr: the default stream) has finished.
void synchronize(void* stream = nullptr);

}  // namespace enas::cuda
