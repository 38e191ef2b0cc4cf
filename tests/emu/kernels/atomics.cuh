// Atomic kernels for the emulator self-tests: many blocks update the same words.
#pragma once
#include "portable.cuh"

namespace emu_test {

/// Adds every x[i] (and 1 per element) into the totals with atomicAdd of each type.
__global__ void atomic_totals(const int* __restrict__ x, int n, float* float_total, double* double_total,
                              int* int_total, unsigned int* count) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n) {
        atomicAdd(float_total, static_cast<float>(x[i]));
        atomicAdd(double_total, static_cast<double>(x[i]));
        atomicAdd(int_total, x[i]);
        atomicAdd(count, 1u);
    }
}

__global__ void atomic_extremes(const int* __restrict__ x, int n, int* maximum, int* minimum) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n) {
        atomicMax(maximum, x[i]);
        atomicMin(minimum, x[i]);
    }
}

/// Increments *counter once per thread through a compare-and-swap loop.
__global__ void atomic_cas_increment(int* counter) {
    int old = 0;  // a guess; a failed CAS returns the current value
    for (;;) {
        const int seen = atomicCAS(counter, old, old + 1);
        if (seen == old) break;
        old = seen;
    }
}

/// Every thread swaps its id into *slot; the previous values form a chain that covers all ids.
__global__ void atomic_exchange_chain(int* slot, int* previous) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    previous[i] = atomicExch(slot, i);
}

/// Histogram with a per-block copy in shared memory merged into global bins.
__global__ void histogram(const int* __restrict__ x, int n, unsigned int* bins, int bin_count) {
    ENAS_SHARED(unsigned int, local, 64);
    for (int b = static_cast<int>(threadIdx.x); b < bin_count; b += static_cast<int>(blockDim.x)) local[b] = 0;
    __syncthreads();
    for (int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x); i < n;
         i += static_cast<int>(gridDim.x * blockDim.x))
        atomicAdd(&local[x[i]], 1u);
    __syncthreads();
    for (int b = static_cast<int>(threadIdx.x); b < bin_count; b += static_cast<int>(blockDim.x))
        atomicAdd(&bins[b], local[b]);
}

}  // namespace emu_test
