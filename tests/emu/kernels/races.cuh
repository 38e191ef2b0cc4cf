// Kernels for the race-check self-tests: copies of two shipped kernels with and without a barrier
// (the planted bugs of issue 17: the second __syncthreads of block_reduce in
// cuda/kernels/device_helpers.cuh, and the second one of argmax_forward in cuda/kernels/softmax.cuh),
// and small kernels with one race each.
#pragma once
#include <cmath>
#include <cstdint>

#include "portable.cuh"

namespace emu_test {

template <class T>
__device__ __forceinline__ T race_warp_sum(T v) {
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}
template <class T>
__device__ __forceinline__ T race_warp_max(T v) {
    for (int offset = 16; offset > 0; offset /= 2) {
        const T other = __shfl_xor_sync(0xffffffffu, v, offset);
        v = other > v ? other : v;
    }
    return v;
}

/// block_reduce of cuda/kernels/device_helpers.cuh (sum or max), with its second barrier only when
/// kSecondBarrier: without it a warp that is done may overwrite `scratch` for the next reduction
/// while other warps still read it.
template <bool kSecondBarrier, bool kMax>
__device__ __forceinline__ float copied_block_reduce(float v, float* scratch, float identity) {
    const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
    v = kMax ? race_warp_max(v) : race_warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < static_cast<int>(blockDim.x) / 32 ? scratch[lane] : identity;
    v = kMax ? race_warp_max(v) : race_warp_sum(v);
    if constexpr (kSecondBarrier) __syncthreads();  // scratch may be reused right after
    return v;
}

/// Per block: the sum and then the max of x[block * blockDim.x + t] through one scratch array, as
/// the softmax kernels reduce twice; every thread writes what it got: sums[i], maxima[i].
template <bool kSecondBarrier>
__global__ void sum_then_max(const float* __restrict__ x, float* __restrict__ sums, float* __restrict__ maxima) {
    ENAS_SHARED(float, scratch, 32);
    const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const float sum = copied_block_reduce<kSecondBarrier, false>(x[i], scratch, 0.0f);
    const float max = copied_block_reduce<kSecondBarrier, true>(x[i], scratch, -INFINITY);
    sums[i] = sum;
    maxima[i] = max;
}

/// argmax_forward of cuda/kernels/softmax.cuh: index[r] = position of the largest entry of row r
/// (the first on ties); its second barrier only when kSecondBarrier. Without it, a block that
/// handles several rows lets a warp publish the next row's candidates while others still read.
template <bool kSecondBarrier>
__global__ void copied_argmax(const float* __restrict__ x, std::int32_t* __restrict__ index, std::int64_t rows,
                              std::int64_t k) {
    ENAS_SHARED(float, best_values, 32);
    ENAS_SHARED(std::int64_t, best_positions, 32);
    const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
    const int warps = static_cast<int>(blockDim.x) / 32;
    for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * k;
        float best = -INFINITY;
        std::int64_t at = k;  // "none yet": loses every tie
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x)
            if (at == k || xr[j] > best) best = xr[j], at = j;
        for (int round = 0; round < 2; ++round) {
            for (int offset = 16; offset > 0; offset /= 2) {
                const float other = __shfl_xor_sync(0xffffffffu, best, offset);
                const std::int64_t other_at = __shfl_xor_sync(0xffffffffu, at, offset);
                if (other_at != k && (at == k || other > best || (other == best && other_at < at)))
                    best = other, at = other_at;
            }
            if (round == 1) break;
            if (lane == 0) best_values[warp] = best, best_positions[warp] = at;
            __syncthreads();
            best = lane < warps ? best_values[lane] : -INFINITY;
            at = lane < warps ? best_positions[lane] : k;
            if constexpr (kSecondBarrier) __syncthreads();
        }
        if (threadIdx.x == 0) index[r] = static_cast<std::int32_t>(at);
    }
}

/// What the small race kernels do to shared word 0 (thread `other` and thread 0 of the block).
enum class RaceCase : int {
    read_after_write,     ///< thread 0 writes, thread `other` reads, no barrier
    write_after_read,     ///< thread `other` reads, thread 0 writes, no barrier
    write_after_write,    ///< both write
    barrier_between,      ///< thread 0 writes, __syncthreads, thread `other` reads: no race
    syncwarp_between,     ///< the same with __syncwarp (other in warp 0): no race
    atomics,              ///< both atomicAdd: no race
    out_of_bounds_write,  ///< thread `other` writes one element past the array
};

/// out[threadIdx.x] = what the thread read (or 0).
__global__ void one_race(int race_case, int other, float* __restrict__ out) {
    ENAS_SHARED(float, cell, 4);
    const int t = static_cast<int>(threadIdx.x);
    if (t == 0) cell[1] = 0.0f;
    __syncthreads();
    float seen = 0.0f;
    switch (static_cast<RaceCase>(race_case)) {
        case RaceCase::read_after_write:
            if (t == 0) cell[0] = 1.0f;
            if (t == other) seen = cell[0];
            break;
        case RaceCase::write_after_read:
            if (t == other) seen = cell[0];
            if (t == 0) cell[0] = 1.0f;
            break;
        case RaceCase::write_after_write:
            if (t == 0 || t == other) cell[0] = static_cast<float>(t);
            break;
        case RaceCase::barrier_between:
            if (t == 0) cell[0] = 1.0f;
            __syncthreads();
            if (t == other) seen = cell[0];
            break;
        case RaceCase::syncwarp_between:
            if (t == 0) cell[0] = 1.0f;
            if (t < 32) __syncwarp();
            if (t == other) seen = cell[0];
            break;
        case RaceCase::atomics:
            if (t == 0 || t == other) atomicAdd(&cell[1], 1.0f);
            break;
        case RaceCase::out_of_bounds_write: {
            float* p = cell;
            if (t == other) p[4 + t - other] = 2.0f;
            break;
        }
    }
    out[t] = seen;
}

}  // namespace emu_test
