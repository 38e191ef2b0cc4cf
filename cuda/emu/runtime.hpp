// The subset of the CUDA runtime API that enas calls, with CUDA's names, signatures and error
// codes, so launcher code compiles unchanged against <cuda_runtime.h> (nvcc) and against the
// emulator. By default work is executed synchronously on the calling thread (kernels on the block
// workers), so streams only order what is already ordered and events record host time. In the
// asynchronous-stream mode (ENAS_EMU_ASYNC=1) every stream is an in-order queue run as late as
// CUDA's rules allow (src/stream_queue.hpp): cudaMemset, kernels and async copies return at once;
// cudaMemcpy, a device-to-pageable-host copy, cudaFree and the synchronize calls wait; a
// host-to-device copy from pageable memory snapshots the source at the call (as CUDA's staging
// does) while one from pinned memory (cudaMallocHost) reads it when it runs; the legacy default
// stream and blocking streams order each other.
//
// Checks beyond CUDA's: fresh device memory is filled with 0xFF bytes (a NaN in float and double,
// -1 in integers); every cudaMalloc is its own exact-size heap block (AddressSanitizer sees
// overruns); copies and memsets must lie inside one live device allocation on the device side and
// outside every device allocation on the host side, otherwise they fail with cudaErrorInvalidValue.
#pragma once
#include <cstddef>

#include "emu/vector_types.hpp"

/// CUDA's error codes (the numeric values match the real runtime's).
enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInitializationError = 3,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorInvalidDeviceFunction = 98,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorNotReady = 600,
    cudaErrorLaunchFailure = 719,
    cudaErrorNotSupported = 801,
    cudaErrorUnknown = 999,
};
using cudaError = cudaError_t;

enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};

struct CUstream_st;
struct CUevent_st;
using cudaStream_t = CUstream_st*;
using cudaEvent_t = CUevent_st*;

// CUDA's special stream handles (macros there too).
#define cudaStreamLegacy (reinterpret_cast<cudaStream_t>(0x1))
#define cudaStreamPerThread (reinterpret_cast<cudaStream_t>(0x2))

inline constexpr unsigned int cudaStreamDefault = 0x0;
inline constexpr unsigned int cudaStreamNonBlocking = 0x1;
inline constexpr unsigned int cudaEventDefault = 0x0;
inline constexpr unsigned int cudaEventDisableTiming = 0x2;

/// The fields of CUDA's cudaDeviceProp that code may read (all present in the real struct).
struct cudaDeviceProp {
    char name[256];
    std::size_t totalGlobalMem;
    std::size_t sharedMemPerBlock;
    int regsPerBlock;
    int warpSize;
    int maxThreadsPerBlock;
    int maxThreadsDim[3];
    int maxGridSize[3];
    std::size_t totalConstMem;
    int major;
    int minor;
    int multiProcessorCount;
    int l2CacheSize;
    int maxThreadsPerMultiProcessor;
    std::size_t sharedMemPerMultiprocessor;
    std::size_t sharedMemPerBlockOptin;
    int regsPerMultiprocessor;
    int maxBlocksPerMultiProcessor;
    int concurrentKernels;
    int unifiedAddressing;
};

// Memory.
cudaError_t cudaMalloc(void** dev_ptr, std::size_t bytes);
template <class T>
cudaError_t cudaMalloc(T** dev_ptr, std::size_t bytes) {
    return cudaMalloc(reinterpret_cast<void**>(dev_ptr), bytes);
}
cudaError_t cudaFree(void* dev_ptr);
cudaError_t cudaMallocHost(void** ptr, std::size_t bytes);
cudaError_t cudaFreeHost(void* ptr);
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream = nullptr);
cudaError_t cudaMemset(void* dev_ptr, int value, std::size_t bytes);
cudaError_t cudaMemsetAsync(void* dev_ptr, int value, std::size_t bytes, cudaStream_t stream = nullptr);
cudaError_t cudaMemGetInfo(std::size_t* free_bytes, std::size_t* total_bytes);

// Streams.
cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamGetFlags(cudaStream_t stream, unsigned int* flags);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamQuery(cudaStream_t stream);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags = 0);

// Events.
cudaError_t cudaEventCreate(cudaEvent_t* event);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventQuery(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);
cudaError_t cudaEventDestroy(cudaEvent_t event);

// Errors, device.
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t error);
const char* cudaGetErrorName(cudaError_t error);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
