// __device__ helpers shared by several kernel files (only inline functions here: a kernels/F.cuh
// with __global__ functions is included by its launcher file cuda/F.cu alone, or the kernels
// would be defined twice): grid-stride loop indices, the activations of enas::Activation, and
// warp / block sums for any arithmetic type.
#pragma once
#include <cstdint>

#include "enas/backend/cpu/elementwise.hpp"  // enum Activation (its host functions are unused here)
#include "portable.cuh"

namespace enas::cuda::kernels {

/// First index and stride of a 1-D grid-stride loop.
__device__ __forceinline__ std::int64_t grid_start() {
    return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ std::int64_t grid_stride() { return static_cast<std::int64_t>(gridDim.x) * blockDim.x; }

__device__ __forceinline__ float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

/// act(x), as enas::cpu::activate.
__device__ __forceinline__ float activate(Activation a, float x) {
    switch (a) {
        case Activation::Relu: return x > 0.0f ? x : 0.0f;
        case Activation::Tanh: return tanhf(x);
        case Activation::Sigmoid: return sigmoidf(x);
        case Activation::Identity: break;
    }
    return x;
}

/// d act(x) / dx from the output y = act(x), as enas::cpu::activation_grad_from_output.
__device__ __forceinline__ float activation_grad_from_output(Activation a, float y) {
    switch (a) {
        case Activation::Relu: return y > 0.0f ? 1.0f : 0.0f;
        case Activation::Tanh: return 1.0f - y * y;
        case Activation::Sigmoid: return y * (1.0f - y);
        case Activation::Identity: break;
    }
    return 1.0f;
}

/// Functors for warp_reduce / block_reduce.
struct SumOp {
    template <class T>
    __device__ __forceinline__ T operator()(T a, T b) const {
        return a + b;
    }
};
struct MaxOp {
    template <class T>
    __device__ __forceinline__ T operator()(T a, T b) const {
        return a > b ? a : b;
    }
};

/// op-reduction of `v` over the 32 lanes of a warp, returned to every lane.
template <class T, class Op>
__device__ __forceinline__ T warp_reduce(T v, Op op) {
    for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

/// op-reduction of `v` over a 1-D block (blockDim.x a multiple of 32), returned to every thread;
/// `identity` fills the missing warps. `scratch`: 32 elements of shared memory.
template <class T, class Op>
__device__ __forceinline__ T block_reduce(T v, T* scratch, Op op, T identity) {
    const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
    v = warp_reduce(v, op);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = warp_reduce(lane < static_cast<int>(blockDim.x) / 32 ? scratch[lane] : identity, op);
    __syncthreads();  // scratch may be reused right after
    return v;
}

/// Sum of `v` over a warp / a 1-D block, returned to every thread (see block_reduce).
template <class T>
__device__ __forceinline__ T warp_reduce_sum(T v) {
    return warp_reduce(v, SumOp{});
}
template <class T>
__device__ __forceinline__ T block_reduce_sum(T v, T* scratch) {
    return block_reduce(v, scratch, SumOp{}, T(0));
}

}  // namespace enas::cuda::kernels
