// Work splitting for the CPU kernels (OpenMP). Small problems run on the calling thread: on two
// cores a parallel region costs a few microseconds, more than a 10k-element loop.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace enas::cpu {

/// Elements below which an elementwise loop is not worth splitting.
inline constexpr std::int64_t kParallelGrain = 32768;

/// Calls f(begin, end) over contiguous chunks of [0, n) on the OpenMP threads, or once on the
/// calling thread when n <= grain, only one thread is available, or we are already parallel.
template <class F>
void parallel_for(std::int64_t n, std::int64_t grain, F&& f) {
    if (n <= 0) return;
    if (n <= grain || omp_get_max_threads() == 1 || omp_in_parallel()) {
        f(std::int64_t{0}, n);
        return;
    }
    const int max_chunks = static_cast<int>(std::min<std::int64_t>(omp_get_max_threads(), (n + grain - 1) / grain));
#pragma omp parallel num_threads(max_chunks)
    {
        const std::int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
        const std::int64_t begin = n * t / nt, end = n * (t + 1) / nt;
        if (begin < end) f(begin, end);
    }
}

}  // namespace enas::cpu
