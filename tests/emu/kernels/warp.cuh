// Warp-level kernels for the emulator self-tests: shuffle reductions, scans, broadcasts, votes.
#pragma once
#include "portable.cuh"

namespace emu_test {

constexpr unsigned int kFullMask = 0xffffffffu;

__device__ __forceinline__ float warp_sum_down(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(kFullMask, v, offset);
    return v;  // complete in lane 0
}

/// out[warp] = sum of the warp's 32 inputs (x padded with zeros past n).
__global__ void warp_sums(const float* __restrict__ x, float* __restrict__ out, int n) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    const float v = warp_sum_down(i < n ? x[i] : 0.0f);
    if (threadIdx.x % 32 == 0) out[i / 32] = v;
}

/// Butterfly reduction: every lane ends with the warp's sum; out[i] = that sum.
__global__ void warp_allreduce_xor(const float* __restrict__ x, float* __restrict__ out) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    float v = x[i];
    for (int mask = 16; mask > 0; mask /= 2) v += __shfl_xor_sync(kFullMask, v, mask);
    out[i] = v;
}

/// Sums within groups of `width` lanes (width a power of two): out[i] = sum of i's group.
__global__ void segment_allreduce_xor(const float* __restrict__ x, float* __restrict__ out, int width) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    float v = x[i];
    for (int mask = width / 2; mask > 0; mask /= 2) v += __shfl_xor_sync(kFullMask, v, mask, width);
    out[i] = v;
}

/// Inclusive prefix sum within each warp (Hillis-Steele with __shfl_up_sync).
__global__ void warp_inclusive_scan(const int* __restrict__ x, int* __restrict__ out) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    const int lane = static_cast<int>(threadIdx.x % 32);
    int v = x[i];
    for (int offset = 1; offset < 32; offset *= 2) {
        const int up = __shfl_up_sync(kFullMask, v, offset);
        if (lane >= offset) v += up;
    }
    out[i] = v;
}

/// out[i] = x of lane `source_lane` of i's warp.
__global__ void warp_broadcast(const double* __restrict__ x, double* __restrict__ out, int source_lane) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    out[i] = __shfl_sync(kFullMask, x[i], source_lane);
}

/// Per warp: the ballot of flags, and whether any / all flags are set.
__global__ void warp_votes(const int* __restrict__ flags, unsigned int* __restrict__ ballots, int* __restrict__ any,
                           int* __restrict__ all) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    const int flag = flags[i];
    const unsigned int ballot = __ballot_sync(kFullMask, flag);
    const int some = __any_sync(kFullMask, flag);
    const int every = __all_sync(kFullMask, flag);
    if (threadIdx.x % 32 == 0) {
        ballots[i / 32] = ballot;
        any[i / 32] = some;
        all[i / 32] = every;
    }
}

/// The two half-warps reduce independently, each with its own 16-lane mask.
__global__ void half_warp_sums(const float* __restrict__ x, float* __restrict__ out) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    const unsigned int mask = threadIdx.x % 32 < 16 ? 0x0000ffffu : 0xffff0000u;
    float v = x[i];
    for (int offset = 8; offset > 0; offset /= 2) v += __shfl_down_sync(mask, v, offset, 16);
    __syncwarp();
    if (threadIdx.x % 16 == 0) out[i / 16] = v;
}

/// Block sum from warp shuffles and one shared slot per warp (blockDim.x a multiple of 32).
__global__ void block_sum_warp_shuffle(const float* __restrict__ x, float* __restrict__ partial, int n) {
    ENAS_SHARED(float, warp_totals, 32);
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    const int lane = static_cast<int>(threadIdx.x % 32);
    const int warp = static_cast<int>(threadIdx.x / 32);
    const float v = warp_sum_down(i < n ? x[i] : 0.0f);
    if (lane == 0) warp_totals[warp] = v;
    __syncthreads();
    if (warp == 0) {
        const int warps = static_cast<int>(blockDim.x / 32);
        const float total = warp_sum_down(lane < warps ? warp_totals[lane] : 0.0f);
        if (lane == 0) partial[blockIdx.x] = total;
    }
}

}  // namespace emu_test
