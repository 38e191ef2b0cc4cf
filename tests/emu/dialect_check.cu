// The self-test kernels with launchers, as the backend's cuda/*.cu files will be written, compiled
// both ways: by nvcc for sm_80 and sm_90 (ctests emu/nvcc_dialect_sm80/_sm90, compile only, no GPU
// needed) and by the host compiler against the emulator (object library emu_dialect_check).
#include "kernels/atomics.cuh"
#include "kernels/execution.cuh"
#include "kernels/faulty.cuh"
#include "kernels/fma.cuh"
#include "kernels/races.cuh"
#include "kernels/reduction.cuh"
#include "kernels/streams.cuh"
#include "kernels/wmma.cuh"
#include "kernels/warp.cuh"

namespace emu_test {

// Host launchers for a cross-section of the kernels, as the backend's cuda/*.cu will write them.
void launch_reductions(const float* x, float* partial, float* y, int n, cudaStream_t stream) {
    const unsigned int grid = enas::cuda::blocks_for(n, 256);
    enas::cuda::launch<block_sum_static<256>>(grid, 256, 0, stream, x, partial, n);
    enas::cuda::launch<block_sum_dynamic>(grid, 128, 128 * sizeof(float), stream, x, partial, n);
    enas::cuda::launch<block_sum_missing_sync<256>>(grid, 256, 0, stream, x, partial, n);
    enas::cuda::launch<normalize_by_block_sum<128>>(grid, 128, 0, stream, x, y, true);
}

void launch_warp_kernels(const float* x, float* out, const int* flags, unsigned int* ballots, int* any, int* all,
                         const double* xd, double* outd, int n) {
    enas::cuda::launch<warp_sums>(4, 256, 0, nullptr, x, out, n);
    enas::cuda::launch<warp_allreduce_xor>(4, 256, 0, nullptr, x, out);
    enas::cuda::launch<segment_allreduce_xor>(4, 256, 0, nullptr, x, out, 8);
    enas::cuda::launch<warp_inclusive_scan>(4, 256, 0, nullptr, flags, any);
    enas::cuda::launch<warp_broadcast>(4, 256, 0, nullptr, xd, outd, 3);
    enas::cuda::launch<warp_votes>(4, 256, 0, nullptr, flags, ballots, any, all);
    enas::cuda::launch<half_warp_sums>(4, 256, 0, nullptr, x, out);
    enas::cuda::launch<block_sum_warp_shuffle>(4, 256, 0, nullptr, x, out, n);
}

void launch_atomics_and_more(const int* xi, int n, float* f, double* d, int* i, unsigned int* u, int* order,
                             unsigned int* indices, const float4* x4, float4* y4, float* out) {
    enas::cuda::launch<atomic_totals>(8, 256, 0, nullptr, xi, n, f, d, i, u);
    enas::cuda::launch<atomic_extremes>(8, 256, 0, nullptr, xi, n, i, order);
    enas::cuda::launch<atomic_cas_increment>(8, 256, 0, nullptr, i);
    enas::cuda::launch<atomic_exchange_chain>(8, 256, 0, nullptr, i, order);
    enas::cuda::launch<histogram>(8, 256, 0, nullptr, xi, n, u, 10);
    enas::cuda::launch<record_indices>(dim3(2, 2, 2), dim3(4, 4, 4), 0, nullptr, indices);
    enas::cuda::launch<record_order_around_barrier>(1, 64, 0, nullptr, order, i);
    enas::cuda::launch<shared_memory_is_fresh_and_private>(4, 128, 0, nullptr, order, indices);
    enas::cuda::launch<barrier_reductions>(1, 96, 0, nullptr, 50, order);
    enas::cuda::launch<vector_math>(4, 128, 0, nullptr, x4, y4, n / 4);
    enas::cuda::launch<transpose>(dim3(2, 3), dim3(32, 8), 0, nullptr, out, out, 90, 60);
    enas::cuda::launch<barrier_in_divergent_branch>(1, 64, 0, nullptr, out);
    enas::cuda::launch<shuffle_missing_lane>(1, 64, 0, nullptr, out);
    enas::cuda::launch<trap_in_one_thread>(4, 32, 0, nullptr, out);
}

void launch_race_kernels(const float* x, float* sums, float* maxima, std::int32_t* index, std::int64_t rows,
                         std::int64_t k) {
    enas::cuda::launch<sum_then_max<true>>(3, 256, 0, nullptr, x, sums, maxima);
    enas::cuda::launch<sum_then_max<false>>(3, 256, 0, nullptr, x, sums, maxima);
    enas::cuda::launch<copied_argmax<true>>(2, 128, 0, nullptr, x, index, rows, k);
    enas::cuda::launch<copied_argmax<false>>(2, 128, 0, nullptr, x, index, rows, k);
    enas::cuda::launch<one_race>(1, 64, 0, nullptr, static_cast<int>(RaceCase::atomics), 40, sums);
}

}  // namespace emu_test
