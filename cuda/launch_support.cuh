// Small helpers shared by the launchers (cuda/*.cu): the context's stream as a cudaStream_t, grid
// sizes for grid-stride loops, and CUDA runtime errors as enas::CudaError.
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/core/context.hpp"
#include "enas/core/error.hpp"
#include "portable.cuh"

namespace enas::cuda {

/// The stream a context's work is queued on (nullptr: the default stream).
inline cudaStream_t stream_of(const Context<Cuda>& ctx) { return static_cast<cudaStream_t>(ctx.stream()); }

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
