// The Cuda device: start-up check, summary, and streams (include/enas/backend/cuda/device.hpp).
#include "enas/backend/cuda/device.hpp"

#include <mutex>

#include "launch_support.cuh"

namespace enas::cuda {

void require_usable_device() {
    static std::once_flag once;
    static std::string problem;
    std::call_once(once, [] {
        int count = 0;
        const cudaError_t error = cudaGetDeviceCount(&count);
        if (error != cudaSuccess) {
            (void)cudaGetLastError();
            problem = ::enas::detail::concat("cudaGetDeviceCount failed: ", cudaGetErrorName(error), ": ",
                                             cudaGetErrorString(error), " (no driver, or no device)");
            return;
        }
        cudaDeviceProp prop{};
        if (count > 0 && cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
            (void)cudaGetLastError();
            problem = "cudaGetDeviceProperties(0) failed";
            return;
        }
        problem = device_problem(count, prop.major, prop.minor);
    });
    if (!problem.empty()) throw CudaError("enas: the Cuda device is unusable: " + problem);
}

std::string device_summary() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        (void)cudaGetLastError();
        return "no CUDA device";
    }
    cudaDeviceProp prop{};
    check_cuda(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties(0)");
    return ::enas::detail::concat(prop.name, ", compute capability ", prop.major, ".", prop.minor, ", ",
                                  prop.multiProcessorCount, " SMs, ", prop.totalGlobalMem >> 20, " MiB, ", count,
                                  count == 1 ? " device" : " devices");
}

namespace {
void* create_with_flags(unsigned int flags) {
    require_usable_device();
    cudaStream_t stream = nullptr;
    check_cuda(cudaStreamCreateWithFlags(&stream, flags), "cudaStreamCreateWithFlags");
    return stream;
}
}  // namespace

void* create_stream() { return create_with_flags(cudaStreamDefault); }
void* create_non_blocking_stream() { return create_with_flags(cudaStreamNonBlocking); }

void destroy_stream(void* stream) noexcept {
    if (stream != nullptr && cudaStreamDestroy(static_cast<cudaStream_t>(stream)) != cudaSuccess)
        (void)cudaGetLastError();
}

}  // namespace enas::cuda
