// The portable CUDA dialect (DESIGN.md §4). Every kernel file (cuda/kernels/*.cuh) and launcher
// (cuda/*.cu) includes this header and nothing CUDA-specific besides it. Under nvcc it is CUDA
// itself; under the host compiler with ENAS_CUDA_EMULATION it is the SIMT emulator (cuda/emu).
//
// Kernels may use: __global__ __device__ __host__ __forceinline__ __launch_bounds__ __restrict__;
// threadIdx blockIdx blockDim gridDim warpSize; __syncthreads(_count/_and/_or) __syncwarp;
// __shfl(_up/_down/_xor)_sync __ballot_sync __any_sync __all_sync; atomicAdd/Sub/Max/Min/CAS/Exch/
// And/Or; __ldg __threadfence; the vector types and make_*; <math.h> and the fast intrinsics;
// nvcuda::wmma at m16n16k8 with TF32 inputs (cuda/emu/wmma.hpp lists what the emulator models).
// Shared memory is declared only through these macros (a plain __shared__ does not compile in
// the emulator, which gives every block its own freshly poisoned copy):
//   ENAS_SHARED(float, tile, 256);          // __shared__ float tile[256];
//   ENAS_SHARED_2D(float, tile, 32, 33);    // __shared__ float tile[32][33];
//   ENAS_DYNAMIC_SHARED(float, buffer);     // extern __shared__ float buffer[]; (launch's bytes)
// Loops to unroll are marked ENAS_UNROLL (#pragma unroll under nvcc, nothing in the emulator).
// Kernels are launched only through enas::cuda::launch<kernel>(grid, block, shared, stream, args...)
// (cuda/launch.cuh), never with <<<...>>>. See docs/cuda_emulator.md.
#pragma once

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#include <mma.h>  // nvcuda::wmma (the emulator's subset: cuda/emu/wmma.hpp)

#define ENAS_UNROLL _Pragma("unroll")
#define ENAS_SHARED(T, name, count) __shared__ T name[count]
#define ENAS_SHARED_2D(T, name, rows, cols) __shared__ T name[rows][cols]
// One untyped extern array for every kernel, as extern __shared__ arrays of different types
// with one name would clash.
#define ENAS_DYNAMIC_SHARED(T, name)                                             \
    extern __shared__ __align__(16) unsigned char enas_dynamic_shared_storage[]; \
    T* name = reinterpret_cast<T*>(enas_dynamic_shared_storage)

#elif defined(ENAS_CUDA_EMULATION)
#include "emu/emulator.hpp"
#define ENAS_UNROLL

#else
#error "cuda/portable.cuh: compile kernels with nvcc, or with ENAS_CUDA_EMULATION (link enas_cuda_emu)"
#endif

#include "launch.cuh"
