// The CUDA runtime's errors, streams, events and device queries for the emulated device.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>

#include "device_limits.hpp"
#include "emu/options.hpp"
#include "handles.hpp"
#include "last_error.hpp"
#include "stream_queue.hpp"

// A stream is a queue (run at once in synchronous mode, stream_queue.hpp); an event is a marker
// in one, holding the host time at which the work before it had finished.

namespace enas::emu {
namespace {

struct LastError {
    cudaError_t code = cudaSuccess;
    std::string detail;
};
thread_local LastError last_error;

template <class Handle>
class HandleRegistry {
public:
    void add(Handle h) {
        std::lock_guard<std::mutex> lock(mutex_);
        live_.insert(h);
    }
    bool remove(Handle h) {
        std::lock_guard<std::mutex> lock(mutex_);
        return live_.erase(h) == 1;
    }
    bool contains(Handle h) const {
        std::lock_guard<std::mutex> lock(mutex_);
        return live_.count(h) == 1;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_set<Handle> live_;
};

HandleRegistry<cudaStream_t>& streams() {
    static HandleRegistry<cudaStream_t> registry;
    return registry;
}
HandleRegistry<cudaEvent_t>& events() {
    static HandleRegistry<cudaEvent_t> registry;
    return registry;
}

cudaError_t invalid_event(const char* call, cudaEvent_t event) {
    return report_error(cudaErrorInvalidResourceHandle,
                        std::string(call) + ": event " + describe_pointer(event) + " was not created or was destroyed");
}
cudaError_t invalid_stream(const char* call, cudaStream_t stream) {
    return report_error(cudaErrorInvalidResourceHandle, std::string(call) + ": stream " + describe_pointer(stream) +
                                                            " was not created or was destroyed");
}

}  // namespace

cudaError_t report_error(cudaError_t error, std::string detail) {
    last_error.code = error;
    last_error.detail = std::move(detail);
    return error;
}

std::string describe_pointer(const void* p) {
    char text[32];
    std::snprintf(text, sizeof text, "%p", p);
    return text;
}

std::string last_error_detail() { return last_error.detail; }

bool stream_is_valid(cudaStream_t stream) {
    return stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread ||
           streams().contains(stream);
}

}  // namespace enas::emu

using enas::emu::report_error;

cudaError_t cudaGetLastError() {
    const cudaError_t error = enas::emu::last_error.code;
    enas::emu::last_error.code = cudaSuccess;
    return error;
}
cudaError_t cudaPeekAtLastError() { return enas::emu::last_error.code; }

const char* cudaGetErrorName(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInitializationError: return "cudaErrorInitializationError";
        case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
        case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
        case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
        case cudaErrorInvalidDeviceFunction: return "cudaErrorInvalidDeviceFunction";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
        case cudaErrorNotReady: return "cudaErrorNotReady";
        case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
        case cudaErrorNotSupported: return "cudaErrorNotSupported";
        case cudaErrorUnknown: return "cudaErrorUnknown";
    }
    return "cudaErrorUnknown";
}

const char* cudaGetErrorString(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInitializationError: return "initialization error";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInvalidDevicePointer: return "invalid device pointer";
        case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
        case cudaErrorInvalidDeviceFunction: return "invalid device function";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorInvalidResourceHandle: return "invalid resource handle";
        case cudaErrorNotReady: return "device not ready";
        case cudaErrorLaunchFailure: return "unspecified launch failure";
        case cudaErrorNotSupported: return "operation not supported";
        case cudaErrorUnknown: return "unknown error";
    }
    return "unrecognized error code";
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
    if (stream == nullptr) return report_error(cudaErrorInvalidValue, "cudaStreamCreate: null output pointer");
    *stream = new CUstream_st;
    (*stream)->flags = flags;
    enas::emu::streams().add(*stream);
    enas::emu::register_stream(*stream);
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    if (stream == nullptr || !enas::emu::streams().remove(stream))
        return enas::emu::invalid_stream("cudaStreamDestroy", stream);
    enas::emu::unregister_stream(stream);  // its queued work still runs, as in CUDA
    delete stream;
    return cudaSuccess;
}

cudaError_t cudaStreamGetFlags(cudaStream_t stream, unsigned int* flags) {
    if (flags == nullptr) return report_error(cudaErrorInvalidValue, "cudaStreamGetFlags: null output pointer");
    if (!enas::emu::stream_is_valid(stream)) return enas::emu::invalid_stream("cudaStreamGetFlags", stream);
    *flags = enas::emu::resolve_stream(stream)->flags;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
    if (!enas::emu::stream_is_valid(stream)) return enas::emu::invalid_stream("cudaStreamSynchronize", stream);
    return enas::emu::run_until(enas::emu::stream_tail(stream));
}
// Queries finish the queued work and report it done: a deferred queue only runs when waited for,
// so a polling loop would otherwise never end.
cudaError_t cudaStreamQuery(cudaStream_t stream) {
    if (!enas::emu::stream_is_valid(stream)) return enas::emu::invalid_stream("cudaStreamQuery", stream);
    return enas::emu::run_until(enas::emu::stream_tail(stream));
}
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int /*flags*/) {
    if (!enas::emu::stream_is_valid(stream)) return enas::emu::invalid_stream("cudaStreamWaitEvent", stream);
    if (!enas::emu::events().contains(event)) return enas::emu::invalid_event("cudaStreamWaitEvent", event);
    if (!event->recorded) return cudaSuccess;  // waiting for a never-recorded event is a no-op
    return enas::emu::issue(
        stream, [] { return cudaSuccess; }, event->position);
}

cudaError_t cudaEventCreate(cudaEvent_t* event) { return cudaEventCreateWithFlags(event, cudaEventDefault); }

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
    if (event == nullptr) return report_error(cudaErrorInvalidValue, "cudaEventCreate: null output pointer");
    *event = new CUevent_st;
    (*event)->flags = flags;
    enas::emu::events().add(*event);
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
    if (!enas::emu::events().contains(event)) return enas::emu::invalid_event("cudaEventRecord", event);
    if (!enas::emu::stream_is_valid(stream)) return enas::emu::invalid_stream("cudaEventRecord", stream);
    event->recorded = true;
    const cudaError_t error = enas::emu::issue(stream, [event] {
        event->time = std::chrono::steady_clock::now();
        return cudaSuccess;
    });
    event->position = enas::emu::stream_tail(stream);
    return error;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
    if (!enas::emu::events().contains(event)) return enas::emu::invalid_event("cudaEventSynchronize", event);
    return enas::emu::run_until(event->position);
}
cudaError_t cudaEventQuery(cudaEvent_t event) {
    if (!enas::emu::events().contains(event)) return enas::emu::invalid_event("cudaEventQuery", event);
    return enas::emu::run_until(event->position);
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
    if (ms == nullptr) return report_error(cudaErrorInvalidValue, "cudaEventElapsedTime: null output pointer");
    if (!enas::emu::events().contains(start)) return enas::emu::invalid_event("cudaEventElapsedTime", start);
    if (!enas::emu::events().contains(end)) return enas::emu::invalid_event("cudaEventElapsedTime", end);
    if (start->recorded) (void)enas::emu::run_until(start->position);
    if (end->recorded) (void)enas::emu::run_until(end->position);
    if (!start->recorded || !end->recorded)
        return report_error(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: an event was never recorded");
    if (((start->flags | end->flags) & cudaEventDisableTiming) != 0)
        return report_error(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: an event has timing disabled");
    *ms = std::chrono::duration<float, std::milli>(end->time - start->time).count();
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
    if (event == nullptr || !enas::emu::events().remove(event))
        return enas::emu::invalid_event("cudaEventDestroy", event);
    (void)enas::emu::run_until(event->position);  // its queued marker refers to it
    delete event;
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() { return enas::emu::run_all(); }

cudaError_t cudaGetDeviceCount(int* count) {
    if (count == nullptr) return report_error(cudaErrorInvalidValue, "cudaGetDeviceCount: null output pointer");
    *count = 1;
    return cudaSuccess;
}
cudaError_t cudaGetDevice(int* device) {
    if (device == nullptr) return report_error(cudaErrorInvalidValue, "cudaGetDevice: null output pointer");
    *device = 0;
    return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) {
    if (device != 0)
        return report_error(cudaErrorInvalidDevice,
                            "cudaSetDevice(" + std::to_string(device) + "): the SIMT emulator has one device, 0");
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
    if (prop == nullptr) return report_error(cudaErrorInvalidValue, "cudaGetDeviceProperties: null output pointer");
    if (device != 0)
        return report_error(cudaErrorInvalidDevice, "cudaGetDeviceProperties(" + std::to_string(device) +
                                                        "): the SIMT emulator has one device, 0");
    using namespace enas::emu;
    *prop = cudaDeviceProp{};
    std::snprintf(prop->name, sizeof prop->name, "enas SIMT emulator (CPU)");
    prop->totalGlobalMem =
        static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    prop->sharedMemPerBlock = kSharedMemoryPerBlock;
    prop->regsPerBlock = 65536;
    prop->warpSize = kWarpSize;
    prop->maxThreadsPerBlock = static_cast<int>(kMaxThreadsPerBlock);
    for (int axis = 0; axis < 3; ++axis) {
        prop->maxThreadsDim[axis] = static_cast<int>(kMaxBlockDim[axis]);
        prop->maxGridSize[axis] = static_cast<int>(kMaxGridDim[axis]);
    }
    prop->totalConstMem = 64 * 1024;
    prop->major = 8;  // kernels are written for sm_80 and sm_90
    prop->minor = 0;
    prop->multiProcessorCount = enas::emu::options().worker_threads;
    prop->l2CacheSize = 40 * 1024 * 1024;
    prop->maxThreadsPerMultiProcessor = 2048;
    prop->sharedMemPerMultiprocessor = 164 * 1024;
    prop->sharedMemPerBlockOptin = kSharedMemoryPerBlock;
    prop->regsPerMultiprocessor = 65536;
    prop->maxBlocksPerMultiProcessor = 32;
    prop->concurrentKernels = 0;
    prop->unifiedAddressing = 1;
    return cudaSuccess;
}
