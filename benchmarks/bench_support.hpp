// Helpers of the end-to-end step benchmarks (bench_child_step, bench_ptb_step): the process's
// peak resident set, its CPU time, the median of a sample, and the timed-step count.
#pragma once
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

namespace enas::bench {

/// Peak resident set size of this process in MiB (VmHWM of /proc/self/status), 0 if unknown.
inline double peak_rss_mib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
    return 0;
}

/// CPU seconds of the whole process (all threads) so far.
inline double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// The median of `v` (0 for an empty one).
inline double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size();
    return m == 0 ? 0 : (v[(m - 1) / 2] + v[m / 2]) / 2;
}

/// Timed steps per run: ENAS_BENCH_STEPS (default 5); a fixed count, so that the model is built
/// once per run (a min-time search would rebuild it for each trial).
inline int timed_steps() {
    const char* v = std::getenv("ENAS_BENCH_STEPS");
    return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : 5;
}

}  // namespace enas::bench
