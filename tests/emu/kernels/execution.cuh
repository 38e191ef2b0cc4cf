// Kernels that observe the emulator's execution model: indices, thread order, barriers, and
// per-block shared memory.
#pragma once
#include "portable.cuh"

namespace emu_test {

/// Writes each thread's (block, thread) coordinates, packed, at its global linear index.
__global__ void record_indices(unsigned int* out) {
    const unsigned int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    const unsigned int thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    const unsigned int threads_per_block = blockDim.x * blockDim.y * blockDim.z;
    out[block * threads_per_block + thread] = (blockIdx.x << 24) | (blockIdx.y << 20) | (blockIdx.z << 16) |
                                              (threadIdx.x << 8) | (threadIdx.y << 4) | threadIdx.z;
}

/// Appends threadIdx.x to `order` before and after a barrier (one block).
__global__ void record_order_around_barrier(int* order, int* next) {
    order[atomicAdd(next, 1)] = static_cast<int>(threadIdx.x);
    __syncthreads();
    order[atomicAdd(next, 1)] = static_cast<int>(threadIdx.x);
}

/// Reports whether the block's shared memory arrived poisoned (NaN), then checks it is private
/// to the block: each thread stores the block index and reads a neighbour's slot after a barrier.
__global__ void shared_memory_is_fresh_and_private(int* arrived_poisoned, unsigned int* neighbour_block) {
    ENAS_SHARED(float, tile, 128);
    const unsigned int t = threadIdx.x;
    const unsigned int i = blockIdx.x * blockDim.x + t;
    arrived_poisoned[i] = tile[t] != tile[t] ? 1 : 0;  // NaN is the only value unequal to itself
    tile[t] = static_cast<float>(blockIdx.x);
    __syncthreads();
    neighbour_block[i] = static_cast<unsigned int>(tile[(t + 1) % blockDim.x]);
}

/// __syncthreads_count/_and/_or over the predicate threadIdx.x < limit.
__global__ void barrier_reductions(int limit, int* results) {
    const int p = static_cast<int>(threadIdx.x) < limit;
    const int count = __syncthreads_count(p);
    const int all = __syncthreads_and(p);
    const int any = __syncthreads_or(p);
    if (threadIdx.x == 0) {
        results[0] = count;
        results[1] = all;
        results[2] = any;
    }
}

/// Tiled transpose of a rows x cols matrix through a padded 2-D shared tile (32x8 threads).
__global__ void transpose(const float* __restrict__ in, float* __restrict__ out, int rows, int cols) {
    ENAS_SHARED_2D(float, tile, 32, 33);
    const int col = static_cast<int>(blockIdx.x * 32 + threadIdx.x);
    for (int dy = 0; dy < 32; dy += 8) {
        const int row = static_cast<int>(blockIdx.y * 32 + threadIdx.y) + dy;
        if (row < rows && col < cols) tile[threadIdx.y + dy][threadIdx.x] = in[row * cols + col];
    }
    __syncthreads();
    const int out_col = static_cast<int>(blockIdx.y * 32 + threadIdx.x);
    for (int dy = 0; dy < 32; dy += 8) {
        const int out_row = static_cast<int>(blockIdx.x * 32 + threadIdx.y) + dy;
        if (out_row < cols && out_col < rows) out[out_row * rows + out_col] = tile[threadIdx.x][threadIdx.y + dy];
    }
}

/// Vector types and math intrinsics: y[i] = (sigmoid-ish of each component) via float4 loads.
__global__ void vector_math(const float4* __restrict__ x, float4* __restrict__ y, int n4) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i >= n4) return;
    const float4 v = __ldg(&x[i]);
    y[i] = make_float4(__fdividef(1.0f, 1.0f + __expf(-v.x)), tanhf(v.y), rsqrtf(fabsf(v.z) + 1.0f),
                       fmaxf(erff(v.w), fminf(sqrtf(fabsf(v.w)), powf(2.0f, logf(fabsf(v.w) + 1.0f)))));
}

}  // namespace emu_test
