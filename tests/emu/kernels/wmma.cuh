// A warp matrix multiply on TF32 tensor cores: one warp, D = A * B + C with A [16, 16] row-major,
// B [16, 16] column-major and C, D [16, 16] row-major, as two m16n16k8 steps.
#pragma once
#include "portable.cuh"

namespace emu_test {

/// With `round` the A and B fragments are rounded to TF32 first (wmma::__float_to_tf32).
__global__ void tf32_tile_mma(const float* a, const float* b, const float* c, float* d, int round) {
    using namespace nvcuda;
    wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa;
    wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::col_major> fb;
    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc;
    wmma::load_matrix_sync(acc, c, 16, wmma::mem_row_major);
    for (int k0 = 0; k0 < 16; k0 += 8) {
        wmma::load_matrix_sync(fa, a + k0, 16);  // rows of A, columns k0 .. k0 + 7
        wmma::load_matrix_sync(fb, b + k0, 16);  // columns of B, rows k0 .. k0 + 7
        if (round) {
            for (int i = 0; i < fa.num_elements; ++i) fa.x[i] = wmma::__float_to_tf32(fa.x[i]);
            for (int i = 0; i < fb.num_elements; ++i) fb.x[i] = wmma::__float_to_tf32(fb.x[i]);
        }
        wmma::mma_sync(acc, fa, fb, acc);
    }
    wmma::store_matrix_sync(d, acc, 16, wmma::mem_row_major);
}

}  // namespace emu_test
