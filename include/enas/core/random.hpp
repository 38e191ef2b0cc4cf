// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11). A value is a pure function
// of (seed, counter), so CPU and CUDA kernels draw identical streams, element i of a fill is
// independent of how the work is split across threads, and a run is reproducible from its seed.
#pragma once
#include <cmath>
#include <cstdint>

#include "enas/core/config.hpp"

#if defined(__CUDACC__)
#define ENAS_HD __host__ __device__
#else
#define ENAS_HD
#endif

namespace enas {

struct PhiloxBlock {
    std::uint32_t v[4];
};

/// Philox4x32 with 10 rounds: four 32-bit random words from a 128-bit counter and 64-bit key.
ENAS_HD inline PhiloxBlock philox4x32(std::uint64_t counter_lo, std::uint64_t counter_hi, std::uint64_t key) {
    constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
    constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
    std::uint32_t c0 = static_cast<std::uint32_t>(counter_lo), c1 = static_cast<std::uint32_t>(counter_lo >> 32);
    std::uint32_t c2 = static_cast<std::uint32_t>(counter_hi), c3 = static_cast<std::uint32_t>(counter_hi >> 32);
    std::uint32_t k0 = static_cast<std::uint32_t>(key), k1 = static_cast<std::uint32_t>(key >> 32);
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * c0;
        const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * c2;
        const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
        const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
        c1 = static_cast<std::uint32_t>(p1);
        c3 = static_cast<std::uint32_t>(p0);
        c0 = n0;
        c2 = n2;
        k0 += kW0;
        k1 += kW1;
    }
    return PhiloxBlock{{c0, c1, c2, c3}};
}

/// The 32-bit random word for element `index` of the draw that starts at `offset`.
ENAS_HD inline std::uint32_t philox_word(std::uint64_t seed, std::uint64_t offset, std::uint64_t index) {
    const PhiloxBlock b = philox4x32(offset + index / 4, 0, seed);
    return b.v[index % 4];
}

/// A float uniform in [0, 1) with 24 random bits.
ENAS_HD inline float uniform_from_word(std::uint32_t w) { return static_cast<float>(w >> 8) * (1.0f / 16777216.0f); }

/// A double uniform in (0, 1], never exactly zero (safe for log).
ENAS_HD inline double uniform_open_from_word(std::uint32_t w) {
    return (static_cast<double>(w) + 1.0) * (1.0 / 4294967296.0);
}

/// Host-side generator: a seed and a running counter. Kernels reserve a range of counters with
/// `reserve(n)` and then draw element i as philox_word(seed(), base, i), which is what makes a
/// draw identical on every device and thread count. Its whole state is (seed, offset).
class Rng {
public:
    explicit Rng(std::uint64_t seed = 0, std::uint64_t offset = 0) : seed_(seed), offset_(offset) {}

    std::uint64_t seed() const { return seed_; }
    std::uint64_t offset() const { return offset_; }
    void set_state(std::uint64_t seed, std::uint64_t offset) {
        seed_ = seed;
        offset_ = offset;
    }

    /// Reserves counters for `n` words and returns the base offset to pass to philox_word.
    std::uint64_t reserve(std::uint64_t n) {
        const std::uint64_t base = offset_;
        offset_ += (n + 3) / 4;
        return base;
    }

    std::uint32_t next_u32() { return philox_word(seed_, reserve(1), 0); }
    /// Uniform float in [0, 1).
    float uniform() { return uniform_from_word(next_u32()); }
    /// Uniform float in [lo, hi).
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t base = reserve(2);
        const std::uint64_t w =
            (static_cast<std::uint64_t>(philox_word(seed_, base, 0)) << 32) | philox_word(seed_, base, 1);
        return n == 0 ? 0 : w % n;  // bias < n / 2^64: negligible for the sizes used here
    }
    /// Standard normal (Box-Muller).
    double normal() {
        const std::uint64_t base = reserve(2);
        const double u1 = uniform_open_from_word(philox_word(seed_, base, 0));
        const double u2 = uniform_open_from_word(philox_word(seed_, base, 1));
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

private:
    std::uint64_t seed_;
    std::uint64_t offset_;
};

}  // namespace enas
