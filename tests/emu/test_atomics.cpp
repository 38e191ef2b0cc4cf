// Atomics from many blocks running on two OS threads at once.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "emu_test_utils.hpp"
#include "kernels/atomics.cuh"

namespace emu_test {
namespace {

// An emulator-only kernel (it calls host functions): notes which OS thread ran each block.
std::mutex seen_mutex;
std::set<std::thread::id> seen_threads;

__global__ void note_os_thread() {
    if (threadIdx.x == 0) {
        {
            std::lock_guard<std::mutex> lock(seen_mutex);
            seen_threads.insert(std::this_thread::get_id());
        }
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
}

std::vector<int> digits(std::size_t n) {
    std::vector<int> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<int>((i * 2654435761u) % 10) - 2;  // -2 .. 7
    return x;
}

}  // namespace

TEST_CASE("blocks run in parallel on two OS threads", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(2, false));
    seen_threads.clear();
    enas::cuda::launch<note_os_thread>(64, 32, 0, nullptr);
    CHECK(seen_threads.size() == 2);
}

TEST_CASE("atomics from many blocks on two OS threads add up exactly", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle, 17));
    constexpr int kThreads = 256;
    constexpr int kN = 1000 * kThreads - 77;
    const std::vector<int> x = digits(kN);
    DeviceArray<int> input(x);
    const int blocks = static_cast<int>(enas::cuda::blocks_for(kN, kThreads));

    SECTION("atomicAdd on float, double, int and unsigned") {
        DeviceArray<float> float_total(1);
        DeviceArray<double> double_total(1);
        DeviceArray<int> int_total(1);
        DeviceArray<unsigned int> count(1);
        require_success(cudaMemset(float_total.get(), 0, sizeof(float)));
        require_success(cudaMemset(double_total.get(), 0, sizeof(double)));
        require_success(cudaMemset(int_total.get(), 0, sizeof(int)));
        require_success(cudaMemset(count.get(), 0, sizeof(unsigned int)));
        enas::cuda::launch<atomic_totals>(blocks, kThreads, 0, nullptr, input.get(), kN, float_total.get(),
                                          double_total.get(), int_total.get(), count.get());
        long long expected = 0;
        for (const int v : x) expected += v;
        // Integer-valued partial sums stay below 2^24, so even the float total is exact.
        CHECK(float_total.download()[0] == static_cast<float>(expected));
        CHECK(double_total.download()[0] == static_cast<double>(expected));
        CHECK(int_total.download()[0] == expected);
        CHECK(count.download()[0] == static_cast<unsigned int>(kN));
    }
    SECTION("atomicMax and atomicMin") {
        std::vector<int> values(kN);
        for (int i = 0; i < kN; ++i) values[i] = (i * 7919) % 100003 - 50000;
        DeviceArray<int> in(values);
        DeviceArray<int> maximum(std::vector<int>{-1000000});
        DeviceArray<int> minimum(std::vector<int>{1000000});
        enas::cuda::launch<atomic_extremes>(blocks, kThreads, 0, nullptr, in.get(), kN, maximum.get(), minimum.get());
        CHECK(maximum.download()[0] == *std::max_element(values.begin(), values.end()));
        CHECK(minimum.download()[0] == *std::min_element(values.begin(), values.end()));
    }
    SECTION("atomicCAS loops") {
        DeviceArray<int> counter(std::vector<int>{0});
        enas::cuda::launch<atomic_cas_increment>(200, 128, 0, nullptr, counter.get());
        CHECK(counter.download()[0] == 200 * 128);
    }
    SECTION("atomicExch hands every value on exactly once") {
        constexpr int kTotal = 100 * 64;
        DeviceArray<int> slot(std::vector<int>{-1});
        DeviceArray<int> previous(kTotal);
        enas::cuda::launch<atomic_exchange_chain>(100, 64, 0, nullptr, slot.get(), previous.get());
        std::vector<int> values = previous.download();
        values.push_back(slot.download()[0]);
        std::sort(values.begin(), values.end());
        for (int i = -1; i < kTotal; ++i) REQUIRE(values[static_cast<std::size_t>(i + 1)] == i);
    }
    SECTION("shared-memory histogram merged with atomicAdd") {
        constexpr int kBins = 10;
        std::vector<int> bins_of(kN);
        for (int i = 0; i < kN; ++i) bins_of[i] = x[i] + 2;
        DeviceArray<int> in(bins_of);
        DeviceArray<unsigned int> bins(std::vector<unsigned int>(kBins, 0));
        enas::cuda::launch<histogram>(37, 96, 0, nullptr, in.get(), kN, bins.get(), kBins);
        std::vector<unsigned int> expected(kBins, 0);
        for (const int b : bins_of) ++expected[static_cast<std::size_t>(b)];
        CHECK(bins.download() == expected);
    }
}

}  // namespace emu_test
