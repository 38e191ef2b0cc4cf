// Small helpers shared by the launchers (cuda/*.cu): the context's stream as a cudaStream_t, grid
// sizes for grid-stride loops, and CUDA runtime errors as enas::CudaError.
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/core/context.hpp"
#include "enas/core/error.hpp"
#include "portable.cuh"

// Tensor fills and host copies run on the legacy default stream, ordered with the context's
// (blocking) stream by CUDA's implicit synchronisation; a per-thread default stream has none.
#if defined(CUDA_API_PER_THREAD_DEFAULT_STREAM)
#error "enas needs the legacy default stream: do not compile with --default-stream per-thread"
#endif

namespace enas::cuda {
namespace detail {
/// Throws ValueError unless `stream` is a blocking stream. Checked at every use (a host-side query
/// of well under a microsecond): a cache keyed by the handle would trust a recycled address.
inline void require_blocking_stream(cudaStream_t stream) {
    unsigned int flags = 0;
    if (cudaStreamGetFlags(stream, &flags) != cudaSuccess) {
        (void)cudaGetLastError();
        throw CudaError("enas: the context's stream is not a valid CUDA stream (destroyed?)");
    }
    check<ValueError>((flags & cudaStreamNonBlocking) == 0,
                      "enas: the context's stream is non-blocking: tensor fills and host copies run on the default "
                      "stream and would race its kernels; use cuda::create_stream() (a blocking stream)");
}
}  // namespace detail

/// The stream a context's work is queued on (nullptr: the default stream); it must be blocking,
/// so that everything on the default stream (fills, copies, frees) is ordered with it.
inline cudaStream_t stream_of(const Context<Cuda>& ctx) {
    const auto stream = static_cast<cudaStream_t>(ctx.stream());
    if (stream != nullptr) detail::require_blocking_stream(stream);
    return stream;
}

/// Blocks of `block` threads for a grid-stride loop over `n` items: enough to cover n, at most
/// `max_blocks` (the loop covers the rest), at least 1.
inline unsigned int grid_stride_blocks(std::int64_t n, unsigned int block, unsigned int max_blocks = 4096) {
    const std::int64_t blocks = (n + block - 1) / block;
    return static_cast<unsigned int>(std::clamp<std::int64_t>(blocks, 1, max_blocks));
}

/// Throws CudaError "<what>: <error name>: <error string>" unless `error` is cudaSuccess.
inline void check_cuda(cudaError_t error, const char* what) {
    if (error == cudaSuccess) return;
    (void)cudaGetLastError();  // clear it, so that the next launch check does not report it again
    throw CudaError(::enas::detail::concat(what, ": ", cudaGetErrorName(error), ": ", cudaGetErrorString(error)));
}

}  // namespace enas::cuda
