// The Cuda device itself: the start-up check that a usable GPU is present, a one-line summary of
// it, and streams for a Context<Cuda> (Context::set_stream). Plain C++ declarations, defined in
// cuda/device.cu (and by cuda/absent.cpp in a build without a CUDA backend).
#pragma once
#include <string>

namespace enas::cuda {

/// The oldest compute capability this build's kernels run on (sm_80: CMAKE_CUDA_ARCHITECTURES
/// "80;90" embeds sm_80 and sm_90 code and compute_90 PTX for newer GPUs).
inline constexpr int kMinComputeMajor = 8;

/// Why a process that sees `device_count` devices, the first of compute capability major.minor,
/// cannot run this build's kernels; empty if it can.
inline std::string device_problem(int device_count, int major, int minor) {
    if (device_count <= 0) return "no CUDA device is visible (check nvidia-smi, the driver, and CUDA_VISIBLE_DEVICES)";
    if (major < kMinComputeMajor)
        return "device 0 has compute capability " + std::to_string(major) + "." + std::to_string(minor) +
               ", but the kernels are built for 8.0 and newer (A100, H100, H200); a launch would fail with "
               "'no kernel image is available'";
    return {};
}

/// Checks once per process that device 0 exists and is new enough, and throws CudaError naming the
/// problem (device_problem) otherwise. The first device allocation calls it, so an unusable machine
/// fails with this message rather than with the first cudaMalloc's or launch's error.
void require_usable_device();

/// One line about device 0: name, compute capability, multiprocessors, memory, driver and runtime.
std::string device_summary();

/// A new stream for Context::set_stream: a blocking stream (cudaStreamDefault), because tensor
/// fills and host copies run on the default stream, which orders itself with blocking streams
/// only. Launchers reject a non-blocking stream. Destroy it with destroy_stream once unused.
void* create_stream();
/// A non-blocking stream (cudaStreamNonBlocking), for tests that check it is rejected.
void* create_non_blocking_stream();
/// Destroys a stream from create_stream (nullptr: no-op); its queued work still completes.
void destroy_stream(void* stream) noexcept;

}  // namespace enas::cuda
