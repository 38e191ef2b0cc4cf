// Kernels behind cuda/memory.cu: filling a buffer with a bit pattern and copying between strided
// views (Tensor::fill and Tensor::copy_from on the Cuda device).
#pragma once
#include <cstdint>

#include "portable.cuh"

namespace enas::cuda::kernels {

/// dst[i] = value for i < count (Word is an unsigned integer of the element's size).
template <class Word>
__global__ void fill_words(Word* __restrict__ dst, std::int64_t count, Word value) {
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride)
        dst[i] = value;
}

/// Shape and strides (in elements) of a strided copy, passed by value to the kernel.
struct StridedCopyLayout {
    static constexpr int kMaxRank = 6;
    std::int64_t shape[kMaxRank];
    std::int64_t dst_strides[kMaxRank];
    std::int64_t src_strides[kMaxRank];
    int rank;
    std::int64_t count;
};

/// Element i in row-major order of `layout.shape` goes from its src offset to its dst offset.
template <class Word>
__global__ void strided_copy_words(Word* __restrict__ dst, const Word* __restrict__ src, StridedCopyLayout layout) {
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < layout.count;
         i += stride) {
        std::int64_t rest = i, dst_at = 0, src_at = 0;
        for (int d = layout.rank - 1; d >= 0; --d) {
            const std::int64_t index = rest % layout.shape[d];
            rest /= layout.shape[d];
            dst_at += index * layout.dst_strides[d];
            src_at += index * layout.src_strides[d];
        }
        dst[dst_at] = src[src_at];
    }
}

}  // namespace enas::cuda::kernels
