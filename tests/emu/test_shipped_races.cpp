// The shipped softmax kernels (cuda/kernels/softmax.cuh, with block_reduce from device_helpers.cuh)
// under the race check, launched with fewer blocks than rows so that each block handles several
// rows: the launchers give every row its own block (up to 65535 rows), so the backend's tests never
// reuse the shared scratch across rows, where a missing second barrier races.
#include <algorithm>
#include <cmath>
#include <random>

#include "emu_test_utils.hpp"
#include "kernels/softmax.cuh"

namespace emu_test {
namespace {

constexpr std::int64_t kRows = 7;
constexpr std::int64_t kCols = 300;

std::vector<float> random_rows(unsigned int seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
    std::vector<float> x(static_cast<std::size_t>(kRows * kCols));
    for (float& v : x) v = uniform(rng);
    return x;
}

}  // namespace

TEST_CASE("the shipped argmax and softmax run clean under the race check with several rows per block", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle, 3, true));
    std::vector<float> x = random_rows(21);
    x[3 * kCols + 299] = 9.0f;  // a winner in the last warp of row 3
    DeviceArray<float> input(x);

    DeviceArray<std::int32_t> index(kRows);
    enas::cuda::launch<enas::cuda::kernels::argmax_forward>(2, 128, 0, nullptr, input.get(), index.get(), kRows, kCols);
    DeviceArray<float> y(x.size());
    enas::cuda::launch<enas::cuda::kernels::softmax_forward>(3, 96, 0, nullptr, input.get(), y.get(), kRows, kCols);

    const std::vector<std::int32_t> got = index.download();
    const std::vector<float> probs = y.download();
    for (std::int64_t r = 0; r < kRows; ++r) {
        const auto row = x.begin() + r * kCols;
        CHECK(got[static_cast<std::size_t>(r)] == std::max_element(row, row + kCols) - row);
        const float m = *std::max_element(row, row + kCols);
        double total = 0.0;
        for (std::int64_t j = 0; j < kCols; ++j) total += std::exp(static_cast<double>(row[j] - m));
        for (std::int64_t j = 0; j < kCols; ++j) {
            const double expected = std::exp(static_cast<double>(row[j] - m)) / total;
            CHECK(std::fabs(probs[static_cast<std::size_t>(r * kCols + j)] - expected) <= 1e-6);
        }
    }
}

}  // namespace emu_test
