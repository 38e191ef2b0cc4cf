// Launch geometry for kernels over image planes without per-element integer division: a 2-D block
// of threads covers a tile of one h x w plane (x along w, y along h), blockIdx.x/.y pick the tile,
// and blockIdx.z picks a slice of planes that each thread loops over. A thread finds its (row,
// column) from its indices; only per-block values (the slice) are ever divided.
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/core/error.hpp"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// Grid and block of a plane launch.
struct PlaneLaunch {
    dim3 grid;
    dim3 block;
};

/// Blocks of up to 256 threads over an h x w plane (h, w >= 1), with `slices` blocks along z
/// (clamped to CUDA's 65535; kernels loop over the rest).
inline PlaneLaunch plane_launch(int h, int w, std::int64_t slices) {
    const unsigned int bx = w >= 32 ? 32u : (w >= 16 ? 16u : 8u);
    const unsigned int by = std::min<unsigned int>(256u / bx, static_cast<unsigned int>(h));
    check<ValueError>(static_cast<std::int64_t>(h) <= std::int64_t{65535} * by, "plane of ", h, " x ", w,
                      " rows too tall for a CUDA plane launch");
    PlaneLaunch l;
    l.block = dim3(bx, by, 1);
    l.grid = dim3((static_cast<unsigned int>(w) + bx - 1) / bx, (static_cast<unsigned int>(h) + by - 1) / by,
                  static_cast<unsigned int>(std::clamp<std::int64_t>(slices, 1, 65535)));
    return l;
}

/// This thread's column and row of the plane.
__device__ __forceinline__ int plane_col() { return static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x); }
__device__ __forceinline__ int plane_row() { return static_cast<int>(blockIdx.y * blockDim.y + threadIdx.y); }

}  // namespace enas::cuda::kernels
