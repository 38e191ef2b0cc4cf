// Block reductions in shared memory for the emulator self-tests: correct versions (static and
// dynamic shared memory) and versions with a missing __syncthreads that the emulator must expose.
#pragma once
#include "portable.cuh"

namespace emu_test {

/// Each block adds a grid-stride share of x and writes its sum to partial[blockIdx.x].
template <int kBlock>
__global__ void block_sum_static(const float* __restrict__ x, float* __restrict__ partial, int n) {
    ENAS_SHARED(float, tile, kBlock);
    const int t = static_cast<int>(threadIdx.x);
    float sum = 0.0f;
    for (int i = static_cast<int>(blockIdx.x) * kBlock + t; i < n; i += static_cast<int>(gridDim.x) * kBlock)
        sum += x[i];
    tile[t] = sum;
    __syncthreads();
    for (int stride = kBlock / 2; stride > 0; stride /= 2) {
        if (t < stride) tile[t] += tile[t + stride];
        __syncthreads();
    }
    if (t == 0) partial[blockIdx.x] = tile[0];
}

/// The same with blockDim.x (a power of two) floats of dynamic shared memory.
__global__ void block_sum_dynamic(const float* __restrict__ x, float* __restrict__ partial, int n) {
    ENAS_DYNAMIC_SHARED(float, tile);
    const int t = static_cast<int>(threadIdx.x);
    const int block = static_cast<int>(blockDim.x);
    float sum = 0.0f;
    for (int i = static_cast<int>(blockIdx.x) * block + t; i < n; i += static_cast<int>(gridDim.x) * block) sum += x[i];
    tile[t] = sum;
    __syncthreads();
    for (int stride = block / 2; stride > 0; stride /= 2) {
        if (t < stride) tile[t] += tile[t + stride];
        __syncthreads();
    }
    if (t == 0) partial[blockIdx.x] = tile[0];
}

/// Bug: no __syncthreads between the stores and the tree, so a thread may add a partner's slot
/// before the partner stored into it (poison, or a stale value).
template <int kBlock>
__global__ void block_sum_missing_sync(const float* __restrict__ x, float* __restrict__ partial, int n) {
    ENAS_SHARED(float, tile, kBlock);
    const int t = static_cast<int>(threadIdx.x);
    float sum = 0.0f;
    for (int i = static_cast<int>(blockIdx.x) * kBlock + t; i < n; i += static_cast<int>(gridDim.x) * kBlock)
        sum += x[i];
    tile[t] = sum;
    for (int stride = kBlock / 2; stride > 0; stride /= 2) {
        if (t < stride) tile[t] += tile[t + stride];
        __syncthreads();
    }
    if (t == 0) partial[blockIdx.x] = tile[0];
}

/// Divides each element by its block's sum. With `synchronize` false the barrier between thread
/// 0 publishing the sum and the others reading it is missing: in ascending thread order the bug
/// hides (thread 0 runs first); in shuffled order other threads read the poisoned slot.
template <int kBlock>
__global__ void normalize_by_block_sum(const float* __restrict__ x, float* __restrict__ y, bool synchronize) {
    ENAS_SHARED(float, tile, kBlock);
    ENAS_SHARED(float, block_total, 1);
    const int t = static_cast<int>(threadIdx.x);
    const int i = static_cast<int>(blockIdx.x) * kBlock + t;
    tile[t] = x[i];
    __syncthreads();
    if (t == 0) {
        float total = 0.0f;
        for (int k = 0; k < kBlock; ++k) total += tile[k];
        block_total[0] = total;
    }
    if (synchronize) __syncthreads();
    y[i] = x[i] / block_total[0];
}

}  // namespace emu_test
