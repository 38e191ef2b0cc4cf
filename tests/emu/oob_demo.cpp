// Planted out-of-bounds writes in emulated kernels. Built and run only in the sanitizer build,
// where AddressSanitizer must report each one (ctest checks its report): every cudaMalloc and
// every shared array is its own exact-size heap block. Usage: emu_oob_demo global|shared|dynamic
#include <cstdio>
#include <cstring>

#include "portable.cuh"

namespace {

/// Bug: `i <= n` writes one element past the end of `out`.
__global__ void write_one_past_global_array(float* out, int n) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i <= n) out[i] = 1.0f;
}

/// Bug: the last thread writes one element past the static shared array (through a pointer, as
/// UBSan's bounds check would catch an indexed array first).
__global__ void write_one_past_shared_array(float* out) {
    ENAS_SHARED(float, tile, 32);
    float* slots = tile;
    slots[threadIdx.x + 1] = static_cast<float>(threadIdx.x);
    __syncthreads();
    out[threadIdx.x] = tile[threadIdx.x];
}

/// Bug: the last thread writes one element past the launch's dynamic shared memory.
__global__ void write_one_past_dynamic_shared(float* out) {
    ENAS_DYNAMIC_SHARED(float, tile);
    tile[threadIdx.x + 1] = static_cast<float>(threadIdx.x);
    __syncthreads();
    out[threadIdx.x] = tile[threadIdx.x];
}

}  // namespace

int main(int argc, char** argv) {
    const char* where = argc > 1 ? argv[1] : "global";
    float* out = nullptr;
    if (cudaMalloc(&out, 32 * sizeof(float)) != cudaSuccess) return 2;
    if (std::strcmp(where, "global") == 0) {
        enas::cuda::launch<write_one_past_global_array>(1, 64, 0, nullptr, out, 32);
    } else if (std::strcmp(where, "shared") == 0) {
        enas::cuda::launch<write_one_past_shared_array>(1, 32, 0, nullptr, out);
    } else if (std::strcmp(where, "dynamic") == 0) {
        enas::cuda::launch<write_one_past_dynamic_shared>(1, 32, 32 * sizeof(float), nullptr, out);
    } else {
        std::fprintf(stderr, "usage: emu_oob_demo global|shared|dynamic\n");
        return 2;
    }
    cudaFree(out);
    std::printf("no out-of-bounds access was reported (%s): is this an AddressSanitizer build?\n", where);
    return 1;
}
