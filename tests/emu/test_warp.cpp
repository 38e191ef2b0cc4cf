// Warp shuffles and votes with warp-synchronous semantics, in ascending and shuffled order.
#include <numeric>
#include <random>

#include "emu_test_utils.hpp"
#include "kernels/warp.cuh"

namespace emu_test {
namespace {

std::vector<float> small_integers(std::size_t n) {
    // Integer-valued floats: every summation order gives the exact same result.
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(static_cast<int>(i * 7 % 11) - 5);
    return x;
}

float group_sum(const std::vector<float>& x, std::size_t first, std::size_t count) {
    float sum = 0.0f;
    for (std::size_t i = first; i < first + count && i < x.size(); ++i) sum += x[i];
    return sum;
}

}  // namespace

TEST_CASE("warp shuffle reductions, scans and broadcasts give the right values", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle, 3));
    INFO("shuffled order: " << shuffle);
    constexpr unsigned int kThreads = 256;
    constexpr unsigned int kBlocks = 5;
    constexpr std::size_t kN = kThreads * kBlocks;
    const std::vector<float> x = small_integers(kN);
    DeviceArray<float> input(x);

    SECTION("__shfl_down_sync tree, with a tail past n") {
        const int n = static_cast<int>(kN) - 45;
        DeviceArray<float> sums(kN / 32);
        enas::cuda::launch<warp_sums>(kBlocks, kThreads, 0, nullptr, input.get(), sums.get(), n);
        const std::vector<float> got = sums.download();
        for (std::size_t w = 0; w < got.size(); ++w) {
            const std::size_t first = w * 32;
            const std::size_t count = first < static_cast<std::size_t>(n) ? std::min<std::size_t>(32, n - first) : 0;
            REQUIRE(got[w] == group_sum(x, first, count));
        }
    }
    SECTION("__shfl_xor_sync butterfly over the warp and over narrower widths") {
        const int width = GENERATE(32, 16, 8, 4, 2);
        DeviceArray<float> out(kN);
        if (width == 32) {
            enas::cuda::launch<warp_allreduce_xor>(kBlocks, kThreads, 0, nullptr, input.get(), out.get());
        } else {
            enas::cuda::launch<segment_allreduce_xor>(kBlocks, kThreads, 0, nullptr, input.get(), out.get(), width);
        }
        const std::vector<float> got = out.download();
        for (std::size_t i = 0; i < kN; ++i) REQUIRE(got[i] == group_sum(x, i / width * width, width));
    }
    SECTION("__shfl_up_sync inclusive scan") {
        std::vector<int> values(kN);
        for (std::size_t i = 0; i < kN; ++i) values[i] = static_cast<int>(i % 9) - 3;
        DeviceArray<int> in(values);
        DeviceArray<int> out(kN);
        enas::cuda::launch<warp_inclusive_scan>(kBlocks, kThreads, 0, nullptr, in.get(), out.get());
        const std::vector<int> got = out.download();
        for (std::size_t i = 0; i < kN; ++i) {
            const std::size_t first = i / 32 * 32;
            REQUIRE(got[i] == std::accumulate(values.begin() + static_cast<std::ptrdiff_t>(first),
                                              values.begin() + static_cast<std::ptrdiff_t>(i) + 1, 0));
        }
    }
    SECTION("__shfl_sync broadcast of doubles") {
        const int source = GENERATE(0, 13, 31, 45);  // 45 wraps to lane 13, as srcLane % width
        std::vector<double> values(kN);
        for (std::size_t i = 0; i < kN; ++i) values[i] = 0.5 * static_cast<double>(i);
        DeviceArray<double> in(values);
        DeviceArray<double> out(kN);
        enas::cuda::launch<warp_broadcast>(kBlocks, kThreads, 0, nullptr, in.get(), out.get(), source);
        const std::vector<double> got = out.download();
        for (std::size_t i = 0; i < kN; ++i) REQUIRE(got[i] == values[i / 32 * 32 + source % 32]);
    }
    SECTION("independent half-warp masks") {
        DeviceArray<float> out(kN / 16);
        enas::cuda::launch<half_warp_sums>(kBlocks, kThreads, 0, nullptr, input.get(), out.get());
        const std::vector<float> got = out.download();
        for (std::size_t h = 0; h < got.size(); ++h) REQUIRE(got[h] == group_sum(x, h * 16, 16));
    }
    SECTION("block sum from warp shuffles and shared memory") {
        DeviceArray<float> partial(kBlocks);
        enas::cuda::launch<block_sum_warp_shuffle>(kBlocks, kThreads, 0, nullptr, input.get(), partial.get(),
                                                   static_cast<int>(kN));
        const std::vector<float> got = partial.download();
        for (std::size_t b = 0; b < kBlocks; ++b) REQUIRE(got[b] == group_sum(x, b * kThreads, kThreads));
    }
}

TEST_CASE("warp votes: ballot, any and all", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle, 5));
    constexpr std::size_t kWarps = 6;
    std::vector<int> flags(kWarps * 32, 0);
    // warp 0: none; 1: all; 2: lane 0 only; 3: lane 31 only; 4: odd lanes; 5: pseudo-random
    std::mt19937 rng(9);
    for (std::size_t lane = 0; lane < 32; ++lane) {
        flags[1 * 32 + lane] = 1;
        flags[4 * 32 + lane] = lane % 2;
        flags[5 * 32 + lane] = static_cast<int>(rng() % 2) * 3;  // any nonzero counts as true
    }
    flags[2 * 32 + 0] = 1;
    flags[3 * 32 + 31] = -1;
    DeviceArray<int> in(flags);
    DeviceArray<unsigned int> ballots(kWarps);
    DeviceArray<int> any(kWarps);
    DeviceArray<int> all(kWarps);
    enas::cuda::launch<warp_votes>(2, 96, 0, nullptr, in.get(), ballots.get(), any.get(), all.get());
    const std::vector<unsigned int> got_ballots = ballots.download();
    const std::vector<int> got_any = any.download();
    const std::vector<int> got_all = all.download();
    for (std::size_t w = 0; w < kWarps; ++w) {
        unsigned int expected = 0;
        for (std::size_t lane = 0; lane < 32; ++lane)
            if (flags[w * 32 + lane] != 0) expected |= 1u << lane;
        INFO("warp " << w);
        CHECK(got_ballots[w] == expected);
        CHECK(got_any[w] == (expected != 0 ? 1 : 0));
        CHECK(got_all[w] == (expected == 0xffffffffu ? 1 : 0));
    }
}

}  // namespace emu_test
