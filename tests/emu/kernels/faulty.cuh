// Kernels with synchronization bugs and other faults that the emulator must report as errors
// (naming kernel, block and thread) instead of hanging or silently computing garbage.
#pragma once
#include "portable.cuh"

namespace emu_test {

/// Only the first 16 threads reach the barrier; the others run on and exit.
__global__ void barrier_in_divergent_branch(float* out) {
    if (threadIdx.x < 16) __syncthreads();
    out[threadIdx.x] = 1.0f;
}

/// Threads past n return before a barrier the others wait at.
__global__ void early_return_before_barrier(const float* __restrict__ x, float* __restrict__ out, int n) {
    ENAS_SHARED(float, tile, 64);
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i >= n) return;
    tile[threadIdx.x] = x[i];
    __syncthreads();
    out[i] = tile[threadIdx.x];
}

/// Even and odd threads wait at two different __syncthreads.
__global__ void barriers_at_different_sites(float* out) {
    if (threadIdx.x % 2 == 0) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = 1.0f;
}

/// Lane 31 skips a full-mask shuffle (it is named in the mask but never arrives).
__global__ void shuffle_missing_lane(float* out) {
    float v = static_cast<float>(threadIdx.x);
    if (threadIdx.x % 32 != 31) v = __shfl_down_sync(0xffffffffu, v, 1);
    out[threadIdx.x] = v;
}

/// Half the warp waits at a shuffle while the other half waits at a block barrier.
__global__ void shuffle_against_barrier(float* out) {
    float v = 1.0f;
    if (threadIdx.x < 16) {
        v = __shfl_xor_sync(0xffffffffu, v, 1);
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = v;
}

/// Every lane passes a mask that leaves most lanes out, including itself.
__global__ void shuffle_mask_without_caller(float* out) { out[threadIdx.x] = __shfl_sync(0x1u, 2.0f, 0); }

/// Thread 5 of block 2 traps.
__global__ void trap_in_one_thread(float* out) {
    if (blockIdx.x == 2 && threadIdx.x == 5) __trap();
    out[blockIdx.x * blockDim.x + threadIdx.x] = 1.0f;
}

}  // namespace emu_test
