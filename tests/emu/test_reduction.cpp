// A block reduction in shared memory: the correct kernel passes for every size, and a kernel
// missing a __syncthreads is caught by shuffled thread order and poisoned shared memory.
#include <algorithm>
#include <cmath>
#include <random>

#include "emu_test_utils.hpp"
#include "kernels/reduction.cuh"

namespace emu_test {
namespace {

std::vector<float> random_values(int n, unsigned int seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> x(static_cast<std::size_t>(n));
    for (float& v : x) v = uniform(rng);
    return x;
}

double exact_sum(const std::vector<float>& x) {
    double sum = 0.0;
    for (const float v : x) sum += v;
    return sum;
}

enum class Variant { static_256, static_32, dynamic_64, dynamic_1024, missing_sync_256 };

/// Sums x on the emulated device: one launch for per-block partial sums, one for their total.
float device_sum(const std::vector<float>& x, Variant variant) {
    const int n = static_cast<int>(x.size());
    const unsigned int block = variant == Variant::static_32      ? 32
                               : variant == Variant::dynamic_64   ? 64
                               : variant == Variant::dynamic_1024 ? 1024
                                                                  : 256;
    const unsigned int grid = std::min(enas::cuda::blocks_for(n, block), 40u);
    DeviceArray<float> input(x);
    DeviceArray<float> partial(grid);
    DeviceArray<float> total(1);
    switch (variant) {
        case Variant::static_256:
            enas::cuda::launch<block_sum_static<256>>(grid, block, 0, nullptr, input.get(), partial.get(), n);
            break;
        case Variant::static_32:
            enas::cuda::launch<block_sum_static<32>>(grid, block, 0, nullptr, input.get(), partial.get(), n);
            break;
        case Variant::dynamic_64:
        case Variant::dynamic_1024:
            enas::cuda::launch<block_sum_dynamic>(grid, block, block * sizeof(float), nullptr, input.get(),
                                                  partial.get(), n);
            break;
        case Variant::missing_sync_256:
            enas::cuda::launch<block_sum_missing_sync<256>>(grid, block, 0, nullptr, input.get(), partial.get(), n);
            break;
    }
    enas::cuda::launch<block_sum_static<256>>(1, 256, 0, nullptr, partial.get(), total.get(), static_cast<int>(grid));
    return total.download()[0];
}

bool close_to(float actual, double expected, const std::vector<float>& x) {
    double magnitude = 0.0;
    for (const float v : x) magnitude += std::fabs(v);
    return std::fabs(actual - expected) <= 1e-5 * (1.0 + magnitude);
}

}  // namespace

TEST_CASE("a shared-memory block reduction is right for every size and thread order", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle, 7));
    const Variant variant =
        GENERATE(Variant::static_256, Variant::static_32, Variant::dynamic_64, Variant::dynamic_1024);
    for (const int n : {1, 7, 31, 255, 256, 257, 1000, 4099, 100003}) {
        const std::vector<float> x = random_values(n, static_cast<unsigned int>(n));
        const float sum = device_sum(x, variant);
        INFO("shuffle " << shuffle << ", variant " << static_cast<int>(variant) << ", n " << n << ": device " << sum
                        << ", exact " << exact_sum(x));
        CHECK(close_to(sum, exact_sum(x), x));
    }
}

TEST_CASE("a reduction missing a __syncthreads is caught by shuffled order and poisoned shared memory", "[emu]") {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
        enas::emu::ScopedOptions scoped(settings(2, true, seed, false));  // the race check would stop the launch
        for (const int n : {256, 1000, 100003}) {
            const std::vector<float> x = random_values(n, 11);
            const float sum = device_sum(x, Variant::missing_sync_256);
            INFO("seed " << seed << ", n " << n << ": device " << sum << ", exact " << exact_sum(x));
            CHECK_FALSE(close_to(sum, exact_sum(x), x));  // NaN from poison, or a wrong sum
        }
    }
}

TEST_CASE("a missing barrier that ascending thread order hides is exposed by shuffled order", "[emu]") {
    constexpr int kBlock = 128;
    constexpr int kBlocks = 8;
    std::vector<float> x(kBlock * kBlocks);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0f + static_cast<float>(i % 13);
    DeviceArray<float> input(x);
    DeviceArray<float> output(x.size());
    const auto nan_count = [&](bool synchronize) {
        enas::cuda::launch<normalize_by_block_sum<kBlock>>(kBlocks, kBlock, 0, nullptr, input.get(), output.get(),
                                                           synchronize);
        const std::vector<float> y = output.download();
        return std::count_if(y.begin(), y.end(), [](float v) { return std::isnan(v); });
    };
    {
        enas::emu::ScopedOptions scoped(settings(2, false, 1, false));
        CHECK(nan_count(false) == 0);  // thread 0 happens to publish before the others read
        CHECK(nan_count(true) == 0);
    }
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
        enas::emu::ScopedOptions scoped(settings(2, true, seed, false));
        INFO("seed " << seed);
        CHECK(nan_count(false) > 0);  // threads scheduled before thread 0 read the poisoned total
        CHECK(nan_count(true) == 0);
    }
}

}  // namespace emu_test
