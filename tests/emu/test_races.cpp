// The race-check mode (Options::race_check, ENAS_EMU_RACECHECK=1) and warps that run ahead of each
// other between barriers: the two missing barriers of issue 17, planted in copies of the shipped
// kernels (kernels/races.cuh), are reported, the correct copies run cleanly, and each kind of
// hazard is named with the kernel, the shared array, the offset and both threads.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "emu_test_utils.hpp"
#include "enas/core/error.hpp"
#include "kernels/races.cuh"

namespace emu_test {
namespace {

using Catch::Matchers::Contains;

constexpr unsigned int kBlock = 256;
constexpr unsigned int kBlocks = 3;

std::vector<float> random_values(std::size_t n, unsigned int seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> x(n);
    for (float& v : x) v = uniform(rng);
    return x;
}

/// Runs sum_then_max; returns the number of threads whose sum or max is wrong.
template <bool kSecondBarrier>
std::size_t wrong_reductions() {
    const std::vector<float> x = random_values(kBlock * kBlocks, 3);
    DeviceArray<float> input(x);
    DeviceArray<float> sums(x.size());
    DeviceArray<float> maxima(x.size());
    enas::cuda::launch<sum_then_max<kSecondBarrier>>(kBlocks, kBlock, 0, nullptr, input.get(), sums.get(),
                                                     maxima.get());
    const std::vector<float> s = sums.download();
    const std::vector<float> m = maxima.download();
    std::size_t wrong = 0;
    for (std::size_t b = 0; b < kBlocks; ++b) {
        double sum = 0.0;
        float max = -INFINITY;
        for (std::size_t t = 0; t < kBlock; ++t) sum += x[b * kBlock + t], max = std::max(max, x[b * kBlock + t]);
        for (std::size_t t = 0; t < kBlock; ++t) {
            const std::size_t i = b * kBlock + t;
            if (!(std::fabs(s[i] - sum) <= 1e-4) || m[i] != max) ++wrong;
        }
    }
    return wrong;
}

/// Runs copied_argmax on rows that a grid of 2 blocks handles 3 and 2 at a time; returns the indices.
template <bool kSecondBarrier>
std::vector<std::int32_t> argmax_rows(const std::vector<float>& x, std::int64_t rows, std::int64_t k) {
    DeviceArray<float> input(x);
    DeviceArray<std::int32_t> index(static_cast<std::size_t>(rows));
    enas::cuda::launch<copied_argmax<kSecondBarrier>>(2, 128, 0, nullptr, input.get(), index.get(), rows, k);
    return index.download();
}

/// The message of the launch's failure, or "" when it succeeded.
std::string failure_of(RaceCase race_case, int other) {
    DeviceArray<float> out(64);
    try {
        enas::cuda::launch<one_race>(1, 64, 0, nullptr, static_cast<int>(race_case), other, out.get());
    } catch (const enas::CudaError& e) {
        const std::string message = e.what();
        REQUIRE_THAT(message, Contains("cudaErrorLaunchFailure"));
        return message;
    }
    return {};
}

}  // namespace

TEST_CASE("warps run ahead between barriers: a missing barrier after block_reduce gives wrong sums", "[emu]") {
    // Without the race check: the warp that runs first goes on to the next reduction and overwrites
    // the scratch entry the other warps have yet to read, in ascending thread order too.
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle, 5, false));
    CHECK(wrong_reductions<true>() == 0);
    CHECK(wrong_reductions<false>() > 0);
}

TEST_CASE("the race check reports the planted missing barrier of block_reduce", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle, 5, true));
    CHECK(wrong_reductions<true>() == 0);  // the shipped form: clean
    INFO("shuffle " << shuffle);
    REQUIRE_THROWS_MATCHES(wrong_reductions<false>(), enas::CudaError,
                           Catch::Matchers::Predicate<enas::CudaError>([](const enas::CudaError& e) {
                               const std::string m = e.what();
                               INFO(m);
                               return m.find("kernel emu_test::sum_then_max<false>, block (") != std::string::npos &&
                                      m.find("race on shared memory 'scratch' (byte ") != std::string::npos &&
                                      m.find(" of 128)") != std::string::npos &&
                                      m.find("with no barrier between them") != std::string::npos &&
                                      m.find("thread (") != std::string::npos;
                           }));
}

TEST_CASE("the race check reports the planted missing barrier of argmax", "[emu]") {
    constexpr std::int64_t rows = 5, k = 300;
    std::vector<float> x = random_values(static_cast<std::size_t>(rows * k), 9);
    x[2 * k + 299] = 5.0f;  // a winner in the last warp of row 2
    const bool shuffle = GENERATE(false, true);
    {
        enas::emu::ScopedOptions scoped(settings(2, shuffle, 5, true));
        const std::vector<std::int32_t> index = argmax_rows<true>(x, rows, k);
        for (std::int64_t r = 0; r < rows; ++r) {
            const auto row = x.begin() + r * k;
            CHECK(index[static_cast<std::size_t>(r)] == std::max_element(row, row + k) - row);
        }
        REQUIRE_THROWS_WITH(argmax_rows<false>(x, rows, k), Contains("kernel emu_test::copied_argmax<false>") &&
                                                                Contains("race on shared memory 'best_") &&
                                                                Contains("with no barrier between them"));
    }
    {
        // Without the race check the planted bug goes unnoticed here: only thread 0's answer is
        // kept, and warp 0 read its candidates before it overwrote them.
        enas::emu::ScopedOptions scoped(settings(2, false, 5, false));
        const std::vector<std::int32_t> index = argmax_rows<false>(x, rows, k);
        for (std::int64_t r = 0; r < rows; ++r) {
            const auto row = x.begin() + r * k;
            CHECK(index[static_cast<std::size_t>(r)] == std::max_element(row, row + k) - row);
        }
    }
}

TEST_CASE("the race check names each hazard with the array, the offset and both threads", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(1, GENERATE(false, true), 5, true));
    const int other = GENERATE(1, 40);  // a lane of warp 0, a thread of warp 1

    const std::string raw = failure_of(RaceCase::read_after_write, other);
    CHECK_THAT(raw, Contains("kernel emu_test::one_race, block (0,0,0): ") &&
                        Contains("race on shared memory 'cell' (byte 0 of 16)") &&
                        Contains("with no barrier between them (since the barrier at races.cuh:"));
    // Which access comes first depends on the thread order; both threads are named either way.
    CHECK_THAT(raw, Contains("thread (0,0,0)") && Contains("thread (" + std::to_string(other) + ",0,0)"));
    CHECK_THAT(raw, Contains("read-after-write") || Contains("write-after-read"));

    const std::string war = failure_of(RaceCase::write_after_read, other);
    CHECK_THAT(war, Contains("'cell' (byte 0 of 16)") && Contains("thread (0,0,0)") &&
                        Contains("thread (" + std::to_string(other) + ",0,0)"));
    CHECK_THAT(war, Contains("read-after-write") || Contains("write-after-read"));

    CHECK_THAT(failure_of(RaceCase::write_after_write, other),
               Contains("write-after-write race on shared memory 'cell' (byte 0 of 16)"));

    CHECK(failure_of(RaceCase::barrier_between, other).empty());
    CHECK(failure_of(RaceCase::atomics, other).empty());
    CHECK_THAT(failure_of(RaceCase::out_of_bounds_write, other),
               Contains("thread (" + std::to_string(other) +
                        ",0,0): out-of-bounds shared-memory write at byte 16 of "
                        "'cell', which has 16 bytes"));
}

TEST_CASE("a __syncwarp orders the lanes of its warp for the race check, not other warps", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(1, GENERATE(false, true), 5, true));
    CHECK(failure_of(RaceCase::syncwarp_between, 1).empty());
    CHECK(failure_of(RaceCase::syncwarp_between, 31).empty());
    CHECK_THAT(failure_of(RaceCase::syncwarp_between, 40), Contains("race on shared memory 'cell'"));
}

TEST_CASE("without the race check the hazards run as before", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(1, false, 5, false));
    for (const RaceCase c : {RaceCase::read_after_write, RaceCase::write_after_read, RaceCase::write_after_write,
                             RaceCase::syncwarp_between})
        CHECK(failure_of(c, 40).empty());
}

}  // namespace emu_test
