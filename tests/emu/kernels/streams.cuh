// Kernels for the asynchronous-stream mode: a producer and a consumer of one buffer.
#pragma once
#include "portable.cuh"

namespace emu_test {

/// out[i] = value + i.
__global__ void produce(float* out, float value, int n) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n) out[i] = value + static_cast<float>(i);
}

/// out[i] = 2 * in[i].
__global__ void consume(const float* in, float* out, int n) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n) out[i] = 2.0f * in[i];
}

}  // namespace emu_test
